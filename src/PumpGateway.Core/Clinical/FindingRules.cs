using System.Globalization;
using PumpGateway.Devices;
using PumpGateway.Telemetry;

namespace PumpGateway.Clinical;

/// <summary>
/// The findings a technician on call acts on, computed from one device's events up to a given moment.
/// Pure and deterministic: no clock is read (<c>now</c> is passed in), and the events' order does not matter.
/// </summary>
public static class FindingRules
{
    /// <summary>
    /// Every finding in the events of one device up to <paramref name="now"/> (the events may be in any order;
    /// events stamped after <paramref name="now"/> are not looked at). Ordered by start, then kind.
    /// </summary>
    /// <exception cref="ArgumentException">The events are of more than one device, or the options contradict themselves.</exception>
    /// <param name="wearerGlucose">
    /// Sensor readings of the CGM the wearer uses with this pump when it is another device (an IDS pump and its
    /// CGMS sensor): the set-failure rule reads them when the pump records no sensor glucose of its own.
    /// </param>
    public static IReadOnlyList<Finding> Evaluate(
        IReadOnlyList<TelemetryEvent> events, DateTimeOffset now, FindingOptions? options = null, IReadOnlyList<GlucoseReading>? wearerGlucose = null)
    {
        ArgumentNullException.ThrowIfNull(events);
        options ??= new FindingOptions();
        options.Validate(nameof(options));
        if (events.Any(e => e is null || e.Id.Value is null) || (wearerGlucose?.Any(r => r is null || r.Id.Value is null) ?? false))
        {
            throw new ArgumentException("Every event must be there and carry its id (findings cite events by id).", nameof(events));
        }

        var devices = events.Select(e => e.Device).Distinct().ToList();
        if (devices.Count > 1)
        {
            throw new ArgumentException($"The events must be of one device; they are of {devices.Count}.", nameof(events));
        }

        if (devices.Count == 0)
        {
            return [];
        }

        var history = new History(devices[0], events, now, wearerGlucose ?? []);
        var interruptions = InterruptionPieces(history);
        return DeliveryInterrupted(history, interruptions, options)
            .Concat(SuspectedSetFailure(history, interruptions, options))
            .Concat(InfusionSetAge(history, options))
            .Concat(RunningOut(history, options, FindingKind.BatteryRunningOut, "Battery", LevelTrend.Battery))
            .Concat(RunningOut(history, options, FindingKind.ReservoirRunningOut, "Reservoir", LevelTrend.Reservoir))
            .Concat(RepeatedOcclusions(history, options))
            .Concat(UnstableLink(history, options))
            .Concat(ClockOff(history, options))
            .Concat(ClockDrift(history, options))
            .OrderBy(f => f.FromUtc)
            .ThenBy(f => f.Kind)
            .ThenBy(f => f.ToUtc)
            .ThenBy(f => f.Summary, StringComparer.Ordinal)
            .ToList();
    }

    // ── 1. Delivery interrupted ─────────────────────────────────────────────────────────────────────────
    // A pump delivers only rapid insulin, so any interruption leaves the wearer without insulin: significant
    // deficiency after about 2 h, major after about 6 h (ARCHITECTURE.md, clinical facts). An interruption is
    // a suspension until its resume, or a no-delivery / occlusion / reservoir-empty alarm until delivery is
    // shown to restart (a resume, a bolus that delivered, a scheduled basal, a temporary basal that is not zero,
    // or the alarm cleared — whichever comes first). One still going runs to `now`. Overlapping pieces merge:
    // the wearer is without insulin through all of them.

    private static IEnumerable<Finding> DeliveryInterrupted(History history, IReadOnlyList<Piece> pieces, FindingOptions options)
    {
        foreach (var merged in Merge(pieces))
        {
            var length = merged.To - merged.From;
            if (length < options.SignificantInterruption)
            {
                continue;
            }

            var severity = length >= options.MajorInterruption ? FindingSeverity.Major : FindingSeverity.Significant;
            var causes = string.Join(", ", merged.Parts.Select(p => p.Cause).Distinct());
            var ongoing = merged.Parts.Any(p => p.Ongoing) ? ", still interrupted" : "";
            yield return new Finding(history.Device, FindingKind.DeliveryInterrupted, severity, merged.From, merged.To,
                $"No insulin delivered for {Describe(length)} ({causes}){ongoing}", history.Ordered(merged.Parts.SelectMany(p => p.Evidence)));
        }
    }

    private static List<Piece> InterruptionPieces(History history)
    {
        var pieces = new List<Piece>();
        DeliveryStateChange? suspended = null;
        foreach (var change in history.Of<DeliveryStateChange>())
        {
            if (change.Suspended)
            {
                suspended ??= change;
            }
            else if (suspended is not null)
            {
                pieces.Add(new Piece(suspended.Utc, change.Utc, [suspended.Id, change.Id], "suspended", Ongoing: false));
                suspended = null;
            }
        }

        if (suspended is not null)
        {
            pieces.Add(new Piece(suspended.Utc, history.Now, [suspended.Id], "suspended", Ongoing: true));
        }

        var restarts = history.Events.Where(ShowsDelivery).ToList();
        foreach (var episode in history.Episodes.Where(e => StopsDelivery(e.Kind)))
        {
            var restart = restarts.Find(e => e.Utc > episode.RaisedUtc);
            var end = Earliest(restart?.Utc, episode.ClearedUtc);
            var cause = episode.Kind switch
            {
                AlarmKind.Occlusion => "occlusion alarm",
                AlarmKind.ReservoirEmpty => "reservoir-empty alarm",
                _ => "no-delivery alarm",
            };
            if (end is not { } to)
            {
                pieces.Add(new Piece(episode.RaisedUtc, history.Now, [episode.RaisedBy], cause, Ongoing: true));
                continue;
            }

            var evidence = new List<EventId> { episode.RaisedBy };
            if (episode.ClearedUtc == to && episode.ClearedBy is { } cleared)
            {
                evidence.Add(cleared);
            }

            evidence.AddRange(restarts.Where(e => e.Utc == to).Select(e => e.Id));
            pieces.Add(new Piece(episode.RaisedUtc, to, evidence, cause, Ongoing: false));
        }

        return pieces;
    }

    private static bool StopsDelivery(AlarmKind kind) => kind is AlarmKind.NoDelivery or AlarmKind.Occlusion or AlarmKind.ReservoirEmpty;

    /// <summary>An event that shows insulin flowing again. A bolus that delivered nothing, or a zero temporary rate, does not.</summary>
    private static bool ShowsDelivery(TelemetryEvent e) => e switch
    {
        DeliveryStateChange change => !change.Suspended,
        Bolus bolus => bolus.DeliveredUnits + (bolus.DeliveredExtendedUnits ?? 0) > 0,
        ScheduledBasal => true,
        TemporaryBasal { Phase: TemporaryBasalPhase.Ended } => true,
        TemporaryBasal temporary => temporary.UnitsPerHour is not 0m && temporary.Percent is not 0,
        _ => false,
    };

    // ── 2. Suspected set failure ────────────────────────────────────────────────────────────────────────
    // An unexplained high glucose above 300 mg/dL should make one suspect a technical failure (catheter
    // occlusion, set detached) before anything else (ARCHITECTURE.md). The rule: a run of consecutive sensor
    // readings above the threshold lasting at least 30 minutes (first to last reading; readings further apart
    // than the sensor gap break the run), with nothing in the explanation window before the run's start that
    // accounts for it: no bolus (the wearer ate or corrected), no delivery interruption overlapping the window
    // (a suspension or a delivery alarm, which rule 1 reports), no infusion-set-detached alarm raised in it.

    // Only for a device that delivers insulin: a CGM alone knows nothing of boluses and suspensions, so none of
    // its highs could ever be explained.

    private static IEnumerable<Finding> SuspectedSetFailure(History history, IReadOnlyList<Piece> interruptions, FindingOptions options)
    {
        if (!history.Events.Any(e => e is Bolus or ScheduledBasal or TemporaryBasal or DeliveryStateChange or DailyInsulinTotal))
        {
            yield break;
        }

        static bool Counted(GlucoseReading r) => r is { Source: GlucoseSource.Sensor, MgDl: not null, DisplayOnly: false };
        var readings = history.Of<GlucoseReading>().Where(Counted).ToList();
        if (readings.Count == 0)
        {
            readings = [.. history.WearerGlucose.Where(Counted)];
        }

        var runs = new List<List<GlucoseReading>>();
        List<GlucoseReading>? run = null;
        foreach (var reading in readings)
        {
            if (reading.MgDl <= options.UnexplainedHighMgDl || (run is not null && reading.Utc - run[^1].Utc > options.SensorGap))
            {
                run = null;
            }

            if (reading.MgDl > options.UnexplainedHighMgDl)
            {
                if (run is null)
                {
                    run = [];
                    runs.Add(run);
                }

                run.Add(reading);
            }
        }

        foreach (var high in runs)
        {
            var (start, end) = (high[0].Utc, high[^1].Utc);
            if (end - start < options.SustainedHigh || IsExplained(history, interruptions, start - options.ExplanationWindow, start))
            {
                continue;
            }

            var peak = high.Max(r => r.MgDl!.Value);
            yield return new Finding(history.Device, FindingKind.SuspectedSetFailure, FindingSeverity.Warning, start, end,
                Invariant($"Sensor glucose above {options.UnexplainedHighMgDl:0.#} mg/dL for {Describe(end - start)} (peak {peak:0.#} mg/dL) with no bolus, suspension or delivery alarm in the {Describe(options.ExplanationWindow)} before: suspect the infusion set (occlusion or detached)"),
                high.Select(r => r.Id).ToList());
        }
    }

    private static bool IsExplained(History history, IReadOnlyList<Piece> interruptions, DateTimeOffset from, DateTimeOffset to) =>
        history.Of<Bolus>().Any(b => b.Utc >= from && b.Utc <= to)
        || interruptions.Any(p => p.From <= to && p.To >= from)
        || history.Episodes.Any(e => e.Kind == AlarmKind.InfusionSetDetached && e.RaisedUtc >= from && e.RaisedUtc <= to);

    // ── 3. Infusion set age ─────────────────────────────────────────────────────────────────────────────
    // Infusion sets are changed every 3 days, 4 at most (ARCHITECTURE.md): worn longer, the site absorbs
    // insulin worse and the risk of occlusion and infection grows. Each set lives from its set change to the
    // next (the current one to `now`): worn 3 days or more → Warning, more than 4 days → Significant. The set
    // in place before the first set change of the history has no known start and is not judged.

    private static IEnumerable<Finding> InfusionSetAge(History history, FindingOptions options)
    {
        var changes = SetChanges.Find(history.Of<PumpMaintenance>());
        for (var i = 0; i < changes.Count; i++)
        {
            var from = changes[i].Utc;
            var current = i == changes.Count - 1;
            var to = current ? history.Now : changes[i + 1].Utc;
            var worn = to - from;
            var severity = worn > options.SetAgeAlert ? FindingSeverity.Significant
                : worn >= options.SetAgeWarning ? FindingSeverity.Warning
                : (FindingSeverity?)null;
            if (severity is null)
            {
                continue;
            }

            var evidence = changes[i].Evidence.Concat(current ? [] : changes[i + 1].Evidence).ToList();
            yield return new Finding(history.Device, FindingKind.InfusionSetAge, severity.Value, from, to,
                $"Infusion set worn {Describe(worn)}{(current ? " so far" : "")} (sets are changed every {Describe(options.SetAgeWarning)}, {Describe(options.SetAgeAlert)} at most)",
                evidence);
        }
    }

    // ── 4. Battery / reservoir running out ──────────────────────────────────────────────────────────────
    // An empty battery or reservoir stops delivery (rule 1's facts), so the technician wants to know before.
    // A least-squares line through the device status values of the history window before `now` (at least three
    // values, falling); a rise (a refill, a battery change) restarts the series. Projected empty within the
    // horizon (inclusive) → Warning; within the urgent span, or a value already at 0 → Significant. The span is
    // the series' own; the summary says when it is projected empty.

    private static IEnumerable<Finding> RunningOut(History history, FindingOptions options, FindingKind kind, string what, Func<IEnumerable<DeviceStatus>, IEnumerable<LevelReading>> levels)
    {
        // A battery that reports volts has no 0 to run out to: only percentages are projected.
        if (LevelTrend.Of(levels(history.Of<DeviceStatus>()).Where(r => r.Unit != "V"), history.Now, options.RunOutHistory) is not { } trend)
        {
            yield break;
        }

        var series = trend.Series;
        var last = trend.Last;
        var unit = last.Unit == "%" ? "%" : " U";
        var evidence = series.Select(p => p.Id).ToList();
        if (last.Value <= 0)
        {
            yield return new Finding(history.Device, kind, FindingSeverity.Significant, series[0].Utc, last.Utc,
                Invariant($"{what} empty ({last.Value:0.##}{unit}) at {Stamp(last.Utc)}"), evidence);
            yield break;
        }

        if (trend is not { SlopePerHour: { } slope, EmptyAt: { } emptyAt })
        {
            yield break;
        }

        var remainingHours = (emptyAt - history.Now).TotalHours;
        if (remainingHours > options.RunOutHorizon.TotalHours)
        {
            yield break;
        }

        var severity = remainingHours <= options.RunOutUrgent.TotalHours ? FindingSeverity.Significant : FindingSeverity.Warning;
        var when = remainingHours > 0 ? $"in {Describe(emptyAt - history.Now)}" : "already";
        yield return new Finding(history.Device, kind, severity, series[0].Utc, last.Utc,
            Invariant($"{what} at {last.Value:0.##}{unit}, falling {-slope:0.##}{unit}/h: projected empty at {Stamp(emptyAt)} ({when})"), evidence);
    }

    // ── 5. Repeated occlusions ──────────────────────────────────────────────────────────────────────────
    // One occlusion can be a kinked line; repeated ones point at the site, the set model or the insulin, and
    // each one is an interruption of delivery (rule 1). Occlusion episodes (AlarmLifecycle) at least the
    // configured number within the window → Significant; bursts whose windows touch make one finding.

    private static IEnumerable<Finding> RepeatedOcclusions(History history, FindingOptions options)
    {
        var occlusions = history.Episodes.Where(e => e.Kind == AlarmKind.Occlusion).ToList();
        foreach (var burst in Bursts(occlusions, e => e.RaisedUtc, options.RepeatedOcclusionWindow, window => window.Count >= options.RepeatedOcclusions))
        {
            yield return new Finding(history.Device, FindingKind.RepeatedOcclusions, FindingSeverity.Significant, burst[0].RaisedUtc, burst[^1].RaisedUtc,
                $"{burst.Count} occlusion alarms within {Describe(burst[^1].RaisedUtc - burst[0].RaisedUtc)}: check the site, the set and the insulin",
                burst.Select(e => e.RaisedBy).ToList());
        }
    }

    // ── 6. Unstable link ────────────────────────────────────────────────────────────────────────────────
    // A failing radio, cable or stick looks like a failing pump to the wearer's team; the link reports tell
    // them apart. Within the window: at least the configured number of sessions whose end reason is not a
    // normal end (a report without a reason is not counted: nothing says it failed), or CRC errors above the
    // configured rate per 10,000 bytes received over the window's reports → Warning.

    private static IEnumerable<Finding> UnstableLink(History history, FindingOptions options)
    {
        var reports = history.Of<LinkReport>().ToList();
        var failed = reports.Where(r => r.EndedByFailure).ToList();
        var pieces = Bursts(failed, r => r.Utc, options.UnstableLinkWindow, window => window.Count >= options.UnstableLinkSessions)
            .Concat(Bursts(reports, r => r.Utc, options.UnstableLinkWindow, window => CrcRate(window) > options.CrcErrorsPer10kB))
            .Select(burst => new Piece(burst[0].Utc, burst[^1].Utc, burst.Select(r => r.Id).ToList(), "", Ongoing: false));
        foreach (var merged in Merge(pieces.ToList()))
        {
            var evidence = history.Ordered(merged.Parts.SelectMany(p => p.Evidence));
            var group = evidence.Select(id => (LinkReport)history.ById[id]).ToList();
            var failures = group.Where(r => r.EndedByFailure).ToList();
            var crc = group.Sum(r => r.CrcErrors);
            var bytes = group.Sum(r => r.BytesIn);
            var lastFailure = failures.Count > 0 ? $" (last: \"{failures[^1].EndReason}\")" : "";
            yield return new Finding(history.Device, FindingKind.UnstableLink, FindingSeverity.Warning, merged.From, merged.To,
                Invariant($"{failures.Count} of {group.Count} sessions ended by a failure{lastFailure}; {crc} CRC errors in {bytes} bytes received ({CrcRate(group):0.##} per 10 kB)"),
                evidence);
        }
    }

    private static double CrcRate(IReadOnlyCollection<LinkReport> reports)
    {
        var crc = reports.Sum(r => r.CrcErrors);
        var bytes = reports.Sum(r => r.BytesIn);
        return crc == 0 ? 0 : bytes == 0 ? double.PositiveInfinity : crc * 10_000.0 / bytes;
    }

    // ── 7. Clock off ────────────────────────────────────────────────────────────────────────────────────
    // Every event's UTC time is derived from the device clock; a clock off by more than a threshold is a
    // finding, never a silent guess (ARCHITECTURE.md, "Time"). The newest clock measurement beyond the
    // threshold → Warning, beyond an hour → Significant; its span reaches back over the measurements before it
    // that were beyond the threshold too. A drifting clock: two measurements less than 30 days apart whose
    // errors differ by more than the threshold, with no clock set between them (a set is a correction, not a
    // drift) → Warning.

    private static IEnumerable<Finding> ClockOff(History history, FindingOptions options)
    {
        var measured = Measured(history);
        if (measured.Count == 0 || measured[^1].Error.Duration() <= options.ClockErrorThreshold)
        {
            yield break;
        }

        var first = measured.Count - 1;
        while (first > 0 && measured[first - 1].Error.Duration() > options.ClockErrorThreshold)
        {
            first--;
        }

        var newest = measured[^1];
        var stretch = measured[first..];
        var severity = newest.Error.Duration() > options.ClockErrorMajor ? FindingSeverity.Significant : FindingSeverity.Warning;
        var since = stretch.Count > 1 ? $", off since {Stamp(stretch[0].Report.Utc)}" : "";
        yield return new Finding(history.Device, FindingKind.ClockOff, severity, stretch[0].Report.Utc, newest.Report.Utc,
            $"Device clock {Offset(newest.Error)} at the last dock{since}", stretch.Select(m => m.Report.Id).ToList());
    }

    private static IEnumerable<Finding> ClockDrift(History history, FindingOptions options)
    {
        var measured = Measured(history);
        var clockSets = history.Of<PumpMaintenance>().Where(m => m.Action == PumpMaintenanceAction.ClockSet).Select(m => m.Utc).ToList();
        var pairs = new List<(Measurement From, Measurement To)>();
        for (var b = 0; b < measured.Count; b++)
        {
            var later = measured[b];
            var widest = measured.Take(b)
                .Where(earlier => later.Report.Utc - earlier.Report.Utc < options.ClockDriftWindow
                    && (later.Error - earlier.Error).Duration() > options.ClockErrorThreshold
                    && !clockSets.Exists(set => set >= earlier.Report.Utc && set <= later.Report.Utc))
                .OrderByDescending(earlier => (later.Error - earlier.Error).Duration())
                .ThenBy(earlier => earlier.Report.Utc)
                .FirstOrDefault();
            if (widest is not null)
            {
                pairs.Add((widest, later));
            }
        }

        var pieces = pairs.Select(p => new Piece(p.From.Report.Utc, p.To.Report.Utc, [p.From.Report.Id, p.To.Report.Id], "", Ongoing: false)).ToList();
        foreach (var merged in Merge(pieces))
        {
            var (from, to) = pairs.Where(p => p.From.Report.Utc >= merged.From && p.To.Report.Utc <= merged.To)
                .OrderByDescending(p => (p.To.Error - p.From.Error).Duration())
                .First();
            yield return new Finding(history.Device, FindingKind.ClockOff, FindingSeverity.Warning, merged.From, merged.To,
                $"Device clock drifting: {Offset(from.Error)} on {Stamp(from.Report.Utc)}, {Offset(to.Error)} on {Stamp(to.Report.Utc)} ({Describe(to.Error - from.Error)} in {Describe(to.Report.Utc - from.Report.Utc)})",
                history.Ordered(merged.Parts.SelectMany(p => p.Evidence)));
        }
    }

    private static List<Measurement> Measured(History history) =>
        history.Of<LinkReport>().Where(r => r.ClockError is not null).Select(r => new Measurement(r, r.ClockError!.Value)).ToList();

    // ── shared ──────────────────────────────────────────────────────────────────────────────────────────

    /// <summary>
    /// Items (in time order) that belong to a qualifying window: for each item, the window of the items in
    /// [its time − window, its time]; every item of a qualifying window is marked, and runs of marked items
    /// form one burst.
    /// </summary>
    private static List<List<T>> Bursts<T>(IReadOnlyList<T> items, Func<T, DateTimeOffset> timeOf, TimeSpan window, Func<IReadOnlyList<T>, bool> qualifies)
    {
        var marked = new bool[items.Count];
        var first = 0;
        for (var last = 0; last < items.Count; last++)
        {
            while (timeOf(items[first]) < timeOf(items[last]) - window)
            {
                first++;
            }

            var slice = items.Skip(first).Take(last - first + 1).ToList();
            if (qualifies(slice))
            {
                Array.Fill(marked, true, first, last - first + 1);
            }
        }

        var bursts = new List<List<T>>();
        List<T>? burst = null;
        for (var i = 0; i < items.Count; i++)
        {
            if (!marked[i])
            {
                burst = null;
                continue;
            }

            if (burst is null)
            {
                burst = [];
                bursts.Add(burst);
            }

            burst.Add(items[i]);
        }

        return bursts;
    }

    /// <summary>Pieces that overlap or touch, merged into spans (in time order).</summary>
    private static List<MergedSpan> Merge(IReadOnlyList<Piece> pieces)
    {
        var spans = new List<MergedSpan>();
        foreach (var piece in pieces.OrderBy(p => p.From).ThenBy(p => p.To))
        {
            if (spans.Count > 0 && piece.From <= spans[^1].To)
            {
                var open = spans[^1];
                open.Parts.Add(piece);
                if (piece.To > open.To)
                {
                    spans[^1] = open with { To = piece.To };
                }
            }
            else
            {
                spans.Add(new MergedSpan(piece.From, piece.To, [piece]));
            }
        }

        return spans;
    }

    private static DateTimeOffset? Earliest(DateTimeOffset? a, DateTimeOffset? b) =>
        a is null ? b : b is null ? a : (a < b ? a : b);

    /// <summary>A duration as a technician reads it: "3 d 1 h", "1 h 59 min", "45 min".</summary>
    internal static string Describe(TimeSpan span)
    {
        span = span.Duration();
        var parts = new List<string>(3);
        if (span.Days > 0)
        {
            parts.Add($"{span.Days} d");
        }

        if (span.Hours > 0)
        {
            parts.Add($"{span.Hours} h");
        }

        if (span.Minutes > 0)
        {
            parts.Add($"{span.Minutes} min");
        }

        if (parts.Count == 0)
        {
            parts.Add(span.Seconds > 0 ? $"{span.Seconds} s" : "0 min");
        }

        return string.Join(' ', parts);
    }

    private static string Offset(TimeSpan error) =>
        error == TimeSpan.Zero ? "on time" : $"{Describe(error)} {(error > TimeSpan.Zero ? "ahead" : "behind")}";

    private static string Stamp(DateTimeOffset utc) => utc.UtcDateTime.ToString("yyyy-MM-dd HH:mm 'UTC'", CultureInfo.InvariantCulture);

    private static string Invariant(FormattableString text) => FormattableString.Invariant(text);

    /// <summary>One stretch of time a rule found, with its cause and the events that open and close it.</summary>
    private sealed record Piece(DateTimeOffset From, DateTimeOffset To, IReadOnlyList<EventId> Evidence, string Cause, bool Ongoing);

    private sealed record MergedSpan(DateTimeOffset From, DateTimeOffset To, List<Piece> Parts);

    private sealed record Measurement(LinkReport Report, TimeSpan Error);

    /// <summary>One device's events up to `now`, in time order, each read once, with its alarm episodes.</summary>
    private sealed class History
    {
        public History(DeviceId device, IEnumerable<TelemetryEvent> events, DateTimeOffset now, IEnumerable<GlucoseReading> wearerGlucose)
        {
            Device = device;
            Now = now;
            WearerGlucose = wearerGlucose.Where(r => r.Utc <= now).OrderBy(r => r.Utc).ThenBy(r => r.Id.Value, StringComparer.Ordinal).DistinctBy(r => r.Id).ToList();
            Events = events
                .Where(e => e.Utc <= now)
                .OrderBy(e => e.Utc)
                .ThenBy(e => e.Id.Value, StringComparer.Ordinal)
                .DistinctBy(e => e.Id)
                .ToList();
            ById = Events.ToDictionary(e => e.Id);
            Episodes = AlarmLifecycle.Fold(Of<Alarm>());
        }

        public DeviceId Device { get; }

        public DateTimeOffset Now { get; }

        public IReadOnlyList<TelemetryEvent> Events { get; }

        public IReadOnlyDictionary<EventId, TelemetryEvent> ById { get; }

        public IReadOnlyList<AlarmLifecycle.EpisodeBuilder> Episodes { get; }

        /// <summary>Sensor readings of the wearer's separate CGM, oldest first.</summary>
        public IReadOnlyList<GlucoseReading> WearerGlucose { get; }

        public IEnumerable<T> Of<T>()
            where T : TelemetryEvent => Events.OfType<T>();

        /// <summary>Evidence once each, in the order the events happened.</summary>
        public IReadOnlyList<EventId> Ordered(IEnumerable<EventId> ids) =>
            ids.Distinct().OrderBy(id => ById[id].Utc).ThenBy(id => id.Value, StringComparer.Ordinal).ToList();
    }
}
