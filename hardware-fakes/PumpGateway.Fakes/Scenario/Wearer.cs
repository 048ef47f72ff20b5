namespace PumpGateway.Fakes.Scenario;

/// <summary>
/// One simulated pump wearer whose glucose follows the therapy: the meals of the glucose scenario
/// with their boluses, insulin absorbed from what the pump delivers, exercise under a temporary
/// basal, glucose climbing when delivery fails. Its views share one simulation: advancing any
/// advances all, and each stays deterministic and extensible like its parts.
/// </summary>
public sealed class Wearer
{
    private readonly WearerSimulation _simulation;

    public Wearer(TherapyScenarioOptions options)
    {
        _simulation = new WearerSimulation(options);
        _simulation.AdvanceTo(options.Start + options.Duration);
        Therapy = new TherapyScenario(_simulation);
        Cgm = new CgmScenario(_simulation);
        Glucose = new GlucoseScenario(
            new GlucoseScenarioOptions
            {
                Seed = options.Seed,
                Start = options.Start,
                Duration = options.Duration,
                Interval = options.GlucoseInterval,
                MealsPerDay = options.MealsPerDay,
                CalibrationsPerDay = options.CalibrationsPerDay,
                SensorSession = options.SensorSession,
            },
            _simulation);
    }

    public TherapyScenarioOptions Options => _simulation.Options;

    /// <summary>The pump's view: events, deliveries, status.</summary>
    public TherapyScenario Therapy { get; }

    /// <summary>The sensor glucose every interval from the start, gap-free (what the Dexcom emulator serves), and the planned meals.</summary>
    public GlucoseScenario Glucose { get; }

    /// <summary>The sensor sessions: warm-ups, calibrations, readings.</summary>
    public CgmScenario Cgm { get; }

    /// <summary>What the wearer ate, exercised and suffered so far: the ground truth behind the glucose.</summary>
    public IReadOnlyList<WearerActivity> Diary => _simulation.Diary();

    /// <summary>The first second not yet simulated.</summary>
    public DateTime Now => _simulation.Now;

    /// <summary>Continues the wearer up to <paramref name="until"/>.</summary>
    public void AdvanceTo(DateTime until) => _simulation.AdvanceTo(until);
}
