namespace PumpGateway.Fakes.Scenario;

/// <summary>
/// A deterministic pump wearer's therapy as the pump records it: basal rate changes, temporary
/// basals, boluses, suspensions, set changes, reservoir and battery, alarms, daily totals and
/// clock changes (see <see cref="TherapyEvent"/>). The same options give the same events; a longer
/// scenario starts with exactly the events of a shorter one; <see cref="AdvanceTo"/> continues
/// it live and yields what a longer scenario would have. <see cref="Wearer"/> gives the same
/// wearer's glucose and CGM sessions.
/// </summary>
public sealed class TherapyScenario
{
    private readonly WearerSimulation _simulation;

    /// <summary>Simulates the wearer over the options' duration.</summary>
    public TherapyScenario(TherapyScenarioOptions options)
        : this(new WearerSimulation(options))
    {
        _simulation.AdvanceTo(options.Start + options.Duration);
    }

    internal TherapyScenario(WearerSimulation simulation) => _simulation = simulation;

    public TherapyScenarioOptions Options => _simulation.Options;

    /// <summary>The first second not yet simulated, on the scenario's axis (the pump clock as it stood at the start).</summary>
    public DateTime Now => _simulation.Now;

    /// <summary>Every event so far, by sequence (a snapshot).</summary>
    public IReadOnlyList<TherapyEvent> Events => _simulation.Events();

    /// <summary>Every pulse that left the reservoir so far, merged between consecutive events: the ground truth of the balances.</summary>
    public IReadOnlyList<InsulinDelivery> Deliveries => _simulation.Deliveries();

    /// <summary>The pump now: what an emulator answers to a status read.</summary>
    public PumpStatus Status => _simulation.Status();

    /// <summary>Continues the same wearer up to <paramref name="until"/> (exclusive); returns the new events.</summary>
    public IReadOnlyList<TherapyEvent> AdvanceTo(DateTime until) => _simulation.AdvanceTo(until);
}
