using System.Diagnostics;
using Microsoft.Extensions.Logging;
using PumpGateway.Codecs;
using PumpGateway.Devices.Gatt;
using PumpGateway.Ports;
using PumpGateway.Protocol;
using PumpGateway.Telemetry;

namespace PumpGateway.Devices.Cgms;

public sealed class CgmsDriverOptions
{
    /// <summary>Bound on every read and control-point answer but a record transfer.</summary>
    public TimeSpan ResponseTimeout { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>Bound on a whole stored-record transfer.</summary>
    public TimeSpan TransferTimeout { get; init; } = TimeSpan.FromMinutes(5);

    /// <summary>How often the sensor's store is read again to fill what live notifications missed.</summary>
    public TimeSpan PollInterval { get; init; } = TimeSpan.FromMinutes(1);

    /// <summary>The E2E-CRC bit order this sensor uses (a per-device dialect; the specification by default).</summary>
    public E2eCrcVariant CrcVariant { get; init; } = E2eCrcVariant.Specification;

    /// <summary>A sensor clock further than this from the gateway clock is logged.</summary>
    public TimeSpan ClockOffsetWarning { get; init; } = TimeSpan.FromMinutes(5);
}

/// <summary>
/// A CGM sensor over the Continuous Glucose Monitoring Service: identify (Device Information),
/// read its features, session start and status to place readings in time, download the stored
/// records from the cursor through the Record Access Control Point, then keep the live
/// measurements coming, and read the store again every poll interval (or when asked) so that a
/// notification lost on the air is still stored. It sends reads only: the codec has no request
/// that changes the sensor.
/// </summary>
public sealed partial class CgmsDriver : IDeviceDriver
{
    public const string FamilyName = "cgms";

    /// <summary>The cursor stream: its position is the session key (minutes since the epoch of the session start) × 65536 + the last time offset read.</summary>
    internal const string Stream = "cgm";

    private static readonly GattCharacteristicId Measurement = new(CgmsUuids.CgmService, CgmsUuids.CgmMeasurement);
    private static readonly GattCharacteristicId Feature = new(CgmsUuids.CgmService, CgmsUuids.CgmFeature);
    private static readonly GattCharacteristicId Status = new(CgmsUuids.CgmService, CgmsUuids.CgmStatus);
    private static readonly GattCharacteristicId SessionStartTime = new(CgmsUuids.CgmService, CgmsUuids.CgmSessionStartTime);
    private static readonly GattCharacteristicId Racp = new(CgmsUuids.CgmService, CgmsUuids.RecordAccessControlPoint);
    private static readonly GattCharacteristicId SpecificOps = new(CgmsUuids.CgmService, CgmsUuids.CgmSpecificOpsControlPoint);

    private readonly CgmsDriverOptions _options;

    public CgmsDriver(CgmsDriverOptions options)
    {
        _options = options;
    }

    public static DeviceFamilyDescriptor Descriptor { get; } = new(FamilyName, []) { BluetoothServices = [CgmsUuids.CgmService] };

    public string Family => FamilyName;

    public async Task RunAsync(DeviceSession session, CancellationToken cancellationToken)
    {
        var transport = session.Transport as IGattTransport
            ?? throw new ArgumentException("A CGMS sensor is read over a Bluetooth LE (GATT) transport.", nameof(session));
        await using var gatt = new GattSession(transport, _options.ResponseTimeout);
        await gatt.StartAsync([Racp, .. gatt.Has(SpecificOps) ? [SpecificOps] : Array.Empty<GattCharacteristicId>()], cancellationToken);

        var information = await DeviceInformation.ReadAsync(gatt, cancellationToken);
        var identity = information.ToIdentity(FamilyName, DeviceCategory.ContinuousGlucoseMonitor);
        using var scope = session.Logger.BeginScope(new Dictionary<string, object> { ["DeviceId"] = identity.Id.Value });
        var feature = CgmFeatureCodec.Decode(await gatt.ReadAsync(Feature, cancellationToken), _options.CrcVariant);
        var e2e = CgmsE2e.For(feature, _options.CrcVariant);
        var (sessionTime, clockOffset) = await ReadSessionTimeAsync(gatt, e2e, identity.Id, session, cancellationToken);
        if (clockOffset is { } offset && offset.Duration() > _options.ClockOffsetWarning)
        {
            LogClockOffset(session.Logger, offset.TotalSeconds, _options.ClockOffsetWarning.TotalSeconds);
        }

        // The sensor keeps UTC (its session start carries its zone): its offset is its error.
        await session.Observer.OnIdentifiedAsync(identity, clockOffset is { } measured ? new DeviceClockCheck(measured, measured) : null, cancellationToken);
        if (await DeviceInformation.ReadBatteryLevelAsync(gatt, cancellationToken) is { } battery)
        {
            await session.Sink.CommitAsync([BatteryStatus(identity.Id, battery, session.Clock.GetUtcNow())], [], cancellationToken);
        }

        await gatt.SubscribeAsync(Measurement, cancellationToken);
        var download = new CgmsDownload(gatt, session, identity.Id, sessionTime, e2e, _options);
        while (true)
        {
            await download.ReadStoreAsync(cancellationToken);
            if (gatt.Has(SpecificOps))
            {
                await download.ReadLastCalibrationAsync(cancellationToken);
            }

            await download.FollowLiveAsync(session.DownloadTrigger.WaitAsync(_options.PollInterval, cancellationToken), cancellationToken);
        }
    }

    /// <summary>
    /// The session's place in time: its start time when the sensor knows it (with its zone and
    /// DST), else "now minus the status time offset" on the gateway clock, kept stable across
    /// connections through the stored cursor.
    /// </summary>
    private static async Task<(CgmsSessionTime Session, TimeSpan? ClockOffset)> ReadSessionTimeAsync(GattSession gatt, CgmsE2e e2e, DeviceId device, DeviceSession session, CancellationToken cancellationToken)
    {
        var start = CgmSessionStartTimeCodec.Decode(await gatt.ReadAsync(SessionStartTime, cancellationToken), e2e);
        var status = CgmStatusCodec.Decode(await gatt.ReadAsync(Status, cancellationToken), e2e);
        var now = session.Clock.GetUtcNow();
        if (start.ToUtc() is { } startUtc && start.LocalTime is { } startLocal)
        {
            var sensorNow = startUtc.AddMinutes(status.TimeOffsetMinutes);
            return (CgmsSessionTime.From(startUtc, startLocal, TimeBasis.DeviceUtc), sensorNow - now);
        }

        var measuredStart = now.AddMinutes(-status.TimeOffsetMinutes);
        var cursor = await session.Sink.GetCursorAsync(device, Stream, cancellationToken);
        if (cursor is not null)
        {
            var knownKey = cursor.Position >> 16;
            var knownStart = DateTimeOffset.FromUnixTimeSeconds(knownKey * 60);
            if ((knownStart - measuredStart).Duration() <= TimeSpan.FromMinutes(5) && (cursor.Position & 0xFFFF) <= status.TimeOffsetMinutes)
            {
                measuredStart = knownStart;
            }
        }

        return (CgmsSessionTime.From(measuredStart, measuredStart.UtcDateTime, TimeBasis.DockClockOffset), null);
    }

    private static DeviceStatus BatteryStatus(DeviceId device, byte percent, DateTimeOffset now) => new()
    {
        Id = Telemetry.EventId.For(device, "battery", now.ToUnixTimeSeconds().ToString(System.Globalization.CultureInfo.InvariantCulture)),
        Device = device,
        DeviceTime = DeviceTimestamp.FromClock(now.UtcDateTime),
        Utc = now,
        TimeBasis = TimeBasis.GatewayReceipt,
        BatteryPercent = percent,
    };

    [LoggerMessage(Level = LogLevel.Warning, Message = "Sensor clock is {OffsetSeconds} s off the gateway clock (more than {ThresholdSeconds} s)")]
    private static partial void LogClockOffset(ILogger logger, double offsetSeconds, double thresholdSeconds);

    /// <summary>One connection's reading of the sensor: the store from the cursor, then live measurements.</summary>
    private sealed partial class CgmsDownload(GattSession gatt, DeviceSession session, DeviceId device, CgmsSessionTime sessionTime, CgmsE2e e2e, CgmsDriverOptions options)
    {
        private readonly CgmsTelemetryMapper _mapper = new(device, sessionTime);
        private ushort? _cursorOffset;
        private bool _cursorLoaded;

        /// <summary>A value of this transfer was rejected: the cursor stays before it, so that the next transfer asks for it again.</summary>
        private bool _transferHasGap;

        public async Task ReadStoreAsync(CancellationToken cancellationToken)
        {
            var started = Stopwatch.GetTimestamp();
            await LoadCursorAsync(cancellationToken);
            var from = _cursorOffset;
            _transferHasGap = false;
            _mapper.Rewind();
            var count = CgmRacpCodec.DecodeResponse(await gatt.RequestAsync(Racp, CgmRacpCodec.EncodeRequest(from is { } f ? CgmRacpRequest.CountFrom(f) : CgmRacpRequest.CountAll()), cancellationToken));
            var total = count is CgmRacpRecordCount c ? c.Count : 0;
            var transfer = gatt.RequestAsync(Racp, CgmRacpCodec.EncodeRequest(from is { } o ? CgmRacpRequest.ReportFrom(o) : CgmRacpRequest.ReportAll()), cancellationToken, options.TransferTimeout);

            long done = 0;
            long stored = 0;
            long duplicates = 0;
            bool more;
            do
            {
                more = await gatt.WaitForDataAsync(transfer, cancellationToken);
                var (records, result) = await CommitWaitingAsync(advanceCursor: true, cancellationToken);
                done += records;
                stored += result.Stored;
                duplicates += result.Duplicates;
                if (records > 0)
                {
                    session.Observer.OnDownloadProgress(new DownloadProgress(device, Stream, done, Math.Max(total, done), stored));
                }
            }
            while (more);

            var response = CgmRacpCodec.DecodeResponse(await transfer);
            if (response is not CgmRacpResponseCode { Result: CgmRacpResult.Success or CgmRacpResult.NoRecordsFound })
            {
                throw new DeviceSessionException($"The sensor did not complete the stored-record transfer: {response}.");
            }

            var elapsed = Stopwatch.GetElapsedTime(started);
            session.Observer.OnDownloadCompleted(new DownloadSummary(device, done, stored, duplicates, elapsed));
            LogDownloaded(session.Logger, done, stored, duplicates, elapsed.TotalMilliseconds);
        }

        public async Task ReadLastCalibrationAsync(CancellationToken cancellationToken)
        {
            var request = CgmSpecificOpsCodec.EncodeRequest(CgmSpecificOpsRequest.GetCalibrationValue(CgmSpecificOpsRequest.LastCalibrationRecord), e2e);
            if (CgmSpecificOpsCodec.DecodeResponse(await gatt.RequestAsync(SpecificOps, request, cancellationToken), e2e) is CgmCalibrationValueResponse { RecordNumber: > 0 } calibration)
            {
                await session.Sink.CommitAsync([_mapper.MapCalibration(calibration)], [], cancellationToken);
            }
        }

        /// <summary>Stores live measurements as they come until <paramref name="until"/> completes. They do not move the cursor: only a complete read of the store does.</summary>
        public async Task FollowLiveAsync(Task until, CancellationToken cancellationToken)
        {
            while (await gatt.WaitForDataAsync(until, cancellationToken))
            {
                await CommitWaitingAsync(advanceCursor: false, cancellationToken);
            }

            await until;
        }

        private async Task LoadCursorAsync(CancellationToken cancellationToken)
        {
            if (_cursorLoaded)
            {
                return;
            }

            _cursorLoaded = true;
            var cursor = await session.Sink.GetCursorAsync(device, Stream, cancellationToken);
            if (cursor is not null && cursor.Position >> 16 == sessionTime.Key)
            {
                _cursorOffset = (ushort)(cursor.Position & 0xFFFF);
            }
        }

        /// <summary>Maps and commits every measurement waiting now, in one commit; the cursor moves to the last one.</summary>
        private async Task<(int Records, (long Stored, long Duplicates) Result)> CommitWaitingAsync(bool advanceCursor, CancellationToken cancellationToken)
        {
            var events = new List<TelemetryEvent>();
            ushort? last = null;
            var records = 0;
            while (gatt.Data.TryRead(out var notification))
            {
                if (notification.Characteristic != Measurement)
                {
                    continue;
                }

                IReadOnlyList<CgmMeasurement> measurements;
                try
                {
                    measurements = CgmMeasurementCodec.Decode(notification.Value, e2e);
                }
                catch (ProtocolException ex)
                {
                    // A value that fails its E2E-CRC or layout is dropped, never stored; the cursor stops
                    // before it, so the next read of the store brings the record again.
                    _transferHasGap |= advanceCursor;
                    gatt.Transport.Statistics.AddCrcError();
                    LogRejected(session.Logger, ex.Kind, ex.Message);
                    continue;
                }

                foreach (var measurement in measurements)
                {
                    records++;
                    if (advanceCursor && _cursorOffset == measurement.TimeOffsetMinutes && last is null)
                    {
                        // The cursor's own record, asked for again: it only sets the annunciation state.
                        _mapper.SetBaseline(measurement);
                        continue;
                    }

                    events.AddRange(_mapper.Map(measurement));
                    if (advanceCursor && !_transferHasGap && (last is null || measurement.TimeOffsetMinutes > last))
                    {
                        last = measurement.TimeOffsetMinutes;
                    }
                }
            }

            if (events.Count == 0 && last is null)
            {
                return (records, (0, 0));
            }

            List<DownloadCursor> cursors = [];
            if (last is { } position)
            {
                _cursorOffset = position;
                cursors.Add(new DownloadCursor(device, Stream, (sessionTime.Key << 16) | position, session.Clock.GetUtcNow()));
            }

            var result = await session.Sink.CommitAsync(events, cursors, cancellationToken);
            return (records, (result.Appended.Count, result.Duplicates));
        }

        [LoggerMessage(Level = LogLevel.Information, Message = "Read {Records} stored records: {Stored} new events, {Duplicates} already stored, in {ElapsedMs} ms")]
        private static partial void LogDownloaded(ILogger logger, long records, long stored, long duplicates, double elapsedMs);

        [LoggerMessage(Level = LogLevel.Warning, Message = "A CGM measurement was rejected and not stored ({Kind}): {Reason}")]
        private static partial void LogRejected(ILogger logger, ProtocolErrorKind kind, string reason);
    }
}
