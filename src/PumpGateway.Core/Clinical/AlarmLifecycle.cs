using PumpGateway.Devices;
using PumpGateway.Telemetry;

namespace PumpGateway.Clinical;

/// <summary>
/// Folds alarm transitions into episodes: what a technician on call reads as "this alarm went off at 10:00,
/// was acknowledged at 10:05, cleared at 11:00". Pure and deterministic: the same transitions in any order
/// give the same episodes.
/// </summary>
public static class AlarmLifecycle
{
    /// <summary>
    /// Alarm transitions (any devices, any order) folded into episodes, oldest first. Transitions of one
    /// alarm are tied by (Device, InstanceKey) when the device gives a key; otherwise by (Device, VendorCode):
    /// an Acknowledged or Cleared closes the oldest open episode of that code. A Raised of an episode
    /// already open (same key) is a repeat, kept in its Evidence. An episode never cleared is open, unless
    /// a later Raised of the same device and vendor code started a new episode and it has no instance key
    /// (then Superseded = true): a keyed alarm stays open until its own key is cleared.
    /// </summary>
    /// <remarks>
    /// A Raised without a key always starts an episode: without a key nothing tells a re-announcement from a
    /// new alarm, and a low-battery warning a week later is not the same alarm as today's. An Acknowledged or
    /// Cleared with no episode to close (its Raised lies before the history read) makes no episode: its raise
    /// time is unknown and inventing one would distort durations and counts.
    /// </remarks>
    public static IReadOnlyList<AlarmEpisode> Episodes(IEnumerable<Alarm> alarms) =>
        Fold(alarms).Select(builder => builder.Build()).ToList();

    /// <summary>Counts of episodes raised in [fromUtc, toUtc) by kind; a kind with none is absent.</summary>
    public static IReadOnlyDictionary<AlarmKind, int> CountByKind(IEnumerable<AlarmEpisode> episodes, DateTimeOffset fromUtc, DateTimeOffset toUtc)
    {
        ArgumentNullException.ThrowIfNull(episodes);
        if (fromUtc >= toUtc)
        {
            throw new ArgumentException($"The period must start before it ends ({fromUtc:O} is not before {toUtc:O}).", nameof(fromUtc));
        }

        var counts = new SortedDictionary<AlarmKind, int>();
        foreach (var episode in episodes)
        {
            if (episode.RaisedUtc >= fromUtc && episode.RaisedUtc < toUtc)
            {
                counts[episode.Kind] = counts.GetValueOrDefault(episode.Kind) + 1;
            }
        }

        return counts;
    }

    /// <summary>The fold itself, keeping which event cleared each episode (the findings need it as evidence).</summary>
    internal static IReadOnlyList<EpisodeBuilder> Fold(IEnumerable<Alarm> alarms)
    {
        ArgumentNullException.ThrowIfNull(alarms);
        var all = alarms.ToList();
        if (all.Exists(alarm => alarm is null))
        {
            throw new ArgumentException("The alarms must not contain null.", nameof(alarms));
        }

        // A Raised and its Cleared stamped in the same second must meet in that order; the id settles the rest,
        // so that the input's order never shows in the result. A record read twice counts once.
        var ordered = all
            .OrderBy(alarm => alarm.Utc)
            .ThenBy(alarm => alarm.Transition)
            .ThenBy(alarm => alarm.Device.Value, StringComparer.Ordinal)
            .ThenBy(alarm => alarm.Id.Value, StringComparer.Ordinal)
            .DistinctBy(alarm => alarm.Id.Value ?? $"{alarm.Device}|{alarm.Utc:O}|{alarm.Transition}|{alarm.VendorCode}|{alarm.InstanceKey}")
            .ToList();

        var episodes = new List<EpisodeBuilder>();
        foreach (var alarm in ordered)
        {
            if (alarm.Transition == AlarmTransition.Raised)
            {
                var repeated = alarm.InstanceKey is null ? null : OldestUncleared(episodes, alarm, byKey: true);
                if (repeated is not null)
                {
                    repeated.Repeat(alarm);
                }
                else
                {
                    episodes.Add(new EpisodeBuilder(alarm, episodes.Count));
                }

                continue;
            }

            // A keyed transition closes only its own alarm; an unkeyed one the oldest of its code, keyed or not
            // (a mapper that lost the key between two downloads still reports the code).
            var byKey = alarm.InstanceKey is not null;
            var target = alarm.Transition == AlarmTransition.Acknowledged
                ? OldestUncleared(episodes, alarm, byKey, unacknowledged: true) ?? OldestUncleared(episodes, alarm, byKey)
                : OldestUncleared(episodes, alarm, byKey);
            target?.Close(alarm);
        }

        // A device that keys its alarms tells each one apart and clears each one: only an unkeyed alarm is taken
        // to have ended when its code is raised anew.
        foreach (var episode in episodes.Where(e => e.ClearedUtc is null && e.InstanceKey is null))
        {
            episode.Superseded = episodes.Any(later => later.Order > episode.Order && later.Device == episode.Device
                && string.Equals(later.VendorCode, episode.VendorCode, StringComparison.Ordinal));
        }

        return episodes;
    }

    private static EpisodeBuilder? OldestUncleared(List<EpisodeBuilder> episodes, Alarm alarm, bool byKey, bool unacknowledged = false) =>
        episodes.FirstOrDefault(e => e.ClearedUtc is null && e.Device == alarm.Device
            && (!unacknowledged || e.AcknowledgedUtc is null)
            && (byKey
                ? string.Equals(e.InstanceKey, alarm.InstanceKey, StringComparison.Ordinal)
                : string.Equals(e.VendorCode, alarm.VendorCode, StringComparison.Ordinal)));

    internal sealed class EpisodeBuilder
    {
        private readonly List<EventId> _evidence = [];

        public EpisodeBuilder(Alarm raised, int order)
        {
            Order = order;
            Device = raised.Device;
            Kind = raised.AlarmKind;
            Severity = raised.Severity;
            VendorCode = raised.VendorCode;
            VendorText = raised.VendorText;
            InstanceKey = raised.InstanceKey;
            RaisedUtc = raised.Utc;
            RaisedBy = raised.Id;
            _evidence.Add(raised.Id);
        }

        /// <summary>Creation order within the fold: "later" for superseding means later in this order.</summary>
        public int Order { get; }

        public DeviceId Device { get; }

        public AlarmKind Kind { get; }

        public AlarmSeverity Severity { get; private set; }

        public string VendorCode { get; }

        public string? VendorText { get; }

        public string? InstanceKey { get; }

        public DateTimeOffset RaisedUtc { get; }

        public EventId RaisedBy { get; }

        public DateTimeOffset? AcknowledgedUtc { get; private set; }

        public DateTimeOffset? ClearedUtc { get; private set; }

        public EventId? ClearedBy { get; private set; }

        public bool Superseded { get; set; }

        public void Repeat(Alarm raised)
        {
            // A device that re-announces an alarm louder (warning → alarm) has escalated it.
            if (raised.Severity > Severity)
            {
                Severity = raised.Severity;
            }

            _evidence.Add(raised.Id);
        }

        public void Close(Alarm transition)
        {
            if (transition.Transition == AlarmTransition.Cleared)
            {
                ClearedUtc = transition.Utc;
                ClearedBy = transition.Id;
            }
            else
            {
                AcknowledgedUtc ??= transition.Utc;
            }

            _evidence.Add(transition.Id);
        }

        public AlarmEpisode Build() =>
            new(Device, Kind, Severity, VendorCode, VendorText, InstanceKey, RaisedUtc, AcknowledgedUtc, ClearedUtc, Superseded, _evidence.ToArray());
    }
}

/// <summary>One alarm from its raise to its clear, with every transition that shows it.</summary>
public sealed record AlarmEpisode(
    DeviceId Device, AlarmKind Kind, AlarmSeverity Severity, string VendorCode, string? VendorText, string? InstanceKey,
    DateTimeOffset RaisedUtc, DateTimeOffset? AcknowledgedUtc, DateTimeOffset? ClearedUtc, bool Superseded,
    IReadOnlyList<EventId> Evidence)
{
    public bool IsOpen => ClearedUtc is null && !Superseded;

    /// <summary>Raised to cleared; null while not cleared.</summary>
    public TimeSpan? Duration => ClearedUtc - RaisedUtc;
}
