using PumpGateway.Fakes.Scenario;
using PumpGateway.Telemetry;

namespace PumpGateway.Fakes.Tests.Scenario;

/// <summary>What must hold for any therapy scenario, whatever its options: the ground truth balances.</summary>
internal static class TherapyInvariants
{
    public static void AssertAll(TherapyScenario scenario)
    {
        AssertNumberedInWholeSeconds(scenario);
        AssertReservoirBalances(scenario);
        AssertDailyTotalsAddUp(scenario);
        AssertBasalFollowsProfileAndState(scenario);
        AssertAlarmLifecycles(scenario);
        AssertBolusesAddUp(scenario);
    }

    public static void AssertNumberedInWholeSeconds(TherapyScenario scenario)
    {
        var events = scenario.Events;
        Assert.Equal(Enumerable.Range(1, events.Count).Select(i => (long)i), events.Select(e => e.Sequence));
        Assert.All(events, e => Assert.Equal(DateTimeKind.Unspecified, e.Time.Kind));
        Assert.All(events, e => Assert.Equal(0, e.Time.Ticks % TimeSpan.TicksPerSecond));
    }

    /// <summary>Each level recorded is the fill less every delivery (basal, bolus, prime) since, to the last decimal.</summary>
    public static int AssertReservoirBalances(TherapyScenario scenario)
    {
        var deliveries = scenario.Deliveries;
        ReservoirFilled? fill = null;
        var delivered = 0m;
        var next = 0;
        var levels = 0;
        foreach (var therapyEvent in scenario.Events)
        {
            for (; next < deliveries.Count && deliveries[next].AfterSequence < therapyEvent.Sequence; next++)
            {
                delivered += deliveries[next].Units;
            }

            switch (therapyEvent)
            {
                case ReservoirFilled filled:
                    fill = filled;
                    delivered = 0;
                    break;
                case ReservoirLevel level:
                    Assert.Equal(fill!.Units - delivered, level.Units);
                    levels++;
                    break;
            }
        }

        if (fill is not null)
        {
            delivered += deliveries.Skip(next).Sum(d => d.Units);
            Assert.Equal(fill.Units - delivered, scenario.Status.ReservoirUnits);
        }

        Assert.All(deliveries, d => Assert.Equal(0, d.Units % (d.Kind == DeliveryKind.Basal ? scenario.Options.BasalResolution : 0.05m)));
        Assert.All(scenario.Events.OfType<ReservoirLevel>(), l => Assert.InRange(l.Units, 0, scenario.Options.ReservoirCapacityUnits));
        return levels;
    }

    /// <summary>Each daily total is exactly the basal and bolus delivered since the one before (priming excluded).</summary>
    public static List<DailyTotal> AssertDailyTotalsAddUp(TherapyScenario scenario)
    {
        var deliveries = scenario.Deliveries;
        decimal basal = 0, bolus = 0;
        var next = 0;
        var totals = new List<DailyTotal>();
        var clockChanged = false;
        foreach (var therapyEvent in scenario.Events)
        {
            for (; next < deliveries.Count && deliveries[next].AfterSequence < therapyEvent.Sequence; next++)
            {
                basal += deliveries[next].Kind == DeliveryKind.Basal ? deliveries[next].Units : 0;
                bolus += deliveries[next].Kind == DeliveryKind.Bolus ? deliveries[next].Units : 0;
            }

            clockChanged |= therapyEvent is ClockChanged;
            if (therapyEvent is DailyTotal total)
            {
                Assert.Equal((basal, bolus, basal + bolus), (total.BasalUnits, total.BolusUnits, total.TotalUnits));
                Assert.True(totals.Count == 0 || total.Day > totals[^1].Day);
                if (!clockChanged)
                {
                    Assert.Equal(total.Time.Date, total.Time);
                    Assert.Equal(DateOnly.FromDateTime(total.Time).AddDays(-1), total.Day);
                }

                totals.Add(total);
                basal = bolus = 0;
            }
        }

        return totals;
    }

    /// <summary>
    /// Every basal rate recorded is the profile's rate for the pump clock's hour, as the suspension and
    /// temporary basal in force make it; off the hour it changes only with one of those (or a clock change).
    /// </summary>
    public static void AssertBasalFollowsProfileAndState(TherapyScenario scenario)
    {
        var options = scenario.Options;
        var suspended = false;
        (TemporaryBasalKind Kind, decimal Amount)? temporary = null;
        BasalRateChanged? previous = null;
        var events = scenario.Events;
        decimal Expected(decimal scheduled) => suspended ? 0 : temporary switch
        {
            null => scheduled,
            (TemporaryBasalKind.Relative, var percent) => Math.Floor(scheduled * percent / 100 / options.BasalResolution) * options.BasalResolution,
            (_, var absolute) => absolute,
        };

        for (var i = 0; i < events.Count; i++)
        {
            // Once a second's events are all in, the rate last recorded is the one the state calls for.
            if (i > 0 && events[i].Time != events[i - 1].Time && previous is not null)
            {
                Assert.True(Expected(previous.ScheduledUnitsPerHour) == previous.UnitsPerHour, $"{previous} no longer holds at {events[i - 1]}");
            }

            switch (events[i])
            {
                case DeliverySuspended:
                    suspended = true;
                    break;
                case DeliveryResumed:
                    suspended = false;
                    break;
                case TemporaryBasalStarted started:
                    temporary = (started.Kind, started.Amount);
                    break;
                case TemporaryBasalChanged changed:
                    temporary = (changed.Kind, changed.Amount);
                    break;
                case TemporaryBasalEnded:
                    temporary = null;
                    break;
                case BasalRateChanged rate:
                    Assert.Equal(rate.Time.Hour, rate.Segment);
                    Assert.Equal(options.BasalRates[rate.Segment], rate.ScheduledUnitsPerHour);
                    Assert.Equal(Expected(rate.ScheduledUnitsPerHour), rate.UnitsPerHour);
                    Assert.NotEqual((previous?.UnitsPerHour, previous?.ScheduledUnitsPerHour), (rate.UnitsPerHour, rate.ScheduledUnitsPerHour));
                    if (rate.Time.TimeOfDay.Ticks % TimeSpan.TicksPerHour != 0)
                    {
                        // A clock change is stamped with the old clock, what follows it with the new one.
                        var cause = events.Take(i).Reverse().TakeWhile(e => e.Time == rate.Time || (e is ClockChanged c && c.NewTime == rate.Time)).FirstOrDefault(e =>
                            e is DeliverySuspended or DeliveryResumed or TemporaryBasalStarted or TemporaryBasalChanged or TemporaryBasalEnded
                                or ClockChanged);
                        Assert.True(cause is not null, $"{rate} changed off the hour without a cause: {string.Join(", ", events.Skip(i - 3).Take(4))}");
                    }

                    previous = rate;
                    break;
            }
        }
    }

    /// <summary>Raised once, then acknowledged and cleared at most once each, in that order; what is not cleared is still open.</summary>
    public static Dictionary<int, AlarmChanged> AssertAlarmLifecycles(TherapyScenario scenario)
    {
        var alarms = new Dictionary<int, AlarmChanged>();
        var open = new SortedSet<int>();
        foreach (var change in scenario.Events.OfType<AlarmChanged>())
        {
            if (change.Transition == AlarmTransition.Raised)
            {
                Assert.True(alarms.TryAdd(change.AlarmId, change), $"alarm {change.AlarmId} raised twice");
                open.Add(change.AlarmId);
                continue;
            }

            var last = alarms[change.AlarmId];
            Assert.Equal((last.Kind, last.Severity), (change.Kind, change.Severity));
            Assert.True(last.Transition < change.Transition, $"{change} after {last}");
            alarms[change.AlarmId] = change;
            if (change.Transition == AlarmTransition.Cleared)
            {
                open.Remove(change.AlarmId);
            }
        }

        Assert.Equal(open, scenario.Status.OpenAlarmIds);
        return alarms;
    }

    /// <summary>Each bolus that ended delivered no more than programmed, exactly what its pulses add up to.</summary>
    public static void AssertBolusesAddUp(TherapyScenario scenario)
    {
        var programmed = scenario.Events.OfType<BolusProgrammed>().ToDictionary(b => b.BolusId);
        var pulses = scenario.Deliveries.Where(d => d.Kind == DeliveryKind.Bolus).GroupBy(d => d.BolusId).ToDictionary(g => g.Key, g => g.Sum(d => d.Units));
        var step = scenario.Options.BolusResolution;
        Assert.All(programmed.Values, b => Assert.Equal(0, (b.ImmediateUnits % step) + (b.ExtendedUnits % step)));
        foreach (var bolus in scenario.Events.OfType<BolusDelivered>())
        {
            var start = programmed[bolus.BolusId];
            Assert.Equal((start.Time, start.Type, start.ImmediateUnits, start.ExtendedUnits), (bolus.Started, bolus.Type, bolus.ProgrammedImmediateUnits, bolus.ProgrammedExtendedUnits));
            Assert.InRange(bolus.ImmediateUnits, 0, bolus.ProgrammedImmediateUnits);
            Assert.InRange(bolus.ExtendedUnits, 0, bolus.ProgrammedExtendedUnits);
            Assert.Equal(bolus.Outcome == BolusOutcome.Completed, bolus.DeliveredUnits == bolus.ProgrammedUnits);
            Assert.Equal(bolus.DeliveredUnits, pulses.GetValueOrDefault(bolus.BolusId));
            Assert.Equal(0, bolus.DeliveredUnits % step);
        }
    }
}
