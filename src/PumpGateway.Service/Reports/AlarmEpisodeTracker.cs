using PumpGateway.Clinical;
using PumpGateway.Devices;
using PumpGateway.Ports;
using PumpGateway.Telemetry;

namespace PumpGateway.Service.Reports;

/// <summary>
/// The episode each alarm transition of a stream belongs to, for transitions arriving in sequence order.
/// A device's earlier transitions are read from the store the first time the device shows up, so that a
/// stream resumed in the middle of an episode still reports the episode whole.
/// </summary>
internal sealed class AlarmEpisodeTracker(IEventStore store)
{
    private readonly Dictionary<DeviceId, List<Alarm>> _transitions = [];

    /// <exception cref="ArgumentException">The device's stored transitions cannot be folded (see <see cref="AlarmLifecycle.Episodes"/>).</exception>
    /// <returns>The episode as it stands after <paramref name="stored"/>; null for a transition that closes nothing the device ever raised.</returns>
    public async Task<AlarmEpisode?> AddAsync(StoredEvent stored, CancellationToken cancellationToken)
    {
        var alarm = (Alarm)stored.Event;
        if (!_transitions.TryGetValue(alarm.Device, out var transitions))
        {
            var earlier = await DeviceHistory.ReadAsync(store, alarm.Device, null, null, [TelemetryKind.Alarm], cancellationToken);
            transitions = [.. earlier.Where(s => s.Sequence < stored.Sequence).Select(s => (Alarm)s.Event)];
            _transitions[alarm.Device] = transitions;
        }

        transitions.Add(alarm);
        return AlarmLifecycle.Episodes(transitions).LastOrDefault(episode => episode.Evidence.Contains(alarm.Id));
    }
}
