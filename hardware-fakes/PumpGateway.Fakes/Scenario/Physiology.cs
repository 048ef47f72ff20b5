namespace PumpGateway.Fakes.Scenario;

internal enum CarbSpeed
{
    /// <summary>Glucose tablets, juice: most of it in within 40 minutes.</summary>
    Rapid = 1,
    Normal = 2,

    /// <summary>Fat and protein slow a meal to hours.</summary>
    Slow = 3,
}

/// <summary>
/// A minute-by-minute glucose model of a person without insulin of their own, in the spirit of
/// the compartment models of the artificial-pancreas literature, kept small:
/// rapid insulin absorbs through two subcutaneous compartments (peak action near 55 minutes),
/// carbohydrate through two gut compartments per speed; the liver releases glucose that basal
/// insulin must cover and releases more when insulin runs short (unopposed glucagon), so an
/// interruption makes glucose climb tens of mg/dL an hour once the insulin on board has gone.
/// What a fingerstick sees adds a slow unexplained drift; a sensor adds its own noise.
/// </summary>
internal sealed class Physiology
{
    private const double InsulinPeakMinutes = 55;

    /// <summary>Glucose the liver adds at full insulin deficiency, as a share above what basal covers.</summary>
    private const double DeficiencyGain = 0.7;

    /// <summary>Slow return towards a resting level (renal loss above, counter-regulation below).</summary>
    private const double Effectiveness = 0.0015;

    private readonly Random _random;
    private readonly double _sensitivity;
    private readonly double _carbEffect;
    private readonly CarbDepot[] _carbs = [new(20), new(40), new(80)];
    private double _glucose;
    private double _depot;
    private double _plasma;
    private double _drift;
    private double _sensorNoise;
    private double _resistance = 1;

    public Physiology(Random random, double glucose, double sensitivityMgDlPerUnit, double carbRatioGramsPerUnit, double basalUnitsPerHour)
    {
        _random = random;
        _glucose = glucose;
        _sensitivity = sensitivityMgDlPerUnit;
        _carbEffect = sensitivityMgDlPerUnit / carbRatioGramsPerUnit;

        // Start in the steady state of the basal being delivered, so there is no first-hour transient.
        _depot = _plasma = basalUnitsPerHour / 60 * InsulinPeakMinutes;
    }

    /// <summary>What a fingerstick would measure now.</summary>
    public double TrueGlucose => _glucose + _drift;

    /// <summary>What a sensor reads now.</summary>
    public double SensorGlucose => TrueGlucose + _sensorNoise;

    public void Eat(int grams, CarbSpeed speed) => _carbs[(int)speed - 1].Add(grams);

    /// <summary>
    /// Advances one minute. <paramref name="insulinUnits"/> reached the tissue during it;
    /// <paramref name="needUnitsPerHour"/> is the basal the liver's output calls for now.
    /// </summary>
    public void StepMinute(double insulinUnits, double needUnitsPerHour, bool exercising)
    {
        _depot += insulinUnits;
        var absorbed = _depot / InsulinPeakMinutes;
        var action = _plasma / InsulinPeakMinutes;
        _depot -= absorbed;
        _plasma += absorbed - action;

        var need = needUnitsPerHour / 60;
        var deficiency = need > 0 ? Math.Clamp(1 - (action / need), 0, 1) : 0;
        var liver = _sensitivity * need * (1 + (DeficiencyGain * deficiency));

        // Exercise raises insulin sensitivity and takes up glucose on its own.
        var insulin = _sensitivity / _resistance * action * (exercising ? 1.25 : 1);
        var uptake = exercising ? 0.3 : 0;
        var carbs = _carbEffect * _carbs.Sum(depot => depot.Step());
        var rest = -Effectiveness * (_glucose - 120);
        var counter = _glucose < 70 ? (70 - _glucose) * 0.03 : 0;
        _glucose = Math.Max(30, _glucose + liver - insulin - uptake + carbs + rest + counter);

        _drift = Ornstein(_drift, 0, 15, 90);
        _sensorNoise = Ornstein(_sensorNoise, 0, 5, 15);
        _resistance = Ornstein(_resistance, 1, 0.08, 24 * 60);
    }

    /// <summary>A standard normal draw (Box-Muller).</summary>
    public static double Gaussian(Random random)
    {
        var u1 = 1.0 - random.NextDouble();
        var u2 = random.NextDouble();
        return Math.Sqrt(-2.0 * Math.Log(u1)) * Math.Sin(2.0 * Math.PI * u2);
    }

    /// <summary>One minute of mean-reverting noise with the given spread and time constant.</summary>
    private double Ornstein(double value, double mean, double spread, double minutes)
    {
        var theta = 1 / minutes;
        return value - (theta * (value - mean)) + (spread * Math.Sqrt(2 * theta) * Gaussian(_random));
    }

    private sealed class CarbDepot(double peakMinutes)
    {
        private double _gut;
        private double _absorbing;

        public void Add(double grams) => _gut += grams;

        /// <summary>One minute; returns the grams that appeared in the blood.</summary>
        public double Step()
        {
            var moved = _gut / peakMinutes;
            var appeared = _absorbing / peakMinutes;
            _gut -= moved;
            _absorbing += moved - appeared;
            return appeared;
        }
    }
}
