using PumpGateway.Devices;
using PumpGateway.Telemetry;

namespace PumpGateway.Clinical;

/// <summary>
/// What the pump delivered over a period: daily doses, the basal / bolus split, and the events an
/// initiating centre reviews (boluses, temporary basals, suspensions, set changes).
/// </summary>
/// <remarks>
/// <para>
/// <b>Bolus insulin</b> is DeliveredUnits + DeliveredExtendedUnits, counted whole on the clinic-local
/// day the bolus started (its Utc), even when its extended part runs past midnight: that is how pumps
/// book it in their own daily totals.
/// </para>
/// <para>
/// <b>Basal insulin</b> is the integral of the delivered rate over time. A ScheduledBasal sets the
/// scheduled rate from its time on, until the next one. A TemporaryBasal Started or Changed sets, from
/// its time and for its ProgrammedDuration, an absolute rate (UnitsPerHour, preferred when both are
/// given) or a percent of the scheduled rate (which follows the schedule's changes underneath it); a
/// DeliveredRateChanged replaces the running one's rate with the rate the pump says it delivers, until its
/// end; an Ended event or the next temporary basal ends it early. A suspension (DeliveryStateChange
/// Suspended = true until Suspended = false) delivers 0 whatever else is set; a temporary basal's clock
/// keeps running under it. The rate is unknown before the first ScheduledBasal (unless a suspension or
/// an absolute temporary rate says otherwise), under a percent temporary basal while the schedule is
/// unknown, and after the pump's last event of any kind (the events cover the pump up to its last
/// download, not beyond): a day not fully covered by a known rate has no computed basal. The day's
/// integral is rounded to 0.001 U, finer than any pump delivers.
/// </para>
/// <para>
/// <b>A day's total</b> is the pump's own DailyInsulinTotal for that day when it has one (Source
/// PumpTotal; its basal / bolus split where the pump gives it, otherwise the day's recorded boluses and the
/// rest of the total as basal, unless the boluses exceed the total; the pump's day is taken as the
/// clinic-local day, the pump keeping clinic time; of several totals for a day the last recorded wins).
/// Otherwise it is the computed basal + bolus when the basal is known (Computed). A day with neither is
/// left out of Days. Days holds only the clinic-local days lying wholly inside the period: a partial
/// day's total would read as a low dose.
/// </para>
/// <para>
/// All events passed are used to follow the delivery state, also those before the period: pass a
/// lead-in (the day before) so that the scheduled rate in force at the period's start is known.
/// Counts (boluses, temporary basals, suspensions, set changes) take only what falls in the period.
/// </para>
/// </remarks>
public static class InsulinMetrics
{
    /// <exception cref="ArgumentException">The events hold a null, or a negative rate, percent, amount or total.</exception>
    public static InsulinSummary Compute(IEnumerable<TelemetryEvent> events, ReportPeriod period)
    {
        ArgumentNullException.ThrowIfNull(events);
        ArgumentNullException.ThrowIfNull(period);
        var all = events.ToList();
        foreach (var e in all)
        {
            if (Problem(e) is { } problem)
            {
                throw new ArgumentException($"The events hold {problem}.", nameof(events));
            }
        }

        var timeline = BasalTimeline.Build(all);
        var boluses = all.OfType<Bolus>().ToList();
        var bolusByDay = new Dictionary<DateOnly, decimal>();
        foreach (var bolus in boluses)
        {
            var day = period.LocalDay(bolus.Utc);
            bolusByDay[day] = bolusByDay.GetValueOrDefault(day) + bolus.DeliveredUnits + (bolus.DeliveredExtendedUnits ?? 0);
        }

        var pumpTotals = new Dictionary<DateOnly, DailyInsulinTotal>();
        foreach (var total in all.OfType<DailyInsulinTotal>())
        {
            if (!pumpTotals.TryGetValue(total.Day, out var earlier) || total.Utc >= earlier.Utc)
            {
                pumpTotals[total.Day] = total;
            }
        }

        var days = new List<DailyInsulin>();
        foreach (var day in period.WholeDays())
        {
            if (pumpTotals.TryGetValue(day, out var pumpTotal))
            {
                days.Add(SplitOf(day, pumpTotal, bolusByDay.GetValueOrDefault(day)));
                continue;
            }

            var (start, end) = period.DayBounds(day);
            if (timeline.Delivered(start, end) is { } basal)
            {
                var bolus = bolusByDay.GetValueOrDefault(day);
                days.Add(new DailyInsulin(day, basal, bolus, basal + bolus, DailyInsulinSource.Computed));
            }
        }

        var bolusesInPeriod = boluses.Count(b => period.Contains(b.Utc));
        var (suspensions, suspended) = Suspensions(all.OfType<DeliveryStateChange>(), period);
        return new InsulinSummary(
            days,
            Mean(days.Select(d => (decimal?)d.Total)),
            Mean(days.Select(d => d.Basal)),
            Mean(days.Select(d => d.Bolus)),
            BasalPercent(days),
            bolusesInPeriod,
            bolusesInPeriod / period.Length.TotalDays,
            all.OfType<TemporaryBasal>().Count(t => t.Phase == TemporaryBasalPhase.Started && period.Contains(t.Utc)),
            suspensions,
            suspended,
            SetChanges.Find(all.OfType<PumpMaintenance>()).Count(c => period.Contains(c.Utc)));
    }

    /// <summary>
    /// A pump total that gives no split (a Paradigm's ResultDailyTotal) is split with the day's recorded boluses:
    /// its total is what the pump delivered, so what the boluses did not deliver the basal did. A split that
    /// would make the basal negative (a bolus the history does not hold yet, or counted on another day) is left
    /// unknown rather than guessed.
    /// </summary>
    private static DailyInsulin SplitOf(DateOnly day, DailyInsulinTotal total, decimal recordedBolus)
    {
        if (total.BasalUnits is not null || total.BolusUnits is not null || recordedBolus > total.TotalUnits)
        {
            return new DailyInsulin(day, total.BasalUnits, total.BolusUnits, total.TotalUnits, DailyInsulinSource.PumpTotal);
        }

        return new DailyInsulin(day, total.TotalUnits - recordedBolus, recordedBolus, total.TotalUnits, DailyInsulinSource.PumpTotal);
    }

    private static string? Problem(TelemetryEvent? e)
    {
        var problem = e switch
        {
            null => "a null event",
            ScheduledBasal { UnitsPerHour: < 0 } => "a negative scheduled rate",
            TemporaryBasal { UnitsPerHour: < 0 } => "a negative temporary rate",
            TemporaryBasal { Percent: < 0 } => "a negative temporary percent",
            Bolus b when b.DeliveredUnits < 0 || b.DeliveredExtendedUnits < 0 => "a negative bolus",
            DailyInsulinTotal t when t.TotalUnits < 0 || t.BasalUnits < 0 || t.BolusUnits < 0 => "a negative daily total",
            _ => null,
        };
        return problem is null || e is null ? problem : $"{problem} ({e.Id})";
    }

    private static decimal? Mean(IEnumerable<decimal?> values)
    {
        var known = values.OfType<decimal>().ToList();
        return known.Count == 0 ? null : known.Sum() / known.Count;
    }

    /// <summary>Basal over total, on the days whose basal is known (so that numerator and denominator cover the same days).</summary>
    private static double? BasalPercent(List<DailyInsulin> days)
    {
        var withBasal = days.Where(d => d.Basal is not null).ToList();
        var total = withBasal.Sum(d => d.Total);
        return total > 0 ? (double)(withBasal.Sum(d => d.Basal!.Value) / total * 100) : null;
    }

    /// <summary>
    /// Suspend → resume intervals that touch the period, clipped to it; a suspension still open at the
    /// last event runs to the period's end. A repeated suspend while suspended (a second reason logged)
    /// does not open a second interval; a resume while running is ignored.
    /// </summary>
    private static (int Count, TimeSpan Time) Suspensions(IEnumerable<DeliveryStateChange> changes, ReportPeriod period)
    {
        var count = 0;
        var time = TimeSpan.Zero;
        DateTimeOffset? since = null;

        void Close(DateTimeOffset start, DateTimeOffset end)
        {
            var from = start > period.FromUtc ? start : period.FromUtc;
            var to = end < period.ToUtc ? end : period.ToUtc;
            if (to > from || period.Contains(start))
            {
                count++;
                time += to > from ? to - from : TimeSpan.Zero;
            }
        }

        foreach (var change in changes.OrderBy(c => c.Utc))
        {
            if (change.Suspended)
            {
                since ??= change.Utc;
            }
            else if (since is { } start)
            {
                Close(start, change.Utc);
                since = null;
            }
        }

        if (since is { } open)
        {
            Close(open, period.ToUtc);
        }

        return (count, time);
    }
}

/// <summary>The delivered basal rate as a contiguous run of constant-rate stretches; a null rate is unknown.</summary>
internal sealed class BasalTimeline
{
    private readonly List<RateStretch> _stretches;

    private BasalTimeline(List<RateStretch> stretches) => _stretches = stretches;

    internal readonly record struct RateStretch(DateTimeOffset From, DateTimeOffset To, decimal? UnitsPerHour);

    private sealed record ActiveTemporaryBasal(DateTimeOffset End, decimal? UnitsPerHour, int? Percent);

    internal IReadOnlyList<RateStretch> Stretches => _stretches;

    public static BasalTimeline Build(IReadOnlyList<TelemetryEvent> events)
    {
        var pumps = new HashSet<DeviceId>(events.Where(IsDelivery).Select(e => e.Device));
        var stretches = new List<RateStretch>();
        if (pumps.Count == 0)
        {
            return new BasalTimeline(stretches);
        }

        // Where the pump's record ends: its last event of any kind (a status or link report at download counts).
        var coverageEnd = events.Where(e => pumps.Contains(e.Device)).Max(e => e.Utc);

        // At one instant, an Ended must close the old temporary basal before a Started opens the next.
        var changes = events
            .Where(e => e is ScheduledBasal or TemporaryBasal or DeliveryStateChange)
            .OrderBy(e => e.Utc)
            .ThenBy(e => e is TemporaryBasal { Phase: TemporaryBasalPhase.Ended } ? 0 : 1)
            .ToList();
        if (changes.Count == 0)
        {
            return new BasalTimeline(stretches);
        }

        decimal? scheduled = null;
        ActiveTemporaryBasal? temporary = null;
        var suspended = false;
        var cursor = changes[0].Utc;

        decimal? Rate()
        {
            if (suspended)
            {
                return 0;
            }

            if (temporary is null)
            {
                return scheduled;
            }

            return temporary.UnitsPerHour ?? (temporary.Percent is { } percent && scheduled is { } rate ? rate * percent / 100 : null);
        }

        void RunUntil(DateTimeOffset until)
        {
            while (temporary is { } running && running.End <= until)
            {
                Emit(running.End);
                temporary = null;
            }

            Emit(until);
        }

        void Emit(DateTimeOffset until)
        {
            if (until > cursor)
            {
                stretches.Add(new RateStretch(cursor, until, Rate()));
                cursor = until;
            }
        }

        foreach (var change in changes)
        {
            RunUntil(change.Utc);
            switch (change)
            {
                case ScheduledBasal basal:
                    scheduled = basal.UnitsPerHour;
                    break;
                case TemporaryBasal { Phase: TemporaryBasalPhase.Ended }:
                    temporary = null;
                    break;
                case TemporaryBasal { Phase: TemporaryBasalPhase.DeliveredRateChanged } delivered:
                    // Without the temporary basal it belongs to (its start lies before the events), its end is unknown.
                    temporary = temporary is null ? null : temporary with { UnitsPerHour = delivered.UnitsPerHour, Percent = null };
                    break;
                case TemporaryBasal temp:
                    temporary = temp.ProgrammedDuration > TimeSpan.Zero
                        ? new ActiveTemporaryBasal(temp.Utc + temp.ProgrammedDuration, temp.UnitsPerHour, temp.Percent)
                        : null;
                    break;
                case DeliveryStateChange state:
                    suspended = state.Suspended;
                    break;
            }
        }

        RunUntil(coverageEnd);
        return new BasalTimeline(stretches);
    }

    /// <summary>Units delivered over <c>[from, to)</c>, rounded to 0.001 U; null unless the rate is known all along.</summary>
    public decimal? Delivered(DateTimeOffset from, DateTimeOffset to)
    {
        if (_stretches.Count == 0 || from < _stretches[0].From || to > _stretches[^1].To)
        {
            return null;
        }

        // Sum rate × ticks and divide once: exact for every whole-hour stretch, one rounding otherwise.
        var unitTicks = 0m;
        var first = FirstEndingAfter(from);
        for (var i = first; i < _stretches.Count && _stretches[i].From < to; i++)
        {
            var stretch = _stretches[i];
            var start = stretch.From > from ? stretch.From : from;
            var end = stretch.To < to ? stretch.To : to;
            if (end <= start)
            {
                continue;
            }

            if (stretch.UnitsPerHour is not { } rate)
            {
                return null;
            }

            unitTicks += rate * (end - start).Ticks;
        }

        return Math.Round(unitTicks / TimeSpan.TicksPerHour, 3, MidpointRounding.AwayFromZero);
    }

    private int FirstEndingAfter(DateTimeOffset instant)
    {
        int low = 0, high = _stretches.Count;
        while (low < high)
        {
            var middle = (low + high) / 2;
            if (_stretches[middle].To <= instant)
            {
                low = middle + 1;
            }
            else
            {
                high = middle;
            }
        }

        return low;
    }

    private static bool IsDelivery(TelemetryEvent e) =>
        e is ScheduledBasal or TemporaryBasal or DeliveryStateChange or Bolus or PumpMaintenance or DailyInsulinTotal;
}

/// <summary>
/// The insulin summary of a period. Means are over <see cref="Days"/> (whole clinic-local days inside the
/// period): TotalDailyDose over all of them, BasalPerDay and BolusPerDay over those with that part known.
/// </summary>
/// <param name="Days">Each whole clinic-local day of the period with a pump total or a fully known basal, in order.</param>
/// <param name="TotalDailyDose">Mean daily total; null without days.</param>
/// <param name="BasalPerDay">Mean daily basal over the days whose basal is known.</param>
/// <param name="BolusPerDay">Mean daily bolus over the days whose bolus is known.</param>
/// <param name="BasalPercent">Basal over total × 100, on the days whose basal is known.</param>
/// <param name="Boluses">Bolus events in the period.</param>
/// <param name="BolusesPerDay">Boluses over the period's length in days.</param>
/// <param name="TemporaryBasals">TemporaryBasal Started events in the period.</param>
/// <param name="Suspensions">Suspend → resume intervals that touch the period.</param>
/// <param name="SuspendedTime">Those intervals clipped to the period; an open suspension runs to the period's end.</param>
/// <param name="SetChanges">Set changes (see <see cref="Clinical.SetChanges.Find"/>) that began in the period.</param>
public sealed record InsulinSummary(
    IReadOnlyList<DailyInsulin> Days,
    decimal? TotalDailyDose,
    decimal? BasalPerDay,
    decimal? BolusPerDay,
    double? BasalPercent,
    int Boluses,
    double BolusesPerDay,
    int TemporaryBasals,
    int Suspensions,
    TimeSpan SuspendedTime,
    int SetChanges);

/// <summary>One clinic-local day's insulin. Basal and Bolus are null where the pump's total gives no split.</summary>
public sealed record DailyInsulin(DateOnly Day, decimal? Basal, decimal? Bolus, decimal Total, DailyInsulinSource Source);

public enum DailyInsulinSource
{
    /// <summary>The pump's own daily total.</summary>
    PumpTotal = 1,

    /// <summary>Computed here: the basal integral plus the day's boluses.</summary>
    Computed = 2,
}
