namespace PumpGateway.Fakes.Scenario;

/// <summary>
/// The engine behind <see cref="Wearer"/>: a pump wearer simulated second by second on one time
/// axis. Everything random is drawn in the order things happen and nothing looks at where the
/// simulation will stop, so a longer run starts with exactly the events of a shorter one and a
/// run continued live equals a longer one. Thread-safe: emulators may advance and read it from
/// their own tasks.
/// </summary>
internal sealed partial class WearerSimulation
{
    private readonly Lock _gate = new();
    private readonly TherapyScenarioOptions _options;
    private readonly PriorityQueue<Action, (long Ticks, long Order)> _agenda = new();

    /// <summary>Draws made when a day, a set or a sensor is planned.</summary>
    private readonly Random _plan;

    /// <summary>Draws made in reaction to what happens (delays, amounts).</summary>
    private readonly Random _chance;

    private readonly MealPlan _meals;
    private readonly Physiology _body;

    private readonly List<TherapyEvent> _events = [];
    private readonly List<InsulinDelivery> _deliveries = [];
    private readonly List<GlucoseSample> _samples = [];
    private readonly List<CgmEvent> _cgmEvents = [];
    private readonly List<GlucoseSample> _readings = [];
    private readonly List<WearerActivity> _diary = [];

    private TherapyEvent[]? _eventsSnapshot;
    private InsulinDelivery[]? _deliveriesSnapshot;
    private CgmEvent[]? _cgmEventsSnapshot;
    private GlucoseSample[]? _readingsSnapshot;
    private WearerActivity[]? _diarySnapshot;

    private long _agendaOrder;
    private DateTime _now;
    private DateTime _nextPlanning;
    private DateTime _nextSample;
    private TimeSpan _clockOffset;
    private long _sequence;
    private long _cgmSequence;

    public WearerSimulation(TherapyScenarioOptions options)
    {
        options.Validate();
        _options = options;
        _plan = new Random(unchecked((options.Seed * 7919) + 17));
        _chance = new Random(unchecked((options.Seed * 104729) + 31));
        _meals = new MealPlan(options.Seed, options.Start, options.MealsPerDay);
        _now = _nextPlanning = _nextSample = options.Start;
        _body = new Physiology(
            new Random(unchecked((options.Seed * 15485863) + 7)),
            130,
            (double)options.SensitivityMgDlPerUnit,
            (double)options.CarbRatioGramsPerUnit,
            (double)options.BasalRates[options.Start.Hour]);
        InitialisePump();
        At(options.Start, StartSensorSession);
        foreach (var alarm in options.ScriptedAlarms.Where(a => a.Time >= options.Start))
        {
            At(alarm.Time, () => RaiseWithConsequence(alarm.Kind, alarm.Lasting ?? TypicalLasting(alarm.Kind), alarm.Detected));
        }
    }

    public TherapyScenarioOptions Options => _options;

    /// <summary>The first second not yet simulated, on the scenario's axis.</summary>
    public DateTime Now
    {
        get
        {
            lock (_gate)
            {
                return _now;
            }
        }
    }

    /// <summary>The pump clock now.</summary>
    private DateTime DeviceNow => _now + _clockOffset;

    /// <summary>Simulates every second before <paramref name="until"/>; returns the therapy events that produced.</summary>
    public IReadOnlyList<TherapyEvent> AdvanceTo(DateTime until)
    {
        lock (_gate)
        {
            var first = _events.Count;
            Run(until);
            return _events.GetRange(first, _events.Count - first);
        }
    }

    public IReadOnlyList<TherapyEvent> Events()
    {
        lock (_gate)
        {
            return Snapshot(_events, ref _eventsSnapshot);
        }
    }

    public IReadOnlyList<InsulinDelivery> Deliveries()
    {
        lock (_gate)
        {
            return Snapshot(_deliveries, ref _deliveriesSnapshot);
        }
    }

    public IReadOnlyList<CgmEvent> CgmEvents()
    {
        lock (_gate)
        {
            return Snapshot(_cgmEvents, ref _cgmEventsSnapshot);
        }
    }

    public IReadOnlyList<GlucoseSample> Readings()
    {
        lock (_gate)
        {
            return Snapshot(_readings, ref _readingsSnapshot);
        }
    }

    public IReadOnlyList<WearerActivity> Diary()
    {
        lock (_gate)
        {
            return Snapshot(_diary, ref _diarySnapshot);
        }
    }

    public IReadOnlyList<MealEntry> PlannedMeals(DateTime end)
    {
        lock (_gate)
        {
            return _meals.Until(end);
        }
    }

    /// <summary>The glucose sample of the given index (every interval from the start), simulating up to it if needed.</summary>
    public GlucoseSample GlucoseSample(int index)
    {
        lock (_gate)
        {
            while (_samples.Count <= index)
            {
                Run(_nextSample.AddSeconds(1));
            }

            return _samples[index];
        }
    }

    private static T[] Snapshot<T>(List<T> list, ref T[]? cache)
    {
        if (cache is null || cache.Length != list.Count)
        {
            cache = [.. list];
        }

        return cache;
    }

    private void Run(DateTime until)
    {
        while (_now < until)
        {
            Tick();
            _now = _now.AddSeconds(1);
        }
    }

    private void Tick()
    {
        if (_now >= _nextPlanning)
        {
            PlanDay(_now.Date);
            _nextPlanning = _now.Date.AddDays(1);
        }

        CloseDay();
        while (_agenda.TryPeek(out var action, out var when) && when.Ticks <= _now.Ticks)
        {
            _agenda.Dequeue();
            action();
        }

        if (_now.Second == 0 && _now > _options.Start)
        {
            LiveOneMinute();
            UpdateBattery();
        }

        if (_now == _nextSample)
        {
            Sample();
            _nextSample += _options.GlucoseInterval;
        }

        SyncBasal();
        Deliver();
        SyncBasal();
    }

    /// <summary>Runs <paramref name="action"/> at <paramref name="time"/> (now, if that has passed); same-time actions run in the order given.</summary>
    private void At(DateTime time, Action action)
    {
        var ticks = Math.Max(time.Ticks, _now.Ticks);
        _agenda.Enqueue(action, (ticks - (ticks % TimeSpan.TicksPerSecond), ++_agendaOrder));
    }

    private long Next() => ++_sequence;

    private void Emit(TherapyEvent therapyEvent) => _events.Add(therapyEvent);

    private void EmitCgm(Func<long, CgmEvent> create) => _cgmEvents.Add(create(++_cgmSequence));

    private static double Gaussian(Random random) => Physiology.Gaussian(random);

    private static bool Chance(Random random, double probability) => random.NextDouble() < probability;

    private static TimeSpan Between(Random random, TimeSpan low, TimeSpan high) =>
        TimeSpan.FromSeconds(Math.Round(low.TotalSeconds + (random.NextDouble() * (high - low).TotalSeconds)));

    private static TimeSpan Minutes(Random random, double low, double high) => Between(random, TimeSpan.FromMinutes(low), TimeSpan.FromMinutes(high));

    private static decimal Floor(decimal value, decimal step) => Math.Floor(value / step) * step;

    /// <summary>The wearer is up: actions that need a decision wait for the morning.</summary>
    private static bool Awake(DateTime time) => time.Hour is >= 7 and < 23;
}
