using System.Collections.Concurrent;
using Microsoft.Extensions.Options;
using PumpGateway.Devices;
using PumpGateway.Ports;
using PumpGateway.Telemetry;
using PumpGateway.Service.Hosting;

namespace PumpGateway.Service.DeviceManagement;

/// <summary>A device family the gateway can speak to: how to recognize it and how to make its driver.</summary>
internal sealed record DeviceFamilyRegistration(DeviceFamilyDescriptor Descriptor, Func<IDeviceDriver> CreateDriver);

/// <summary>
/// Starts a session when a device docks (serial) or comes in range (BLE) and ends it when it
/// leaves: one task per device, a driver over a transport, telemetry into the store. A failed
/// session is started again while the device is still there, after a delay that doubles with
/// each failure before the device identifies itself (up to a ceiling); the stored cursors make
/// that a resume, not a restart.
/// </summary>
internal sealed partial class DeviceManager : BackgroundService
{
    private readonly ConcurrentDictionary<string, ActiveSession> _sessions = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, ReconnectState> _reconnects = new(StringComparer.Ordinal);
    private readonly IReadOnlyDictionary<string, DeviceFamilyRegistration> _families;
    private readonly IReadOnlyList<IDeviceLocator> _locators;
    private readonly IEventStore _store;
    private readonly ITelemetrySink _sink;
    private readonly DeviceEventHub _events;
    private readonly TimeProvider _clock;
    private readonly ILoggerFactory _loggerFactory;
    private readonly ILogger<DeviceManager> _logger;
    private readonly GatewayOptions _options;

    public DeviceManager(
        IEnumerable<DeviceFamilyRegistration> families,
        IEnumerable<IDeviceLocator> locators,
        IEventStore store,
        ITelemetrySink sink,
        DeviceEventHub events,
        TimeProvider clock,
        IOptions<GatewayOptions> options,
        ILoggerFactory loggerFactory)
    {
        _families = families.ToDictionary(f => f.Descriptor.Family, StringComparer.Ordinal);
        _locators = [.. locators];
        _store = store;
        _sink = sink;
        _events = events;
        _clock = clock;
        _options = options.Value;
        _loggerFactory = loggerFactory;
        _logger = loggerFactory.CreateLogger<DeviceManager>();
    }

    /// <summary>Sessions running now, by transport endpoint.</summary>
    public IReadOnlyCollection<ActiveSession> Sessions => [.. _sessions.Values];

    public ActiveSession? FindSession(DeviceId device) => _sessions.Values.FirstOrDefault(s => s.Device == device);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(_options.ScanInterval, _clock);
        do
        {
            foreach (var locator in _locators)
            {
                try
                {
                    foreach (var candidate in await locator.ScanAsync(stoppingToken))
                    {
                        StartIfDue(candidate, stoppingToken);
                    }
                }
                catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
                {
                    LogScanFailed(ex);
                }
            }
        }
        while (await timer.WaitForNextTickAsync(stoppingToken).ConfigureAwait(false));
    }

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        await base.StopAsync(cancellationToken);
        foreach (var session in _sessions.Values)
        {
            await session.CancelAsync();
        }

        await Task.WhenAll(_sessions.Values.Select(s => s.Completion)).WaitAsync(cancellationToken).ConfigureAwait(false);
        foreach (var locator in _locators)
        {
            await locator.DisposeAsync();
        }
    }

    private void StartIfDue(DeviceCandidate candidate, CancellationToken stoppingToken)
    {
        if (_sessions.ContainsKey(candidate.Endpoint)
            || (_reconnects.TryGetValue(candidate.Endpoint, out var reconnect) && _clock.GetUtcNow() < reconnect.NotBefore))
        {
            return;
        }

        var session = new ActiveSession(candidate.Endpoint, candidate.Family, CancellationTokenSource.CreateLinkedTokenSource(stoppingToken));
        if (_sessions.TryAdd(candidate.Endpoint, session))
        {
            session.Completion = Task.Run(() => RunSessionAsync(candidate, session), CancellationToken.None);
        }
    }

    private async Task RunSessionAsync(DeviceCandidate candidate, ActiveSession session)
    {
        var cancellationToken = session.Cancellation.Token;
        var family = _families[session.Family];
        using var scope = _logger.BeginScope(new Dictionary<string, object> { ["Endpoint"] = session.Endpoint, ["Family"] = session.Family });
        _events.Publish(new DeviceEvent(_clock.GetUtcNow(), session.Endpoint, null, DeviceEventKind.Docked));
        LogDocked(session.Endpoint, session.Family);
        string reason;
        LinkStatistics? statistics = null;
        var started = _clock.GetUtcNow();
        try
        {
            await using var transport = candidate.CreateTransport();
            statistics = transport.Statistics;
            await transport.OpenAsync(cancellationToken);
            var driverSession = new DeviceSession
            {
                Transport = transport,
                Sink = _sink,
                Observer = new SessionObserver(this, session),
                Clock = _clock,
                Logger = _loggerFactory.CreateLogger("PumpGateway.Devices." + session.Family),
                DownloadTrigger = session.Trigger,
            };
            session.Trigger.Follow(transport);
            await family.CreateDriver().RunAsync(driverSession, cancellationToken);
            reason = LinkReport.SessionEnded;
            _reconnects.TryRemove(session.Endpoint, out _);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            reason = LinkReport.GatewayStopping;
        }
        catch (Exception ex)
        {
            reason = ex.Message;
            var delay = ScheduleReconnect(session);
            LogSessionFailed(ex, session.Endpoint, delay.TotalSeconds);
        }

        if (session.Device is { } device && statistics is not null)
        {
            await RecordLinkReportAsync(device, session, started, reason, statistics);
        }

        _sessions.TryRemove(session.Endpoint, out _);
        session.Cancellation.Dispose();
        session.Trigger.Dispose();
        _events.Publish(new DeviceEvent(_clock.GetUtcNow(), session.Endpoint, session.Device, DeviceEventKind.Disconnected) { Reason = reason });
        LogDisconnected(session.Endpoint, session.Device?.Value, reason);
    }

    /// <summary>The session's link figures, kept as telemetry so that a technician sees how each session's link fared.</summary>
    private async Task RecordLinkReportAsync(DeviceId device, ActiveSession session, DateTimeOffset started, string reason, LinkStatistics statistics)
    {
        var endpoint = session.Endpoint;
        var now = _clock.GetUtcNow();
        var report = new LinkReport
        {
            Id = Telemetry.EventId.For(device, "link", started.UtcTicks.ToString(System.Globalization.CultureInfo.InvariantCulture)),
            Device = device,
            DeviceTime = DeviceTimestamp.FromClock(now.UtcDateTime),
            Utc = now,
            TimeBasis = TimeBasis.GatewayReceipt,
            Endpoint = endpoint,
            SessionLength = now - started,
            EndReason = reason,
            BytesIn = statistics.BytesIn,
            BytesOut = statistics.BytesOut,
            Timeouts = statistics.Timeouts,
            CrcErrors = statistics.CrcErrors,
            Retries = statistics.Retries,
            FramingErrors = statistics.FramingErrors,
            Reopens = statistics.Reopens,
            SignalStrength = statistics.SignalStrength,
            DeviceCounters = statistics.DeviceCounters,
            ClockOffset = session.Clock?.Offset,
            ClockError = session.Clock?.Error,
        };
        try
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
            await _sink.CommitAsync([report], [], timeout.Token);
        }
        catch (Exception ex) when (ex is OperationCanceledException or IOException or InvalidOperationException)
        {
            LogLinkReportLost(ex, endpoint);
        }
    }

    /// <summary>
    /// A device that identified itself and then dropped is tried again after the base delay (a
    /// BLE link drops and comes back); one that keeps failing before that waits twice as long
    /// each time, so an unreachable device does not keep the link busy.
    /// </summary>
    private TimeSpan ScheduleReconnect(ActiveSession session)
    {
        var failures = session.Device is null && _reconnects.TryGetValue(session.Endpoint, out var previous) ? previous.Failures + 1 : 1;
        var delay = TimeSpan.FromTicks(Math.Min(
            _options.Reconnect.MaxDelay.Ticks,
            _options.Reconnect.Delay.Ticks * (1L << Math.Min(failures - 1, 20))));
        _reconnects[session.Endpoint] = new ReconnectState(failures, _clock.GetUtcNow() + delay);
        return delay;
    }

    private async Task OnIdentifiedAsync(ActiveSession session, DeviceIdentity identity, DeviceClockCheck? clock, CancellationToken cancellationToken)
    {
        var now = _clock.GetUtcNow();
        var known = await _store.GetDeviceAsync(identity.Id, cancellationToken);
        var clockOffset = clock?.Offset;
        var record = new DeviceRecord(identity, session.Endpoint, known?.FirstSeen ?? now, now, clockOffset ?? known?.LastClockOffset);
        await _store.UpsertDeviceAsync(record, cancellationToken);
        session.Device = identity.Id;
        session.Clock = clock;
        _events.Publish(new DeviceEvent(now, session.Endpoint, identity.Id, DeviceEventKind.Identified) { Identified = record });
        LogIdentified(identity.Id.Value, identity.Model, identity.FirmwareVersion, clockOffset?.TotalSeconds);
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Device docked on {Endpoint} ({Family})")]
    private partial void LogDocked(string endpoint, string family);

    [LoggerMessage(Level = LogLevel.Information, Message = "Device {DeviceId} identified: {Model}, firmware {Firmware}, clock offset {ClockOffsetSeconds} s")]
    private partial void LogIdentified(string deviceId, string model, string? firmware, double? clockOffsetSeconds);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Session on {Endpoint} failed; trying again in {RetrySeconds} s")]
    private partial void LogSessionFailed(Exception exception, string endpoint, double retrySeconds);

    [LoggerMessage(Level = LogLevel.Information, Message = "Device {DeviceId} on {Endpoint} disconnected: {Reason}")]
    private partial void LogDisconnected(string endpoint, string? deviceId, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "The link report of the session on {Endpoint} could not be stored")]
    private partial void LogLinkReportLost(Exception exception, string endpoint);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Looking for docked devices failed")]
    private partial void LogScanFailed(Exception exception);

    private sealed record ReconnectState(int Failures, DateTimeOffset NotBefore);

    private sealed class SessionObserver(DeviceManager manager, ActiveSession session) : IDeviceSessionObserver
    {
        public Task OnIdentifiedAsync(DeviceIdentity identity, DeviceClockCheck? clock, CancellationToken cancellationToken) =>
            manager.OnIdentifiedAsync(session, identity, clock, cancellationToken);

        public void OnDownloadProgress(DownloadProgress progress)
        {
            session.LastProgress = progress;
            manager._events.Publish(new DeviceEvent(manager._clock.GetUtcNow(), session.Endpoint, progress.Device, DeviceEventKind.Progress) { Progress = progress });
        }

        public void OnDownloadCompleted(DownloadSummary summary) =>
            manager._events.Publish(new DeviceEvent(manager._clock.GetUtcNow(), session.Endpoint, summary.Device, DeviceEventKind.Completed) { Completed = summary });
    }
}

/// <summary>One docked device's running session.</summary>
internal sealed class ActiveSession(string endpoint, string family, CancellationTokenSource cancellation)
{
    public string Endpoint { get; } = endpoint;

    public string Family { get; } = family;

    public CancellationTokenSource Cancellation { get; } = cancellation;

    public DownloadTrigger Trigger { get; } = new();

    public Task Completion { get; set; } = Task.CompletedTask;

    /// <summary>Known once the device has identified itself.</summary>
    public DeviceId? Device { get; set; }

    /// <summary>The device's clock as measured when it identified itself, if it was.</summary>
    public DeviceClockCheck? Clock { get; set; }

    public DownloadProgress? LastProgress { get; set; }

    public async Task CancelAsync()
    {
        try
        {
            await Cancellation.CancelAsync();
        }
        catch (ObjectDisposedException)
        {
            // The session ended on its own meanwhile.
        }
    }
}
