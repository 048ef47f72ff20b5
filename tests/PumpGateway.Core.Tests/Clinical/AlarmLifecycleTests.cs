using PumpGateway.Clinical;
using PumpGateway.Devices;
using PumpGateway.Telemetry;

namespace PumpGateway.Core.Tests.Clinical;

/// <summary>Alarm transitions folded into episodes; every expectation is worked out by hand from the transitions listed.</summary>
public sealed class AlarmLifecycleTests
{
    private static readonly DeviceId Pump = new("ids-pump-a");
    private static readonly DeviceId OtherPump = new("mdt-pump-b");
    private static readonly DateTimeOffset Day = new(2026, 3, 2, 0, 0, 0, TimeSpan.Zero);

    [Fact]
    public void Keyed_transitions_are_tied_by_instance_key_even_when_two_alarms_of_one_code_interleave()
    {
        // IDS-like: two annunciations of the same type, instance ids 1 and 2; the second is cleared first.
        var r1 = Raise("r1", At(10, 00), "ids:0x0F0F", key: "1");
        var r2 = Raise("r2", At(10, 05), "ids:0x0F0F", key: "2");
        var c2 = Transition("c2", AlarmTransition.Cleared, At(10, 10), "ids:0x0F0F", key: "2");
        var a1 = Transition("a1", AlarmTransition.Acknowledged, At(10, 20), "ids:0x0F0F", key: "1");
        var c1 = Transition("c1", AlarmTransition.Cleared, At(10, 30), "ids:0x0F0F", key: "1");

        var episodes = AlarmLifecycle.Episodes([r1, r2, c2, a1, c1]);

        Assert.Equal(2, episodes.Count);
        var first = episodes[0];
        Assert.Equal(("1", At(10, 00), At(10, 20), At(10, 30), TimeSpan.FromMinutes(30)), (first.InstanceKey, first.RaisedUtc, first.AcknowledgedUtc, first.ClearedUtc, first.Duration));
        Assert.Equal([r1.Id, a1.Id, c1.Id], first.Evidence);
        var second = episodes[1];
        Assert.Equal(("2", At(10, 05), (DateTimeOffset?)null, At(10, 10), TimeSpan.FromMinutes(5)), (second.InstanceKey, second.RaisedUtc, second.AcknowledgedUtc, second.ClearedUtc, second.Duration));
        Assert.Equal([r2.Id, c2.Id], second.Evidence);
        Assert.All(episodes, e => Assert.False(e.IsOpen));
    }

    [Fact]
    public void Unkeyed_transitions_close_the_oldest_open_episode_of_their_code_on_their_device()
    {
        var r1 = Raise("r1", At(10, 00), "mdt:pump:4");
        var other = Raise("other", At(10, 10), "mdt:pump:3");
        var r2 = Raise("r2", At(10, 20), "mdt:pump:4");
        var elsewhere = Raise("elsewhere", At(10, 25), "mdt:pump:4", device: OtherPump);
        var c1 = Transition("c1", AlarmTransition.Cleared, At(10, 30), "mdt:pump:4");
        var c2 = Transition("c2", AlarmTransition.Cleared, At(10, 50), "mdt:pump:4");

        var episodes = AlarmLifecycle.Episodes([r1, other, r2, elsewhere, c1, c2]);

        Assert.Equal([r1.Id, other.Id, r2.Id, elsewhere.Id], episodes.Select(e => e.Evidence[0]));
        Assert.Equal((At(10, 30), TimeSpan.FromMinutes(30)), (episodes[0].ClearedUtc!.Value, episodes[0].Duration!.Value));
        Assert.Equal((At(10, 50), TimeSpan.FromMinutes(30)), (episodes[2].ClearedUtc!.Value, episodes[2].Duration!.Value));
        Assert.True(episodes[1].IsOpen); // another code: untouched by the clears of code 4
        Assert.True(episodes[3].IsOpen); // the same code on another device: untouched
        Assert.False(episodes[3].Superseded); // a raise on another device supersedes nothing
    }

    [Fact]
    public void Acknowledged_then_cleared_keeps_the_first_acknowledgement_and_measures_raise_to_clear()
    {
        var raised = Raise("r", At(8, 00), "mdt:pump:4");
        var ack = Transition("a", AlarmTransition.Acknowledged, At(8, 02), "mdt:pump:4");
        var ackAgain = Transition("a2", AlarmTransition.Acknowledged, At(8, 10), "mdt:pump:4");
        var cleared = Transition("c", AlarmTransition.Cleared, At(8, 45), "mdt:pump:4");
        var lone = Raise("lone", At(9, 00), "mdt:pump:7", kind: AlarmKind.BatteryLow);
        var loneAck = Transition("lone-a", AlarmTransition.Acknowledged, At(9, 01), "mdt:pump:7", kind: AlarmKind.BatteryLow);

        var episodes = AlarmLifecycle.Episodes([raised, ack, ackAgain, cleared, lone, loneAck]);

        Assert.Equal(2, episodes.Count);
        Assert.Equal((At(8, 02), At(8, 45), TimeSpan.FromMinutes(45)), (episodes[0].AcknowledgedUtc!.Value, episodes[0].ClearedUtc!.Value, episodes[0].Duration!.Value));
        Assert.Equal([raised.Id, ack.Id, ackAgain.Id, cleared.Id], episodes[0].Evidence);
        Assert.Equal(At(9, 01), episodes[1].AcknowledgedUtc);
        Assert.Null(episodes[1].Duration); // acknowledged is not cleared: still open
        Assert.True(episodes[1].IsOpen);
    }

    [Fact]
    public void A_raise_of_an_open_keyed_alarm_is_a_repeat_and_a_raise_after_its_clear_a_new_episode()
    {
        var raised = Raise("r", At(10, 00), "ids:0x0F0F", key: "5", severity: AlarmSeverity.Warning);
        var repeat = Raise("r-again", At(10, 15), "ids:0x0F0F", key: "5", severity: AlarmSeverity.Alarm);
        var cleared = Transition("c", AlarmTransition.Cleared, At(10, 40), "ids:0x0F0F", key: "5");
        var reused = Raise("r-reused", At(11, 00), "ids:0x0F0F", key: "5");

        var episodes = AlarmLifecycle.Episodes([raised, repeat, cleared, reused]);

        Assert.Equal(2, episodes.Count);
        Assert.Equal([raised.Id, repeat.Id, cleared.Id], episodes[0].Evidence);
        Assert.Equal((At(10, 00), TimeSpan.FromMinutes(40), AlarmSeverity.Alarm), (episodes[0].RaisedUtc, episodes[0].Duration!.Value, episodes[0].Severity));
        Assert.Equal([reused.Id], episodes[1].Evidence);
        Assert.True(episodes[1].IsOpen);
    }

    [Fact]
    public void A_later_raise_of_the_same_code_supersedes_an_unkeyed_episode_never_cleared_but_not_a_keyed_one()
    {
        // Unkeyed: raised, acknowledged, raised again two hours later, never cleared.
        var raised = Raise("r", At(10, 00), "mdt:pump:4");
        var ack = Transition("a", AlarmTransition.Acknowledged, At(10, 05), "mdt:pump:4");
        var again = Raise("r2", At(12, 00), "mdt:pump:4");
        // Keyed: instance 1 never cleared, instance 2 of the same type raised and cleared: the device tells them
        // apart, so instance 1 is still open.
        var k1 = Raise("k1", At(13, 00), "ids:0x0F0F", key: "1");
        var k2 = Raise("k2", At(14, 00), "ids:0x0F0F", key: "2");
        var k2Cleared = Transition("k2c", AlarmTransition.Cleared, At(14, 30), "ids:0x0F0F", key: "2");
        // Another code raised later supersedes nothing.
        var unrelated = Raise("u", At(15, 00), "ids:0x0A0A", key: "9");

        var episodes = AlarmLifecycle.Episodes([raised, ack, again, k1, k2, k2Cleared, unrelated]);

        Assert.Equal(5, episodes.Count);
        Assert.Equal((true, false, (DateTimeOffset?)null, (TimeSpan?)null), (episodes[0].Superseded, episodes[0].IsOpen, episodes[0].ClearedUtc, episodes[0].Duration));
        Assert.Equal((false, true), (episodes[1].Superseded, episodes[1].IsOpen));
        Assert.Equal((false, true), (episodes[2].Superseded, episodes[2].IsOpen));
        Assert.Equal((false, false, TimeSpan.FromMinutes(30)), (episodes[3].Superseded, episodes[3].IsOpen, episodes[3].Duration!.Value));
        Assert.Equal((false, true), (episodes[4].Superseded, episodes[4].IsOpen));
    }

    [Fact]
    public void An_unkeyed_clear_closes_a_keyed_episode_of_its_code()
    {
        // A Medtronic mapper that lost its open-alarm table between downloads clears without the key.
        var raised = Raise("r", At(10, 00), "mdt:pump:4", key: "pump-4-20260302100000");
        var cleared = Transition("c", AlarmTransition.Cleared, At(10, 30), "mdt:pump:4");

        var episode = Assert.Single(AlarmLifecycle.Episodes([raised, cleared]));

        Assert.Equal(TimeSpan.FromMinutes(30), episode.Duration);
    }

    [Fact]
    public void A_clear_or_acknowledgement_with_nothing_raised_makes_no_episode()
    {
        var ack = Transition("a", AlarmTransition.Acknowledged, At(9, 00), "mdt:pump:4");
        var cleared = Transition("c", AlarmTransition.Cleared, At(9, 30), "ids:0x0F0F", key: "3");

        Assert.Empty(AlarmLifecycle.Episodes([ack, cleared]));
    }

    [Fact]
    public void A_raise_and_its_clear_stamped_in_the_same_second_make_one_closed_episode()
    {
        var cleared = Transition("c", AlarmTransition.Cleared, At(9, 00), "mdt:pump:4");
        var raised = Raise("r", At(9, 00), "mdt:pump:4");

        var episode = Assert.Single(AlarmLifecycle.Episodes([cleared, raised]));

        Assert.Equal(TimeSpan.Zero, episode.Duration);
    }

    [Fact]
    public void The_order_the_transitions_arrive_in_does_not_change_the_episodes()
    {
        Alarm[] alarms =
        [
            Raise("r1", At(10, 00), "ids:0x0F0F", key: "1"),
            Raise("r2", At(10, 05), "ids:0x0F0F", key: "2"),
            Transition("c2", AlarmTransition.Cleared, At(10, 10), "ids:0x0F0F", key: "2"),
            Raise("u1", At(10, 10), "mdt:pump:4"),
            Raise("u2", At(10, 20), "mdt:pump:4"),
            Transition("ua", AlarmTransition.Acknowledged, At(10, 25), "mdt:pump:4"),
            Transition("uc", AlarmTransition.Cleared, At(10, 30), "mdt:pump:4"),
            Raise("b", At(10, 30), "mdt:pump:4", device: OtherPump),
        ];
        var expected = AlarmLifecycle.Episodes(alarms).Select(Describe).ToList();
        Assert.Equal(5, expected.Count);

        var random = new Random(20260302);
        for (var round = 0; round < 50; round++)
        {
            var shuffled = alarms.ToArray();
            random.Shuffle(shuffled);
            Assert.Equal(expected, AlarmLifecycle.Episodes(shuffled.Concat(shuffled.Take(2))).Select(Describe)); // read twice: counted once
        }
    }

    [Fact]
    public void Counts_by_kind_include_the_start_of_the_period_and_exclude_its_end()
    {
        var episodes = AlarmLifecycle.Episodes(
        [
            Raise("before", Day.AddHours(-1), "occ-a"),
            Raise("at-start", Day, "occ-b"),
            Raise("again", At(10, 00), "occ-b"), // a second raise of the code while the first is open: a second episode
            Transition("cleared", AlarmTransition.Cleared, At(10, 30), "occ-b"),
            Raise("battery", At(23, 59), "bat", kind: AlarmKind.BatteryLow),
            Raise("at-end", Day.AddDays(1), "res", kind: AlarmKind.ReservoirLow),
        ]);

        var counts = AlarmLifecycle.CountByKind(episodes, Day, Day.AddDays(1));

        Assert.Equal(new Dictionary<AlarmKind, int> { [AlarmKind.Occlusion] = 2, [AlarmKind.BatteryLow] = 1 }, counts);
    }

    [Fact]
    public void Counts_over_an_empty_or_reversed_period_are_refused()
    {
        Assert.Throws<ArgumentException>(() => AlarmLifecycle.CountByKind([], Day, Day));
        Assert.Throws<ArgumentException>(() => AlarmLifecycle.CountByKind([], Day.AddDays(1), Day));
        Assert.Throws<ArgumentNullException>(() => AlarmLifecycle.Episodes(null!));
    }

    private static string Describe(AlarmEpisode e) =>
        $"{e.Device}|{e.VendorCode}|{e.InstanceKey}|{e.RaisedUtc:O}|{e.AcknowledgedUtc:O}|{e.ClearedUtc:O}|{e.Superseded}|{string.Join(",", e.Evidence)}";

    private static DateTimeOffset At(int hour, int minute) => Day.AddHours(hour).AddMinutes(minute);

    private static Alarm Raise(string id, DateTimeOffset utc, string code, string? key = null, AlarmKind kind = AlarmKind.Occlusion, AlarmSeverity severity = AlarmSeverity.Alarm, DeviceId? device = null) =>
        Transition(id, AlarmTransition.Raised, utc, code, key, kind, severity, device);

    private static Alarm Transition(string id, AlarmTransition transition, DateTimeOffset utc, string code, string? key = null, AlarmKind kind = AlarmKind.Occlusion, AlarmSeverity severity = AlarmSeverity.Alarm, DeviceId? device = null)
    {
        var on = device ?? Pump;
        return new Alarm
        {
            Id = EventId.For(on, "alarm", id),
            Device = on,
            DeviceTime = DeviceTimestamp.FromClock(utc.UtcDateTime),
            Utc = utc,
            TimeBasis = TimeBasis.DeviceUtc,
            AlarmKind = kind,
            Severity = severity,
            Transition = transition,
            VendorCode = code,
            VendorText = "as the device words it",
            InstanceKey = key,
        };
    }
}
