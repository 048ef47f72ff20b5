using System.Globalization;
using Proto = PumpGateway.Api.V1;

namespace PumpGateway.Cli.Commands.Report;

/// <summary>From this instant on, the pump delivered basal at this rate (IU/h); null while the rate is unknown.</summary>
internal readonly record struct BasalStep(DateTimeOffset From, double? UnitsPerHour);

/// <summary>
/// The basal rate the pump delivered over time, from its events: the scheduled rate, overridden
/// by a temporary basal (absolute, or a percent of the scheduled rate) while it runs, and zero
/// while delivery is suspended.
/// </summary>
internal static class BasalTimeline
{
    /// <summary>The steps in time order, one per change of the delivered rate. Events need not be sorted.</summary>
    public static IReadOnlyList<BasalStep> Build(IEnumerable<Proto.TelemetryEvent> events)
    {
        var state = new State();
        var steps = new List<BasalStep>();
        foreach (var e in events.Where(e => e.UtcTime is not null).OrderBy(e => e.UtcTime.ToDateTimeOffset()).ThenBy(e => e.Sequence))
        {
            var time = e.UtcTime.ToDateTimeOffset();

            // A temporary basal that ran its programmed time without an end event ends by itself.
            if (state.TemporaryUntil is { } until && until <= time)
            {
                state.EndTemporary();
                Append(steps, until, state.Rate);
            }

            switch (e.DetailCase)
            {
                case Proto.TelemetryEvent.DetailOneofCase.ScheduledBasal:
                    state.Scheduled = Units(e.ScheduledBasal.UnitsPerHour);
                    break;
                case Proto.TelemetryEvent.DetailOneofCase.TemporaryBasal:
                    state.Apply(e.TemporaryBasal, time);
                    break;
                case Proto.TelemetryEvent.DetailOneofCase.DeliveryState:
                    state.Suspended = e.DeliveryState.Suspended;
                    break;
                default:
                    continue;
            }

            Append(steps, time, state.Rate);
        }

        if (state.TemporaryUntil is { } last)
        {
            state.EndTemporary();
            Append(steps, last, state.Rate);
        }

        return steps;
    }

    /// <summary>The rate in force at an instant: that of the last step at or before it.</summary>
    public static double? RateAt(IReadOnlyList<BasalStep> steps, DateTimeOffset time)
    {
        double? rate = null;
        foreach (var step in steps)
        {
            if (step.From > time)
            {
                break;
            }

            rate = step.UnitsPerHour;
        }

        return rate;
    }

    private static void Append(List<BasalStep> steps, DateTimeOffset time, double? rate)
    {
        if (steps.Count > 0 && steps[^1].UnitsPerHour == rate)
        {
            return;
        }

        if (steps.Count > 0 && steps[^1].From == time)
        {
            steps[^1] = new BasalStep(time, rate);
            return;
        }

        steps.Add(new BasalStep(time, rate));
    }

    private static double? Units(string text) =>
        double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var value) && value >= 0 ? value : null;

    private sealed class State
    {
        public double? Scheduled { get; set; }

        public bool Suspended { get; set; }

        private double? TemporaryUnits { get; set; }

        private int? TemporaryPercent { get; set; }

        public DateTimeOffset? TemporaryUntil { get; private set; }

        private bool TemporaryRunning => TemporaryUnits is not null || TemporaryPercent is not null;

        public double? Rate =>
            Suspended ? 0
            : TemporaryUnits is { } units ? units
            : TemporaryPercent is { } percent ? Scheduled * percent / 100.0
            : Scheduled;

        public void Apply(Proto.TemporaryBasal temporary, DateTimeOffset time)
        {
            if (temporary.Phase == Proto.TemporaryBasal.Types.Phase.Ended)
            {
                EndTemporary();
                return;
            }

            if (temporary.Phase == Proto.TemporaryBasal.Types.Phase.DeliveredRateChanged)
            {
                // The pump's delivered rate under the running temporary basal, until that one ends.
                if (TemporaryRunning && temporary.RateCase == Proto.TemporaryBasal.RateOneofCase.UnitsPerHour)
                {
                    (TemporaryUnits, TemporaryPercent) = (Units(temporary.UnitsPerHour), null);
                }

                return;
            }

            // Started or Changed: this rate, from now for its programmed duration (as the gateway's insulin summary counts it).
            (TemporaryUnits, TemporaryPercent) = temporary.RateCase switch
            {
                Proto.TemporaryBasal.RateOneofCase.UnitsPerHour => (Units(temporary.UnitsPerHour), (int?)null),
                Proto.TemporaryBasal.RateOneofCase.Percent => ((double?)null, temporary.Percent),
                _ => (null, null),
            };
            TemporaryUntil = temporary.ProgrammedDuration is { } duration && duration.ToTimeSpan() > TimeSpan.Zero ? time + duration.ToTimeSpan() : null;
            if (TemporaryUntil is null)
            {
                EndTemporary();
            }
        }

        public void EndTemporary()
        {
            TemporaryUnits = null;
            TemporaryPercent = null;
            TemporaryUntil = null;
        }
    }
}
