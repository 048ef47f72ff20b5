using PumpGateway.Devices.Medtronic;
using PumpGateway.Fakes.Scenario;
using PumpGateway.Protocol;

namespace PumpGateway.Fakes.Medtronic;

/// <summary>
/// A Paradigm pump as the CareLink stick reaches it over the air: addressed by its serial, its
/// radio asleep until a PowerControl keeps it listening for the given minutes, then answering
/// every read command of the codec. Its history is either real pages served verbatim
/// (<see cref="FromPages"/>, <see cref="FromCapture"/>) or pages generated from a therapy scenario
/// and the same wearer's sensor glucose (<see cref="FromScenario"/>, <see cref="FromWearer"/>),
/// continued live by <see cref="AdvanceTo"/> and <see cref="StartLive"/>. It has no code path that
/// changes therapy: the scenario takes nothing but the passing of time.
/// </summary>
public sealed class ParadigmPumpEmulator : IAsyncDisposable
{
    private readonly Lock _gate = new();
    private readonly CancellationTokenSource _stopping = new();
    private readonly IReadOnlyList<ParadigmHistoryPage>? _capturedHistory;
    private readonly SortedList<uint, ParadigmGlucosePage>? _capturedGlucose;
    private readonly ParadigmPumpHistory? _history;
    private readonly ParadigmGlucoseHistory? _glucose;
    private readonly IGlucoseFeed? _glucoseFeed;

    /// <summary>The wearer's clock changes so far: from when (on the scenario's axis) the pump clock reads how far off that axis.</summary>
    private readonly List<(DateTime ScenarioTime, TimeSpan Shift)> _clockShifts = [];
    private DateTimeOffset _awakeUntil;
    private int _recordedEvents;
    private Task _live = Task.CompletedTask;

    private ParadigmPumpEmulator(ParadigmPumpOptions options, MedtronicModel model)
    {
        options.Validate();
        Options = options;
        Model = model;
        _awakeUntil = options.StartAwake ? DateTimeOffset.MaxValue : DateTimeOffset.MinValue;
    }

    private ParadigmPumpEmulator(ParadigmPumpOptions options, MedtronicModel model, IReadOnlyList<byte[]> historyPages, IReadOnlyDictionary<uint, byte[]> glucosePages)
        : this(options, model)
    {
        if (historyPages.Count == 0 || historyPages.Any(p => p.Length != MedtronicPageFrame.PageSize) || glucosePages.Values.Any(p => p.Length != MedtronicPageFrame.PageSize))
        {
            throw new ArgumentException("A pump holds at least one history page; every page is 1024 bytes.", nameof(historyPages));
        }

        _capturedHistory = [.. historyPages.Select((bytes, number) => new ParadigmHistoryPage((uint)number, DecodeOrNull(() => MedtronicPageCodec.Decode(bytes, model).Records.Select(r => new ParadigmHistoryEntry(r, null))), (byte[])bytes.Clone()))];
        _capturedGlucose = new SortedList<uint, ParadigmGlucosePage>(glucosePages.ToDictionary(
            p => p.Key,
            p => new ParadigmGlucosePage(p.Key, DecodeOrNull(() => MedtronicGlucosePageCodec.Decode(p.Value).Entries.Select(e => new ParadigmGlucoseEntry(e.Record, null))), (byte[])p.Value.Clone())));
    }

    private ParadigmPumpEmulator(ParadigmPumpOptions options, TherapyScenario scenario, IGlucoseFeed? glucose)
        : this(options, MedtronicModel.Parse(options.Model))
    {
        Scenario = scenario;
        _history = new ParadigmPumpHistory(Model, scenario.Options, options.MaxHistoryPages);
        _glucose = new ParadigmGlucoseHistory(options.FirstGlucosePage, options.MaxGlucosePages);
        _glucoseFeed = glucose;
        RecordNew();
    }

    public ParadigmPumpOptions Options { get; }

    public string Serial => Options.Serial;

    public MedtronicModel Model { get; }

    /// <summary>The scenario a generated pump records; null for real pages.</summary>
    public TherapyScenario? Scenario { get; }

    /// <summary>Whether the radio listens now (a PowerControl's minutes have not run out).</summary>
    public bool IsAwake
    {
        get
        {
            lock (_gate)
            {
                return Options.Clock.GetUtcNow() < _awakeUntil;
            }
        }
    }

    /// <summary>What ReadCurPageNumber answers: pages rolled over so far.</summary>
    public uint CurrentPageNumber
    {
        get
        {
            lock (_gate)
            {
                return _history?.CurrentPageNumber ?? (uint)(_capturedHistory!.Count - 1);
            }
        }
    }

    /// <summary>What ReadCurGlucosePageNumber answers: the page being written and how many glucose pages are held (no ISIG pages).</summary>
    public ParadigmGlucosePageNumber GlucosePageNumber
    {
        get
        {
            lock (_gate)
            {
                return _glucose is { } glucose
                    ? new ParadigmGlucosePageNumber(glucose.CurrentPageNumber, (byte)glucose.PageNumbers.Count, 0)
                    : new ParadigmGlucosePageNumber(_capturedGlucose!.Count > 0 ? _capturedGlucose.Keys[^1] : 0, (byte)_capturedGlucose.Count, 0);
            }
        }
    }

    /// <summary>Ground truth: the history pages as served now, index = page number (0 the newest).</summary>
    public IReadOnlyList<ParadigmHistoryPage> HistoryPages
    {
        get
        {
            lock (_gate)
            {
                return _history is { } history
                    ? [.. Enumerable.Range(0, history.PageCount).Select(n => new ParadigmHistoryPage((uint)n, history.Entries(n), history.Encode(n)))]
                    : _capturedHistory!;
            }
        }
    }

    /// <summary>Ground truth: the glucose pages as served now, oldest (lowest number) first.</summary>
    public IReadOnlyList<ParadigmGlucosePage> GlucosePages
    {
        get
        {
            lock (_gate)
            {
                return _glucose is { } glucose
                    ? [.. glucose.PageNumbers.Select(n => new ParadigmGlucosePage(n, glucose.Entries(n), glucose.Encode(n)!))]
                    : [.. _capturedGlucose!.Values];
            }
        }
    }

    /// <summary>A pump serving real pages as they were read: history page n at index n, glucose pages by their number.</summary>
    public static ParadigmPumpEmulator FromPages(MedtronicModel model, IReadOnlyList<byte[]> historyPages, IReadOnlyDictionary<uint, byte[]> glucosePages, ParadigmPumpOptions options)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(historyPages);
        ArgumentNullException.ThrowIfNull(glucosePages);
        ArgumentNullException.ThrowIfNull(options);
        return new ParadigmPumpEmulator(options with { Model = model.Number }, model, historyPages, glucosePages);
    }

    /// <summary>
    /// A pump serving the pages decocare saved beside a download: <c>ReadHistoryData-page-N.data</c>
    /// for N = 0, 1, … without a gap, and any <c>ReadGlucoseHistory-page-N.data</c>.
    /// </summary>
    public static ParadigmPumpEmulator FromCapture(string directory, MedtronicModel model, ParadigmPumpOptions options)
    {
        ArgumentNullException.ThrowIfNull(directory);
        var history = new List<byte[]>();
        for (var page = 0; File.Exists(Path.Combine(directory, $"ReadHistoryData-page-{page}.data")); page++)
        {
            history.Add(File.ReadAllBytes(Path.Combine(directory, $"ReadHistoryData-page-{page}.data")));
        }

        var glucose = new Dictionary<uint, byte[]>();
        foreach (var file in Directory.EnumerateFiles(directory, "ReadGlucoseHistory-page-*.data"))
        {
            var name = Path.GetFileNameWithoutExtension(file);
            if (uint.TryParse(name.AsSpan(name.LastIndexOf('-') + 1), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var number))
            {
                glucose[number] = File.ReadAllBytes(file);
            }
        }

        return FromPages(model, history, glucose, options);
    }

    /// <summary>A pump recording a therapy scenario, with glucose pages from a glucose scenario when one is given.</summary>
    public static ParadigmPumpEmulator FromScenario(TherapyScenario therapy, GlucoseScenario? glucose = null, ParadigmPumpOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(therapy);
        return new ParadigmPumpEmulator(options ?? new ParadigmPumpOptions(), therapy, glucose is null ? null : new ScenarioGlucoseFeed(glucose));
    }

    /// <summary>A pump worn by <paramref name="wearer"/>: its therapy, and its CGM sessions' readings as the integrated sensor's glucose pages.</summary>
    public static ParadigmPumpEmulator FromWearer(Wearer wearer, ParadigmPumpOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(wearer);
        return new ParadigmPumpEmulator(options ?? new ParadigmPumpOptions(), wearer.Therapy, new CgmGlucoseFeed(wearer.Cgm));
    }

    /// <summary>The pump's clock now: true UTC plus <see cref="ParadigmPumpOptions.ClockOffset"/>, whole seconds, no zone.</summary>
    public DateTime PumpNow()
    {
        var now = Options.Clock.GetUtcNow().UtcDateTime + Options.ClockOffset;
        return new DateTime(now.Ticks - (now.Ticks % TimeSpan.TicksPerSecond), DateTimeKind.Unspecified);
    }

    /// <summary>Ground truth of one history page as served now; null when the pump does not hold it.</summary>
    public ParadigmHistoryPage? HistoryPage(uint number)
    {
        lock (_gate)
        {
            if (_history is { } history)
            {
                return number < history.PageCount ? new ParadigmHistoryPage(number, history.Entries((int)number), history.Encode((int)number)) : null;
            }

            return number < _capturedHistory!.Count ? _capturedHistory[(int)number] : null;
        }
    }

    /// <summary>Ground truth of one glucose page as served now; null when the pump does not hold it.</summary>
    public ParadigmGlucosePage? GlucosePage(uint number)
    {
        lock (_gate)
        {
            if (_glucose is { } glucose)
            {
                return glucose.Encode(number) is { } bytes ? new ParadigmGlucosePage(number, glucose.Entries(number), bytes) : null;
            }

            return _capturedGlucose!.GetValueOrDefault(number);
        }
    }

    /// <summary>
    /// Continues the scenario up to <paramref name="scenarioTime"/> (on its axis) and records what
    /// happened: new records go to page 0, which rolls over when full. Returns the history records
    /// written or rewritten. The live loop calls it as the real clock runs.
    /// </summary>
    public IReadOnlyList<ParadigmHistoryEntry> AdvanceTo(DateTime scenarioTime)
    {
        lock (_gate)
        {
            var scenario = Scenario ?? throw new InvalidOperationException("A pump serving real pages has no scenario to advance.");
            scenario.AdvanceTo(scenarioTime);
            return RecordNew();
        }
    }

    /// <summary>Keeps the scenario at the real clock times <see cref="ParadigmPumpOptions.TimeScale"/>, from where it stands now.</summary>
    public void StartLive()
    {
        var scenario = Scenario ?? throw new InvalidOperationException("A pump serving real pages has no scenario to run.");
        if (!_live.IsCompleted)
        {
            throw new InvalidOperationException("The pump already runs live.");
        }

        _live = Task.Run(async () =>
        {
            var from = scenario.Now;
            var started = Options.Clock.GetTimestamp();
            using var timer = new PeriodicTimer(Options.LiveTick, Options.Clock);
            try
            {
                while (await timer.WaitForNextTickAsync(_stopping.Token))
                {
                    var seconds = Math.Floor(Options.Clock.GetElapsedTime(started).TotalSeconds * Options.TimeScale);
                    AdvanceTo(from.AddSeconds(seconds));
                }
            }
            catch (OperationCanceledException)
            {
            }
        });
    }

    /// <summary>
    /// What the pump does with a command that reached it over the air. Another serial, or a sleeping
    /// radio, gets nothing; PowerControl keeps the radio listening for its minutes and has no data.
    /// </summary>
    public ParadigmAnswer Answer(ParadigmCommand command)
    {
        ArgumentNullException.ThrowIfNull(command);
        lock (_gate)
        {
            if (command.PumpSerial != Serial)
            {
                return ParadigmAnswer.None;
            }

            var now = Options.Clock.GetUtcNow();
            if (command.Code == ParadigmCommandCode.PowerControl)
            {
                _awakeUntil = now + TimeSpan.FromMinutes(command.RadioOnMinutes);
                return ParadigmAnswer.Of([]);
            }

            if (now >= _awakeUntil)
            {
                return ParadigmAnswer.None;
            }

            return command.Code switch
            {
                ParadigmCommandCode.ReadPumpModel => ParadigmAnswer.Of(ParadigmReplies.EncodePumpModel(Model.Number)),
                ParadigmCommandCode.ReadRtc => ParadigmAnswer.Of(ParadigmReplies.EncodeRtc(PumpNow())),
                ParadigmCommandCode.ReadPumpId => ParadigmAnswer.Of(ParadigmReplies.EncodePumpId(Serial)),
                ParadigmCommandCode.ReadBatteryStatus => ParadigmAnswer.Of(ParadigmReplies.EncodeBatteryStatus(Battery())),
                ParadigmCommandCode.ReadRemainingInsulin => ParadigmAnswer.Of(ParadigmReplies.EncodeRemainingInsulin(RemainingInsulin(), Model.StrokesPerUnit)),
                ParadigmCommandCode.ReadFirmwareVersion => ParadigmAnswer.Of(ParadigmReplies.EncodeFirmwareVersion(Options.FirmwareVersion)),
                ParadigmCommandCode.ReadErrorStatus => ParadigmAnswer.Of(ParadigmReplies.EncodeErrorStatus(_history?.ActiveAlarmCode ?? Options.ErrorStatus)),
                ParadigmCommandCode.ReadCurPageNumber => ParadigmAnswer.Of(ParadigmReplies.EncodeCurrentPageNumber(CurrentPageNumber)),
                ParadigmCommandCode.ReadHistoryData => HistoryPage(command.Page) is { } page ? ParadigmAnswer.Of(ParadigmReplies.EncodePage(page.Bytes)) : ParadigmAnswer.Nak,
                ParadigmCommandCode.ReadCurGlucosePageNumber => ParadigmAnswer.Of(ParadigmReplies.EncodeCurrentGlucosePageNumber(GlucosePageNumber)),
                ParadigmCommandCode.ReadGlucoseHistory => GlucosePage(command.Page) is { } glucose ? ParadigmAnswer.Of(ParadigmReplies.EncodePage(glucose.Bytes)) : ParadigmAnswer.Nak,
                _ => ParadigmAnswer.Nak,
            };
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stopping.CancelAsync();
        await _live.WaitAsync(TimeSpan.FromSeconds(10)).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        _stopping.Dispose();
    }

    private static IReadOnlyList<T>? DecodeOrNull<T>(Func<IEnumerable<T>> decode)
    {
        try
        {
            return [.. decode()];
        }
        catch (ProtocolException)
        {
            return null;
        }
    }

    private List<ParadigmHistoryEntry> RecordNew()
    {
        var written = new List<ParadigmHistoryEntry>();
        var events = Scenario!.Events;
        for (; _recordedEvents < events.Count; _recordedEvents++)
        {
            written.AddRange(_history!.Record(events[_recordedEvents]));
            if (events[_recordedEvents] is ClockChanged change)
            {
                // The change happened at its old pump time, which is the scenario's time plus the shift so far.
                var shift = _clockShifts.Count > 0 ? _clockShifts[^1].Shift : TimeSpan.Zero;
                _clockShifts.Add((change.OldTime - shift, shift + (change.NewTime - change.OldTime)));
            }
        }

        if (_glucoseFeed is { } feed)
        {
            // The sensor's readings are stamped on the pump's clock, as it reads after any change the wearer made.
            foreach (var sample in feed.Until(Scenario.Now))
            {
                _glucose!.Append(sample, _clockShifts.LastOrDefault(c => c.ScenarioTime <= sample.Time).Shift);
            }
        }

        return written;
    }

    private ParadigmBatteryStatus Battery()
    {
        if (Scenario is not { } scenario)
        {
            return Options.Battery;
        }

        var status = scenario.Status;
        return new ParadigmBatteryStatus(status.BatteryPercent <= 10 ? ParadigmBatteryIndicator.Low : ParadigmBatteryIndicator.Normal, status.BatteryVolts);
    }

    /// <summary>The reservoir in whole strokes of this model, rounded down as the pump counts what is left.</summary>
    private decimal RemainingInsulin()
    {
        var units = Scenario?.Status.ReservoirUnits ?? Options.RemainingInsulin;
        return decimal.Floor(Math.Max(0, units) * Model.StrokesPerUnit) / Model.StrokesPerUnit;
    }

    /// <summary>New sensor samples, each given once, in time order.</summary>
    private interface IGlucoseFeed
    {
        IEnumerable<GlucoseSample> Until(DateTime end);
    }

    /// <summary>The samples of a glucose scenario: its history, then the samples it goes on to draw.</summary>
    private sealed class ScenarioGlucoseFeed(GlucoseScenario scenario) : IGlucoseFeed
    {
        private int _historyTaken;
        private GlucoseSample? _next;

        public IEnumerable<GlucoseSample> Until(DateTime end)
        {
            var taken = new List<GlucoseSample>();
            var history = scenario.History;
            while (true)
            {
                if (_next is null && _historyTaken < history.Count)
                {
                    _next = history[_historyTaken++];
                }

                _next ??= scenario.NextSample();
                if (_next.Value.Time >= end)
                {
                    return taken;
                }

                taken.Add(_next.Value);
                _next = null;
            }
        }
    }

    /// <summary>The readings of a wearer's CGM sessions (none during warm-up), as the wearer's simulation makes them.</summary>
    private sealed class CgmGlucoseFeed(CgmScenario cgm) : IGlucoseFeed
    {
        private int _taken;

        public IEnumerable<GlucoseSample> Until(DateTime end)
        {
            var readings = cgm.Readings;
            var taken = new List<GlucoseSample>();
            for (; _taken < readings.Count && readings[_taken].Time < end; _taken++)
            {
                taken.Add(readings[_taken]);
            }

            return taken;
        }
    }
}
