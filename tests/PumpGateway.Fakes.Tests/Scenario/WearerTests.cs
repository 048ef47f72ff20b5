using PumpGateway.Devices.Dexcom;
using PumpGateway.Fakes.Dexcom;
using PumpGateway.Fakes.Scenario;
using PumpGateway.Telemetry;

namespace PumpGateway.Fakes.Tests.Scenario;

public sealed class WearerTests
{
    private static readonly DateTime Start = new(2026, 11, 1);

    private static readonly Lazy<Wearer> EightWeeks = new(() => new Wearer(Options(seed: 5, days: 56)));

    private static TherapyScenarioOptions Options(int seed = 1, int days = 14) =>
        new() { Seed = seed, Start = Start, Duration = TimeSpan.FromDays(days) };

    [Fact]
    public void The_glucose_only_scenario_still_gives_the_wearer_it_gave_before_the_therapy_side()
    {
        // Pinned from GlucoseScenario at commit 9800d89, before its meals moved to the shared plan.
        var scenario = new GlucoseScenario(new GlucoseScenarioOptions { Seed = 1, Start = new DateTime(2026, 11, 1, 6, 13, 7), Duration = TimeSpan.FromDays(3) });
        Assert.Equal([165, 151, 161], scenario.History.Take(3).Select(s => s.MgDl));
        Assert.Equal(new MealEntry(new DateTime(2026, 11, 1, 7, 44, 31), 74), scenario.Meals[0]);
        Assert.Equal(864, scenario.History.Count);
    }

    [Fact]
    public void The_coupled_wearer_eats_the_meals_of_the_glucose_scenario()
    {
        var wearer = new Wearer(Options(seed: 3, days: 5));
        var glucoseOnly = new GlucoseScenario(new GlucoseScenarioOptions { Seed = 3, Start = Start, Duration = TimeSpan.FromDays(5) });
        Assert.Equal(glucoseOnly.Meals, wearer.Glucose.Meals);
        Assert.Equal(
            glucoseOnly.Meals.TakeWhile(m => m.Time < Start.AddDays(5)),
            wearer.Diary.OfType<MealEaten>().Select(m => new MealEntry(m.Time, m.CarbGrams)));
        Assert.Equal(5 * 288, wearer.Glucose.History.Count);
        Assert.Equal(wearer.Options.Seed, wearer.Glucose.Options.Seed);
    }

    [Fact]
    public void A_longer_wearer_starts_with_the_same_glucose_sessions_and_diary_and_taking_more_samples_continues_it()
    {
        var shorter = new Wearer(Options(seed: 4, days: 8));
        var longer = new Wearer(Options(seed: 4, days: 12));
        var history = shorter.Glucose.History;
        Assert.Equal(history, longer.Glucose.History.Take(history.Count));
        Assert.Equal(shorter.Cgm.Events, longer.Cgm.Events.Take(shorter.Cgm.Events.Count));
        Assert.Equal(shorter.Diary, longer.Diary.Take(shorter.Diary.Count));

        // The live generator's path: more samples of the same wearer, and the pump keeps pace.
        Assert.Equal(longer.Glucose.History.Skip(history.Count), shorter.Glucose.Take(4 * 288));
        Assert.Equal(longer.Cgm.Readings, shorter.Cgm.Readings);
        Assert.Equal(longer.Therapy.Events.TakeWhile(e => e.Time < Start.AddDays(12).AddMinutes(-5)), shorter.Therapy.Events.TakeWhile(e => e.Time < Start.AddDays(12).AddMinutes(-5)));
    }

    [Fact]
    public async Task Two_emulators_may_advance_one_wearer_from_their_own_tasks()
    {
        var shared = new Wearer(Options(seed: 9, days: 1));
        var dexcom = Task.Run(() => shared.Glucose.Take(3 * 288).ToList());
        var pump = Task.Run(() =>
        {
            for (var hour = 1; hour <= 4 * 24; hour++)
            {
                shared.Therapy.AdvanceTo(Start.AddDays(1).AddHours(hour));
                _ = shared.Therapy.Events.Count + shared.Therapy.Status.ReservoirUnits;
            }
        });
        await Task.WhenAll(dexcom, pump);

        var alone = new Wearer(Options(seed: 9, days: 5));
        Assert.Equal(alone.Glucose.History.Skip(288).Take(3 * 288), await dexcom);
        Assert.Equal(alone.Therapy.Events, shared.Therapy.Events);
        Assert.Equal(alone.Diary, shared.Diary);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    public void The_default_wearer_has_plausible_glucose_over_fourteen_days(int seed)
    {
        var samples = new Wearer(Options(seed)).Glucose.History.Select(s => (double)s.MgDl).ToList();
        var mean = samples.Average();
        var cv = Math.Sqrt(samples.Sum(v => (v - mean) * (v - mean)) / samples.Count) / mean;
        Assert.All(samples, v => Assert.InRange(v, 40, 400));
        Assert.InRange(mean, 120, 190);
        Assert.InRange(cv, 0.15, 0.40);
        Assert.InRange(samples.Count(v => v is >= 70 and <= 180) / (double)samples.Count, 0.6, 0.95);
        Assert.InRange(samples.Count(v => v < 70) / (double)samples.Count, 0.001, 0.04);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void A_set_detached_for_four_hours_pushes_glucose_above_300_and_a_new_set_brings_it_down(bool detected)
    {
        var detached = Start.AddDays(2).AddHours(11);
        var options = Options(seed: 2, days: 4) with { RandomAlarmsPerWeek = 0, UndetectedFailuresPerMonth = 0 };
        var wearer = new Wearer(options with
        {
            ScriptedAlarms = [new ScriptedAlarm(detached, AlarmKind.InfusionSetDetached) { Lasting = TimeSpan.FromHours(4), Detected = detected }],
        });
        var usual = new Wearer(options);
        int At(Wearer w, double hours) => w.Glucose.History.First(s => s.Time >= detached.AddHours(hours)).MgDl;

        Assert.True(At(usual, 4) < 250, $"{At(usual, 4)} without the failure");
        Assert.True(At(wearer, 4) > 300, $"{At(wearer, 4)} after 4 h detached");
        Assert.True(At(wearer, 8) < At(wearer, 4) - 100, $"{At(wearer, 8)} 4 h after the new set");

        // The pump went on delivering into nothing: its events look like any day's, but for the new set.
        Assert.Contains(wearer.Therapy.Events, e => e is Rewound && e.Time == detached.AddHours(4));
        Assert.Equal(detected, wearer.Therapy.Events.Any(e => e is AlarmChanged { Kind: AlarmKind.InfusionSetDetached } && e.Time == detached));
        Assert.Equal([new InsulinLossStarted(detached, AlarmKind.InfusionSetDetached, detected), new InsulinLossEnded(detached.AddHours(4))], wearer.Diary.Where(d => d is InsulinLossStarted or InsulinLossEnded));
    }

    [Fact]
    public void Without_insulin_glucose_climbs_tens_of_mg_dl_an_hour_once_the_first_hours_have_passed()
    {
        // At night, no meal in the window: only the liver and the insulin left on board.
        var stopped = Start.AddDays(2).AddMinutes(30);
        var wearer = new Wearer(Options(seed: 1, days: 3) with
        {
            RandomAlarmsPerWeek = 0,
            UndetectedFailuresPerMonth = 0,
            ScriptedAlarms = [new ScriptedAlarm(stopped, AlarmKind.NoDelivery) { Lasting = TimeSpan.FromHours(6) }],
        });
        double At(double hours) => wearer.Glucose.History.Where(s => s.Time >= stopped.AddHours(hours)).Take(3).Average(s => s.MgDl);
        Assert.InRange(At(1) - At(0), -30, 25);
        Assert.InRange((At(5) - At(2)) / 3, 20, 90);
        Assert.True(At(6) > At(0) + 120, $"{At(0):F0} -> {At(6):F0}");
    }

    [Fact]
    public void A_covered_meal_makes_a_modest_excursion_and_a_late_or_missed_bolus_a_large_one()
    {
        var wearer = new Wearer(Options(seed: 6, days: 42) with { MissedBolusShare = 0.15, LateBolusShare = 0.15, RandomAlarmsPerWeek = 0, UndetectedFailuresPerMonth = 0 });
        var boluses = wearer.Therapy.Events.OfType<BolusProgrammed>().Where(b => b.Calculation.CarbGrams > 0).Select(b => b.Time).ToList();
        var excursions = wearer.Diary.OfType<MealEaten>().GroupBy(
            meal => boluses.FirstOrDefault(b => b >= meal.Time.AddMinutes(-20) && b <= meal.Time.AddHours(2.5)) switch
            {
                var b when b == default => "missed",
                var b when b > meal.Time.AddMinutes(15) => "late",
                _ => "covered",
            },
            meal =>
            {
                var window = wearer.Glucose.History.Where(s => s.Time >= meal.Time && s.Time < meal.Time.AddHours(3)).ToList();
                return window.Max(s => s.MgDl) - window[0].MgDl;
            }).ToDictionary(g => g.Key, g => g.Average());
        Assert.InRange(excursions["covered"], 10, 80);
        Assert.True(excursions["late"] > excursions["covered"] + 30, string.Join(", ", excursions));
        Assert.True(excursions["missed"] > excursions["covered"] + 60, string.Join(", ", excursions));
    }

    [Fact]
    public void Exercise_under_its_temporary_basal_keeps_glucose_near_range()
    {
        var wearer = EightWeeks.Value;
        var exercise = wearer.Diary.OfType<ExerciseStarted>().ToList();
        Assert.True(exercise.Count >= 15);
        var during = exercise.SelectMany(e => wearer.Glucose.History.Where(s => s.Time >= e.Time && s.Time <= e.Time + e.Duration)).Select(s => s.MgDl).ToList();
        Assert.InRange(during.Average(), 80, 170);
        Assert.True(during.Count(v => v < 70) < during.Count * 0.15, $"{during.Count(v => v < 70)} of {during.Count} below 70");

        // Each session sits under a relative temporary basal set beforehand.
        var basals = wearer.Therapy.Events.OfType<TemporaryBasalStarted>().Where(t => t.Kind == TemporaryBasalKind.Relative).ToList();
        Assert.All(exercise, e => Assert.Contains(basals, t => t.Time < e.Time && t.Time + t.Duration > e.Time));
    }

    [Fact]
    public void Cgm_sessions_warm_up_for_two_hours_calibrate_twice_a_day_near_the_true_glucose_and_end_after_their_length()
    {
        var wearer = new Wearer(Options(seed: 7, days: 16));
        var events = wearer.Cgm.Events;
        Assert.Equal(Enumerable.Range(1, events.Count).Select(i => (long)i), events.Select(e => e.Sequence));
        var starts = events.OfType<SensorSessionStarted>().ToList();
        Assert.Equal([1, 2, 3], starts.Select(s => s.Session));
        Assert.Equal(Start, starts[0].Time);
        foreach (var session in starts)
        {
            var warm = events.OfType<SensorWarmUpEnded>().Single(w => w.Session == session.Session);
            Assert.Equal(session.Time.AddHours(2), warm.Time);
            var end = events.OfType<SensorSessionEnded>().SingleOrDefault(w => w.Session == session.Session);
            var until = end?.Time ?? wearer.Now;
            if (end is not null)
            {
                Assert.Equal(session.Time.AddDays(7), end.Time);
                var next = starts.Single(s => s.Session == session.Session + 1);
                Assert.InRange((next.Time - end.Time).TotalMinutes, 10, 45);
            }

            // Every sample from the end of the warm-up to the end of the session, and none before.
            var readings = wearer.Cgm.Readings.Where(r => r.Time >= session.Time && r.Time < until).ToList();
            Assert.Equal(wearer.Glucose.History.Where(s => s.Time >= warm.Time && s.Time < until), readings);
        }

        var calibrations = events.OfType<SensorCalibrated>().ToList();
        Assert.InRange(calibrations.Count, 2 * 14, (2 * 16) + 3);
        Assert.All(calibrations, c =>
        {
            var sensor = wearer.Glucose.History.Last(s => s.Time <= c.Time).MgDl;
            Assert.InRange(c.MgDl, sensor * 0.6, (sensor * 1.4) + 10);
        });
        Assert.DoesNotContain(wearer.Cgm.Readings, r => starts.Any(s => r.Time >= s.Time && r.Time < s.Time.AddHours(2)));

        var factoryCalibrated = new Wearer(Options(seed: 7, days: 3) with { CalibrationsPerDay = 0 });
        Assert.DoesNotContain(factoryCalibrated.Cgm.Events, e => e is SensorCalibrated);
    }

    [Fact]
    public void The_dexcom_receiver_serves_a_coupled_wearers_glucose()
    {
        var wearer = new Wearer(Options(seed: 8, days: 2));
        var database = DexcomReceiverDatabase.FromScenario(wearer.Glucose, "SM00000042", TimeSpan.Zero);
        var egvs = database.Records(DexcomRecordType.EgvData).Cast<EgvRecord>().ToList();
        Assert.Equal(wearer.Glucose.History.Select(s => s.MgDl), egvs.Select(e => e.GlucoseMgDl));
        Assert.Equal(wearer.Glucose.Meals.Count(m => m.Time < Start.AddDays(2)), database.Records(DexcomRecordType.UserEventData).Count);
    }
}
