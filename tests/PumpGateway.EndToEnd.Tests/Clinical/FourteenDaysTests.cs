using PumpGateway.Devices.Cgms;
using PumpGateway.Fakes.Scenario;
using PumpGateway.Telemetry;
using Proto = PumpGateway.Api.V1;

namespace PumpGateway.EndToEnd.Tests.Clinical;

/// <summary>
/// ReportService.GetSummary over the 14 days of <see cref="FourteenDaysFixture"/>, every figure held
/// to what the test computes from the scenario itself: the wearer's glucose samples, the insulin
/// that left the reservoir, the pump's events.
/// </summary>
/// <remarks>
/// Doubles are compared to 9 decimal places: the gateway and this test add the same values in a
/// different order, which can move the last bits; no figure here has a device tolerance. The IDS
/// pump's amounts are held to what an SFLOAT can carry (<see cref="ByHand.Sfloat"/>), exactly.
/// </remarks>
public sealed class FourteenDaysTests(FourteenDaysFixture fixture) : IClassFixture<FourteenDaysFixture>
{
    private const int Places = 9;
    private static readonly TimeSpan Interval = TimeSpan.FromMinutes(5);

    [Fact]
    public async Task The_sensors_two_weeks_give_the_consensus_metrics_and_the_agp_computed_by_hand()
    {
        using var cancel = new CancellationTokenSource(ClinicGateway.Timeout);
        var summary = await ClinicGateway.SummaryAsync(fixture.Gateway, fixture.SensorId, fixture.From, fixture.To, cancel.Token);

        // The wearer's samples, every 5 minutes from the start, less the sensor's two-hour warm-up:
        // 14 × 288 − 24 = 4008 readings, on the clock the sensor keeps (UTC).
        var readings = fixture.Wearer.Glucose.History
            .Where(s => s.Time >= fixture.Start.AddHours(2))
            .Select(s => (ByHand.Utc(s.Time), (double)s.MgDl))
            .ToList();
        Assert.Equal(4008, readings.Count);
        var expected = ByHand.Glucose(readings, fixture.From, fixture.To, Interval, TimeZoneInfo.Utc);

        var glucose = summary.Glucose;
        Assert.Equal("Etc/UTC", summary.ClinicTimeZone);
        Assert.Null(summary.Insulin);
        Assert.Equal(expected.Readings, glucose.Readings);
        Assert.Equal(Interval, glucose.ReadingInterval.ToTimeSpan());
        Assert.Equal(expected.Mean, glucose.MeanMgDl, Places);
        Assert.Equal(expected.Sd, glucose.SdMgDl, Places);
        Assert.Equal(expected.Cv, glucose.CvPercent, Places);
        Assert.Equal(expected.Gmi, glucose.GmiPercent, Places);
        Assert.Equal(3.31 + (0.02392 * expected.Mean), glucose.GmiPercent, Places);
        Assert.Equal(expected.Below54, glucose.PercentBelow54, Places);
        Assert.Equal(expected.Below70, glucose.PercentBelow70, Places);
        Assert.Equal(expected.InRange, glucose.PercentInRange, Places);
        Assert.Equal(expected.Above180, glucose.PercentAbove180, Places);
        Assert.Equal(expected.Above250, glucose.PercentAbove250, Places);
        Assert.Equal(100.0, glucose.PercentBelow70 + glucose.PercentInRange + glucose.PercentAbove180, Places);

        // 4008 readings × 5 min over 14 × 1440 min.
        Assert.Equal(4008 * 5 * 100 / 20160.0, glucose.WearPercent, Places);
        Assert.Equal((14, true), (glucose.DaysWithData, glucose.Sufficient));

        // The AGP: every slot's count, and its five percentiles.
        var agp = ByHand.Agp(readings, TimeZoneInfo.Utc);
        Assert.Equal(96, glucose.Agp.Count);
        for (var slot = 0; slot < 96; slot++)
        {
            var actual = glucose.Agp[slot];
            Assert.Equal((slot * 15, agp[slot].Readings), (actual.MinuteOfDay, actual.Readings));
            var percentiles = agp[slot].Percentiles!;
            Assert.Equal(percentiles[0], actual.P5, Places);
            Assert.Equal(percentiles[1], actual.P25, Places);
            Assert.Equal(percentiles[2], actual.P50, Places);
            Assert.Equal(percentiles[3], actual.P75, Places);
            Assert.Equal(percentiles[4], actual.P95, Places);
        }

        // Three slots by name: the night (00:00, 14 days of 3 readings, less the warm-up's first night),
        // breakfast (07:30) and the evening (21:00).
        Assert.Equal(39, glucose.Agp[0].Readings);
        Assert.Equal(MedianOf(readings, 0, 0), glucose.Agp[0].P50, Places);
        Assert.Equal(MedianOf(readings, 7, 30), glucose.Agp[30].P50, Places);
        Assert.Equal(MedianOf(readings, 21, 0), glucose.Agp[84].P50, Places);
    }

    [Fact]
    public async Task The_sensors_own_alerts_are_counted_by_kind_and_its_unexplained_highs_are_findings()
    {
        using var cancel = new CancellationTokenSource(ClinicGateway.Timeout);
        var summary = await ClinicGateway.SummaryAsync(fixture.Gateway, fixture.SensorId, fixture.From, fixture.To, cancel.Token);

        // Each warning bit the sensor sets is an alert from the record that sets it to the one that clears it.
        (CgmWarningAnnunciation Bit, Proto.Alarm.Types.Kind Kind)[] bits =
        [
            (CgmWarningAnnunciation.ResultLowerThanPatientLowLevel, Proto.Alarm.Types.Kind.GlucoseLow),
            (CgmWarningAnnunciation.ResultLowerThanHypoLevel, Proto.Alarm.Types.Kind.GlucoseLow),
            (CgmWarningAnnunciation.ResultHigherThanPatientHighLevel, Proto.Alarm.Types.Kind.GlucoseHigh),
            (CgmWarningAnnunciation.ResultHigherThanHyperLevel, Proto.Alarm.Types.Kind.GlucoseHigh),
            (CgmWarningAnnunciation.RateOfDecreaseExceeded, Proto.Alarm.Types.Kind.GlucoseRateOfChange),
            (CgmWarningAnnunciation.RateOfIncreaseExceeded, Proto.Alarm.Types.Kind.GlucoseRateOfChange),
        ];
        var raised = new Dictionary<Proto.Alarm.Types.Kind, int>();
        foreach (var (bit, kind) in bits)
        {
            var on = false;
            foreach (var record in fixture.SensorRecords)
            {
                var set = (record.Warning ?? CgmWarningAnnunciation.None).HasFlag(bit);
                if (set && !on)
                {
                    raised[kind] = raised.GetValueOrDefault(kind) + 1;
                }

                on = set;
            }
        }

        Assert.True(raised.Count == 3, "the wearer went low, high, and fast enough for each kind of alert");
        Assert.Equal(raised.OrderBy(r => r.Key), summary.Alarms.Select(a => KeyValuePair.Create(a.Kind, a.Count)).OrderBy(r => r.Key));

        // A sensor alone: no bolus, suspension or set alarm of its own explains a high, so every run
        // above 300 mg/dL lasting 30 minutes is a finding.
        var readings = fixture.SensorReadings();
        var expected = ByHand.UnexplainedHighs(readings, (_, _) => false).ToList();
        Assert.Equal(ByHand.Ordered(expected), ByHand.AsFound(summary.Findings));
        Assert.True(ByHand.HighRuns(readings).Count > 0, "the wearer went above 300 mg/dL");
    }

    [Fact]
    public async Task The_pumps_two_weeks_give_each_days_insulin_its_split_the_boluses_temporary_basals_suspensions_set_changes_and_alarms()
    {
        using var cancel = new CancellationTokenSource(ClinicGateway.Timeout);
        var summary = await ClinicGateway.SummaryAsync(fixture.Gateway, fixture.PumpId, fixture.From, fixture.To, cancel.Token);
        var therapy = fixture.Therapy;
        bool InPeriod(DateTime time) => time >= fixture.Start && time < fixture.Start.AddDays(FourteenDaysFixture.Days);

        // Each pump day: the basal and bolus pulses that left the reservoir that day (priming is not
        // therapy), as the pump's daily total carries them (SFLOAT), the total their sum.
        var deliveries = fixture.Wearer.Therapy.Deliveries;
        var days = Enumerable.Range(0, FourteenDaysFixture.Days).Select(d =>
        {
            var day = DateOnly.FromDateTime(fixture.Start.AddDays(d));
            var basal = ByHand.Sfloat(deliveries.Where(p => p.Kind == DeliveryKind.Basal && DateOnly.FromDateTime(p.From) == day).Sum(p => p.Units));
            var bolus = ByHand.Sfloat(deliveries.Where(p => p.Kind == DeliveryKind.Bolus && DateOnly.FromDateTime(p.From) == day).Sum(p => p.Units));
            return (Day: day.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture), Basal: basal, Bolus: bolus, Total: basal + bolus);
        }).ToList();

        var insulin = summary.Insulin;
        Assert.Null(summary.Glucose);
        Assert.Equal(days, insulin.Days.Select(d => (d.Day, ClinicGateway.Units(d.Basal)!.Value, ClinicGateway.Units(d.Bolus)!.Value, ClinicGateway.Units(d.Total)!.Value)));
        Assert.All(insulin.Days, d => Assert.Equal(Proto.DailyInsulin.Types.Source.PumpTotal, d.Source));
        var (basalSum, totalSum) = (days.Sum(d => d.Basal), days.Sum(d => d.Total));
        Assert.Equal(totalSum / 14, ClinicGateway.Units(insulin.TotalDailyDose));
        Assert.Equal(basalSum / 14, ClinicGateway.Units(insulin.BasalPerDay));
        Assert.Equal(days.Sum(d => d.Bolus) / 14, ClinicGateway.Units(insulin.BolusPerDay));
        Assert.Equal((double)(basalSum / totalSum * 100), insulin.BasalPercent, Places);

        // Boluses counted at their start; temporary basals at their start (a change is not a new one).
        var boluses = therapy.OfType<BolusDelivered>().Count(b => InPeriod(b.Started));
        Assert.Equal(boluses, insulin.Boluses);
        Assert.Equal(boluses / 14.0, insulin.BolusesPerDay, Places);
        Assert.Equal(therapy.OfType<TemporaryBasalStarted>().Count(t => InPeriod(t.Time)), insulin.TemporaryBasals);

        // Suspensions (the wearer's, a low glucose's, an alarm's, each set change's) and their time, clipped to the period.
        var stops = FourteenDaysFixture.Suspensions(therapy).Where(s => s.From < fixture.To && (s.To ?? fixture.To) > fixture.From).ToList();
        Assert.Equal(stops.Count, insulin.Suspensions);
        var suspended = stops.Aggregate(TimeSpan.Zero, (sum, s) => sum + (Min(s.To ?? fixture.To, fixture.To) - Max(s.From, fixture.From)));
        Assert.Equal(suspended, insulin.SuspendedTime.ToTimeSpan());

        // Set changes: one per rewound reservoir, at the first step the IDS records of it.
        var changes = fixture.SetChanges().Where(c => c >= fixture.From && c < fixture.To).ToList();
        Assert.Equal(therapy.OfType<Rewound>().Count(r => InPeriod(r.Time)), changes.Count);
        Assert.Equal(changes, summary.SetChanges.Select(t => t.ToDateTimeOffset()));
        Assert.Equal(changes.Count, insulin.SetChanges);

        // Alarms by kind: the episodes raised in the period, in the words of the IDS (seed 2: two
        // "no delivery" alarms, which an IDS calls a mechanical issue, a pump error; one low battery).
        var alarms = therapy.OfType<AlarmChanged>()
            .Where(a => a.Transition == AlarmTransition.Raised && InPeriod(a.Time))
            .GroupBy(a => FourteenDaysFixture.IdsKind(a.Kind))
            .ToDictionary(g => g.Key, g => g.Count());
        Assert.Equal(new Dictionary<Proto.Alarm.Types.Kind, int> { [Proto.Alarm.Types.Kind.PumpError] = 2, [Proto.Alarm.Types.Kind.BatteryLow] = 1 }, alarms);
        Assert.Equal(alarms.OrderBy(a => a.Key), summary.Alarms.Select(a => KeyValuePair.Create(a.Kind, a.Count)).OrderBy(a => a.Key));
    }

    [Fact]
    public async Task A_four_day_old_set_is_a_warning_and_one_past_four_days_an_alert_with_every_other_finding_of_the_fortnight()
    {
        using var cancel = new CancellationTokenSource(ClinicGateway.Timeout);
        var summary = await ClinicGateway.SummaryAsync(fixture.Gateway, fixture.PumpId, fixture.From, fixture.To, cancel.Token);
        var therapy = fixture.Therapy;
        var now = fixture.To;

        // The sets as the scenario wore them: 3 d 22.6 h, 3 d 23.7 h, 4 d 0.2 h, and the last one 2 days at the end.
        var changes = fixture.SetChanges();
        var worn = changes.Zip(changes.Skip(1).Append(now), (from, to) => to - from).ToList();
        Assert.Equal(4, worn.Count);
        Assert.InRange(worn[1], TimeSpan.FromDays(3.9), TimeSpan.FromDays(4));
        Assert.InRange(worn[2], TimeSpan.FromDays(4) + TimeSpan.FromSeconds(1), TimeSpan.FromDays(4.1));
        var setAges = ByHand.SetAges(changes, now).ToList();
        Assert.Equal(
            [Proto.Finding.Types.Severity.Warning, Proto.Finding.Types.Severity.Warning, Proto.Finding.Types.Severity.Significant],
            setAges.Select(f => f.Severity));

        // Delivery stopped only inside a suspension: each alarm that stops delivery was raised when
        // one began and cleared before it ended, so the suspensions are the interruptions.
        var stops = FourteenDaysFixture.Suspensions(therapy);
        foreach (var alarm in therapy.OfType<AlarmChanged>().Where(a => a.Transition == AlarmTransition.Raised && a.Kind is AlarmKind.Occlusion or AlarmKind.ReservoirEmpty))
        {
            var cleared = therapy.OfType<AlarmChanged>().First(c => c.AlarmId == alarm.AlarmId && c.Transition == AlarmTransition.Cleared);
            Assert.Contains(stops, s => s.From <= ByHand.Utc(alarm.Time) && (s.To ?? now) >= ByHand.Utc(cleared.Time));
        }

        var occlusions = therapy.OfType<AlarmChanged>().Where(a => a.Transition == AlarmTransition.Raised && a.Kind == AlarmKind.Occlusion).Select(a => ByHand.Utc(a.Time)).ToList();
        var expected = setAges
            .Concat(ByHand.Interruptions(stops, now))
            .Concat(ByHand.RunningOut(Proto.Finding.Types.Kind.ReservoirRunningOut, FourteenDaysFixture.IdsReservoirLevels(therapy), now))
            .Concat(ByHand.RepeatedOcclusions(occlusions))
            .Where(f => f.To >= fixture.From && f.From < fixture.To);
        Assert.Equal(ByHand.Ordered(expected), ByHand.AsFound(summary.Findings));
    }

    [Fact]
    public async Task A_report_is_sufficient_only_with_fourteen_days_and_seventy_percent_wear()
    {
        using var cancel = new CancellationTokenSource(ClinicGateway.Timeout);
        var readings = fixture.SensorReadings();

        // Thirteen days: wear is high, the period too short.
        var shorter = await ClinicGateway.SummaryAsync(fixture.Gateway, fixture.SensorId, fixture.From.AddDays(1), fixture.To, cancel.Token);
        var thirteen = ByHand.Glucose(readings, fixture.From.AddDays(1), fixture.To, Interval, TimeZoneInfo.Utc);
        Assert.Equal((thirteen.Readings, 13, false), (shorter.Glucose.Readings, shorter.Glucose.DaysWithData, shorter.Glucose.Sufficient));
        Assert.Equal(100.0, shorter.Glucose.WearPercent);

        // Twenty days of which the sensor was worn fourteen: 4008 × 5 / 28 800 min = 69.58 %, short of 70.
        var longer = await ClinicGateway.SummaryAsync(fixture.Gateway, fixture.SensorId, fixture.From.AddDays(-6), fixture.To, cancel.Token);
        var twenty = ByHand.Glucose(readings, fixture.From.AddDays(-6), fixture.To, Interval, TimeZoneInfo.Utc);
        Assert.Equal(4008 * 5 * 100 / 28_800.0, twenty.Wear, Places);
        Assert.False(twenty.Sufficient);
        Assert.Equal((twenty.Readings, 14, false), (longer.Glucose.Readings, longer.Glucose.DaysWithData, longer.Glucose.Sufficient));
        Assert.Equal(twenty.Wear, longer.Glucose.WearPercent, Places);
        Assert.Equal(twenty.Mean, longer.Glucose.MeanMgDl, Places);
    }

    private static double MedianOf(List<(DateTimeOffset Utc, double MgDl)> readings, int hour, int minute)
    {
        var values = readings.Where(r => r.Utc.Hour == hour && r.Utc.Minute >= minute && r.Utc.Minute < minute + 15).Select(r => r.MgDl).Order().ToList();
        return values.Count % 2 == 1 ? values[values.Count / 2] : (values[(values.Count / 2) - 1] + values[values.Count / 2]) / 2;
    }

    private static DateTimeOffset Min(DateTimeOffset a, DateTimeOffset b) => a < b ? a : b;

    private static DateTimeOffset Max(DateTimeOffset a, DateTimeOffset b) => a > b ? a : b;
}
