using System.Globalization;
using Google.Protobuf.WellKnownTypes;
using Grpc.Core;
using PumpGateway.Devices;
using PumpGateway.Ports;
using PumpGateway.Service.Streaming;
using PumpGateway.Telemetry;
using Proto = PumpGateway.Api.V1;

namespace PumpGateway.Service.Grpc;

internal sealed class TelemetryGrpcService : Proto.TelemetryService.TelemetryServiceBase
{
    private const int DefaultPageSize = 1000;
    private const int MaxPageSize = 10000;

    private readonly IEventStore _store;
    private readonly TelemetryFeed _feed;

    public TelemetryGrpcService(IEventStore store, TelemetryFeed feed)
    {
        _store = store;
        _feed = feed;
    }

    public override async Task Subscribe(Proto.SubscribeRequest request, IServerStreamWriter<Proto.SubscribeResponse> responseStream, ServerCallContext context)
    {
        var cancellationToken = context.CancellationToken;
        var device = await ParseKnownDeviceAsync(request.DeviceId, optional: true, cancellationToken);
        var kinds = ParseKinds(request.Kinds);
        var head = await _store.GetHeadSequenceAsync(cancellationToken);
        if (request.AfterSequence > (ulong)head)
        {
            throw new RpcException(new Status(StatusCode.OutOfRange, $"after_sequence {request.AfterSequence} is beyond the head sequence {head}."));
        }

        bool Wanted(StoredEvent stored) =>
            (device is null || stored.Event.Device == device) && (kinds.Count == 0 || kinds.Contains(stored.Event.Kind));

        await foreach (var item in _feed.ReadAsync((long)request.AfterSequence, Wanted, cancellationToken))
        {
            var response = item.Event is { } stored
                ? new Proto.SubscribeResponse { Event = ProtoMapper.ToProto(stored) }
                : new Proto.SubscribeResponse
                {
                    Heartbeat = ProtoMapper.Heartbeat(item),
                };
            await responseStream.WriteAsync(response, cancellationToken);
        }
    }

    public override async Task<Proto.QueryHistoryResponse> QueryHistory(Proto.QueryHistoryRequest request, ServerCallContext context)
    {
        var cancellationToken = context.CancellationToken;
        var device = await ParseKnownDeviceAsync(request.DeviceId, optional: false, cancellationToken);
        var pageSize = request.PageSize == 0 ? DefaultPageSize : (int)Math.Min(request.PageSize, int.MaxValue);
        if (pageSize > MaxPageSize)
        {
            throw new RpcException(new Status(StatusCode.InvalidArgument, $"page_size {request.PageSize} is above the maximum {MaxPageSize}."));
        }

        var from = request.From?.ToDateTimeOffset();
        var to = request.To?.ToDateTimeOffset();
        if (from is not null && to is not null && from >= to)
        {
            throw new RpcException(new Status(StatusCode.InvalidArgument, $"from ({from:O}) must be before to ({to:O})."));
        }

        long after = 0;
        if (request.PageToken.Length > 0 && (!long.TryParse(request.PageToken, NumberStyles.None, CultureInfo.InvariantCulture, out after) || after < 0))
        {
            throw new RpcException(new Status(StatusCode.InvalidArgument, "page_token is not one this server issued."));
        }

        // One more than asked tells whether there is a next page without a second query.
        var events = await _store.QueryAsync(new HistoryQuery(device, from, to, ParseKinds(request.Kinds), after, pageSize + 1), cancellationToken);
        var response = new Proto.QueryHistoryResponse();
        response.Events.AddRange(events.Take(pageSize).Select(ProtoMapper.ToProto));
        if (events.Count > pageSize)
        {
            response.NextPageToken = events[pageSize - 1].Sequence.ToString(CultureInfo.InvariantCulture);
        }

        return response;
    }

    private async Task<DeviceId?> ParseKnownDeviceAsync(string deviceId, bool optional, CancellationToken cancellationToken)
    {
        if (deviceId.Length == 0)
        {
            return optional ? null : throw new RpcException(new Status(StatusCode.InvalidArgument, "device_id is required."));
        }

        var id = GrpcArguments.ParseDeviceId(deviceId);
        return await _store.GetDeviceAsync(id, cancellationToken) is null
            ? throw new RpcException(new Status(StatusCode.NotFound, $"No device {deviceId}."))
            : id;
    }

    private static HashSet<TelemetryKind> ParseKinds(IEnumerable<Proto.TelemetryKind> kinds)
    {
        var set = new HashSet<TelemetryKind>();
        foreach (var kind in kinds)
        {
            if (kind == Proto.TelemetryKind.Unspecified || !System.Enum.IsDefined((TelemetryKind)(int)kind))
            {
                throw new RpcException(new Status(StatusCode.InvalidArgument, $"Unknown telemetry kind {kind}."));
            }

            set.Add(ProtoMapper.FromProto(kind));
        }

        return set;
    }
}

internal static class GrpcArguments
{
    public static DeviceId ParseDeviceId(string deviceId)
    {
        try
        {
            return new DeviceId(deviceId);
        }
        catch (ArgumentException)
        {
            throw new RpcException(new Status(StatusCode.InvalidArgument, "device_id is not a device id (letters, digits, '-' and '_', at most 64)."));
        }
    }

    /// <summary>A required timestamp, within the range a <see cref="DateTimeOffset"/> holds.</summary>
    public static DateTimeOffset ParseTime(Timestamp? time, string field)
    {
        if (time is null)
        {
            throw new RpcException(new Status(StatusCode.InvalidArgument, $"{field} is required."));
        }

        try
        {
            return time.ToDateTimeOffset();
        }
        catch (InvalidOperationException)
        {
            throw new RpcException(new Status(StatusCode.InvalidArgument, $"{field} is not a valid timestamp (seconds {time.Seconds}, nanos {time.Nanos})."));
        }
    }

    /// <summary>Stored events the read side refuses (a negative amount, a reading without a value): the store holds something the drivers should never have written.</summary>
    public static RpcException UnusableHistory(DeviceId device, ArgumentException problem) =>
        new(new Status(StatusCode.DataLoss, $"The stored events of device {device} cannot be read for a report: {problem.Message}"));
}
