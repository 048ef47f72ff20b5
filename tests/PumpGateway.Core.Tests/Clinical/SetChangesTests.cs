using PumpGateway.Clinical;
using PumpGateway.Telemetry;

namespace PumpGateway.Core.Tests.Clinical;

public sealed class SetChangesTests
{
    private static readonly DateTimeOffset Morning = new(2026, 2, 3, 9, 0, 0, TimeSpan.Zero);

    private readonly Stamper _pump = new("pump");

    [Fact]
    public void Rewind_fill_and_primes_within_minutes_are_one_set_change_at_the_rewind()
    {
        var steps = new[]
        {
            Step(PumpMaintenanceAction.Rewind, 0),
            Step(PumpMaintenanceAction.ReservoirFilled, 5),
            Step(PumpMaintenanceAction.TubingPrimed, 12),
            Step(PumpMaintenanceAction.CannulaPrimed, 20),
        };

        var change = Assert.Single(SetChanges.Find(steps));

        Assert.Equal(Morning, change.Utc);
        Assert.Equal(steps.Select(s => s.Id), change.Evidence);
    }

    [Fact]
    public void A_slow_change_is_one_change_while_each_step_follows_the_last_within_30_minutes()
    {
        // Gaps 20 and 25 minutes: the last step is 45 minutes after the first, still one change.
        var steps = new[] { Step(PumpMaintenanceAction.Rewind, 0), Step(PumpMaintenanceAction.ReservoirFilled, 20), Step(PumpMaintenanceAction.Primed, 45) };

        var change = Assert.Single(SetChanges.Find(steps));

        Assert.Equal(3, change.Evidence.Count);
    }

    [Theory]
    [InlineData(30, 1)] // exactly 30 minutes apart: the same change
    [InlineData(31, 2)]
    public void Steps_more_than_30_minutes_apart_are_two_changes(int minutesApart, int changes)
    {
        var steps = new[] { Step(PumpMaintenanceAction.Rewind, 0), Step(PumpMaintenanceAction.Primed, minutesApart) };

        Assert.Equal(changes, SetChanges.Find(steps).Count);
    }

    [Fact]
    public void Changes_three_days_apart_come_back_in_time_order_whatever_the_input_order()
    {
        var day = 24 * 60;
        var steps = new[]
        {
            Step(PumpMaintenanceAction.CannulaPrimed, (2 * day) + 10),
            Step(PumpMaintenanceAction.Rewind, 0),
            Step(PumpMaintenanceAction.Rewind, 2 * day),
            Step(PumpMaintenanceAction.Rewind, day),
            Step(PumpMaintenanceAction.TubingPrimed, 8),
        };

        var changes = SetChanges.Find(steps);

        Assert.Equal([Morning, Morning.AddDays(1), Morning.AddDays(2)], changes.Select(c => c.Utc));
        Assert.Equal([steps[1].Id, steps[4].Id], changes[0].Evidence);
        Assert.Equal([steps[2].Id, steps[0].Id], changes[2].Evidence);
    }

    [Fact]
    public void A_battery_change_or_a_clock_set_is_not_a_set_change()
    {
        var steps = new[] { Step(PumpMaintenanceAction.BatteryChanged, 0), Step(PumpMaintenanceAction.ClockSet, 5) };

        Assert.Empty(SetChanges.Find(steps));

        // …nor does it bridge two real steps 40 minutes apart.
        var bridged = new[] { Step(PumpMaintenanceAction.Rewind, 0), Step(PumpMaintenanceAction.BatteryChanged, 20), Step(PumpMaintenanceAction.Primed, 40) };
        Assert.Equal(2, SetChanges.Find(bridged).Count);
    }

    [Fact]
    public void No_maintenance_is_no_set_change_and_a_null_is_refused()
    {
        Assert.Empty(SetChanges.Find([]));
        Assert.Throws<ArgumentException>(() => SetChanges.Find([null!]));
    }

    private PumpMaintenance Step(PumpMaintenanceAction action, int minutes) =>
        _pump.At(new PumpMaintenance { Action = action }, Morning.AddMinutes(minutes));
}
