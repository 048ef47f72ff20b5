using PumpGateway.Fakes.Scenario;
using PumpGateway.Telemetry;

namespace PumpGateway.Fakes.Tests.Scenario;

public sealed class TherapyScenarioTests
{
    private static readonly DateTime Start = new(2026, 11, 1);

    private static readonly Lazy<TherapyScenario> EightWeeks = new(() => new TherapyScenario(Options(seed: 5, days: 56)));

    private static TherapyScenarioOptions Options(int seed = 1, int days = 14) =>
        new() { Seed = seed, Start = Start, Duration = TimeSpan.FromDays(days) };

    [Fact]
    public void The_same_seed_gives_the_same_events_and_another_seed_other_events()
    {
        var options = Options(seed: 3, days: 7);
        var first = new TherapyScenario(options);
        var again = new TherapyScenario(options);
        Assert.Equal(first.Events, again.Events);
        Assert.Equal(first.Deliveries, again.Deliveries);
        Assert.NotEqual(first.Events, new TherapyScenario(options with { Seed = 4 }).Events);
    }

    [Fact]
    public void A_longer_scenario_starts_with_exactly_the_events_of_a_shorter_one()
    {
        var shorter = new TherapyScenario(Options(seed: 2, days: 5) with { Duration = TimeSpan.FromDays(5) + TimeSpan.FromSeconds(4321) });
        var longer = new TherapyScenario(Options(seed: 2, days: 9));
        Assert.True(shorter.Events.Count > 100);
        Assert.Equal(shorter.Events, longer.Events.Take(shorter.Events.Count));
        Assert.True(longer.Events[shorter.Events.Count].Time >= shorter.Now);

        // The last delivery of the shorter run may still be growing in the longer one (same span, more pulses).
        var deliveries = shorter.Deliveries;
        Assert.Equal(deliveries.Take(deliveries.Count - 1), longer.Deliveries.Take(deliveries.Count - 1));
        Assert.Equal(deliveries[^1].From, longer.Deliveries[deliveries.Count - 1].From);
    }

    [Fact]
    public void Continuing_live_gives_exactly_what_a_longer_scenario_has()
    {
        var live = new TherapyScenario(Options(seed: 6, days: 3));
        var added = new List<TherapyEvent>();
        for (var until = live.Now; until < Start.AddDays(8); until += TimeSpan.FromMinutes(437))
        {
            added.AddRange(live.AdvanceTo(until));
        }

        added.AddRange(live.AdvanceTo(Start.AddDays(8)));
        var longer = new TherapyScenario(Options(seed: 6, days: 8));
        Assert.Equal(longer.Events, live.Events);
        Assert.Equal(longer.Events.Skip(longer.Events.Count - added.Count), added);
        Assert.Equal(longer.Deliveries, live.Deliveries);
        Assert.Equal(longer.Status, live.Status, PumpStatusComparer.Instance);
    }

    [Fact]
    public void Events_are_numbered_from_one_in_order_and_stamped_in_whole_seconds_of_the_pump_clock()
    {
        var events = EightWeeks.Value.Events;
        TherapyInvariants.AssertNumberedInWholeSeconds(EightWeeks.Value);
        Assert.All(events.Zip(events.Skip(1)), pair => Assert.True(pair.First.Time <= pair.Second.Time, $"{pair.Second} comes before {pair.First}"));
        Assert.Equal(Start, events[0].Time);
        Assert.True(events[^1].Time < Start.AddDays(56));
    }

    [Theory]
    [InlineData(1, "0.05", "0.05")]
    [InlineData(7, "0.025", "0.1")]
    public void The_reservoir_level_is_the_fill_less_everything_delivered_since_exactly(int seed, string basalResolution, string bolusResolution)
    {
        var scenario = new TherapyScenario(Options(seed, days: 21) with
        {
            BasalResolution = decimal.Parse(basalResolution, System.Globalization.CultureInfo.InvariantCulture),
            BolusResolution = decimal.Parse(bolusResolution, System.Globalization.CultureInfo.InvariantCulture),
        });
        var levels = TherapyInvariants.AssertReservoirBalances(scenario);
        Assert.True(levels > 100, $"only {levels} levels recorded");
        Assert.InRange(scenario.Events.OfType<ReservoirFilled>().Count(), 5, 9);
    }

    [Fact]
    public void Each_daily_total_is_recorded_at_midnight_and_is_that_days_basal_and_bolus_deliveries()
    {
        var totals = TherapyInvariants.AssertDailyTotalsAddUp(EightWeeks.Value);
        Assert.Equal(Enumerable.Range(0, 55).Select(d => DateOnly.FromDateTime(Start).AddDays(d)), totals.Select(t => t.Day));
        Assert.All(totals, t => Assert.Equal(t.Day.AddDays(1).ToDateTime(TimeOnly.MinValue), t.Time));

        // A realistic adult: 30-55 IU a day, about half of it basal.
        Assert.InRange(totals.Skip(1).Average(t => t.TotalUnits), 30, 55);
        Assert.InRange(totals.Sum(t => t.BasalUnits) / totals.Sum(t => t.TotalUnits), 0.35m, 0.65m);
    }

    [Fact]
    public void Basal_changes_at_the_profiles_hour_boundaries_and_otherwise_only_with_a_temporary_basal_or_a_suspension()
    {
        var scenario = EightWeeks.Value;
        TherapyInvariants.AssertBasalFollowsProfileAndState(scenario);

        // And every hour boundary where the profile's rate differs is recorded.
        var profile = scenario.Options.BasalRates;
        var changes = scenario.Events.OfType<BasalRateChanged>().Select(r => r.Time).ToHashSet();
        for (var hour = Start.AddHours(1); hour < scenario.Now; hour = hour.AddHours(1))
        {
            if (profile[hour.Hour] != profile[(hour.Hour + 23) % 24])
            {
                Assert.Contains(hour, changes);
            }
        }

        Assert.Contains(scenario.Events, e => e is BasalRateChanged r && r.UnitsPerHour != r.ScheduledUnitsPerHour && r.UnitsPerHour > 0);
    }

    [Fact]
    public void Basal_delivered_follows_the_recorded_rates_to_within_a_pulse()
    {
        var scenario = new TherapyScenario(Options(seed: 8, days: 10));
        var expected = 0m;
        BasalRateChanged? rate = null;
        foreach (var change in scenario.Events.OfType<BasalRateChanged>().Append(null))
        {
            var until = change?.Time ?? scenario.Now;
            if (rate is not null)
            {
                expected += rate.UnitsPerHour * (decimal)(until - rate.Time).TotalSeconds / 3600;
            }

            rate = change;
        }

        var delivered = scenario.Deliveries.Where(d => d.Kind == DeliveryKind.Basal).Sum(d => d.Units);
        Assert.InRange(delivered, expected - (2 * scenario.Options.BasalResolution), expected + (2 * scenario.Options.BasalResolution));
    }

    [Fact]
    public void Every_alarm_is_raised_once_then_acknowledged_and_cleared_at_most_once_in_that_order()
    {
        var alarms = TherapyInvariants.AssertAlarmLifecycles(EightWeeks.Value);
        Assert.Contains(alarms.Values, a => a.Kind == AlarmKind.BatteryLow);
        Assert.Contains(alarms.Values, a => a.Kind == AlarmKind.ReservoirLow);
        Assert.Contains(alarms.Values, a => a.Transition == AlarmTransition.Cleared);
        Assert.All(alarms.Values.Where(a => a.Kind is AlarmKind.ReservoirLow or AlarmKind.BatteryLow), a => Assert.Equal(AlarmSeverity.Warning, a.Severity));
    }

    [Fact]
    public void Scripted_alarms_are_raised_at_their_times_with_their_consequences()
    {
        var occlusion = Start.AddDays(1).AddHours(10).AddSeconds(17);
        var noDelivery = Start.AddDays(2).AddHours(15);
        var temperature = Start.AddDays(2).AddHours(16);
        var scenario = new TherapyScenario(Options(seed: 4, days: 4) with
        {
            RandomAlarmsPerWeek = 0,
            UndetectedFailuresPerMonth = 0,
            ScriptedAlarms =
            [
                new ScriptedAlarm(occlusion, AlarmKind.Occlusion) { Lasting = TimeSpan.FromMinutes(40) },
                new ScriptedAlarm(noDelivery, AlarmKind.NoDelivery) { Lasting = TimeSpan.FromMinutes(20) },
                new ScriptedAlarm(temperature, AlarmKind.Temperature) { Lasting = TimeSpan.FromMinutes(5) },
            ],
        });
        var events = scenario.Events;
        var raised = events.OfType<AlarmChanged>().Where(a => a.Transition == AlarmTransition.Raised && a.Kind is not (AlarmKind.BatteryLow or AlarmKind.ReservoirLow)).ToList();
        Assert.Equal([(occlusion, AlarmKind.Occlusion), (noDelivery, AlarmKind.NoDelivery), (temperature, AlarmKind.Temperature)], raised.Select(a => (a.Time, a.Kind)));

        // An occlusion stops delivery until a new set is in; the wearer changes it when the alarm has lasted.
        var stop = events.OfType<DeliverySuspended>().Single(s => s.Time == occlusion);
        Assert.Equal(SuspendReason.Alarm, stop.Reason);
        Assert.Contains(events, e => e is Rewound && e.Time == occlusion.AddMinutes(40));
        Assert.Contains(events, e => e is AlarmChanged { Kind: AlarmKind.Occlusion, Transition: AlarmTransition.Cleared } && e.Time == occlusion.AddMinutes(40));
        Assert.DoesNotContain(scenario.Deliveries, d => d.From > occlusion && d.To < occlusion.AddMinutes(40));

        // No delivery stops delivery and clears by itself; a temperature warning stops nothing.
        Assert.Contains(events, e => e is DeliverySuspended { Reason: SuspendReason.Alarm } && e.Time == noDelivery);
        Assert.Contains(events, e => e is DeliveryResumed { Reason: SuspendReason.Alarm } && e.Time == noDelivery.AddMinutes(20));
        Assert.DoesNotContain(events, e => e is DeliverySuspended && e.Time == temperature);
        Assert.Contains(events, e => e is AlarmChanged { Kind: AlarmKind.Temperature, Transition: AlarmTransition.Cleared } && e.Time == temperature.AddMinutes(5));
    }

    [Fact]
    public void An_occlusion_stops_a_running_bolus_short_of_what_was_programmed()
    {
        var options = Options(seed: 9, days: 3) with { RandomAlarmsPerWeek = 0, UndetectedFailuresPerMonth = 0 };
        var bolus = new TherapyScenario(options).Events.OfType<BolusProgrammed>().First(b => b.Time > Start.AddDays(1) && b.ImmediateUnits >= 2);
        var occlusion = bolus.Time.AddSeconds(30);
        var scenario = new TherapyScenario(options with { ScriptedAlarms = [new ScriptedAlarm(occlusion, AlarmKind.Occlusion)] });

        var delivered = scenario.Events.OfType<BolusDelivered>().Single(b => b.BolusId == bolus.BolusId);
        Assert.Equal(occlusion, delivered.Time);
        Assert.Equal(BolusOutcome.Interrupted, delivered.Outcome);
        Assert.True(delivered.DeliveredUnits < delivered.ProgrammedUnits);
        Assert.Equal(bolus.TotalUnits, delivered.ProgrammedUnits);

        // 30 s at 1.5 IU/min in 0.05 IU pulses.
        Assert.Equal(0.75m, delivered.ImmediateUnits);
        Assert.Equal(delivered.DeliveredUnits, scenario.Deliveries.Where(d => d.BolusId == bolus.BolusId).Sum(d => d.Units));
    }

    [Theory]
    [InlineData("0.05")]
    [InlineData("0.1")]
    public void Boluses_are_multiples_of_the_resolution_and_never_deliver_more_than_programmed(string resolution)
    {
        var step = decimal.Parse(resolution, System.Globalization.CultureInfo.InvariantCulture);
        var scenario = new TherapyScenario(Options(seed: 11, days: 42) with { BolusResolution = step });
        TherapyInvariants.AssertBolusesAddUp(scenario);
        var programmed = scenario.Events.OfType<BolusProgrammed>().ToList();
        var ended = scenario.Events.OfType<BolusDelivered>().ToList();
        Assert.True(ended.Count > 100);
        Assert.All(programmed, b => Assert.Equal(b.Calculation.CarbUnits + b.Calculation.CorrectionUnits, b.TotalUnits));

        // Normal most of the time, square sometimes, dual wave for large or late meals; some cancelled.
        var types = programmed.GroupBy(b => b.Type).ToDictionary(g => g.Key, g => g.Count());
        Assert.True(types[BolusType.Normal] > programmed.Count * 0.7);
        Assert.InRange(types.GetValueOrDefault(BolusType.Square), 1, programmed.Count * 0.15);
        Assert.InRange(types.GetValueOrDefault(BolusType.DualWave), 1, programmed.Count * 0.25);
        Assert.Contains(ended, b => b.Outcome == BolusOutcome.Cancelled);
        Assert.Contains(programmed, b => b.Calculation.CorrectionUnits > 0 && b.Calculation.CarbGrams > 0);
        Assert.Contains(programmed, b => b.Calculation.CarbGrams == 0);
    }

    [Fact]
    public void Infusion_sets_are_changed_every_three_to_five_days_unless_a_failure_forces_it_sooner()
    {
        var wearer = new Wearer(Options(seed: 12, days: 120));
        var events = wearer.Therapy.Events;
        var forced = events.OfType<AlarmChanged>()
            .Where(a => a.Transition == AlarmTransition.Cleared && a.Kind is AlarmKind.Occlusion or AlarmKind.ReservoirEmpty or AlarmKind.InfusionSetDetached)
            .Select(a => a.Time)
            .Concat(wearer.Diary.OfType<InsulinLossEnded>().Select(l => l.Time))
            .ToHashSet();
        var changes = events.OfType<Rewound>().Select(r => r.Time).ToList();
        var planned = changes.Zip(changes.Skip(1)).Where(pair => !forced.Contains(pair.Second)).Select(pair => pair.Second - pair.First).ToList();
        Assert.True(planned.Count >= 25, $"{planned.Count} planned changes");
        Assert.All(planned, interval => Assert.InRange(interval.TotalDays, 2.75, 5.25));
        Assert.Contains(planned, interval => interval.TotalDays > 3.5);
        Assert.InRange(planned.Average(interval => interval.TotalDays), 3.0, 3.8);

        // Rewind, fill, prime the tubing then the cannula, and only then a level: the set change's order.
        var firstChange = events.SkipWhile(e => e is not Rewound).Take(7).Where(e => e is Rewound or ReservoirFilled or Primed or ReservoirLevel).ToList();
        Assert.Collection(
            firstChange,
            e => Assert.IsType<Rewound>(e),
            e => Assert.IsType<ReservoirFilled>(e),
            e => Assert.Equal(PrimeTarget.Tubing, Assert.IsType<Primed>(e).Target),
            e => Assert.Equal(PrimeTarget.Cannula, Assert.IsType<Primed>(e).Target),
            e => Assert.IsType<ReservoirLevel>(e));
    }

    [Fact]
    public void A_reservoir_that_runs_empty_stops_delivery_until_it_is_changed()
    {
        var scenario = new TherapyScenario(Options(seed: 3, days: 12) with { ReservoirCapacityUnits = 100 });
        var events = scenario.Events;
        var empties = events.OfType<AlarmChanged>().Where(a => a is { Kind: AlarmKind.ReservoirEmpty, Transition: AlarmTransition.Raised }).ToList();
        Assert.NotEmpty(empties);
        foreach (var empty in empties)
        {
            var low = events.OfType<AlarmChanged>().Last(a => a is { Kind: AlarmKind.ReservoirLow, Transition: AlarmTransition.Raised } && a.Sequence < empty.Sequence);
            var level = events.OfType<ReservoirLevel>().First(l => l.Sequence > low.Sequence - 2);
            Assert.True(level.Units <= 20m);
            Assert.Contains(events, e => e is DeliverySuspended { Reason: SuspendReason.Alarm } && e.Time == empty.Time);
            var refill = events.OfType<ReservoirFilled>().First(f => f.Sequence > empty.Sequence);
            Assert.DoesNotContain(scenario.Deliveries, d => d.AfterSequence >= empty.Sequence && d.AfterSequence < refill.Sequence);
            Assert.Contains(events, e => e is AlarmChanged { Kind: AlarmKind.ReservoirEmpty, Transition: AlarmTransition.Cleared } c && c.AlarmId == empty.AlarmId && c.Sequence < refill.Sequence);
        }
    }

    [Fact]
    public void Suspensions_carry_their_reason_and_now_and_then_one_is_forgotten_for_over_two_hours()
    {
        var options = Options(seed: 2, days: 28) with { UserSuspendsPerWeek = 5, LongSuspensionShare = 0.3 };
        static List<(SuspendReason Reason, TimeSpan Length)> Suspensions(TherapyScenario scenario)
        {
            var result = new List<(SuspendReason, TimeSpan)>();
            DeliverySuspended? open = null;
            foreach (var change in scenario.Events.Where(e => e is DeliverySuspended or DeliveryResumed))
            {
                if (change is DeliverySuspended suspended)
                {
                    Assert.Null(open);
                    open = suspended;
                }
                else
                {
                    result.Add((open!.Reason, change.Time - open.Time));
                    open = null;
                }
            }

            return result;
        }

        var suspensions = Suspensions(new TherapyScenario(options));
        Assert.Equal(
            [SuspendReason.User, SuspendReason.Alarm, SuspendReason.LowGlucose, SuspendReason.SetChange],
            suspensions.Select(s => s.Reason).Distinct().Order());
        Assert.Contains(suspensions, s => s.Reason == SuspendReason.User && s.Length > TimeSpan.FromHours(2));
        Assert.All(suspensions.Where(s => s.Reason == SuspendReason.SetChange), s => Assert.InRange(s.Length.TotalMinutes, 2, 10));

        var careful = Suspensions(new TherapyScenario(options with { LongSuspensionShare = 0, LowGlucoseSuspend = false }));
        Assert.DoesNotContain(careful, s => s.Reason == SuspendReason.User && s.Length > TimeSpan.FromHours(1));
        Assert.DoesNotContain(careful, s => s.Reason == SuspendReason.LowGlucose);
    }

    [Fact]
    public void Exercise_brings_relative_temporary_basals_that_complete_change_or_are_cancelled_and_absolute_ones_now_and_then()
    {
        var events = EightWeeks.Value.Events;
        var started = events.OfType<TemporaryBasalStarted>().ToList();
        var ended = events.OfType<TemporaryBasalEnded>().ToDictionary(e => e.TemporaryBasalId);
        Assert.InRange(started.Count(t => t.Kind == TemporaryBasalKind.Relative), 12, 40);
        Assert.Contains(started, t => t.Kind == TemporaryBasalKind.Absolute);
        Assert.All(started.Where(t => t.Kind == TemporaryBasalKind.Relative), t =>
        {
            Assert.InRange(t.Amount, 40, 70);
            Assert.InRange(t.Duration.TotalMinutes, 60, 120);
        });
        Assert.Contains(events, e => e is TemporaryBasalChanged);
        Assert.Contains(ended.Values, e => e.Ending == TemporaryBasalEnding.Cancelled);
        Assert.Contains(ended.Values, e => e.Ending == TemporaryBasalEnding.Completed);
        Assert.All(started.Where(t => ended.TryGetValue(t.TemporaryBasalId, out var end) && end.Ending == TemporaryBasalEnding.Completed), t =>
            Assert.Equal(t.Time + t.Duration, ended[t.TemporaryBasalId].Time));
    }

    [Fact]
    public void The_battery_ages_over_three_to_four_weeks_warns_when_low_and_is_replaced()
    {
        var events = new TherapyScenario(Options(seed: 10, days: 100)).Events;
        var replaced = events.OfType<BatteryReplaced>().ToList();
        Assert.InRange(replaced.Count, 3, 5);
        Assert.All(replaced.Zip(replaced.Skip(1)), pair => Assert.InRange((pair.Second.Time - pair.First.Time).TotalDays, 18, 30));
        Assert.All(replaced, r => Assert.Equal((100, 1.55m), (r.Percent, r.Volts)));

        // Between replacements the level only falls, in percent and volts, and warns at 10 %.
        var levels = events.Where(e => e is BatteryLevel or BatteryReplaced).ToList();
        foreach (var (earlier, later) in levels.Zip(levels.Skip(1)))
        {
            if (later is BatteryLevel next && earlier is BatteryLevel or BatteryReplaced)
            {
                var (percent, volts) = earlier is BatteryLevel level ? (level.Percent, level.Volts) : (100, 1.55m);
                Assert.True(next.Percent < percent && next.Volts <= volts, $"{next} after {earlier}");
            }
        }

        var lows = events.OfType<AlarmChanged>().Where(a => a is { Kind: AlarmKind.BatteryLow, Transition: AlarmTransition.Raised }).ToList();
        Assert.True(lows.Count >= replaced.Count);
        Assert.All(lows, low => Assert.Equal(10, events.OfType<BatteryLevel>().Last(l => l.Sequence < low.Sequence).Percent));

        // A wearer who lets it run flat: the pump stops at 0 % until the new battery is in.
        var empties = events.OfType<AlarmChanged>().Where(a => a is { Kind: AlarmKind.BatteryEmpty, Transition: AlarmTransition.Raised }).ToList();
        Assert.NotEmpty(empties);
        foreach (var empty in empties)
        {
            Assert.Equal(0, events.OfType<BatteryLevel>().Last(l => l.Sequence < empty.Sequence).Percent);
            Assert.Contains(events, e => e is DeliverySuspended { Reason: SuspendReason.Alarm } && e.Time == empty.Time);
            var battery = replaced.First(r => r.Sequence > empty.Sequence);
            Assert.Contains(events, e => e is AlarmChanged { Transition: AlarmTransition.Cleared } c && c.AlarmId == empty.AlarmId && c.Time == battery.Time);
        }
    }

    [Fact]
    public void Nothing_is_delivered_or_programmed_while_delivery_is_suspended()
    {
        var scenario = EightWeeks.Value;
        var suspendedAfter = new HashSet<long>();
        var suspended = false;
        foreach (var therapyEvent in scenario.Events)
        {
            suspended = therapyEvent switch
            {
                DeliverySuspended => true,
                DeliveryResumed => false,
                _ => suspended,
            };
            if (suspended)
            {
                suspendedAfter.Add(therapyEvent.Sequence);
                Assert.False(therapyEvent is BolusProgrammed or TemporaryBasalStarted, $"{therapyEvent} while suspended");
            }
        }

        // Priming happens during a set change's suspension, and only then.
        Assert.All(scenario.Deliveries, d => Assert.Equal(d.Kind == DeliveryKind.Prime, suspendedAfter.Contains(d.AfterSequence)));
    }

    [Fact]
    public void Clock_changes_are_off_by_default_and_move_the_pump_clock_of_later_events_when_on()
    {
        Assert.DoesNotContain(EightWeeks.Value.Events, e => e is ClockChanged);
        var scenario = new TherapyScenario(Options(seed: 5, days: 10) with { ClockChangesPerMonth = 12 });
        var events = scenario.Events;
        var changes = events.OfType<ClockChanged>().ToList();
        Assert.NotEmpty(changes);
        Assert.All(changes, c => Assert.NotEqual(c.OldTime, c.NewTime));
        Assert.All(changes, c => Assert.Equal(0, (c.NewTime - c.OldTime).Ticks % TimeSpan.TicksPerSecond));

        // The next event is stamped on the new clock; the basal schedule follows the pump clock.
        foreach (var change in changes)
        {
            var after = events.First(e => e.Sequence > change.Sequence);
            Assert.True(after.Time >= change.NewTime && after.Time - change.NewTime < TimeSpan.FromHours(3), $"{after} after {change}");
        }

        Assert.All(events.OfType<BasalRateChanged>(), r => Assert.Equal(r.Time.Hour, r.Segment));
        Assert.Equal(Enumerable.Range(1, events.Count).Select(i => (long)i), events.Select(e => e.Sequence));
    }

    [Fact]
    public void Random_options_either_run_with_every_invariant_holding_or_are_refused()
    {
        var random = new Random(20261101);
        var kinds = Enum.GetValues<AlarmKind>();
        Func<TherapyScenarioOptions, TherapyScenarioOptions>[] breakages =
        [
            o => o with { BasalResolution = 0.01m },
            o => o with { BolusResolution = 0.025m },
            o => o with { BasalRates = [.. o.BasalRates.Skip(1)] },
            o => o with { BasalRates = [.. o.BasalRates.Select((r, h) => h == 5 ? r + 0.0125m : r)] },
            o => o with { Start = o.Start.AddMilliseconds(250) },
            o => o with { Duration = o.Duration + TimeSpan.FromMilliseconds(10) },
            o => o with { CalibrationsPerDay = 3 },
            o => o with { ReservoirCapacityUnits = 50 },
            o => o with { ScriptedAlarms = [.. o.ScriptedAlarms, new ScriptedAlarm(o.Start.AddHours(1), AlarmKind.BatteryLow) { Detected = false }] },
            o => o with { ScriptedAlarms = [.. o.ScriptedAlarms, new ScriptedAlarm(o.Start.AddHours(1), AlarmKind.Occlusion) { Lasting = TimeSpan.Zero }] },
        ];
        var (ran, refused) = (0, 0);
        for (var i = 0; i < 40; i++)
        {
            var start = new DateTime(2026, 1, 1).AddSeconds(random.Next(0, 365 * 86400));
            var basalStep = random.Next(0, 2) == 0 ? 0.05m : 0.025m;
            var options = new TherapyScenarioOptions
            {
                Seed = random.Next(),
                Start = start,
                Duration = TimeSpan.FromSeconds(random.Next(3600, 4 * 86400)),
                BasalResolution = basalStep,
                BolusResolution = random.Next(0, 2) == 0 ? 0.05m : 0.1m,
                BasalRates = random.Next(0, 3) == 0 ? [.. Enumerable.Range(0, 24).Select(_ => basalStep * random.Next(0, 60))] : TherapyScenarioOptions.DefaultBasalRates,
                ReservoirCapacityUnits = new[] { 100m, 176m, 300m }[random.Next(3)],
                CalibrationsPerDay = random.Next(0, 3),
                ClockChangesPerMonth = random.Next(0, 2) * 30,
                LowGlucoseSuspend = random.Next(0, 2) == 0,
                UserSuspendsPerWeek = random.Next(0, 15),
                RandomAlarmsPerWeek = random.Next(0, 15),
                UndetectedFailuresPerMonth = random.Next(0, 30),
                ScriptedAlarms = [.. Enumerable.Range(0, random.Next(0, 5)).Select(_ => kinds[random.Next(kinds.Length)]).Select(kind => new ScriptedAlarm(start.AddSeconds(random.Next(-3600, 3 * 86400)), kind)
                {
                    Lasting = random.Next(0, 3) == 0 ? null : TimeSpan.FromSeconds(random.Next(60, 6 * 3600)),
                    Detected = kind is not (AlarmKind.Occlusion or AlarmKind.InfusionSetDetached) || random.Next(0, 2) == 0,
                })],
            };
            var broken = random.Next(0, 3) == 0;
            if (broken)
            {
                options = breakages[random.Next(breakages.Length)](options);
            }

            TherapyScenario scenario;
            try
            {
                scenario = new TherapyScenario(options);
            }
            catch (ArgumentException)
            {
                Assert.True(broken, $"valid options refused: {options}");
                refused++;
                continue;
            }

            Assert.False(broken, $"broken options ran: {options}");
            ran++;
            TherapyInvariants.AssertAll(scenario);
            if (options.ClockChangesPerMonth == 0)
            {
                var raised = scenario.Events.OfType<AlarmChanged>().Where(a => a.Transition == AlarmTransition.Raised).Select(a => (a.Time, a.Kind)).ToHashSet();
                Assert.All(options.ScriptedAlarms.Where(a => a.Detected && a.Time >= start && a.Time < scenario.Now), a => Assert.Contains((a.Time, a.Kind), raised));
            }
        }

        Assert.True(ran >= 20 && refused >= 5, $"{ran} ran, {refused} refused");
    }

    [Fact]
    public void Invalid_options_are_refused()
    {
        Assert.Throws<ArgumentException>(() => new TherapyScenario(Options() with { BasalResolution = 0.01m }));
        Assert.Throws<ArgumentException>(() => new TherapyScenario(Options() with { BolusResolution = 0.025m }));
        Assert.Throws<ArgumentException>(() => new TherapyScenario(Options() with { BasalRates = [.. Enumerable.Repeat(1m, 23)] }));
        Assert.Throws<ArgumentException>(() => new TherapyScenario(Options() with { BasalRates = [.. Enumerable.Repeat(0.83m, 24)] }));
        Assert.Throws<ArgumentException>(() => new TherapyScenario(Options() with { Start = Start.AddMilliseconds(5) }));
        Assert.Throws<ArgumentException>(() => new TherapyScenario(Options() with { Start = DateTime.SpecifyKind(Start, DateTimeKind.Utc) }));
        Assert.Throws<ArgumentException>(() => new TherapyScenario(Options() with { ScriptedAlarms = [new ScriptedAlarm(Start, AlarmKind.BatteryLow) { Detected = false }] }));
    }

    /// <summary>PumpStatus holds lists: compare them by content.</summary>
    private sealed class PumpStatusComparer : IEqualityComparer<PumpStatus>
    {
        public static readonly PumpStatusComparer Instance = new();

        private static readonly int[] None = [];

        public bool Equals(PumpStatus? x, PumpStatus? y) =>
            x is not null && y is not null
            && x with { ActiveBolusIds = None, OpenAlarmIds = None } == y with { ActiveBolusIds = None, OpenAlarmIds = None }
            && x.ActiveBolusIds.SequenceEqual(y.ActiveBolusIds)
            && x.OpenAlarmIds.SequenceEqual(y.OpenAlarmIds);

        public int GetHashCode(PumpStatus obj) => obj.Time.GetHashCode();
    }
}
