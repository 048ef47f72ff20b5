using PumpGateway.Fakes.Medtronic;
using PumpGateway.Fakes.Scenario;
using PumpGateway.Telemetry;
using Proto = PumpGateway.Api.V1;

namespace PumpGateway.EndToEnd.Tests.Clinical;

/// <summary>
/// A set that comes off in the evening and that the pump never notices: it goes on "delivering"
/// into nothing, raises no alarm, and the wearer's glucose climbs through the night. A Paradigm 554
/// with its integrated sensor carries both the boluses and the glucose, behind a CareLink stick.
/// </summary>
public sealed class DetachedSetTests
{
    private const string Serial = "665455";

    [Fact]
    public async Task A_set_that_came_off_unnoticed_is_a_suspected_set_failure_over_the_readings_above_300_that_no_bolus_explains()
    {
        // Seed 1. The wearer eats and boluses for meals, but their calculator adds no correction
        // (CorrectAboveMgDl 400: the sensor reads at most 400), so nothing answers the high: the
        // only explanation a record could give is a meal bolus, and the last is the dinner's.
        var start = ByHand.MidnightDaysAgo(3);
        var detached = start.AddHours(20.5);
        var lasting = TimeSpan.FromHours(12);
        var wearer = new Wearer(new TherapyScenarioOptions
        {
            Seed = 1,
            Start = start,
            Duration = TimeSpan.FromDays(2),
            CorrectAboveMgDl = 400,
            RandomAlarmsPerWeek = 0,
            UndetectedFailuresPerMonth = 0,
            ScriptedAlarms = [new ScriptedAlarm(detached, AlarmKind.InfusionSetDetached) { Detected = false, Lasting = lasting }],
        });
        var therapy = wearer.Therapy.Events;
        var loss = wearer.Diary.OfType<InsulinLossStarted>().Single();
        Assert.Equal((detached, AlarmKind.InfusionSetDetached, false), (loss.Time, loss.Cause, loss.Detected));
        Assert.Equal(detached + lasting, wearer.Diary.OfType<InsulinLossEnded>().Single().Time);
        Assert.DoesNotContain(therapy, e => e is AlarmChanged);

        using var folder = new ScratchFolder();
        using var cancel = new CancellationTokenSource(ClinicGateway.Timeout);
        await using var pump = ParadigmPumpEmulator.FromWearer(wearer, new ParadigmPumpOptions { Serial = Serial });
        await using var stick = CareLinkStickEmulator.Start(pump);
        await using var gateway = await ClinicGateway.ParadigmAsync(folder.Path, stick.PortPath, Serial, "Etc/UTC").WaitAsync(cancel.Token);

        // The sensor's readings at the glucose page's resolution (2 mg/dL), and the suspensions.
        var samples = wearer.Cgm.Readings;
        var stops = FourteenDaysFixture.Suspensions(therapy);
        var device = await ClinicGateway.DeviceAsync(gateway, "medtronic", cancel.Token);
        var stored = await ClinicGateway.HistoryUntilAsync(
            gateway,
            device.DeviceId,
            e => SensorReadings(e).Count() == samples.Count && e.Count(x => x.DeliveryState is not null) == 2 * stops.Count,
            cancel.Token);

        // The pump keeps UTC and is right: the offset measured at dock is within the 2 s its
        // whole-second clock and the radio's round trip allow, and every time is corrected by it.
        var offset = device.ClockOffset.ToTimeSpan();
        Assert.InRange(offset, TimeSpan.FromSeconds(-2), TimeSpan.FromSeconds(2));
        DateTimeOffset AsStored(DateTime truth) => ByHand.Utc(truth) - offset;
        var readings = samples.Select(s => (Utc: AsStored(s.Time), MgDl: ByHand.ParadigmGlucose(s.MgDl))).ToList();
        Assert.Equal(readings, SensorReadings(stored).Select(e => (e.UtcTime.ToDateTimeOffset(), e.Glucose.MgDl)).OrderBy(r => r.Item1));

        var (from, to) = (ByHand.Utc(start), ByHand.Utc(start.AddDays(2)));
        var summary = await ClinicGateway.SummaryAsync(gateway, device.DeviceId, from, to, cancel.Token);

        // What explains a high: a bolus, or delivery stopped, in the 3 hours up to it.
        var boluses = therapy.OfType<BolusProgrammed>().Select(b => AsStored(b.Time)).ToList();
        var stopped = stops.Select(s => (From: s.From - offset, To: s.To - offset)).ToList();
        bool Explained(DateTimeOffset windowFrom, DateTimeOffset windowTo) =>
            boluses.Exists(b => b >= windowFrom && b <= windowTo) || stopped.Exists(s => s.From <= windowTo && (s.To ?? to) >= windowFrom);
        var highs = ByHand.UnexplainedHighs(readings, Explained).ToList();

        // The high the test finds: the first run above 300 after the set came off, lasting into the next day,
        // more than 3 hours after the dinner bolus.
        var failure = Assert.Single(highs);
        Assert.InRange(failure.From, AsStored(detached), AsStored(detached + lasting));
        Assert.True(failure.From - boluses.Where(b => b <= failure.From).Max() > ByHand.ExplanationWindow, "the last bolus before the high is more than 3 hours before it");
        var run = ByHand.HighRuns(readings).Single(r => r[0].Utc == failure.From);
        Assert.All(run, r => Assert.True(r.MgDl > 300));

        var rewinds = therapy.OfType<Rewound>().Select(r => AsStored(r.Time)).ToList();
        var expected = highs
            .Concat(ByHand.SetAges(rewinds, to))
            .Concat(ByHand.Interruptions(stopped, to))
            .Where(f => f.To >= from && f.From < to);
        Assert.Equal(ByHand.Ordered(expected), ByHand.AsFound(summary.Findings));
        var found = Assert.Single(summary.Findings, f => f.Kind == Proto.Finding.Types.Kind.SuspectedSetFailure);
        Assert.Equal(run.Count, found.EvidenceEventIds.Count);

        // And the pump said nothing: no alarm at all, no interruption of delivery over the night.
        Assert.Empty(summary.Alarms);
        Assert.DoesNotContain(summary.Findings, f => f.Kind == Proto.Finding.Types.Kind.DeliveryInterrupted);
    }

    private static IEnumerable<Proto.TelemetryEvent> SensorReadings(IEnumerable<Proto.TelemetryEvent> events) =>
        events.Where(e => e.Glucose?.Source == Proto.GlucoseReading.Types.Source.Sensor);
}
