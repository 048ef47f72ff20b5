using Grpc.Core;
using PumpGateway.Devices;
using PumpGateway.Telemetry;
using Proto = PumpGateway.Api.V1;

namespace PumpGateway.Service.Tests;

public sealed class DiagnosticsServiceTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);

    private static readonly DateTimeOffset LastDock = TestTelemetry.Start;

    [Fact]
    public async Task Diagnostics_add_up_the_last_week_of_sessions_trend_the_levels_and_list_open_alarms_and_findings()
    {
        await using var gateway = await InProcessGateway.StartAsync();
        var pump = await TestTelemetry.AddDeviceAsync(gateway.Store, new DeviceIdentity("ids", DeviceCategory.InsulinPump, "IDS", "PUMP0002", "Emulated IDS pump", "2.1"));
        var e = new EventBuilder(pump);
        var oldFailure = e.Link(LastDock.AddDays(-10), "the device stopped answering", retries: 9, crcErrors: 100);
        var lastSession = e.Link(LastDock, "the session ended", signal: -55, clockError: TimeSpan.FromMinutes(7));
        var occlusion = e.Alarm(LastDock.AddHours(-2), AlarmTransition.Raised, AlarmKind.Occlusion, key: "7");
        var acknowledged = e.Alarm(LastDock.AddHours(-1.5), AlarmTransition.Acknowledged, AlarmKind.Occlusion, key: "7");
        var batteryLow = e.Alarm(LastDock.AddDays(-35), AlarmTransition.Raised, AlarmKind.BatteryLow, key: "3");
        await TestTelemetry.AppendAsync(gateway.Store,
        [
            oldFailure,
            e.Link(LastDock.AddDays(-3), "the session ended", signal: -60),
            e.Link(LastDock.AddDays(-2), "the device stopped answering", retries: 3, crcErrors: 2),
            lastSession,

            // Falling 0.5 per hour over 40 hours.
            e.At(new DeviceStatus { BatteryPercent = 90, ReservoirUnits = 100m }, LastDock.AddHours(-40)),
            e.At(new DeviceStatus { BatteryPercent = 80, ReservoirUnits = 90m }, LastDock.AddHours(-20)),
            e.At(new DeviceStatus { BatteryPercent = 70, ReservoirUnits = 80m }, LastDock),

            // Cleared long ago; still open from 35 days ago; raised and acknowledged today.
            e.Alarm(LastDock.AddDays(-40), AlarmTransition.Raised, AlarmKind.Occlusion, key: "1"),
            e.Alarm(LastDock.AddDays(-40).AddMinutes(10), AlarmTransition.Cleared, AlarmKind.Occlusion, key: "1"),
            batteryLow,
            occlusion,
            acknowledged,
        ]);

        var diagnostics = await gateway.Diagnostics.GetDiagnosticsAsync(new Proto.GetDiagnosticsRequest { DeviceId = pump.Value }, deadline: DateTime.UtcNow.Add(Timeout));

        Assert.Equal((pump.Value, "2.1", false), (diagnostics.Device.DeviceId, diagnostics.Device.FirmwareVersion, diagnostics.Device.Docked));

        var link = diagnostics.Link;
        Assert.Equal((3, 1, 3L, 2L, 150_000L), (link.Sessions, link.FailedSessions, link.Retries, link.CrcErrors, link.BytesIn));
        Assert.Equal(-55, link.LastSignalStrength);
        Assert.Equal(TimeSpan.FromMinutes(7), link.LastClockError.ToTimeSpan());

        Assert.Equal((70.0, "%", LastDock), (diagnostics.Battery.Value, diagnostics.Battery.Unit, diagnostics.Battery.ReadAt.ToDateTimeOffset()));
        Assert.Equal(-12, diagnostics.Battery.PerDay, 9);
        Assert.Equal(LastDock.AddHours(140), diagnostics.Battery.ProjectedEmpty.ToDateTimeOffset());
        Assert.Equal((80.0, "U"), (diagnostics.Reservoir.Value, diagnostics.Reservoir.Unit));
        Assert.Equal(LastDock.AddHours(160), diagnostics.Reservoir.ProjectedEmpty.ToDateTimeOffset());

        Assert.Equal(
            [(Proto.Alarm.Types.Kind.BatteryLow, LastDock.AddDays(-35), false), (Proto.Alarm.Types.Kind.Occlusion, LastDock.AddHours(-2), true)],
            diagnostics.OpenAlarms.Select(a => (a.Kind, a.Raised.ToDateTimeOffset(), a.Acknowledged is not null)));
        Assert.All(diagnostics.OpenAlarms, a => Assert.True(a.Open));
        Assert.Equal([occlusion.Id.Value, acknowledged.Id.Value], diagnostics.OpenAlarms[1].EvidenceEventIds);

        var clock = Assert.Single(diagnostics.Findings, f => f.Kind == Proto.Finding.Types.Kind.ClockOff);
        Assert.Equal(Proto.Finding.Types.Severity.Warning, clock.Severity);
        Assert.Contains(lastSession.Id.Value, clock.EvidenceEventIds);

        Assert.Equal(lastSession.Id.Value, diagnostics.LastSession.EventId);
        Assert.Equal("the session ended", diagnostics.LastSession.LinkReport.EndReason);
    }

    [Fact]
    public async Task An_unknown_device_is_not_found()
    {
        await using var gateway = await InProcessGateway.StartAsync();
        var error = await Assert.ThrowsAsync<RpcException>(() =>
            gateway.Diagnostics.GetDiagnosticsAsync(new Proto.GetDiagnosticsRequest { DeviceId = "ids-nothing" }, deadline: DateTime.UtcNow.Add(Timeout)).ResponseAsync);
        Assert.Equal(StatusCode.NotFound, error.StatusCode);
    }

    [Fact]
    public async Task Watching_alarms_streams_each_transition_with_its_episode_and_a_resumed_watch_knows_the_episode_began_earlier()
    {
        await using var gateway = await InProcessGateway.StartAsync();
        var pump = await TestTelemetry.AddDeviceAsync(gateway.Store, new DeviceIdentity("ids", DeviceCategory.InsulinPump, "IDS", "PUMP0003", null, null));
        var receiver = await TestTelemetry.AddDeviceAsync(gateway.Store, TestTelemetry.Receiver());
        var e = new EventBuilder(pump);
        var raisedAt = LastDock.AddHours(1);
        await TestTelemetry.AppendAsync(gateway.Store, [e.Alarm(raisedAt, AlarmTransition.Raised, AlarmKind.Occlusion, key: "9")]);
        await TestTelemetry.AppendAsync(gateway.Store, TestTelemetry.Readings(receiver, 0, 5));

        using var cancel = new CancellationTokenSource(Timeout);
        using var watch = gateway.Diagnostics.WatchAlarms(new Proto.WatchAlarmsRequest(), cancellationToken: cancel.Token);
        var raised = await ReadUpdateAsync(watch, cancel.Token);
        Assert.Equal((1UL, Proto.Alarm.Types.Transition.Raised), (raised.Event.Sequence, raised.Event.Alarm.Transition));
        Assert.True(raised.Episode.Open);
        Assert.Null(raised.Episode.Duration);

        // Live, after the watch caught up.
        await TestTelemetry.AppendAsync(gateway.Store,
            [e.Alarm(raisedAt.AddMinutes(5), AlarmTransition.Acknowledged, AlarmKind.Occlusion, key: "9"), e.Alarm(raisedAt.AddMinutes(50), AlarmTransition.Cleared, AlarmKind.Occlusion, key: "9")]);
        var acknowledged = await ReadUpdateAsync(watch, cancel.Token);
        var cleared = await ReadUpdateAsync(watch, cancel.Token);
        Assert.Equal((7UL, 8UL), (acknowledged.Event.Sequence, cleared.Event.Sequence));
        Assert.Equal(raisedAt.AddMinutes(5), acknowledged.Episode.Acknowledged.ToDateTimeOffset());
        Assert.True(acknowledged.Episode.Open);
        Assert.False(cleared.Episode.Open);
        Assert.Equal(TimeSpan.FromMinutes(50), cleared.Episode.Duration.ToTimeSpan());

        // Resumed after the raise: the first transition it gets still belongs to an episode raised before.
        using var resumed = gateway.Diagnostics.WatchAlarms(new Proto.WatchAlarmsRequest { AfterSequence = 1 }, cancellationToken: cancel.Token);
        var first = await ReadUpdateAsync(resumed, cancel.Token);
        Assert.Equal(7UL, first.Event.Sequence);
        Assert.Equal(raisedAt, first.Episode.Raised.ToDateTimeOffset());
        Assert.Equal(3, (await ReadUpdateAsync(resumed, cancel.Token)).Episode.EvidenceEventIds.Count);

        using var beyond = gateway.Diagnostics.WatchAlarms(new Proto.WatchAlarmsRequest { AfterSequence = 9 }, cancellationToken: cancel.Token);
        var error = await Assert.ThrowsAsync<RpcException>(() => beyond.ResponseStream.MoveNext(cancel.Token));
        Assert.Equal(StatusCode.OutOfRange, error.StatusCode);
    }

    /// <summary>The next alarm update, skipping heartbeats.</summary>
    private static async Task<Proto.AlarmUpdate> ReadUpdateAsync(AsyncServerStreamingCall<Proto.WatchAlarmsResponse> call, CancellationToken cancellationToken)
    {
        while (true)
        {
            Assert.True(await call.ResponseStream.MoveNext(cancellationToken).WaitAsync(Timeout, cancellationToken));
            if (call.ResponseStream.Current.ItemCase == Proto.WatchAlarmsResponse.ItemOneofCase.Update)
            {
                return call.ResponseStream.Current.Update;
            }
        }
    }
}
