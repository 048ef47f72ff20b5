using Google.Protobuf.WellKnownTypes;
using Grpc.Core;
using Microsoft.Extensions.Options;
using PumpGateway.Devices;
using PumpGateway.Ports;
using PumpGateway.Service.DeviceManagement;
using PumpGateway.Service.Hosting;
using Proto = PumpGateway.Api.V1;

namespace PumpGateway.Service.Grpc;

internal sealed class DeviceGrpcService : Proto.DeviceService.DeviceServiceBase
{
    private readonly IEventStore _store;
    private readonly DeviceManager _manager;
    private readonly DeviceEventHub _events;
    private readonly TimeProvider _clock;
    private readonly TimeSpan _writeTimeout;

    public DeviceGrpcService(IEventStore store, DeviceManager manager, DeviceEventHub events, TimeProvider clock, IOptions<GatewayOptions> options)
    {
        _store = store;
        _manager = manager;
        _events = events;
        _clock = clock;
        _writeTimeout = options.Value.Streaming.WriteTimeout;
    }

    public override async Task<Proto.ListDevicesResponse> ListDevices(Proto.ListDevicesRequest request, ServerCallContext context)
    {
        var response = new Proto.ListDevicesResponse();
        foreach (var device in await _store.ListDevicesAsync(context.CancellationToken))
        {
            response.Devices.Add(await ToProtoAsync(device, context.CancellationToken));
        }

        return response;
    }

    public override async Task<Proto.Device> GetDevice(Proto.GetDeviceRequest request, ServerCallContext context)
    {
        var device = await GrpcArguments.KnownDeviceAsync(_store, request.DeviceId, context.CancellationToken);
        return await ToProtoAsync(device, context.CancellationToken);
    }

    public override async Task WatchDevices(Proto.WatchDevicesRequest request, IServerStreamWriter<Proto.DeviceEvent> responseStream, ServerCallContext context)
    {
        var cancellationToken = context.CancellationToken;
        using var watch = _events.Watch();
        var stream = new SubscriberStream<Proto.DeviceEvent>(responseStream, _writeTimeout, _clock);

        // Device events are not stored: a watcher cut off watches again and first learns what is docked then.
        static string StoppedReading() => "The watcher stopped reading; watch again (it starts with the devices docked then).";

        // A watcher joining late first learns what is docked now, then follows.
        foreach (var session in _manager.Sessions)
        {
            var now = Timestamp.FromDateTimeOffset(_clock.GetUtcNow());
            await stream.WriteAsync(new Proto.DeviceEvent { Time = now, Endpoint = session.Endpoint, Docked = new Proto.Docked() }, StoppedReading, cancellationToken);
            if (session.Device is { } id && await _store.GetDeviceAsync(id, cancellationToken) is { } device)
            {
                await stream.WriteAsync(
                    new Proto.DeviceEvent { Time = now, Endpoint = session.Endpoint, DeviceId = id.Value, Identified = new Proto.Identified { Device = await ToProtoAsync(device, cancellationToken) } },
                    StoppedReading,
                    cancellationToken);
            }
        }

        try
        {
            await foreach (var deviceEvent in watch.Reader.ReadAllAsync(cancellationToken))
            {
                await stream.WriteAsync(await ToProtoAsync(deviceEvent, cancellationToken), StoppedReading, cancellationToken);
            }
        }
        catch (WatcherTooSlowException ex)
        {
            throw new RpcException(new Status(StatusCode.ResourceExhausted, ex.Message));
        }
    }

    public override async Task DownloadHistory(Proto.DownloadHistoryRequest request, IServerStreamWriter<Proto.DownloadHistoryResponse> responseStream, ServerCallContext context)
    {
        var cancellationToken = context.CancellationToken;
        var id = (await GrpcArguments.KnownDeviceAsync(_store, request.DeviceId, cancellationToken)).Id;

        var session = _manager.FindSession(id)
            ?? throw new RpcException(new Status(StatusCode.FailedPrecondition, $"Device {request.DeviceId} is not docked: dock it, then ask again."));

        // Watch before asking, so the download's first progress cannot be missed.
        using var watch = _events.Watch();
        session.Trigger.Request();
        try
        {
            await foreach (var deviceEvent in watch.Reader.ReadAllAsync(cancellationToken))
            {
                if (deviceEvent.Endpoint != session.Endpoint)
                {
                    continue;
                }

                switch (deviceEvent.Kind)
                {
                    case DeviceEventKind.Progress when deviceEvent.Progress is { } progress:
                        await responseStream.WriteAsync(new Proto.DownloadHistoryResponse { Progress = ProtoMapper.ToProto(progress) }, cancellationToken);
                        break;
                    case DeviceEventKind.Completed when deviceEvent.Completed is { } completed:
                        await responseStream.WriteAsync(new Proto.DownloadHistoryResponse { Completed = ProtoMapper.ToProto(completed) }, cancellationToken);
                        return;
                    case DeviceEventKind.Disconnected:
                        throw new RpcException(new Status(StatusCode.Unavailable, $"The device disconnected during the download: {deviceEvent.Reason}. The next download resumes where this one stopped."));
                }
            }
        }
        catch (WatcherTooSlowException ex)
        {
            throw new RpcException(new Status(StatusCode.ResourceExhausted, ex.Message));
        }
    }

    private async Task<Proto.Device> ToProtoAsync(DeviceRecord device, CancellationToken cancellationToken) =>
        ProtoMapper.ToProto(device, _manager.FindSession(device.Id) is not null, await _store.GetCursorsAsync(device.Id, cancellationToken));

    private async Task<Proto.DeviceEvent> ToProtoAsync(DeviceEvent deviceEvent, CancellationToken cancellationToken)
    {
        var message = new Proto.DeviceEvent
        {
            Time = Timestamp.FromDateTimeOffset(deviceEvent.Time),
            Endpoint = deviceEvent.Endpoint,
            DeviceId = deviceEvent.Device?.Value ?? "",
        };
        switch (deviceEvent.Kind)
        {
            case DeviceEventKind.Docked:
                message.Docked = new Proto.Docked();
                break;
            case DeviceEventKind.Identified:
                message.Identified = new Proto.Identified { Device = await ToProtoAsync(deviceEvent.Identified!, cancellationToken) };
                break;
            case DeviceEventKind.Progress:
                message.Progress = ProtoMapper.ToProto(deviceEvent.Progress!);
                break;
            case DeviceEventKind.Completed:
                message.Completed = ProtoMapper.ToProto(deviceEvent.Completed!);
                break;
            case DeviceEventKind.Disconnected:
                message.Disconnected = new Proto.Disconnected { Reason = deviceEvent.Reason ?? "" };
                break;
        }

        return message;
    }
}
