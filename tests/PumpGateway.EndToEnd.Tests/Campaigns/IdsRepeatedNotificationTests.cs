using System.Globalization;
using PumpGateway.Devices.Ids;
using PumpGateway.Fakes.Ids;
using PumpGateway.Fakes.Scenario;
using Xunit.Abstractions;
using Proto = PumpGateway.Api.V1;

namespace PumpGateway.EndToEnd.Tests.Campaigns;

/// <summary>
/// What the IDS campaign's random repeated notifications can hit by chance, made certain: every
/// notification of the history transfer arrives twice. A record seen twice is one record: the
/// gateway must store nothing the pump did not record.
/// </summary>
public sealed class IdsRepeatedNotificationTests(ITestOutputHelper output)
{
    [Fact]
    public async Task A_history_transfer_whose_every_notification_arrives_twice_stores_no_clock_set_the_pump_never_recorded()
    {
        await using var bench = await BluetoothBench.StartAsync();
        var now = DateTime.UtcNow.AddHours(-1);
        var end = new DateTime(now.Ticks - (now.Ticks % TimeSpan.TicksPerSecond), DateTimeKind.Unspecified);
        var scenario = new TherapyScenario(new TherapyScenarioOptions { Seed = 1, Start = end.AddDays(-1), Duration = TimeSpan.FromDays(1), ClockChangesPerMonth = 10 });
        await using var pump = await IdsPumpEmulator.StartAsync(bench.Bus.Address, scenario, new IdsPumpOptions { LocalName = "Pump repeated", SerialNumber = "SN-repeated", TimeScale = 0 }).WaitAsync(TestGateway.Timeout);
        var link = await bench.Loopback.WaitForDeviceAsync("Pump repeated", TestGateway.Timeout);
        link.Faults.DuplicateNotificationProbability = 1;
        await using var gateway = await bench.StartGatewayAsync();
        using var cancel = new CancellationTokenSource(TestGateway.Timeout);

        var events = await gateway.ReadStoredThroughCursorAsync(IdsDriver.FamilyName, "history", pump.History[^1].SequenceNumber, cancel.Token);

        var clockSets = events.Where(e => e.PumpMaintenance?.Action == Proto.PumpMaintenance.Types.Action.ClockSet).ToList();
        var recorded = pump.HistoryEntries.Select(h => h.Source).OfType<ClockChanged>().Distinct().Count();
        foreach (var e in clockSets)
        {
            output.WriteLine($"stored clock set {e.EventId}: device time {e.DeviceTime}, raw {e.DeviceTimeRaw}");
        }

        output.WriteLine($"{link.Faults.NotificationsDuplicated} notifications repeated; the pump recorded {recorded} clock changes; first record: {pump.History[0]}");
        Assert.True(link.Faults.NotificationsDuplicated > 0);
        Assert.Equal(recorded, clockSets.Count);
        Assert.Equal(events.Count, events.Select(e => e.EventId).Distinct().Count());
    }
}
