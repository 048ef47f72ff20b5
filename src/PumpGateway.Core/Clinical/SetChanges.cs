using PumpGateway.Telemetry;

namespace PumpGateway.Clinical;

/// <summary>
/// Infusion-set changes, which the literature expects every 3 days (3–4 at most). A pump records a
/// set change as several maintenance steps (rewind, fill, prime tubing, prime cannula), so the steps
/// are grouped back into one change.
/// </summary>
public static class SetChanges
{
    /// <summary>How far apart two maintenance steps of the same set change can be.</summary>
    public static readonly TimeSpan MaximumStepGap = TimeSpan.FromMinutes(30);

    /// <summary>
    /// A new infusion set: maintenance (Rewind, ReservoirFilled, TubingPrimed, CannulaPrimed, Primed)
    /// events within 30 minutes of each other are one set change, at the first one's time.
    /// </summary>
    /// <remarks>
    /// "Within 30 minutes of each other" is read step to step: a step at most 30 minutes after the
    /// previous step of a change belongs to that change, so a slow change (rewind 0:00, fill 0:20,
    /// prime 0:45) is one change, not two. Battery changes and clock settings are not set changes.
    /// </remarks>
    public static IReadOnlyList<SetChange> Find(IEnumerable<PumpMaintenance> maintenance)
    {
        ArgumentNullException.ThrowIfNull(maintenance);
        var steps = new List<PumpMaintenance>();
        foreach (var step in maintenance)
        {
            if (step is null)
            {
                throw new ArgumentException("The maintenance events contain a null.", nameof(maintenance));
            }

            if (IsSetChangeStep(step.Action))
            {
                steps.Add(step);
            }
        }

        var changes = new List<SetChange>();
        DateTimeOffset changeStart = default, lastStep = default;
        var evidence = new List<EventId>();
        foreach (var step in steps.OrderBy(s => s.Utc))
        {
            if (evidence.Count > 0 && step.Utc - lastStep > MaximumStepGap)
            {
                changes.Add(new SetChange(changeStart, evidence.ToArray()));
                evidence.Clear();
            }

            if (evidence.Count == 0)
            {
                changeStart = step.Utc;
            }

            evidence.Add(step.Id);
            lastStep = step.Utc;
        }

        if (evidence.Count > 0)
        {
            changes.Add(new SetChange(changeStart, evidence.ToArray()));
        }

        return changes;
    }

    private static bool IsSetChangeStep(PumpMaintenanceAction action) => action is
        PumpMaintenanceAction.Rewind or
        PumpMaintenanceAction.ReservoirFilled or
        PumpMaintenanceAction.TubingPrimed or
        PumpMaintenanceAction.CannulaPrimed or
        PumpMaintenanceAction.Primed;
}

/// <summary>One infusion-set change: when it began and the maintenance events that make it up, in time order.</summary>
public sealed record SetChange(DateTimeOffset Utc, IReadOnlyList<EventId> Evidence);
