using System.Diagnostics;
using Microsoft.Extensions.Logging;
using PumpGateway.Ports;
using PumpGateway.Protocol;
using PumpGateway.Telemetry;

namespace PumpGateway.Devices.Dexcom;

/// <summary>
/// A Dexcom G4/G5 receiver session over USB serial: identify, check the clock, download the pages
/// that are new since the stored cursors, then read again every poll interval (or when asked).
/// Only read commands exist in the codec: this driver cannot change anything on the receiver.
/// </summary>
public sealed partial class DexcomDriver : IDeviceDriver
{
    public const string FamilyName = "dexcom";

    /// <summary>The record types downloaded, with the cursor stream each keeps its position in.</summary>
    internal static readonly IReadOnlyList<(DexcomRecordType Type, string Stream)> Streams =
    [
        (DexcomRecordType.EgvData, "egv"),
        (DexcomRecordType.MeterData, "meter"),
        (DexcomRecordType.SensorData, "sensor"),
        (DexcomRecordType.InsertionTime, "insertion"),
        (DexcomRecordType.UserEventData, "user-event"),
    ];

    private readonly DexcomDriverOptions _options;

    public DexcomDriver(DexcomDriverOptions options)
    {
        _options = options;
    }

    /// <summary>Dexcom receivers enumerate as USB CDC-ACM 22a3:0047 (Tidepool's device manifest).</summary>
    public static DeviceFamilyDescriptor Descriptor { get; } = new(FamilyName, [new UsbId(0x22A3, 0x0047)]);

    public string Family => FamilyName;

    public async Task RunAsync(DeviceSession session, CancellationToken cancellationToken)
    {
        var transport = session.Transport as IStreamTransport
            ?? throw new ArgumentException("A Dexcom receiver is read over a byte-stream (serial) transport.", nameof(session));
        var logger = session.Logger;
        var link = new DexcomLink(transport, _options.ResponseTimeout, _options.Retries, logger);

        var (identity, clockOffset) = await IdentifyAsync(link, session.Clock, cancellationToken);
        using var scope = logger.BeginScope(new Dictionary<string, object> { ["DeviceId"] = identity.Id.Value });
        if (clockOffset.Duration() > _options.ClockOffsetWarning)
        {
            LogClockOffset(logger, clockOffset.TotalSeconds, _options.ClockOffsetWarning.TotalSeconds);
        }

        // The receiver's system clock keeps UTC (the wearer sets only the display offset): its offset is its error.
        await session.Observer.OnIdentifiedAsync(identity, new DeviceClockCheck(clockOffset, clockOffset), cancellationToken);
        var mapper = new DexcomTelemetryMapper(identity.Id, clockOffset);
        while (true)
        {
            await DownloadAsync(link, session, mapper, cancellationToken);
            await session.DownloadTrigger.WaitAsync(_options.PollInterval, cancellationToken);
        }
    }

    private static async Task<(DeviceIdentity Identity, TimeSpan ClockOffset)> IdentifyAsync(DexcomLink link, TimeProvider clock, CancellationToken cancellationToken)
    {
        var header = await link.ExchangeAsync(DexcomRequests.ReadFirmwareHeader(), p => DexcomResponses.ParseFirmwareHeader(p.Span), cancellationToken);
        var serialNumber = await ReadSerialNumberAsync(link, cancellationToken);

        // The receiver's system clock is its own count of seconds: what it says now against what
        // the gateway says now is the offset every record's UTC time is corrected by.
        var systemSeconds = await link.ExchangeAsync(DexcomRequests.ReadSystemTime(), p => DexcomResponses.ParseUInt32(p.Span), cancellationToken);
        var gatewayNow = clock.GetUtcNow();
        var clockOffset = DexcomTime.ToDateTime(systemSeconds) - gatewayNow.UtcDateTime;
        var identity = new DeviceIdentity(FamilyName, DeviceCategory.CgmReceiver, header.ProductId, serialNumber, header.ProductName, header.FirmwareVersion);
        return (identity, clockOffset);
    }

    private static async Task<string> ReadSerialNumberAsync(DexcomLink link, CancellationToken cancellationToken)
    {
        var range = await link.ExchangeAsync(DexcomRequests.ReadDatabasePageRange(DexcomRecordType.ManufacturingData), p => DexcomResponses.ParsePageRange(p.Span), cancellationToken);
        if (range.IsEmpty)
        {
            throw new DeviceSessionException("The receiver has no manufacturing data: it cannot be identified.");
        }

        var pages = await link.ExchangeAsync(
            DexcomRequests.ReadDatabasePages(DexcomRecordType.ManufacturingData, range.Last, 1),
            p => ExpectPages(DexcomPageCodec.DecodePages(p.Span), DexcomRecordType.ManufacturingData, range.Last, 1),
            cancellationToken);
        var newest = pages[0].Records.OfType<ManufacturingDataRecord>().LastOrDefault()
            ?? throw new DeviceSessionException("The newest manufacturing data page holds no record.");
        return newest.SerialNumber;
    }

    private async Task DownloadAsync(DexcomLink link, DeviceSession session, DexcomTelemetryMapper mapper, CancellationToken cancellationToken)
    {
        var started = Stopwatch.GetTimestamp();
        var device = mapper.Device;
        var plan = new List<(DexcomRecordType Type, string Stream, uint First, uint Last)>();
        foreach (var (type, stream) in Streams)
        {
            var range = await link.ExchangeAsync(DexcomRequests.ReadDatabasePageRange(type), p => DexcomResponses.ParsePageRange(p.Span), cancellationToken);
            if (range.IsEmpty)
            {
                continue;
            }

            // The cursor's page is read again: it was the newest page last time and may have grown.
            // A cursor past the receiver's last page means its database was reset: read it all.
            var cursor = await session.Sink.GetCursorAsync(device, stream, cancellationToken);
            var first = cursor is { } c && c.Position >= range.First && c.Position <= range.Last ? (uint)c.Position : range.First;
            plan.Add((type, stream, first, range.Last));
        }

        long total = plan.Sum(p => (long)p.Last - p.First + 1);
        long done = 0;
        long stored = 0;
        long duplicates = 0;
        foreach (var (type, stream, first, last) in plan)
        {
            for (var page = first; page <= last;)
            {
                var count = (byte)Math.Min(_options.PagesPerRequest, (long)last - page + 1);
                var requestedPage = page;
                var pages = await link.ExchangeAsync(
                    DexcomRequests.ReadDatabasePages(type, page, count),
                    p => ExpectPages(DexcomPageCodec.DecodePages(p.Span), type, requestedPage, count),
                    cancellationToken);

                var events = new List<TelemetryEvent>();
                foreach (var record in pages.SelectMany(p => p.Records))
                {
                    if (mapper.Map(stream, record) is { } telemetry)
                    {
                        events.Add(telemetry);
                    }
                }

                var lastPage = page + count - 1;
                var result = await session.Sink.CommitAsync(events, [new DownloadCursor(device, stream, lastPage, session.Clock.GetUtcNow())], cancellationToken);
                stored += result.Appended.Count;
                duplicates += result.Duplicates;
                done += count;
                session.Observer.OnDownloadProgress(new DownloadProgress(device, stream, done, total, stored));
                if (lastPage == uint.MaxValue)
                {
                    break;
                }

                page = lastPage + 1;
            }
        }

        var elapsed = Stopwatch.GetElapsedTime(started);
        session.Observer.OnDownloadCompleted(new DownloadSummary(device, done, stored, duplicates, elapsed));
        LogDownloaded(session.Logger, done, stored, duplicates, elapsed.TotalMilliseconds);
    }

    /// <summary>A reply with other pages than asked for is as corrupt as a bad CRC: it is retried.</summary>
    private static IReadOnlyList<DexcomPage> ExpectPages(IReadOnlyList<DexcomPage> pages, DexcomRecordType type, uint firstPage, byte count)
    {
        if (pages.Count != count)
        {
            throw new ProtocolException(ProtocolErrorKind.BadLength, 0, $"asked for {count} pages, got {pages.Count}");
        }

        for (var i = 0; i < pages.Count; i++)
        {
            if (pages[i].RecordType != type || pages[i].PageNumber != firstPage + (uint)i)
            {
                throw new ProtocolException(ProtocolErrorKind.OutOfRange, i * DexcomPageCodec.PageSize, $"asked for {type} page {firstPage + (uint)i}, got {pages[i].RecordType} page {pages[i].PageNumber}");
            }
        }

        return pages;
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Receiver clock is {OffsetSeconds} s off the gateway clock (more than {ThresholdSeconds} s): record times are corrected by the measured offset")]
    private static partial void LogClockOffset(ILogger logger, double offsetSeconds, double thresholdSeconds);

    [LoggerMessage(Level = LogLevel.Information, Message = "Downloaded {Pages} pages: {Stored} new events, {Duplicates} already stored, in {ElapsedMs} ms")]
    private static partial void LogDownloaded(ILogger logger, long pages, long stored, long duplicates, double elapsedMs);
}
