using PumpGateway.Devices.Ids;
using PumpGateway.Fakes.Ids;
using PumpGateway.Fakes.Scenario;
using PumpGateway.Telemetry;
using Proto = PumpGateway.Api.V1;

namespace PumpGateway.EndToEnd.Tests.Clinical;

/// <summary>
/// Scripted occlusions on an IDS pump (the pump raises them, stops delivery, and the wearer changes
/// the set after the time scripted): the alarm's lifecycle, the delivery interruption it causes with
/// the severity the clinical facts give it, and the transitions WatchAlarms streams.
/// </summary>
public sealed class OcclusionTests
{
    private static readonly TimeSpan FiveHours = TimeSpan.FromHours(5);
    private static readonly TimeSpan SevenHours = TimeSpan.FromHours(7);

    [Fact]
    public async Task A_five_hour_occlusion_is_an_episode_of_five_hours_a_significant_interruption_and_a_seven_hour_one_a_major_one()
    {
        var start = ByHand.MidnightDaysAgo(3);
        var first = start.AddHours(10);
        var second = start.AddDays(1).AddHours(9);
        var scenario = new TherapyScenario(new TherapyScenarioOptions
        {
            Seed = 11,
            Start = start,
            Duration = TimeSpan.FromDays(3),
            RandomAlarmsPerWeek = 0,
            UndetectedFailuresPerMonth = 0,
            ScriptedAlarms =
            [
                new ScriptedAlarm(first, AlarmKind.Occlusion) { Lasting = FiveHours },
                new ScriptedAlarm(second, AlarmKind.Occlusion) { Lasting = SevenHours },
            ],
        });
        var (from, to) = (ByHand.Utc(start), ByHand.Utc(start.AddDays(3)));
        using var folder = new ScratchFolder();
        using var cancel = new CancellationTokenSource(ClinicGateway.Timeout);
        await using var bench = await BluetoothBench.StartAsync().WaitAsync(cancel.Token);
        await using var pump = await IdsPumpEmulator.StartAsync(
            bench.Bus.Address, scenario, new IdsPumpOptions { LocalName = "Pump clinical-occlusion", SerialNumber = "SN-OCCLUSION", TimeScale = 0, UtcOffset = TimeSpan.Zero }, cancellationToken: cancel.Token).WaitAsync(cancel.Token);
        await using var gateway = await ClinicGateway.BluetoothAsync(folder.Path, bench.Bus.Address).WaitAsync(cancel.Token);
        var device = await ClinicGateway.CursorReachedAsync(gateway, IdsDriver.FamilyName, "history", pump.History[^1].SequenceNumber, cancel.Token);

        // The scenario's truth: each occlusion raised when scripted, acknowledged minutes later, cleared
        // by the new set exactly when scripted; delivery stopped from the raise until the new set is primed.
        var therapy = scenario.Events;
        var occlusions = therapy.OfType<AlarmChanged>().Where(a => a.Kind == AlarmKind.Occlusion).GroupBy(a => a.AlarmId)
            .Select(g => (Raised: g.Single(a => a.Transition == AlarmTransition.Raised).Time, Acknowledged: g.Single(a => a.Transition == AlarmTransition.Acknowledged).Time, Cleared: g.Single(a => a.Transition == AlarmTransition.Cleared).Time))
            .ToList();
        Assert.Equal([(first, first + FiveHours), (second, second + SevenHours)], occlusions.Select(o => (o.Raised, o.Cleared)));
        var stops = FourteenDaysFixture.Suspensions(therapy);
        var firstStop = stops.Single(s => s.From == ByHand.Utc(first));
        var secondStop = stops.Single(s => s.From == ByHand.Utc(second));
        Assert.InRange(firstStop.To!.Value - firstStop.From, FiveHours, Major());
        Assert.InRange(secondStop.To!.Value - secondStop.From, SevenHours, TimeSpan.FromHours(8));

        var summary = await ClinicGateway.SummaryAsync(gateway, device.DeviceId, from, to, cancel.Token);
        Assert.Contains(summary.Alarms, a => a.Kind == Proto.Alarm.Types.Kind.Occlusion && a.Count == 2);

        // The interruptions: the first (5 h and the minutes of the set change) significant, the second (over 7 h) major.
        var interruptions = summary.Findings.Where(f => f.Kind == Proto.Finding.Types.Kind.DeliveryInterrupted).ToList();
        Assert.Equal(
            [
                new ExpectedFinding(Proto.Finding.Types.Kind.DeliveryInterrupted, Proto.Finding.Types.Severity.Significant, firstStop.From, firstStop.To!.Value),
                new ExpectedFinding(Proto.Finding.Types.Kind.DeliveryInterrupted, Proto.Finding.Types.Severity.Major, secondStop.From, secondStop.To!.Value),
            ],
            ByHand.AsFound(interruptions));

        // Every finding of the period, by hand: the interruptions, the two occlusions within a week, the sets' ages, the reservoir.
        var now = to;
        var expected = ByHand.Interruptions(stops, now)
            .Concat(ByHand.RepeatedOcclusions([ByHand.Utc(first), ByHand.Utc(second)]))
            .Concat(ByHand.SetAges(FourteenDaysFixture.IdsSetChanges(therapy), now))
            .Concat(ByHand.RunningOut(Proto.Finding.Types.Kind.ReservoirRunningOut, FourteenDaysFixture.IdsReservoirLevels(therapy), now))
            .Where(f => f.To >= from && f.From < to);
        Assert.Equal(ByHand.Ordered(expected), ByHand.AsFound(summary.Findings));
        Assert.Contains(summary.Findings, f => f.Kind == Proto.Finding.Types.Kind.RepeatedOcclusions && f.From.ToDateTimeOffset() == ByHand.Utc(first) && f.To.ToDateTimeOffset() == ByHand.Utc(second));

        // WatchAlarms from the beginning: each occlusion's three transitions, each with its episode as it stands after it.
        using var watch = gateway.Diagnostics.WatchAlarms(new Proto.WatchAlarmsRequest(), deadline: ClinicGateway.Deadline(), cancellationToken: cancel.Token);
        var updates = new List<Proto.AlarmUpdate>();
        while (updates.Count(u => u.Event.Alarm.Kind == Proto.Alarm.Types.Kind.Occlusion) < 6 && await watch.ResponseStream.MoveNext(cancel.Token))
        {
            if (watch.ResponseStream.Current.Update is { } update)
            {
                updates.Add(update);
            }
        }

        var streamed = updates.Where(u => u.Event.Alarm.Kind == Proto.Alarm.Types.Kind.Occlusion).ToList();
        Assert.Equal(updates.Select(u => u.Event.Sequence).Order(), updates.Select(u => u.Event.Sequence));
        for (var i = 0; i < 2; i++)
        {
            var (raised, acknowledged, cleared) = (ByHand.Utc(occlusions[i].Raised), ByHand.Utc(occlusions[i].Acknowledged), ByHand.Utc(occlusions[i].Cleared));
            var transitions = streamed.Skip(3 * i).Take(3).ToList();
            Assert.Equal(
                [(Proto.Alarm.Types.Transition.Raised, raised), (Proto.Alarm.Types.Transition.Acknowledged, acknowledged), (Proto.Alarm.Types.Transition.Cleared, cleared)],
                transitions.Select(u => (u.Event.Alarm.Transition, u.Event.UtcTime.ToDateTimeOffset())));
            Assert.All(transitions, u => Assert.Equal((raised, Proto.Alarm.Types.Severity.Alarm, u.Event.Alarm.InstanceKey), (u.Episode.Raised.ToDateTimeOffset(), u.Episode.Severity, u.Episode.InstanceKey)));
            Assert.True(transitions[0].Episode.Open);
            Assert.Null(transitions[0].Episode.Acknowledged);
            Assert.Null(transitions[0].Episode.Duration);
            Assert.Equal((true, acknowledged), (transitions[1].Episode.Open, transitions[1].Episode.Acknowledged.ToDateTimeOffset()));
            Assert.Null(transitions[1].Episode.Duration);
            Assert.Equal((false, acknowledged, cleared), (transitions[2].Episode.Open, transitions[2].Episode.Acknowledged.ToDateTimeOffset(), transitions[2].Episode.Cleared.ToDateTimeOffset()));
            Assert.Equal(i == 0 ? FiveHours : SevenHours, transitions[2].Episode.Duration.ToTimeSpan());
            Assert.Equal(transitions.Select(u => u.Event.EventId), transitions[2].Episode.EvidenceEventIds);
        }
    }

    private static TimeSpan Major() => ByHand.Major - TimeSpan.FromSeconds(1);
}
