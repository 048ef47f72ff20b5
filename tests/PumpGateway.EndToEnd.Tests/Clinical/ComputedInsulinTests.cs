using System.Globalization;
using PumpGateway.Devices.Ids;
using PumpGateway.Fakes.Ids;
using PumpGateway.Fakes.Scenario;
using Proto = PumpGateway.Api.V1;

namespace PumpGateway.EndToEnd.Tests.Clinical;

/// <summary>
/// A day the pump has not yet written its total for (it writes it at the next midnight): the report
/// computes it, the basal as the integral of the rate the pump delivered, the boluses that started
/// that day. The IDS pump records every change of the rate it delivers, a temporary basal's included.
/// </summary>
public sealed class ComputedInsulinTests
{
    [Fact]
    public async Task A_day_without_the_pumps_total_is_the_integral_of_the_rate_the_pump_delivered_under_a_temporary_basal_too()
    {
        // Seed 3, exercise every day: on the second day a 50 % temporary basal runs 08:29:10 to 10:29:10
        // across two changes of the profile (1.00, 0.90, 0.85 U/h), which the pump delivers at 0.50, 0.45
        // and 0.40 U/h (half the rate, down to its 0.05 U/h step). The scenario ends at midnight: the
        // second day's total is not written yet.
        var start = ByHand.MidnightDaysAgo(2);
        var scenario = new TherapyScenario(new TherapyScenarioOptions
        {
            Seed = 3,
            Start = start,
            Duration = TimeSpan.FromDays(2),
            ExercisePerWeek = 7,
            RandomAlarmsPerWeek = 0,
            UndetectedFailuresPerMonth = 0,
        });
        var therapy = scenario.Events;
        var day = start.AddDays(1);
        var temporary = Assert.Single(therapy.OfType<TemporaryBasalStarted>(), t => t.Time >= day);
        Assert.Equal((TemporaryBasalKind.Relative, 50m), (temporary.Kind, temporary.Amount));
        Assert.Equal(
            [0.50m, 0.45m, 0.40m],
            therapy.OfType<BasalRateChanged>().Where(b => b.Time >= temporary.Time && b.Time < temporary.Time + temporary.Duration).Select(b => b.UnitsPerHour));
        Assert.DoesNotContain(therapy.OfType<DailyTotal>(), t => t.Day == DateOnly.FromDateTime(day));

        using var folder = new ScratchFolder();
        using var cancel = new CancellationTokenSource(ClinicGateway.Timeout);
        await using var bench = await BluetoothBench.StartAsync().WaitAsync(cancel.Token);
        await using var pump = await IdsPumpEmulator.StartAsync(
            bench.Bus.Address, scenario, new IdsPumpOptions { LocalName = "Pump clinical-computed", SerialNumber = "SN-COMPUTED", TimeScale = 0, UtcOffset = TimeSpan.Zero }, cancellationToken: cancel.Token).WaitAsync(cancel.Token);
        await using var gateway = await ClinicGateway.BluetoothAsync(folder.Path, bench.Bus.Address).WaitAsync(cancel.Token);
        var device = await ClinicGateway.CursorReachedAsync(gateway, IdsDriver.FamilyName, "history", pump.History[^1].SequenceNumber, cancel.Token);
        var summary = await ClinicGateway.SummaryAsync(gateway, device.DeviceId, ByHand.Utc(start), ByHand.Utc(start.AddDays(2)), cancel.Token);

        // The rate the pump delivered, stretch by stretch over the day (it runs on to the pump's status
        // read at dock, after midnight), in U/h × time, rounded once to 0.001 U.
        var changes = therapy.OfType<BasalRateChanged>().ToList();
        decimal unitTicks = 0;
        for (var i = 0; i < changes.Count; i++)
        {
            var from = changes[i].Time < day ? day : changes[i].Time;
            var to = i + 1 < changes.Count && changes[i + 1].Time < day.AddDays(1) ? changes[i + 1].Time : day.AddDays(1);
            if (to > from)
            {
                unitTicks += changes[i].UnitsPerHour * (to - from).Ticks;
            }
        }

        var basal = Math.Round(unitTicks / TimeSpan.TicksPerHour, 3, MidpointRounding.AwayFromZero);
        var bolus = therapy.OfType<BolusDelivered>().Where(b => b.Started >= day).Sum(b => b.DeliveredUnits);

        var computed = summary.Insulin.Days.Single(d => d.Day == DateOnly.FromDateTime(day).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture));
        Assert.Equal(Proto.DailyInsulin.Types.Source.Computed, computed.Source);
        Assert.Equal(((decimal?)basal, (decimal?)bolus, (decimal?)(basal + bolus)), (ClinicGateway.Units(computed.Basal), ClinicGateway.Units(computed.Bolus), ClinicGateway.Units(computed.Total)));
    }
}
