namespace PumpGateway.Fakes.Scenario;

/// <summary>
/// The wearer's CGM sensor as a CGMS sensor sees it: sessions that start, warm up for two hours
/// without readings, take fingerstick calibrations when the sensor needs them, and end after the
/// session length, a new sensor following; <see cref="Readings"/> are the samples inside the
/// sessions once warmed up.
/// </summary>
public sealed class CgmScenario
{
    private readonly WearerSimulation _simulation;

    internal CgmScenario(WearerSimulation simulation) => _simulation = simulation;

    /// <summary>Session events so far, by sequence (a snapshot).</summary>
    public IReadOnlyList<CgmEvent> Events => _simulation.CgmEvents();

    public IReadOnlyList<GlucoseSample> Readings => _simulation.Readings();

    /// <summary>Continues the wearer (therapy and glucose alike) up to <paramref name="until"/>.</summary>
    public void AdvanceTo(DateTime until) => _simulation.AdvanceTo(until);
}
