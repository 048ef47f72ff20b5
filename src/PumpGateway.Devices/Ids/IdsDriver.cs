using System.Diagnostics;
using Microsoft.Extensions.Logging;
using PumpGateway.Devices.Gatt;
using PumpGateway.Ports;
using PumpGateway.Protocol;
using PumpGateway.Telemetry;

namespace PumpGateway.Devices.Ids;

public sealed class IdsDriverOptions
{
    /// <summary>Bound on every read and control-point answer but a history transfer.</summary>
    public TimeSpan ResponseTimeout { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>Bound on a whole history transfer.</summary>
    public TimeSpan TransferTimeout { get; init; } = TimeSpan.FromMinutes(10);

    /// <summary>How often history is read again even without a "history event recorded" indication.</summary>
    public TimeSpan PollInterval { get; init; } = TimeSpan.FromMinutes(1);

    /// <summary>How this pump deviates from the specification (CRC bit order, FLOAT insulin, RACP UUID). Whether E2E protection is on comes from its Features.</summary>
    public IdsDialect Dialect { get; init; } = IdsDialect.Specification;
}

/// <summary>
/// An insulin pump over the Insulin Delivery Service: identify (Device Information), read its
/// features (which say whether values carry an E2E counter and CRC), status and current
/// annunciation, download the history through the IDD Record Access Control Point from the stored
/// sequence number, then follow it live: an annunciation indication is stored as it arrives, and a
/// Status Changed "history event recorded" (or the poll interval, or a download request) reads the
/// new history. Only reads exist in the codec: nothing here can change delivery.
/// </summary>
public sealed partial class IdsDriver : IDeviceDriver
{
    public const string FamilyName = "ids";

    /// <summary>The last history sequence number stored whose meaning is complete.</summary>
    internal const string HistoryStream = "history";

    /// <summary>The sequence number of the Reference Time the stored history counts from: a resume starts there, so times can be placed.</summary>
    internal const string ReferenceStream = "history-reference";

    private static readonly GattCharacteristicId StatusChanged = Id(IdsUuids.StatusChanged);
    private static readonly GattCharacteristicId Status = Id(IdsUuids.Status);
    private static readonly GattCharacteristicId AnnunciationStatus = Id(IdsUuids.AnnunciationStatus);
    private static readonly GattCharacteristicId Features = Id(IdsUuids.Features);
    private static readonly GattCharacteristicId HistoryData = Id(IdsUuids.HistoryData);
    private static readonly GattCharacteristicId BatteryLevel = new(DeviceInformationUuids.BatteryService, DeviceInformationUuids.BatteryLevel);

    private readonly IdsDriverOptions _options;

    public IdsDriver(IdsDriverOptions options)
    {
        _options = options;
    }

    public static DeviceFamilyDescriptor Descriptor { get; } = new(FamilyName, []) { BluetoothServices = [IdsUuids.InsulinDeliveryService] };

    public string Family => FamilyName;

    public async Task RunAsync(DeviceSession session, CancellationToken cancellationToken)
    {
        var transport = session.Transport as IGattTransport
            ?? throw new ArgumentException("An IDS pump is read over a Bluetooth LE (GATT) transport.", nameof(session));
        await using var gatt = new GattSession(transport, _options.ResponseTimeout);
        var features = IdsFeaturesCodec.Decode(await gatt.ReadAsync(Features, cancellationToken), _options.Dialect);
        var dialect = _options.Dialect with { E2eProtection = features.E2eProtectionSupported };
        var racp = Id(IdsUuids.Of(IdsCharacteristic.RecordAccessControlPoint, dialect));
        await gatt.StartAsync([racp], cancellationToken);

        var information = await DeviceInformation.ReadAsync(gatt, cancellationToken);
        var identity = information.ToIdentity(FamilyName, DeviceCategory.InsulinPump);
        using var scope = session.Logger.BeginScope(new Dictionary<string, object> { ["DeviceId"] = identity.Id.Value });
        await session.Observer.OnIdentifiedAsync(identity, null, cancellationToken);

        var pump = new IdsPumpSession(gatt, session, identity.Id, dialect, racp, _options);
        await pump.ReadStatusAsync(cancellationToken);
        await gatt.SubscribeAsync(HistoryData, cancellationToken);
        await gatt.SubscribeAsync(StatusChanged, cancellationToken);
        await gatt.SubscribeAsync(AnnunciationStatus, cancellationToken);
        if (gatt.Has(BatteryLevel))
        {
            await gatt.SubscribeAsync(BatteryLevel, cancellationToken);
        }

        while (true)
        {
            // History the pump recorded while a transfer ran may have missed it: read again until none did.
            while (await pump.DownloadHistoryAsync(cancellationToken))
            {
            }

            await pump.FollowLiveAsync(session.DownloadTrigger.WaitAsync(_options.PollInterval, cancellationToken), cancellationToken);
        }
    }

    private static GattCharacteristicId Id(Guid characteristic) => new(IdsUuids.InsulinDeliveryService, characteristic);

    /// <summary>One connection to the pump: its E2E counters, its history transfers and its live values.</summary>
    private sealed partial class IdsPumpSession(GattSession gatt, DeviceSession session, DeviceId device, IdsDialect dialect, GattCharacteristicId racp, IdsDriverOptions options)
    {
        /// <summary>Counters of what the gateway writes (1 at each connection, per control point), and of what it receives.</summary>
        private readonly IdsE2eCounter _sent = new();
        private readonly IdsE2eCounter _received = new();
        private readonly IdsTelemetryMapper _live = new(device);

        /// <summary>
        /// The pump's state now. Its current annunciation is not taken from here: the history
        /// download that follows has it with its own time, and new ones come by indication.
        /// </summary>
        public async Task ReadStatusAsync(CancellationToken cancellationToken)
        {
            var now = session.Clock.GetUtcNow();
            var events = new List<TelemetryEvent>();
            var status = IdsStatusCodec.Decode(await gatt.ReadAsync(Status, cancellationToken), dialect);
            CheckCounter(IdsCharacteristic.Status, status);
            var battery = await DeviceInformation.ReadBatteryLevelAsync(gatt, cancellationToken);
            events.Add(new DeviceStatus
            {
                Id = Telemetry.EventId.For(device, "status", now.ToUnixTimeSeconds().ToString(System.Globalization.CultureInfo.InvariantCulture)),
                Device = device,
                DeviceTime = DeviceTimestamp.FromClock(now.UtcDateTime),
                Utc = now,
                TimeBasis = TimeBasis.GatewayReceipt,
                ReservoirUnits = status.ReservoirRemainingAmount.ToDecimal(),
                BatteryPercent = battery,
                BatteryState = $"therapy {status.TherapyControlState}, {status.OperationalState}",
            });
            await session.Sink.CommitAsync(events, [], cancellationToken);
        }

        /// <summary>Reads the history from the cursor; true when the pump announced newly recorded history meanwhile.</summary>
        public async Task<bool> DownloadHistoryAsync(CancellationToken cancellationToken)
        {
            var started = Stopwatch.GetTimestamp();
            var history = await session.Sink.GetCursorAsync(device, HistoryStream, cancellationToken);
            var reference = await session.Sink.GetCursorAsync(device, ReferenceStream, cancellationToken);
            uint? from = history is null ? null : (uint)Math.Min(reference?.Position ?? history.Position + 1, history.Position + 1);
            var count = await RequestAsync(from is { } f ? IdsRacpRequest.CountFrom(f) : IdsRacpRequest.CountAll(), options.ResponseTimeout, cancellationToken);
            var total = count is IdsRacpRecordCount c ? c.Count : 0;
            var transfer = RequestAsync(from is { } o ? IdsRacpRequest.ReportFrom(o) : IdsRacpRequest.ReportAll(), options.TransferTimeout, cancellationToken);

            // A new mapper each transfer: its state (reference time, TBR, boluses) is rebuilt from the records it is given.
            var mapper = new IdsTelemetryMapper(device);
            long done = 0;
            long stored = 0;
            long duplicates = 0;
            var recordedMeanwhile = false;
            bool more;
            do
            {
                more = await gatt.WaitForDataAsync(transfer, cancellationToken);
                var (records, result) = await DrainAsync(mapper, cancellationToken);
                recordedMeanwhile |= result.HistoryRecorded;
                done += records;
                stored += result.Appended.Count;
                duplicates += result.Duplicates;
                if (records > 0)
                {
                    session.Observer.OnDownloadProgress(new DownloadProgress(device, HistoryStream, done, Math.Max(total, done), stored));
                }
            }
            while (more);

            var response = await transfer;
            if (response is not IdsRacpResult { ResponseCode: IdsRacpResponseCode.Success or IdsRacpResponseCode.NoRecordsFound })
            {
                throw new DeviceSessionException($"The pump did not complete the history transfer: {response}.");
            }

            if (mapper.Unplaced > 0)
            {
                LogUnplaced(session.Logger, mapper.Unplaced);
            }

            var elapsed = Stopwatch.GetElapsedTime(started);
            session.Observer.OnDownloadCompleted(new DownloadSummary(device, done, stored, duplicates, elapsed));
            LogDownloaded(session.Logger, done, stored, duplicates, elapsed.TotalMilliseconds);
            return recordedMeanwhile;
        }

        /// <summary>Stores what arrives until <paramref name="until"/> completes, or until the pump says it recorded history.</summary>
        public async Task FollowLiveAsync(Task until, CancellationToken cancellationToken)
        {
            while (await gatt.WaitForDataAsync(until, cancellationToken))
            {
                var (_, result) = await DrainAsync(null, cancellationToken);
                if (result.HistoryRecorded)
                {
                    return;
                }
            }

            await until;
        }

        /// <summary>Decodes and commits every notification waiting now, in one commit with the cursors the mapper reached.</summary>
        private async Task<(int HistoryRecords, DrainResult Result)> DrainAsync(IdsTelemetryMapper? history, CancellationToken cancellationToken)
        {
            var events = new List<TelemetryEvent>();
            var records = 0;
            var historyRecorded = false;
            while (gatt.Data.TryRead(out var notification))
            {
                try
                {
                    if (notification.Characteristic == HistoryData)
                    {
                        // History outside a transfer is an answer to nobody: the next transfer brings it.
                        if (history is not null)
                        {
                            records++;
                            events.AddRange(history.Map(IdsHistoryCodec.Decode(notification.Value, dialect)));
                        }
                    }
                    else if (notification.Characteristic == AnnunciationStatus)
                    {
                        var value = IdsAnnunciationStatusCodec.Decode(notification.Value, dialect);
                        CheckCounter(IdsCharacteristic.AnnunciationStatus, value);
                        if (value.Annunciation is { } annunciation)
                        {
                            events.Add(_live.MapAnnunciation(annunciation, notification.ReceivedAt));
                        }
                    }
                    else if (notification.Characteristic == StatusChanged)
                    {
                        var value = IdsStatusChangedCodec.Decode(notification.Value, dialect);
                        CheckCounter(IdsCharacteristic.StatusChanged, value);
                        historyRecorded |= value.Flags.HasFlag(IdsStatusChangedFlags.HistoryEventRecorded);
                    }
                    else if (notification.Characteristic == BatteryLevel)
                    {
                        events.Add(new DeviceStatus
                        {
                            Id = Telemetry.EventId.For(device, "battery", notification.ReceivedAt.ToUnixTimeMilliseconds().ToString(System.Globalization.CultureInfo.InvariantCulture)),
                            Device = device,
                            DeviceTime = DeviceTimestamp.FromClock(notification.ReceivedAt.UtcDateTime),
                            Utc = notification.ReceivedAt,
                            TimeBasis = TimeBasis.GatewayReceipt,
                            BatteryPercent = DeviceInformationCodec.DecodeBatteryLevel(notification.Value),
                        });
                    }
                }
                catch (ProtocolException ex)
                {
                    // A value that fails its E2E-CRC or its layout is dropped, never stored; for
                    // history the cursor stays before it and the next transfer asks again.
                    if (ex.Kind == ProtocolErrorKind.BadCrc)
                    {
                        gatt.Transport.Statistics.AddCrcError();
                    }

                    LogRejected(session.Logger, notification.Characteristic.ToString(), ex.Kind, ex.Message);
                    if (history is not null && notification.Characteristic == HistoryData)
                    {
                        throw new DeviceSessionException($"A history record was rejected ({ex.Kind}); the transfer is ended and the next one resumes before it.", ex);
                    }
                }
            }

            List<DownloadCursor> cursors = [];
            if (history?.CompleteThrough is { } through)
            {
                cursors.Add(new DownloadCursor(device, HistoryStream, through, session.Clock.GetUtcNow()));
                if (history.ReferenceSequence is { } referenceSequence)
                {
                    cursors.Add(new DownloadCursor(device, ReferenceStream, referenceSequence, session.Clock.GetUtcNow()));
                }
            }

            if (events.Count == 0 && cursors.Count == 0)
            {
                return (records, new DrainResult([], 0, historyRecorded));
            }

            var appended = await session.Sink.CommitAsync(events, cursors, cancellationToken);
            return (records, new DrainResult(appended.Appended, appended.Duplicates, historyRecorded));
        }

        private async Task<IdsRacpResponse> RequestAsync(IdsRacpRequest request, TimeSpan timeout, CancellationToken cancellationToken)
        {
            if (dialect.E2eProtection)
            {
                request = request with { E2eCounter = _sent.Next(IdsCharacteristic.RecordAccessControlPoint) };
            }

            var response = IdsRacpCodec.DecodeResponse(await gatt.RequestAsync(racp, IdsRacpCodec.Encode(request, dialect), cancellationToken, timeout), dialect);
            CheckCounter(IdsCharacteristic.RecordAccessControlPoint, response);
            return response;
        }

        /// <summary>A repeated or skipped counter from the pump is logged: the value itself passed its CRC.</summary>
        private void CheckCounter(IdsCharacteristic characteristic, IdsE2eProtectedValue value)
        {
            if (value.E2eCounter is not { } counter)
            {
                return;
            }

            try
            {
                _received.Check(characteristic, counter);
            }
            catch (ProtocolException ex)
            {
                LogCounter(session.Logger, ex.Message);
            }
        }

        [LoggerMessage(Level = LogLevel.Information, Message = "Read {Records} history records: {Stored} new events, {Duplicates} already stored, in {ElapsedMs} ms")]
        private static partial void LogDownloaded(ILogger logger, long records, long stored, long duplicates, double elapsedMs);

        [LoggerMessage(Level = LogLevel.Warning, Message = "A value on {Characteristic} was rejected and not stored ({Kind}): {Reason}")]
        private static partial void LogRejected(ILogger logger, string characteristic, ProtocolErrorKind kind, string reason);

        [LoggerMessage(Level = LogLevel.Warning, Message = "{Records} history records came before any Reference Time and could not be placed in time")]
        private static partial void LogUnplaced(ILogger logger, int records);

        [LoggerMessage(Level = LogLevel.Warning, Message = "E2E-Counter out of sequence: {Reason}")]
        private static partial void LogCounter(ILogger logger, string reason);

        private sealed record DrainResult(IReadOnlyList<StoredEvent> Appended, int Duplicates, bool HistoryRecorded);
    }
}
