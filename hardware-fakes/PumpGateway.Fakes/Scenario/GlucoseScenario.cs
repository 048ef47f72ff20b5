namespace PumpGateway.Fakes.Scenario;

/// <summary>The knobs of a generated wearer: how long, how variable, how often things happen.</summary>
public sealed record GlucoseScenarioOptions
{
    public int Seed { get; init; } = 1;

    /// <summary>The first reading's time, on the device clock.</summary>
    public required DateTime Start { get; init; }

    public TimeSpan Duration { get; init; } = TimeSpan.FromDays(3);

    public TimeSpan Interval { get; init; } = TimeSpan.FromMinutes(5);

    public double BaselineMgDl { get; init; } = 140;

    /// <summary>Carbohydrate meals a day, at roughly 7:30, 12:30 and 19:30.</summary>
    public int MealsPerDay { get; init; } = 3;

    public int CalibrationsPerDay { get; init; } = 2;

    /// <summary>A G4 sensor is worn 7 days; a new session starts with an insertion record.</summary>
    public TimeSpan SensorSession { get; init; } = TimeSpan.FromDays(7);
}

/// <summary>One CGM sample of the scenario.</summary>
public readonly record struct GlucoseSample(DateTime Time, int MgDl, double RateMgDlPerMin);

public readonly record struct MealEntry(DateTime Time, int CarbGrams);

/// <summary>
/// A deterministic wearer's glucose: a circadian baseline with a dawn rise, meal excursions that
/// peak about an hour after eating and settle over three, and mean-reverting noise
/// (Ornstein-Uhlenbeck), clamped to a G4's 40-400 mg/dL. The same seed gives the same wearer,
/// and a longer scenario starts with exactly the samples of a shorter one.
/// <see cref="Wearer.Glucose"/> is the same view of a wearer whose glucose follows its pump therapy.
/// </summary>
public sealed class GlucoseScenario
{
    private readonly GlucoseScenarioOptions _options;
    private readonly Random _random;
    private readonly WearerSimulation? _wearer;
    private double _noise;
    private DateTime _next;
    private int _taken;

    public GlucoseScenario(GlucoseScenarioOptions options)
    {
        _options = options;
        _random = new Random(options.Seed);
        _next = options.Start;
        Meals = new MealPlan(options.Seed, options.Start, options.MealsPerDay).Until(options.Start + options.Duration + TimeSpan.FromDays(365));
        History = [.. Take((int)(options.Duration / options.Interval))];
    }

    /// <summary>The glucose of a coupled wearer: samples come from its simulation, meals from the same plan.</summary>
    internal GlucoseScenario(GlucoseScenarioOptions options, WearerSimulation wearer)
    {
        _options = options;
        _random = new Random(options.Seed);
        _wearer = wearer;
        Meals = wearer.PlannedMeals(options.Start + options.Duration + TimeSpan.FromDays(365));
        History = [.. Take((int)(options.Duration / options.Interval))];
    }

    /// <summary>The samples of the scenario's duration.</summary>
    public IReadOnlyList<GlucoseSample> History { get; }

    /// <summary>Meals (a year past the history, so live samples have meals too).</summary>
    public IReadOnlyList<MealEntry> Meals { get; }

    public GlucoseScenarioOptions Options => _options;

    /// <summary>The samples after the last one taken, continuing the same wearer.</summary>
    public IEnumerable<GlucoseSample> Take(int count)
    {
        var samples = new GlucoseSample[count];
        for (var i = 0; i < count; i++)
        {
            samples[i] = NextSample();
        }

        return samples;
    }

    public GlucoseSample NextSample()
    {
        if (_wearer is not null)
        {
            return _wearer.GlucoseSample(_taken++);
        }

        var time = _next;
        _next += _options.Interval;

        // Mean-reverting noise: a time constant of about 40 minutes, a spread of about 25 mg/dL.
        var step = _options.Interval.TotalMinutes;
        var theta = step / 40.0;
        _noise += (-theta * _noise) + (25.0 * Math.Sqrt(2 * theta) * Gaussian());
        var value = Math.Clamp(TrueGlucose(time) + _noise, 40, 400);
        var rate = (TrueGlucose(time) - TrueGlucose(time - TimeSpan.FromMinutes(15))) / 15.0;
        return new GlucoseSample(time, (int)Math.Round(value), rate);
    }

    private double TrueGlucose(DateTime time)
    {
        var hour = time.TimeOfDay.TotalHours;

        // Dawn phenomenon: a rise of about 30 mg/dL peaking near 7:00.
        var circadian = 30 * Math.Exp(-Math.Pow(hour - 7, 2) / 4) - (10 * Math.Cos((hour - 3) / 24 * 2 * Math.PI));
        var meals = 0.0;
        foreach (var meal in Meals)
        {
            var minutes = (time - meal.Time).TotalMinutes;
            if (minutes < 0)
            {
                break;
            }

            if (minutes < 300)
            {
                // A gamma-shaped excursion: about 1.6 mg/dL per gram at its peak an hour in.
                var t = minutes / 60.0;
                meals += meal.CarbGrams * 1.6 * t * Math.Exp(1 - t);
            }
        }

        return _options.BaselineMgDl + circadian + meals;
    }

    private double Gaussian()
    {
        // Box-Muller.
        var u1 = 1.0 - _random.NextDouble();
        var u2 = _random.NextDouble();
        return Math.Sqrt(-2.0 * Math.Log(u1)) * Math.Sin(2.0 * Math.PI * u2);
    }
}
