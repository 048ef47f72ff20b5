using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using Microsoft.Extensions.Logging;
using PumpGateway.Ports;
using PumpGateway.Protocol;
using PumpGateway.Telemetry;

namespace PumpGateway.Devices.Medtronic;

public sealed class MedtronicDriverOptions
{
    /// <summary>
    /// The serial numbers of the pumps this gateway may read through a CareLink stick: the stick
    /// reaches a pump over the air by its serial, so it must be known (it is on the pump's back).
    /// </summary>
    public IReadOnlyList<string> PumpSerials { get; init; } = [];

    /// <summary>Bound on each reply of the stick itself (USB).</summary>
    public TimeSpan ResponseTimeout { get; init; } = TimeSpan.FromSeconds(2);

    /// <summary>Bound on a pump's answer over the air, polled through the stick.</summary>
    public TimeSpan RadioTimeout { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>Whole tries of a command (stick or pump) after the first.</summary>
    public int Retries { get; init; } = 3;

    /// <summary>How often the history is read again while the pump stays in range.</summary>
    public TimeSpan PollInterval { get; init; } = TimeSpan.FromMinutes(5);

    /// <summary>How long the pump's radio stays on after a wake-up.</summary>
    public byte RadioOnMinutes { get; init; } = 10;

    /// <summary>A pump holds at most 36 history pages; tools read no more.</summary>
    public int MaxHistoryPages { get; init; } = 36;

    public TimeSpan ClockOffsetWarning { get; init; } = TimeSpan.FromMinutes(5);
}

/// <summary>
/// A Medtronic Paradigm pump through a CareLink USB stick: the stick's identity and link
/// statistics, then over the air the pump's radio woken, its model, serial, firmware, clock (the
/// offset to the gateway clock recorded), battery and reservoir, then its history pages read from
/// the newest (page 0) back to the stored cursor and mapped oldest first, and its sensor glucose
/// pages from the stored page number. It reads again every poll interval or when asked. A download
/// the link cuts short keeps the pages it read: the pump numbers pages as it fills them, so a page
/// that is no longer the newest never changes, and the next session reads only what it lacks
/// (checked on the first page it has, which it reads again). The codec has only the read
/// commands: nothing here can change the pump's delivery.
/// </summary>
public sealed partial class MedtronicDriver : IDeviceDriver
{
    public const string FamilyName = "medtronic";

    /// <summary>The cursor stream of the history: its position identifies the newest record mapped whole (a hash of it and the record before it).</summary>
    internal const string HistoryStream = "history";

    /// <summary>The cursor stream of the glucose pages: the number of the last page read (the pump counts them up).</summary>
    internal const string GlucoseStream = "glucose";

    private readonly MedtronicDriverOptions _options;

    /// <summary>Per pump serial: full history pages by the pump's own page number, kept until a download completes.</summary>
    private readonly ConcurrentDictionary<string, ConcurrentDictionary<uint, byte[]>> _pagesRead = new(StringComparer.Ordinal);

    public MedtronicDriver(MedtronicDriverOptions options)
    {
        _options = options;
    }

    /// <summary>The CareLink USB stick ("ComLink II") enumerates as 0a21:8001 under the usbserial driver.</summary>
    public static DeviceFamilyDescriptor Descriptor { get; } = new(FamilyName, [new UsbId(0x0A21, 0x8001)]);

    public string Family => FamilyName;

    public async Task RunAsync(DeviceSession session, CancellationToken cancellationToken)
    {
        var transport = session.Transport as IStreamTransport
            ?? throw new ArgumentException("A Paradigm pump is read through a CareLink stick on a serial (USB) port.", nameof(session));
        var link = new CareLinkLink(transport, _options.ResponseTimeout, _options.RadioTimeout, _options.Retries, session.Logger);
        var stick = await link.StickAsync(CareLinkStick.ProductInfo(), r => CareLinkStick.DecodeProductInfo(r), cancellationToken);
        LogStick(session.Logger, stick.Description, stick.SoftwareVersion.ToString(), stick.FrequencyMHz);
        await ReadLinkQualityAsync(link, transport.Statistics, cancellationToken);

        var radio = await FindPumpAsync(link, session, cancellationToken);
        var pump = radio.Pump;
        var model = MedtronicModel.Parse(ParadigmReplies.DecodePumpModel(await radio.ReadAsync(ParadigmCommandCode.ReadPumpModel, cancellationToken)));
        var firmware = ParadigmReplies.DecodeFirmwareVersion(await radio.ReadAsync(ParadigmCommandCode.ReadFirmwareVersion, cancellationToken));
        var pumpClock = ParadigmReplies.DecodeRtc(await radio.ReadAsync(ParadigmCommandCode.ReadRtc, cancellationToken));
        var clockOffset = pumpClock - session.Clock.GetUtcNow().UtcDateTime;
        var identity = new DeviceIdentity(FamilyName, DeviceCategory.InsulinPump, $"Paradigm {model.Number}", pump, $"Medtronic MiniMed Paradigm {model.Number}", firmware);
        using var scope = session.Logger.BeginScope(new Dictionary<string, object> { ["DeviceId"] = identity.Id.Value });

        // The pump keeps local time: against the gateway's local clock, the offset is its drift.
        var drift = pumpClock - TimeZoneInfo.ConvertTime(session.Clock.GetUtcNow(), session.Clock.LocalTimeZone).DateTime;
        if (drift.Duration() > _options.ClockOffsetWarning)
        {
            LogClockOffset(session.Logger, drift.TotalSeconds, _options.ClockOffsetWarning.TotalSeconds);
        }

        await session.Observer.OnIdentifiedAsync(identity, new DeviceClockCheck(clockOffset, drift), cancellationToken);
        var download = new ParadigmDownload(radio, session, identity.Id, model, clockOffset, _options, _pagesRead.GetOrAdd(pump, _ => new()));
        while (true)
        {
            await download.ReadAsync(cancellationToken);
            await ReadLinkQualityAsync(link, transport.Statistics, cancellationToken);
            await session.DownloadTrigger.WaitAsync(_options.PollInterval, cancellationToken);
        }
    }

    /// <summary>The stick's view of the air and of USB, kept in the link statistics for the session's link report.</summary>
    private static async Task ReadLinkQualityAsync(CareLinkLink link, LinkStatistics statistics, CancellationToken cancellationToken)
    {
        statistics.ReportSignalStrength(await link.StickAsync(CareLinkStick.SignalStrength(), r => CareLinkStick.DecodeSignalStrength(r), cancellationToken));
        foreach (var side in new[] { CareLinkInterface.Radio, CareLinkInterface.Usb })
        {
            var counters = await link.StickAsync(CareLinkStick.InterfaceStatistics(side), r => CareLinkStick.DecodeInterfaceStatistics(r), cancellationToken);
            var prefix = side.ToString().ToLowerInvariant();
            statistics.ReportDeviceCounter($"{prefix}.crcErrors", counters.CrcErrors);
            statistics.ReportDeviceCounter($"{prefix}.sequenceErrors", counters.SequenceErrors);
            statistics.ReportDeviceCounter($"{prefix}.naks", counters.Naks);
            statistics.ReportDeviceCounter($"{prefix}.timeouts", counters.Timeouts);
            statistics.ReportDeviceCounter($"{prefix}.packetsReceived", counters.PacketsReceived);
            statistics.ReportDeviceCounter($"{prefix}.packetsTransmitted", counters.PacketsTransmitted);
        }
    }

    /// <summary>Wakes each configured pump in turn; the first that answers with its own serial is the one in range.</summary>
    private async Task<ParadigmRadio> FindPumpAsync(CareLinkLink link, DeviceSession session, CancellationToken cancellationToken)
    {
        if (_options.PumpSerials.Count == 0)
        {
            throw new DeviceSessionException("A CareLink stick is docked but no pump serial number is configured (Gateway:Drivers:Medtronic:PumpSerials): the stick cannot reach a pump without it.");
        }

        foreach (var serial in _options.PumpSerials)
        {
            try
            {
                if (await ParadigmRadio.WakeAsync(link, serial, session.Clock, _options.RadioOnMinutes, session.Logger, cancellationToken) is { } radio)
                {
                    return radio;
                }
            }
            catch (DeviceSessionException)
            {
                // Not in range, or not this pump: the next one.
            }
        }

        throw new DeviceSessionException($"None of the {_options.PumpSerials.Count} configured pumps answered over the air.");
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "CareLink stick {Description}, software {Software}, {FrequencyMHz} MHz")]
    private static partial void LogStick(ILogger logger, string description, string software, decimal frequencyMHz);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Pump clock is {OffsetSeconds} s off the gateway's local time (more than {ThresholdSeconds} s): record times are corrected by the measured offset")]
    private static partial void LogClockOffset(ILogger logger, double offsetSeconds, double thresholdSeconds);

    /// <summary>One docking's reading of the pump.</summary>
    private sealed partial class ParadigmDownload(
        ParadigmRadio radio,
        DeviceSession session,
        DeviceId device,
        MedtronicModel model,
        TimeSpan clockOffset,
        MedtronicDriverOptions options,
        ConcurrentDictionary<uint, byte[]> pagesRead)
    {
        /// <summary>Whether this download has read again a page a cut one kept, and found it the same.</summary>
        private bool _keptPagesChecked;

        /// <summary>The status last stored in this session: a poll that finds the same stores nothing.</summary>
        private (decimal Volts, string State, decimal Reservoir)? _lastStatus;

        /// <summary>Status, then the history, then the sensor glucose: one download, one summary.</summary>
        public async Task ReadAsync(CancellationToken cancellationToken)
        {
            var started = Stopwatch.GetTimestamp();
            await ReadStatusAsync(cancellationToken);
            // One mapper for both: the glucose pages' times are corrected by the history's clock changes.
            var mapper = new MedtronicTelemetryMapper(device, model, clockOffset, session.Clock.GetUtcNow().UtcDateTime + clockOffset);
            var history = await ReadHistoryAsync(mapper, cancellationToken);
            var glucose = await ReadGlucoseAsync(mapper, history.Pages, cancellationToken);
            var elapsed = Stopwatch.GetElapsedTime(started);
            var (pages, stored, duplicates) = (history.Pages + glucose.Pages, history.Stored + glucose.Stored, history.Duplicates + glucose.Duplicates);
            session.Observer.OnDownloadCompleted(new DownloadSummary(device, pages, stored, duplicates, elapsed));
            LogDownloaded(session.Logger, history.Pages, history.Records, glucose.Pages, stored, duplicates, elapsed.TotalMilliseconds);
        }

        private async Task ReadStatusAsync(CancellationToken cancellationToken)
        {
            var battery = ParadigmReplies.DecodeBatteryStatus(await radio.ReadAsync(ParadigmCommandCode.ReadBatteryStatus, cancellationToken));
            var reservoir = ParadigmReplies.DecodeRemainingInsulin(await radio.ReadAsync(ParadigmCommandCode.ReadRemainingInsulin, cancellationToken), model.StrokesPerUnit);
            var error = ParadigmReplies.DecodeErrorStatus(await radio.ReadAsync(ParadigmCommandCode.ReadErrorStatus, cancellationToken));
            (decimal Volts, string State, decimal Reservoir) status = (battery.Volts, error == 0 ? battery.Indicator.ToString() : $"{battery.Indicator}, pump error status {error}", reservoir);
            if (_lastStatus == status)
            {
                return;
            }

            var now = session.Clock.GetUtcNow();
            await session.Sink.CommitAsync(
                [
                    new DeviceStatus
                    {
                        Id = Telemetry.EventId.For(device, "status", now.ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture)),
                        Device = device,
                        DeviceTime = DeviceTimestamp.FromClock((now + clockOffset).UtcDateTime),
                        Utc = now,
                        TimeBasis = TimeBasis.GatewayReceipt,
                        BatteryVolts = (double)status.Volts,
                        BatteryState = status.State,
                        ReservoirUnits = status.Reservoir,
                    },
                ],
                [],
                cancellationToken);
            _lastStatus = status;
        }

        /// <summary>
        /// Reads pages from the newest until the one holding the cursor's record, then maps what
        /// follows that record, oldest first, one commit per page with the cursor it reaches.
        /// </summary>
        private async Task<(int Pages, long Records, long Stored, long Duplicates)> ReadHistoryAsync(MedtronicTelemetryMapper mapper, CancellationToken cancellationToken)
        {
            var cursor = await session.Sink.GetCursorAsync(device, HistoryStream, cancellationToken);
            var current = ParadigmReplies.DecodeCurrentPageNumber(await radio.ReadAsync(ParadigmCommandCode.ReadCurPageNumber, cancellationToken));
            var pages = (int)Math.Min(options.MaxHistoryPages, current + 1);
            var read = new List<IReadOnlyList<MedtronicHistoryRecord>>();
            var resumeAt = 0;
            _keptPagesChecked = false;
            for (var number = 0; number < pages; number++)
            {
                if (await ReadPageAsync(number, current - (uint)number, cancellationToken) is not { } page)
                {
                    break;
                }

                read.Add(page);
                session.Observer.OnDownloadProgress(new DownloadProgress(device, HistoryStream, number + 1, pages, 0));
                if (cursor is not null && IndexOfMark(page, cursor.Position) is { } found)
                {
                    resumeAt = found + 1;
                    break;
                }
            }

            mapper.CorrectForClockChanges([.. Enumerable.Range(0, read.Count).Reverse().SelectMany(p => read[p].Skip(p == read.Count - 1 ? resumeAt : 0))]);
            long stored = 0;
            long duplicates = 0;
            long records = 0;
            for (var p = read.Count - 1; p >= 0; p--)
            {
                var page = read[p];
                var first = p == read.Count - 1 ? resumeAt : 0;
                var events = new List<TelemetryEvent>();
                for (var i = first; i < page.Count; i++)
                {
                    events.AddRange(mapper.Map(page[i]));
                    records++;
                }

                var result = await session.Sink.CommitAsync(events, MarkBeforeWaiting(read, p, mapper.Waiting) is { } mark ? [new DownloadCursor(device, HistoryStream, mark, session.Clock.GetUtcNow())] : [], cancellationToken);
                stored += result.Appended.Count;
                duplicates += result.Duplicates;
                session.Observer.OnDownloadProgress(new DownloadProgress(device, HistoryStream, read.Count, read.Count, stored));
            }

            pagesRead.Clear();
            return (read.Count, records, stored, duplicates);
        }

        /// <summary>
        /// History page <paramref name="number"/> (0 the newest), whose own number on the pump is
        /// <paramref name="pumpPage"/>: from the pages a cut download kept once one of them has been
        /// read again and found the same, else over the air. A page that does not decode is read
        /// once more; if it still does not, nothing older is read (null), as its bytes cannot be trusted.
        /// </summary>
        private async Task<IReadOnlyList<MedtronicHistoryRecord>?> ReadPageAsync(int number, uint pumpPage, CancellationToken cancellationToken)
        {
            if (number > 0 && _keptPagesChecked && pagesRead.TryGetValue(pumpPage, out var kept))
            {
                return MedtronicPageCodec.Decode(kept, model).Records;
            }

            for (var attempt = 0; ; attempt++)
            {
                var bytes = ParadigmReplies.DecodePage(await radio.SendAsync(ParadigmCommands.ReadHistoryData(radio.Pump, (byte)number), cancellationToken));
                try
                {
                    var records = MedtronicPageCodec.Decode(bytes, model).Records;
                    if (number > 0)
                    {
                        if (!_keptPagesChecked && pagesRead.TryGetValue(pumpPage, out var before))
                        {
                            _keptPagesChecked = before.AsSpan().SequenceEqual(bytes);
                            if (!_keptPagesChecked)
                            {
                                // The pump's page numbers are not what they were: nothing kept can be placed.
                                pagesRead.Clear();
                            }
                        }

                        pagesRead[pumpPage] = bytes;
                    }

                    return records;
                }
                catch (ProtocolException ex) when (attempt == 0)
                {
                    LogPageRetry(session.Logger, number, ex.Message);
                }
                catch (ProtocolException ex)
                {
                    LogPageUnreadable(session.Logger, number, ex.Message);
                    return null;
                }
            }
        }

        /// <summary>Sensor glucose pages from the stored page number (read again: it may have grown) to the pump's current one.</summary>
        private async Task<(int Pages, long Stored, long Duplicates)> ReadGlucoseAsync(MedtronicTelemetryMapper mapper, int historyPages, CancellationToken cancellationToken)
        {
            var current = ParadigmReplies.DecodeCurrentGlucosePageNumber(await radio.ReadAsync(ParadigmCommandCode.ReadCurGlucosePageNumber, cancellationToken));
            if (current.GlucosePages == 0)
            {
                return (0, 0, 0);
            }

            var cursor = await session.Sink.GetCursorAsync(device, GlucoseStream, cancellationToken);
            var oldest = current.CurrentPage >= current.GlucosePages - 1u ? current.CurrentPage - (current.GlucosePages - 1u) : 0u;
            var from = cursor is { Position: var position } && position >= oldest && position <= current.CurrentPage ? (uint)position : oldest;
            var pages = (int)(current.CurrentPage - from + 1);
            long stored = 0;
            long duplicates = 0;
            for (var number = from; number <= current.CurrentPage; number++)
            {
                var page = MedtronicGlucosePageCodec.Decode(ParadigmReplies.DecodePage(await radio.SendAsync(ParadigmCommands.ReadGlucoseHistory(radio.Pump, number), cancellationToken)));
                var events = mapper.MapGlucosePage(page.Entries).ToList<TelemetryEvent>();
                var result = await session.Sink.CommitAsync(events, [new DownloadCursor(device, GlucoseStream, number, session.Clock.GetUtcNow())], cancellationToken);
                stored += result.Appended.Count;
                duplicates += result.Duplicates;
                var done = (int)(number - from + 1);
                session.Observer.OnDownloadProgress(new DownloadProgress(device, GlucoseStream, historyPages + done, historyPages + pages, stored));
            }

            return (pages, stored, duplicates);
        }

        /// <summary>
        /// The mark of the newest record, of the pages read down to page <paramref name="p"/> (page 0
        /// is the newest), that is mapped whole: the record before any still waiting for its partner.
        /// </summary>
        private long? MarkBeforeWaiting(List<IReadOnlyList<MedtronicHistoryRecord>> read, int p, MedtronicHistoryRecord? waiting)
        {
            var positions = Enumerable.Range(p, read.Count - p).Reverse().SelectMany(n => Enumerable.Range(0, read[n].Count).Select(i => (Page: n, Index: i))).ToList();
            var end = waiting is null ? positions.Count : positions.FindLastIndex(x => ReferenceEquals(read[x.Page][x.Index], waiting));
            return end >= 1 ? Mark(read[positions[end - 1].Page], positions[end - 1].Index) : null;
        }

        private int? IndexOfMark(IReadOnlyList<MedtronicHistoryRecord> page, long mark)
        {
            for (var i = page.Count - 1; i >= 0; i--)
            {
                if (Mark(page, i) == mark)
                {
                    return i;
                }
            }

            return null;
        }

        /// <summary>
        /// A record's mark: FNV-1a over its bytes and the bytes of the record before it on its page
        /// (pages move as a whole, so that stays), so that a record written twice is still told apart.
        /// </summary>
        private long Mark(IReadOnlyList<MedtronicHistoryRecord> page, int index)
        {
            var hash = 14695981039346656037UL;
            var bytes = index > 0 ? MedtronicRecordCodec.Encode(page[index - 1], model).Concat(MedtronicRecordCodec.Encode(page[index], model)) : MedtronicRecordCodec.Encode(page[index], model);
            foreach (var b in bytes)
            {
                hash = (hash ^ b) * 1099511628211UL;
            }

            return (long)(hash >> 1);
        }

        [LoggerMessage(Level = LogLevel.Warning, Message = "History page {Page} did not decode, reading it again: {Problem}")]
        private static partial void LogPageRetry(ILogger logger, int page, string problem);

        [LoggerMessage(Level = LogLevel.Error, Message = "History page {Page} did not decode twice: older history is not read ({Problem})")]
        private static partial void LogPageUnreadable(ILogger logger, int page, string problem);

        [LoggerMessage(Level = LogLevel.Information, Message = "Read {HistoryPages} history pages ({Records} records) and {GlucosePages} glucose pages: {Stored} new events, {Duplicates} already stored, in {ElapsedMs} ms")]
        private static partial void LogDownloaded(ILogger logger, int historyPages, long records, int glucosePages, long stored, long duplicates, double elapsedMs);
    }
}
