using PumpGateway.Devices.Dexcom;
using PumpGateway.Fakes.Scenario;

namespace PumpGateway.Fakes.Dexcom;

/// <summary>
/// An emulated receiver's database: records per partition, cut into 528-byte pages the way a G4
/// stores them. Thread-safe: the live generator appends while the gateway reads.
/// </summary>
public sealed class DexcomReceiverDatabase
{
    private readonly Lock _gate = new();
    private readonly Dictionary<DexcomRecordType, Partition> _partitions = [];

    public DexcomReceiverDatabase(string serialNumber, uint firstPageNumber = 0)
    {
        SerialNumber = serialNumber;
        FirstPageNumber = firstPageNumber;
        Add(DexcomRecordType.ManufacturingData, 1, [new ManufacturingDataRecord(0, 0, new Dictionary<string, string>
        {
            ["SerialNumber"] = serialNumber,
            ["HardwarePartNumber"] = "MT20649",
            ["HardwareRevision"] = "5",
            ["DateTimeCreated"] = "2013-05-03 10:28:08.060 -07:00",
            ["HardwareId"] = "{00000000-0000-0000-0000-000000000000}",
        })]);
    }

    public string SerialNumber { get; }

    /// <summary>Page numbers of every partition start here (a receiver's ring buffer rarely starts at 0).</summary>
    public uint FirstPageNumber { get; }

    /// <summary>A database generated from a glucose scenario: EGVs, raw sensor data, calibrations, sessions and meals.</summary>
    public static DexcomReceiverDatabase FromScenario(GlucoseScenario scenario, string serialNumber, TimeSpan displayOffset, uint firstPageNumber = 100)
    {
        var database = new DexcomReceiverDatabase(serialNumber, firstPageNumber);
        var options = scenario.Options;
        var random = new Random(options.Seed ^ 0xDE);
        database.AppendSamples(scenario.History, displayOffset);
        var sessions = new List<DexcomRecord>();
        var calibrations = new List<DexcomRecord>();
        for (var start = options.Start; start < options.Start + options.Duration; start += options.SensorSession)
        {
            var seconds = DexcomTime.ToSeconds(start);
            sessions.Add(new InsertionTimeRecord(seconds, Display(seconds, displayOffset), seconds, DexcomSessionState.Started));
        }

        var perDay = Math.Max(1, options.CalibrationsPerDay);
        foreach (var sample in scenario.History.Where((_, i) => i % (int)(TimeSpan.FromDays(1) / options.Interval / perDay) == 6))
        {
            var seconds = DexcomTime.ToSeconds(sample.Time) + 30;
            var meter = (ushort)Math.Clamp(sample.MgDl * (0.93 + (random.NextDouble() * 0.14)), 20, 600);
            calibrations.Add(new MeterRecord(seconds, Display(seconds, displayOffset), meter, seconds));
        }

        database.Add(DexcomRecordType.InsertionTime, 1, sessions);
        database.Add(DexcomRecordType.MeterData, 1, calibrations);
        database.Add(
            DexcomRecordType.UserEventData,
            1,
            [.. scenario.Meals.Where(m => m.Time < options.Start + options.Duration).Select(m =>
            {
                var seconds = DexcomTime.ToSeconds(m.Time);
                return (DexcomRecord)new UserEventRecord(seconds, Display(seconds, displayOffset), DexcomUserEventType.Carbs, 0, seconds, (uint)m.CarbGrams);
            })]);
        return database;
    }

    /// <summary>A database holding real pages (e.g. the fixtures), as the receiver served them.</summary>
    public static DexcomReceiverDatabase FromPages(string serialNumber, IEnumerable<DexcomPage> pages)
    {
        var database = new DexcomReceiverDatabase(serialNumber);
        foreach (var page in pages.OrderBy(p => p.PageNumber))
        {
            database.Add(page.RecordType, page.Revision, page.Records);
            lock (database._gate)
            {
                var partition = database._partitions[page.RecordType];
                partition.Verbatim ??= [];
                partition.Verbatim.Add(page.PageNumber, page);
            }
        }

        return database;
    }

    /// <summary>Appends EGV and raw sensor records for the samples (the live generator calls this too).</summary>
    public void AppendSamples(IEnumerable<GlucoseSample> samples, TimeSpan displayOffset)
    {
        var egvs = new List<DexcomRecord>();
        var raw = new List<DexcomRecord>();
        foreach (var sample in samples)
        {
            var seconds = DexcomTime.ToSeconds(sample.Time);
            var display = Display(seconds, displayOffset);
            var trend = TrendOf(sample.RateMgDlPerMin);
            egvs.Add(new EgvRecord(seconds, display, (ushort)sample.MgDl, (byte)((byte)trend | ((byte)DexcomNoise.Clean << 4))));
            raw.Add(new SensorRecord(seconds, display, (uint)(sample.MgDl * 1000) + 30000, (uint)(sample.MgDl * 1000) + 29000, -70));
        }

        Add(DexcomRecordType.EgvData, 2, egvs);
        Add(DexcomRecordType.SensorData, 1, raw);
    }

    public void Add(DexcomRecordType type, byte revision, IEnumerable<DexcomRecord> records)
    {
        lock (_gate)
        {
            if (!_partitions.TryGetValue(type, out var partition))
            {
                partition = _partitions[type] = new Partition(type, revision);
            }
            else if (partition.Revision != revision)
            {
                throw new InvalidOperationException($"{type} holds revision {partition.Revision} records, not {revision}.");
            }

            partition.Records.AddRange(records);
        }
    }

    /// <summary>Every record of a partition, oldest first: the ground truth a test compares against.</summary>
    public IReadOnlyList<DexcomRecord> Records(DexcomRecordType type)
    {
        lock (_gate)
        {
            return _partitions.TryGetValue(type, out var partition) ? [.. partition.Records] : [];
        }
    }

    public DexcomPageRange PageRange(DexcomRecordType type)
    {
        lock (_gate)
        {
            if (!_partitions.TryGetValue(type, out var partition) || partition.Records.Count == 0)
            {
                return DexcomPageRange.Empty;
            }

            if (partition.Verbatim is { } verbatim)
            {
                return new DexcomPageRange(verbatim.Keys[0], verbatim.Keys[^1]);
            }

            var pages = (partition.Records.Count + partition.PerPage - 1) / partition.PerPage;
            return new DexcomPageRange(FirstPageNumber, FirstPageNumber + (uint)pages - 1);
        }
    }

    /// <summary>The page as the receiver would serve it now, or null when there is no such page.</summary>
    public DexcomPage? Page(DexcomRecordType type, uint pageNumber)
    {
        lock (_gate)
        {
            if (!_partitions.TryGetValue(type, out var partition))
            {
                return null;
            }

            if (partition.Verbatim is { } verbatim)
            {
                return verbatim.GetValueOrDefault(pageNumber);
            }

            if (pageNumber < FirstPageNumber)
            {
                return null;
            }

            var first = (long)(pageNumber - FirstPageNumber) * partition.PerPage;
            if (first >= partition.Records.Count)
            {
                return null;
            }

            var count = (int)Math.Min(partition.PerPage, partition.Records.Count - first);
            return new DexcomPage((uint)first, type, partition.Revision, pageNumber, partition.Records.GetRange((int)first, count));
        }
    }

    public IReadOnlyList<DexcomPartition> Partitions()
    {
        lock (_gate)
        {
            return [.. _partitions.OrderBy(p => p.Key).Select(p => new DexcomPartition(p.Key.ToString(), (int)p.Key, p.Value.Revision, DexcomPageCodec.DataSize / p.Value.PerPage))];
        }
    }

    private static uint Display(uint systemSeconds, TimeSpan displayOffset) => (uint)(systemSeconds + (long)displayOffset.TotalSeconds);

    /// <summary>Dexcom's arrows: rate of change in mg/dL/min over the last 15 minutes.</summary>
    private static DexcomTrend TrendOf(double rate) => rate switch
    {
        > 3 => DexcomTrend.DoubleUp,
        > 2 => DexcomTrend.SingleUp,
        > 1 => DexcomTrend.FortyFiveUp,
        >= -1 => DexcomTrend.Flat,
        >= -2 => DexcomTrend.FortyFiveDown,
        >= -3 => DexcomTrend.SingleDown,
        _ => DexcomTrend.DoubleDown,
    };

    private sealed class Partition(DexcomRecordType type, byte revision)
    {
        public byte Revision { get; } = revision;

        public List<DexcomRecord> Records { get; } = [];

        public int PerPage { get; } = DexcomPageCodec.RecordsPerPage(type, revision);

        /// <summary>Real pages served verbatim (their own numbers and record counts), instead of pages cut from <see cref="Records"/>.</summary>
        public SortedList<uint, DexcomPage>? Verbatim { get; set; }
    }
}
