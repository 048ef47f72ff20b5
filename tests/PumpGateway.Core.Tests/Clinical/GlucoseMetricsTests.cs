using System.Globalization;
using PumpGateway.Clinical;
using PumpGateway.Devices;
using PumpGateway.Telemetry;

namespace PumpGateway.Core.Tests.Clinical;

/// <summary>
/// The consensus CGM metrics, every figure worked by hand in the comments. Paris is UTC+1 in winter
/// (CET) and UTC+2 in summer (CEST); 2026-03-29 clocks go 02:00 → 03:00 at 01:00 UTC.
/// </summary>
public sealed class GlucoseMetricsTests
{
    private static readonly TimeZoneInfo Paris = TimeZoneInfo.FindSystemTimeZoneById("Europe/Paris");
    private static readonly DateTimeOffset Jan10 = new(2026, 1, 10, 0, 0, 0, TimeSpan.Zero);

    [Fact]
    public void Five_readings_give_the_consensus_metrics_worked_by_hand()
    {
        var cgm = new Stamper("cgm");
        var period = new ReportPeriod(Jan10, Jan10.AddDays(1), Paris);
        var readings = new List<GlucoseReading>
        {
            // A LOW counts at its stored 40.
            cgm.At(Sensor(40) with { RangeLimit = GlucoseRangeLimit.BelowRange }, Jan10.AddMinutes(0)),
            cgm.At(Sensor(60), Jan10.AddMinutes(5)),
            cgm.At(Sensor(100), Jan10.AddMinutes(10)),
            cgm.At(Sensor(200), Jan10.AddMinutes(15)),
            cgm.At(Sensor(300), Jan10.AddMinutes(20)),

            // None of these count: a meter value, a superseded record, a condition without value, one at the period's end.
            cgm.At(new GlucoseReading { Source = GlucoseSource.Meter, MgDl = 500 }, Jan10.AddMinutes(1)),
            cgm.At(Sensor(500) with { DisplayOnly = true }, Jan10.AddMinutes(2)),
            cgm.At(new GlucoseReading { Source = GlucoseSource.Sensor, Condition = "SENSOR_NOT_ACTIVE" }, Jan10.AddMinutes(3)),
            cgm.At(Sensor(500), Jan10.AddDays(1)),
        };

        var summary = GlucoseMetrics.Compute(readings, period);

        Assert.Equal(5, summary.Readings);
        Assert.Equal(TimeSpan.FromMinutes(5), summary.ReadingInterval);

        // mean = (40 + 60 + 100 + 200 + 300) / 5 = 700 / 5 = 140
        Assert.Equal(140, summary.MeanMgDl!.Value, 9);

        // deviations −100, −80, −40, 60, 160; squares 10000 + 6400 + 1600 + 3600 + 25600 = 47200;
        // sample variance 47200 / (5 − 1) = 11800; SD = √11800 = 108.627805
        // (the brief's 105.12 is not √11800: 105.12² = 11050.2)
        Assert.Equal(108.627805, summary.SdMgDl!.Value, 6);

        // CV = 108.627805 / 140 × 100 = 77.591289 %
        Assert.Equal(77.591289, summary.CvPercent!.Value, 6);

        // GMI = 3.31 + 0.02392 × 140 = 3.31 + 3.3488 = 6.6588 %
        Assert.Equal(6.6588, summary.GmiPercent!.Value, 9);

        // <54: {40} 1/5 = 20; <70: {40, 60} 2/5 = 40; 70..180: {100} 1/5 = 20; >180: {200, 300} 2/5 = 40; >250: {300} 1/5 = 20
        Assert.Equal(20, summary.PercentBelow54!.Value, 9);
        Assert.Equal(40, summary.PercentBelow70!.Value, 9);
        Assert.Equal(20, summary.PercentInRange!.Value, 9);
        Assert.Equal(40, summary.PercentAbove180!.Value, 9);
        Assert.Equal(20, summary.PercentAbove250!.Value, 9);

        // wear = 5 readings × 5 min / 1440 min × 100 = 2500 / 1440 = 1.736111 %
        Assert.Equal(1.736111, summary.WearPercent, 6);
        Assert.Equal(1, summary.DaysWithData);
        Assert.False(summary.Sufficient);
        Assert.Equal(96, summary.Agp.Slots.Count);
        Assert.Equal(5, summary.Agp.Slots.Sum(s => s.Readings));
    }

    [Fact]
    public void The_band_edges_are_below_54_below_70_70_to_180_inclusive_above_180_and_above_250()
    {
        // 8 readings: <54 {53} = 1/8 = 12.5; <70 {53, 54, 69} = 3/8 = 37.5; 70..180 {70, 180} = 2/8 = 25;
        // >180 {181, 250, 251} = 3/8 = 37.5; >250 {251} = 1/8 = 12.5
        var summary = Compute(Jan10, [53, 54, 69, 70, 180, 181, 250, 251]);

        Assert.Equal(12.5, summary.PercentBelow54!.Value, 9);
        Assert.Equal(37.5, summary.PercentBelow70!.Value, 9);
        Assert.Equal(25, summary.PercentInRange!.Value, 9);
        Assert.Equal(37.5, summary.PercentAbove180!.Value, 9);
        Assert.Equal(12.5, summary.PercentAbove250!.Value, 9);
    }

    [Fact]
    public void Wear_counts_a_removed_sensor_gap_and_the_interval_ignores_it()
    {
        var cgm = new Stamper("cgm");
        var period = new ReportPeriod(Jan10, Jan10.AddDays(1), Paris);

        // 00:00–11:55 UTC every 5 min = 144 readings, sensor off, then 18:00–23:55 UTC = 72 readings: 216.
        // Gaps: 143 + 71 of 5 min and one of 6 h 05 min, median 5 min.
        var times = Enumerable.Range(0, 144).Select(i => Jan10.AddMinutes(5 * i))
            .Concat(Enumerable.Range(0, 72).Select(i => Jan10.AddHours(18).AddMinutes(5 * i)));
        var readings = times.Select(t => cgm.At(Sensor(120), t)).ToList();

        var summary = GlucoseMetrics.Compute(readings, period);

        Assert.Equal(216, summary.Readings);
        Assert.Equal(TimeSpan.FromMinutes(5), summary.ReadingInterval);

        // 216 × 5 / 1440 × 100 = 1080 / 1440 × 100 = 75 %
        Assert.Equal(75, summary.WearPercent, 9);

        // In Paris (UTC+1) the readings from 23:00 UTC are on 11 January: two clinic days.
        Assert.Equal(2, summary.DaysWithData);
    }

    [Theory]
    [InlineData(new[] { 0, 4, 10 }, 5)]   // gaps 4, 6: median (4 + 6) / 2 = 5
    [InlineData(new[] { 0, 2, 5 }, 3)]    // gaps 2, 3: median 2.5, half a minute rounds up to 3
    [InlineData(new[] { 0, 1, 2, 3 }, 1)] // a one-minute sensor
    [InlineData(new[] { 0, 0, 0 }, 1)]    // gaps 0, 0: at least one minute
    [InlineData(new[] { 7 }, 5)]          // one reading: the 5-minute default
    [InlineData(new int[0], 5)]           // none: the default
    public void The_reading_interval_is_the_median_gap_in_whole_minutes(int[] minutes, int expectedMinutes)
    {
        var cgm = new Stamper("cgm");
        var readings = minutes.Select(m => cgm.At(Sensor(100), Jan10.AddMinutes(m))).Reverse().ToList();

        var summary = GlucoseMetrics.Compute(readings, new ReportPeriod(Jan10, Jan10.AddDays(1), Paris));

        Assert.Equal(TimeSpan.FromMinutes(expectedMinutes), summary.ReadingInterval);
    }

    [Fact]
    public void Wear_is_capped_at_100_percent()
    {
        // Period 10 min, readings at 0, 4, 9 min: gaps 4, 5 → median 4.5 → 5 min; 3 × 5 / 10 = 150 % → 100 %.
        var summary = Compute(Jan10, [100, 110, 120], minutes: [0, 4, 9], length: TimeSpan.FromMinutes(10));

        Assert.Equal(100, summary.WearPercent);
    }

    [Fact]
    public void One_reading_has_a_mean_and_gmi_but_no_standard_deviation()
    {
        var summary = Compute(Jan10, [154]);

        Assert.Equal(154, summary.MeanMgDl);
        Assert.Null(summary.SdMgDl);
        Assert.Null(summary.CvPercent);

        // 3.31 + 0.02392 × 154 = 3.31 + 3.68368 = 6.99368
        Assert.Equal(6.99368, summary.GmiPercent!.Value, 9);
        Assert.Equal(100, summary.PercentInRange);
    }

    [Fact]
    public void No_reading_leaves_every_glucose_figure_null()
    {
        var summary = GlucoseMetrics.Compute([], new ReportPeriod(Jan10, Jan10.AddDays(14), Paris));

        Assert.Equal(0, summary.Readings);
        Assert.Null(summary.MeanMgDl);
        Assert.Null(summary.GmiPercent);
        Assert.Null(summary.PercentInRange);
        Assert.Null(summary.PercentBelow54);
        Assert.Equal(0, summary.WearPercent);
        Assert.Equal(0, summary.DaysWithData);
        Assert.False(summary.Sufficient);
        Assert.All(summary.Agp.Slots, s => Assert.Null(s.P50));
    }

    [Fact]
    public void Days_with_data_are_clinic_local_days_across_the_spring_forward_night()
    {
        var cgm = new Stamper("cgm");
        var readings = new[]
        {
            // 2026-03-28 22:30 UTC = 23:30 CET on the 28th
            cgm.At(Sensor(100), new DateTimeOffset(2026, 3, 28, 22, 30, 0, TimeSpan.Zero)),

            // 2026-03-28 23:30 UTC = 00:30 CET on the 29th
            cgm.At(Sensor(100), new DateTimeOffset(2026, 3, 28, 23, 30, 0, TimeSpan.Zero)),

            // 2026-03-29 21:30 UTC = 23:30 CEST on the 29th (after the 01:00 UTC change)
            cgm.At(Sensor(100), new DateTimeOffset(2026, 3, 29, 21, 30, 0, TimeSpan.Zero)),

            // 2026-03-29 22:30 UTC = 00:30 CEST on the 30th
            cgm.At(Sensor(100), new DateTimeOffset(2026, 3, 29, 22, 30, 0, TimeSpan.Zero)),
        };
        var from = new DateTimeOffset(2026, 3, 27, 0, 0, 0, TimeSpan.Zero);
        var to = new DateTimeOffset(2026, 4, 1, 0, 0, 0, TimeSpan.Zero);

        // Paris days 28, 29, 29, 30: three. UTC days 28, 28, 29, 29: two.
        Assert.Equal(3, GlucoseMetrics.Compute(readings, new ReportPeriod(from, to, Paris)).DaysWithData);
        Assert.Equal(2, GlucoseMetrics.Compute(readings, new ReportPeriod(from, to, TimeZoneInfo.Utc)).DaysWithData);
    }

    [Theory]
    [InlineData(13, false)] // 13 × 288 = 3744 readings, wear 100 %, but 13 days is too short
    [InlineData(14, true)]  // 14 × 288 = 4032 readings, wear 100 %
    public void A_report_needs_14_days(int days, bool sufficient)
    {
        var readings = EveryFiveMinutes(Jan10, days * 288);

        var summary = GlucoseMetrics.Compute(readings, new ReportPeriod(Jan10, Jan10.AddDays(days), Paris));

        Assert.Equal(100, summary.WearPercent, 9);
        Assert.Equal(sufficient, summary.Sufficient);
    }

    [Theory]
    [InlineData(2870, 70.0, true)]           // 2870 × 5 / 20500 × 100 = 14350 / 205 = 70 exactly: the threshold is inclusive
    [InlineData(2869, 69.975609756, false)]  // 14345 / 205 = 69.9756…
    [InlineData(2829, 69.0, false)]          // 14145 / 205 = 69
    public void A_report_needs_70_percent_wear(int readings, double wear, bool sufficient)
    {
        // 14 d 5 h 40 min = 20160 + 340 = 20500 min: room for 20500 / 5 = 4100 readings.
        var period = new ReportPeriod(Jan10, Jan10.AddMinutes(20500), Paris);

        var summary = GlucoseMetrics.Compute(EveryFiveMinutes(Jan10, readings), period);

        Assert.Equal(TimeSpan.FromMinutes(5), summary.ReadingInterval);
        Assert.Equal(wear, summary.WearPercent, 9);
        Assert.Equal(sufficient, summary.Sufficient);
    }

    [Fact]
    public void Fourteen_calendar_days_over_the_spring_forward_night_are_enough_though_an_hour_short()
    {
        // 2026-03-22 00:00 CET = 03-21 23:00 UTC; 2026-04-05 00:00 CEST = 04-04 22:00 UTC: 14 × 24 − 1 = 335 h.
        var from = new DateTimeOffset(2026, 3, 21, 23, 0, 0, TimeSpan.Zero);
        var to = new DateTimeOffset(2026, 4, 4, 22, 0, 0, TimeSpan.Zero);
        var period = new ReportPeriod(from, to, Paris);

        // 335 h × 12 = 4020 readings: 4020 × 5 / 20100 min = 100 %.
        var summary = GlucoseMetrics.Compute(EveryFiveMinutes(from, 4020), period);

        Assert.Equal(TimeSpan.FromHours(335), period.Length);
        Assert.Equal(14, period.WholeDays().Count);
        Assert.Equal(100, summary.WearPercent, 9);
        Assert.True(summary.Sufficient);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(42)]
    [InlineData(20260329)]
    public void The_disjoint_bands_always_add_up_to_100_percent(int seed)
    {
        var random = new Random(seed);
        double[] edges = [53, 53.5, 54, 69, 69.5, 70, 180, 180.5, 181, 250, 250.5, 251];
        var values = Enumerable.Range(0, 3000)
            .Select(_ => random.Next(4) == 0 ? edges[random.Next(edges.Length)] : 39 + (random.NextDouble() * 362))
            .ToArray();

        var summary = Compute(Jan10, values, length: TimeSpan.FromDays(14));

        var below54 = summary.PercentBelow54!.Value;
        var from54To69 = summary.PercentBelow70!.Value - below54;
        var inRange = summary.PercentInRange!.Value;
        var above250 = summary.PercentAbove250!.Value;
        var from181To250 = summary.PercentAbove180!.Value - above250;
        double[] bands = [below54, from54To69, inRange, from181To250, above250];

        Assert.All(bands, band => Assert.InRange(band, -1e-9, 100));
        Assert.Equal(100, bands.Sum(), 1e-9);
        Assert.Equal(values.Count(v => v is >= 70 and <= 180) * 100.0 / values.Length, inRange, 9);
    }

    [Fact]
    public void A_period_must_start_before_it_ends()
    {
        Assert.Throws<ArgumentException>(() => new ReportPeriod(Jan10, Jan10, Paris));
        Assert.Throws<ArgumentException>(() => new ReportPeriod(Jan10.AddDays(1), Jan10, Paris));
        Assert.Throws<ArgumentNullException>(() => new ReportPeriod(Jan10, Jan10.AddDays(1), null!));
    }

    [Theory]
    [InlineData(double.NaN)]
    [InlineData(double.PositiveInfinity)]
    [InlineData(-1.0)]
    public void A_reading_without_a_usable_value_is_refused(double mgDl)
    {
        var cgm = new Stamper("cgm");
        var readings = new[] { cgm.At(Sensor(100), Jan10), cgm.At(Sensor(mgDl), Jan10.AddMinutes(5)) };

        Assert.Throws<ArgumentException>(() => GlucoseMetrics.Compute(readings, new ReportPeriod(Jan10, Jan10.AddDays(1), Paris)));
    }

    [Fact]
    public void Clinic_days_are_23_24_and_25_hours_long_in_Paris()
    {
        var period = new ReportPeriod(Jan10, Jan10.AddDays(365), Paris);

        var (springStart, springEnd) = period.DayBounds(new DateOnly(2026, 3, 29));
        var (autumnStart, autumnEnd) = period.DayBounds(new DateOnly(2026, 10, 25));

        // 00:00 CET = 23:00 UTC the day before; the next midnight is CEST (22:00 UTC), and back again in October.
        Assert.Equal(new DateTimeOffset(2026, 3, 28, 23, 0, 0, TimeSpan.Zero), springStart);
        Assert.Equal(TimeSpan.FromHours(23), springEnd - springStart);
        Assert.Equal(new DateTimeOffset(2026, 10, 24, 22, 0, 0, TimeSpan.Zero), autumnStart);
        Assert.Equal(TimeSpan.FromHours(25), autumnEnd - autumnStart);
    }

    [Fact]
    public void A_day_whose_midnight_is_skipped_starts_when_the_clocks_jump()
    {
        // Chile: 2026-09-06 00:00 does not exist in America/Santiago (clocks go from 24:00 −04 to 01:00 −03, at 04:00 UTC).
        var santiago = TimeZoneInfo.FindSystemTimeZoneById("America/Santiago");
        var period = new ReportPeriod(Jan10, Jan10.AddDays(365), santiago);

        var (start, end) = period.DayBounds(new DateOnly(2026, 9, 6));

        Assert.Equal(new DateTimeOffset(2026, 9, 6, 4, 0, 0, TimeSpan.Zero), start);
        Assert.Equal(TimeSpan.FromHours(23), end - start);
    }

    internal static GlucoseReading Sensor(double mgDl) => new() { Source = GlucoseSource.Sensor, MgDl = mgDl };

    private static List<GlucoseReading> EveryFiveMinutes(DateTimeOffset from, int count)
    {
        var cgm = new Stamper("cgm");
        return Enumerable.Range(0, count).Select(i => cgm.At(Sensor(140), from.AddMinutes(5 * i))).ToList();
    }

    private static GlucoseSummary Compute(DateTimeOffset from, double[] values, int[]? minutes = null, TimeSpan? length = null)
    {
        var cgm = new Stamper("cgm");
        var readings = values.Select((v, i) => cgm.At(Sensor(v), from.AddMinutes(minutes?[i] ?? 5 * i))).ToList();
        return GlucoseMetrics.Compute(readings, new ReportPeriod(from, from + (length ?? TimeSpan.FromDays(1)), Paris));
    }
}

/// <summary>Stamps hand-built events with the identity, device and times the mappers would give them.</summary>
internal sealed class Stamper(string family)
{
    private int _next;

    public DeviceId Device { get; } = DeviceId.FromSerial(family, "SN-TEST-1");

    public T At<T>(T fact, DateTimeOffset utc)
        where T : TelemetryEvent
    {
        _next++;
        return (T)((TelemetryEvent)fact with
        {
            Id = EventId.For(Device, fact.Kind.ToString(), _next.ToString(CultureInfo.InvariantCulture)),
            Device = Device,
            Utc = utc,
            DeviceTime = DeviceTimestamp.FromClock(utc.UtcDateTime),
            TimeBasis = TimeBasis.DeviceUtc,
        });
    }
}
