using Google.Protobuf.WellKnownTypes;
using Grpc.Core;
using Microsoft.Extensions.Options;
using PumpGateway.Clinical;
using PumpGateway.Devices;
using PumpGateway.Ports;
using PumpGateway.Service.DeviceManagement;
using PumpGateway.Service.Hosting;
using PumpGateway.Service.Reports;
using PumpGateway.Service.Streaming;
using PumpGateway.Telemetry;
using Proto = PumpGateway.Api.V1;

namespace PumpGateway.Service.Grpc;

internal sealed class DiagnosticsGrpcService : Proto.DiagnosticsService.DiagnosticsServiceBase
{
    /// <summary>How far back before the device was last seen findings are looked for.</summary>
    private static readonly TimeSpan FindingsWindow = TimeSpan.FromDays(30);

    /// <summary>The sessions the link health adds up: a week shows a pattern, a day can be one bad dock.</summary>
    private static readonly TimeSpan LinkWindow = TimeSpan.FromDays(7);

    /// <summary>The readings a battery or reservoir trend is drawn through.</summary>
    private static readonly TimeSpan LevelWindow = TimeSpan.FromHours(48);

    private readonly IEventStore _store;
    private readonly DeviceManager _manager;
    private readonly TelemetryFeed _feed;
    private readonly TimeProvider _clock;
    private readonly FindingOptions _findingOptions;
    private readonly WearerDevices _wearers;
    private readonly TimeSpan _writeTimeout;

    public DiagnosticsGrpcService(IEventStore store, DeviceManager manager, TelemetryFeed feed, TimeProvider clock, IOptions<GatewayOptions> options, WearerDevices wearers)
    {
        _wearers = wearers;
        _store = store;
        _manager = manager;
        _feed = feed;
        _clock = clock;
        _findingOptions = options.Value.Findings;
        _writeTimeout = options.Value.Streaming.WriteTimeout;
    }

    public override async Task<Proto.Diagnostics> GetDiagnostics(Proto.GetDiagnosticsRequest request, ServerCallContext context)
    {
        var cancellationToken = context.CancellationToken;
        var device = await GrpcArguments.KnownDeviceAsync(_store, request.DeviceId, cancellationToken);
        var id = device.Id;
        var now = _clock.GetUtcNow();

        // A device not seen for months is still diagnosed from its last month, not from nothing.
        var recent = await DeviceHistory.ReadAsync(_store, id, device.LastSeen - FindingsWindow, null, [], cancellationToken);
        var alarms = await DeviceHistory.ReadAsync(_store, id, null, null, [TelemetryKind.Alarm], cancellationToken);
        var events = recent.Select(s => s.Event).ToList();
        var wearerGlucose = await _wearers.CompanionGlucoseAsync(_store, id, device.LastSeen - FindingsWindow, null, cancellationToken);

        var diagnostics = new Proto.Diagnostics
        {
            Device = ProtoMapper.ToProto(device, _manager.FindSession(id) is not null, await _store.GetCursorsAsync(id, cancellationToken)),
            Link = LinkHealth(events.OfType<LinkReport>().ToList()),
        };
        var statuses = events.OfType<DeviceStatus>().ToList();
        if (Level(LevelTrend.Battery(statuses)) is { } battery)
        {
            diagnostics.Battery = battery;
        }

        if (Level(LevelTrend.Reservoir(statuses)) is { } reservoir)
        {
            diagnostics.Reservoir = reservoir;
        }

        if (recent.LastOrDefault(s => s.Event is LinkReport) is { } lastSession)
        {
            diagnostics.LastSession = ProtoMapper.ToProto(lastSession);
        }

        try
        {
            diagnostics.OpenAlarms.AddRange(AlarmLifecycle.Episodes(alarms.Select(s => (Alarm)s.Event)).Where(e => e.IsOpen).Select(ClinicalProtoMapper.ToProto));
            diagnostics.Findings.AddRange(FindingRules.Evaluate(events, now, _findingOptions, wearerGlucose).Select(ClinicalProtoMapper.ToProto));
        }
        catch (ArgumentException ex)
        {
            throw GrpcArguments.UnusableHistory(id, ex);
        }

        return diagnostics;
    }

    public override async Task WatchAlarms(Proto.WatchAlarmsRequest request, IServerStreamWriter<Proto.WatchAlarmsResponse> responseStream, ServerCallContext context)
    {
        var cancellationToken = context.CancellationToken;
        var after = await GrpcArguments.ParseAfterSequenceAsync(_store, request.AfterSequence, cancellationToken);
        var stream = new SubscriberStream<Proto.WatchAlarmsResponse>(responseStream, _writeTimeout, _clock);
        var lastSent = request.AfterSequence;
        var episodes = new AlarmEpisodeTracker(_store);
        await foreach (var item in _feed.ReadAsync(after, stored => stored.Event is Alarm, cancellationToken))
        {
            Proto.WatchAlarmsResponse response;
            if (item.Event is { } stored)
            {
                response = new Proto.WatchAlarmsResponse { Update = await UpdateAsync(episodes, stored, cancellationToken) };
                lastSent = (ulong)stored.Sequence;
            }
            else
            {
                response = new Proto.WatchAlarmsResponse { Heartbeat = ProtoMapper.Heartbeat(item) };
            }

            await stream.WriteAsync(response, () => SubscriberStream<Proto.WatchAlarmsResponse>.StoppedReadingAt(lastSent), cancellationToken);
        }
    }

    private static async Task<Proto.AlarmUpdate> UpdateAsync(AlarmEpisodeTracker episodes, StoredEvent stored, CancellationToken cancellationToken)
    {
        var update = new Proto.AlarmUpdate { Event = ProtoMapper.ToProto(stored) };
        try
        {
            if (await episodes.AddAsync(stored, cancellationToken) is { } episode)
            {
                update.Episode = ClinicalProtoMapper.ToProto(episode);
            }
        }
        catch (ArgumentException ex)
        {
            throw GrpcArguments.UnusableHistory(stored.Event.Device, ex);
        }

        return update;
    }

    private static Proto.LinkHealth LinkHealth(IReadOnlyList<LinkReport> reports)
    {
        var health = new Proto.LinkHealth();
        if (reports.Count == 0)
        {
            return health;
        }

        var last = reports.MaxBy(r => r.Utc)!;
        var week = reports.Where(r => r.Utc > last.Utc - LinkWindow).ToList();
        health.Sessions = week.Count;
        health.FailedSessions = week.Count(r => r.EndedByFailure);
        health.Retries = week.Sum(r => r.Retries);
        health.CrcErrors = week.Sum(r => r.CrcErrors);
        health.Timeouts = week.Sum(r => r.Timeouts);
        health.Reopens = week.Sum(r => r.Reopens);
        health.BytesIn = week.Sum(r => r.BytesIn);
        if (week.LastOrDefault(r => r.SignalStrength is not null)?.SignalStrength is { } signal)
        {
            health.LastSignalStrength = signal;
        }

        health.LastClockOffset = last.ClockOffset is { } offset ? Duration.FromTimeSpan(offset) : null;
        health.LastClockError = last.ClockError is { } error ? Duration.FromTimeSpan(error) : null;
        return health;
    }

    /// <summary>The last reading and the trend of the <see cref="LevelWindow"/> before it (not before now: a device that left still shows where it was heading).</summary>
    private static Proto.Level? Level(IEnumerable<LevelReading> readings)
    {
        var all = readings.ToList();
        return all.Count == 0 ? null : LevelTrend.Of(all, all.Max(r => r.Utc), LevelWindow) is { } trend ? ClinicalProtoMapper.ToProto(trend) : null;
    }
}
