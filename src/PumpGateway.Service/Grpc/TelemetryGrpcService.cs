using Grpc.Core;
using Microsoft.Extensions.Options;
using PumpGateway.Devices;
using PumpGateway.Ports;
using PumpGateway.Service.Hosting;
using PumpGateway.Service.Streaming;
using Proto = PumpGateway.Api.V1;

namespace PumpGateway.Service.Grpc;

internal sealed class TelemetryGrpcService : Proto.TelemetryService.TelemetryServiceBase
{
    private const int DefaultPageSize = 1000;
    private const int MaxPageSize = 10000;

    private readonly IEventStore _store;
    private readonly TelemetryFeed _feed;
    private readonly TimeProvider _clock;
    private readonly TimeSpan _writeTimeout;

    public TelemetryGrpcService(IEventStore store, TelemetryFeed feed, TimeProvider clock, IOptions<GatewayOptions> options)
    {
        _store = store;
        _feed = feed;
        _clock = clock;
        _writeTimeout = options.Value.Streaming.WriteTimeout;
    }

    public override async Task Subscribe(Proto.SubscribeRequest request, IServerStreamWriter<Proto.SubscribeResponse> responseStream, ServerCallContext context)
    {
        var cancellationToken = context.CancellationToken;
        DeviceId? device = request.DeviceId.Length == 0 ? null : (await GrpcArguments.KnownDeviceAsync(_store, request.DeviceId, cancellationToken)).Id;
        var kinds = GrpcArguments.ParseKinds(request.Kinds);
        var after = await GrpcArguments.ParseAfterSequenceAsync(_store, request.AfterSequence, cancellationToken);

        bool Wanted(StoredEvent stored) =>
            (device is null || stored.Event.Device == device) && (kinds.Count == 0 || kinds.Contains(stored.Event.Kind));

        var stream = new SubscriberStream<Proto.SubscribeResponse>(responseStream, _writeTimeout, _clock);
        var lastSent = request.AfterSequence;
        await foreach (var item in _feed.ReadAsync(after, Wanted, cancellationToken))
        {
            Proto.SubscribeResponse response;
            if (item.Event is { } stored)
            {
                response = new Proto.SubscribeResponse { Event = ProtoMapper.ToProto(stored) };
                lastSent = (ulong)stored.Sequence;
            }
            else
            {
                response = new Proto.SubscribeResponse { Heartbeat = ProtoMapper.Heartbeat(item) };
            }

            await stream.WriteAsync(response, () => SubscriberStream<Proto.SubscribeResponse>.StoppedReadingAt(lastSent), cancellationToken);
        }
    }

    public override async Task<Proto.QueryHistoryResponse> QueryHistory(Proto.QueryHistoryRequest request, ServerCallContext context)
    {
        var cancellationToken = context.CancellationToken;
        var device = (await GrpcArguments.KnownDeviceAsync(_store, request.DeviceId, cancellationToken)).Id;
        var pageSize = GrpcArguments.ParsePageSize(request.PageSize, DefaultPageSize, MaxPageSize);
        var from = GrpcArguments.ParseOptionalTime(request.From, "from");
        var to = GrpcArguments.ParseOptionalTime(request.To, "to");
        GrpcArguments.RequireOrdered(from, to);
        var kinds = GrpcArguments.ParseKinds(request.Kinds);
        var after = await GrpcArguments.ParsePageTokenAsync(_store, request.PageToken, cancellationToken);

        // One more than asked tells whether there is a next page without a second query.
        var events = await _store.QueryAsync(new HistoryQuery(device, from, to, kinds, after, pageSize + 1), cancellationToken);
        var response = new Proto.QueryHistoryResponse();
        response.Events.AddRange(events.Take(pageSize).Select(ProtoMapper.ToProto));
        if (events.Count > pageSize)
        {
            response.NextPageToken = GrpcArguments.PageToken(events[pageSize - 1].Sequence);
        }

        return response;
    }
}
