using PumpGateway.Devices.Medtronic;
using PumpGateway.Fakes.Scenario;

namespace PumpGateway.Fakes.Medtronic;

/// <summary>
/// The glucose pages of a pump-integrated sensor: one sensor glucose record per sample (value / 2,
/// below 40 and above 400 as their markers), anchored by SensorTimestamps so that the page decoder
/// gives every reading its sample's minute. A run of consecutive 5-minute readings opens with a
/// timestamp 5 minutes before its first reading (the readings after a page's last timestamp are
/// timed forwards from it), closes with a Gap timestamp at its last reading when the next sample
/// does not follow 5 minutes later, and a full page closes with a PageEnd timestamp at its last
/// reading. Pages are numbered like the pump's: the newest is the highest. Not thread-safe.
/// </summary>
public sealed class ParadigmGlucoseHistory
{
    private static readonly TimeSpan Slot = TimeSpan.FromMinutes(5);

    private readonly List<GlucosePage> _pages = [];

    public ParadigmGlucoseHistory(uint firstPageNumber = 0, int maxPages = 32)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(maxPages, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(maxPages, byte.MaxValue);
        MaxPages = maxPages;
        _pages.Add(new GlucosePage(firstPageNumber));
    }

    public int MaxPages { get; }

    /// <summary>The page being written.</summary>
    public uint CurrentPageNumber => _pages[^1].Number;

    /// <summary>The numbers of the pages held, oldest first.</summary>
    public IReadOnlyList<uint> PageNumbers => [.. _pages.Select(p => p.Number)];

    /// <summary>The records of a page in page order (oldest first), or null when the pump does not hold it.</summary>
    public IReadOnlyList<ParadigmGlucoseEntry>? Entries(uint number) => _pages.Find(p => p.Number == number) is { } page ? [.. page.Entries] : null;

    /// <summary>The page's 1024 bytes as ReadGlucoseHistory returns them, or null when the pump does not hold it.</summary>
    public byte[]? Encode(uint number) => Entries(number) is { } entries ? MedtronicGlucosePageCodec.Encode(entries.Select(e => e.Record)) : null;

    /// <summary>Records one sensor sample at its minute; returns the records written for it (timestamps included).</summary>
    /// <param name="clockShift">How far the pump clock has been set from the scenario's time axis: the page is stamped on the pump's clock.</param>
    public IReadOnlyList<ParadigmGlucoseEntry> Append(GlucoseSample sample, TimeSpan clockShift = default)
    {
        var pumpTime = sample.Time + clockShift;
        var time = new DateTime(pumpTime.Ticks - (pumpTime.Ticks % TimeSpan.TicksPerMinute), DateTimeKind.Unspecified);
        var reading = new ParadigmGlucoseEntry(Reading(sample.MgDl), sample);
        var page = _pages[^1];
        var written = new List<ParadigmGlucoseEntry>();
        if (page.LastReading is { } last && time != last + Slot)
        {
            written.Add(Stamp(last, MedtronicSensorTimestampKind.Gap));
        }

        if (page.LastReading is null || time != page.LastReading + Slot)
        {
            written.Add(Stamp(time - Slot, MedtronicSensorTimestampKind.LastRf));
        }

        written.Add(reading);

        // Room is kept for the PageEnd timestamp that closes a full page.
        if (page.Used + Length(written) + MedtronicGlucoseTimestamp.Length + 1 > MedtronicPageFrame.DataSize)
        {
            var pageEnd = Stamp(page.LastReading!.Value, MedtronicSensorTimestampKind.PageEnd);
            page.Add(pageEnd, Length([pageEnd]));
            page = NewPage(page.Number + 1);
            written = [Stamp(time - Slot, MedtronicSensorTimestampKind.LastRf), reading];
        }

        page.Add(written, Length(written));
        page.LastReading = time;
        return written;
    }

    private GlucosePage NewPage(uint number)
    {
        if (_pages.Count == MaxPages)
        {
            _pages.RemoveAt(0);
        }

        var page = new GlucosePage(number);
        _pages.Add(page);
        return page;
    }

    private static MedtronicGlucoseRecord Reading(int mgDl)
    {
        var value = (int)Math.Round(mgDl / 2.0, MidpointRounding.AwayFromZero);
        return value switch
        {
            < (byte)MedtronicGlucoseRecordType.SensorGlucose => new MedtronicGlucoseMarker(MedtronicGlucoseRecordType.GlucoseBelow40),
            > 200 => new MedtronicGlucoseMarker(MedtronicGlucoseRecordType.GlucoseAbove400, 0),
            _ => new MedtronicSensorGlucose((byte)value),
        };
    }

    private static ParadigmGlucoseEntry Stamp(DateTime time, MedtronicSensorTimestampKind kind) =>
        new(new MedtronicGlucoseTimestamped(MedtronicGlucoseRecordType.SensorTimestamp, new MedtronicGlucoseTimestamp(time, DayHighBits: (byte)kind)), null);

    private static int Length(IEnumerable<ParadigmGlucoseEntry> entries) => entries.Sum(e => e.Record switch
    {
        MedtronicGlucoseTimestamped => 1 + MedtronicGlucoseTimestamp.Length,
        MedtronicGlucoseMarker { Argument: not null } => 2,
        _ => 1,
    });

    private sealed class GlucosePage(uint number)
    {
        public uint Number { get; } = number;

        public List<ParadigmGlucoseEntry> Entries { get; } = [];

        public int Used { get; private set; }

        public DateTime? LastReading { get; set; }

        public void Add(IEnumerable<ParadigmGlucoseEntry> entries, int length)
        {
            Entries.AddRange(entries);
            Used += length;
        }

        public void Add(ParadigmGlucoseEntry entry, int length) => Add([entry], length);
    }
}
