using PumpGateway.Clinical;
using PumpGateway.Telemetry;

namespace PumpGateway.Core.Tests.Clinical;

/// <summary>
/// Daily doses worked by hand. January in Paris is UTC+1 (CET): times below are written in clinic
/// time with a +01:00 offset. Every scenario ends with the pump's status read at the next midnight,
/// the download that tells the pump's record reaches that far.
/// </summary>
public sealed class InsulinMetricsTests
{
    private static readonly TimeZoneInfo Paris = TimeZoneInfo.FindSystemTimeZoneById("Europe/Paris");
    private static readonly DateOnly Jan12 = new(2026, 1, 12);

    private readonly Stamper _pump = new("pump");

    [Fact]
    public void A_day_at_a_scheduled_1_unit_an_hour_is_24_units()
    {
        var summary = OneDay();

        // 1 U/h × 24 h = 24 U, no bolus: total 24
        var day = Assert.Single(summary.Days);
        Assert.Equal(new DailyInsulin(Jan12, 24m, 0m, 24m, DailyInsulinSource.Computed), day);
        Assert.Equal(24m, summary.TotalDailyDose);
        Assert.Equal(24m, summary.BasalPerDay);
        Assert.Equal(0m, summary.BolusPerDay);
        Assert.Equal(100, summary.BasalPercent);
    }

    [Fact]
    public void A_two_hour_temporary_basal_at_50_percent_takes_off_one_unit()
    {
        // 22 h × 1 U/h + 2 h × 0.5 U/h = 22 + 1 = 23 U
        var summary = OneDay(_pump.At(Temporary(TemporaryBasalPhase.Started, percent: 50, hours: 2), Cet(12, 10)));

        Assert.Equal(23m, Assert.Single(summary.Days).Basal);
        Assert.Equal(1, summary.TemporaryBasals);
    }

    [Fact]
    public void A_three_hour_suspension_delivers_nothing_for_three_hours()
    {
        // 21 h × 1 U/h + 3 h × 0 = 21 U
        var summary = OneDay(
            _pump.At(new DeliveryStateChange { Suspended = true, Reason = "user" }, Cet(12, 14)),
            _pump.At(new DeliveryStateChange { Suspended = false }, Cet(12, 17)));

        Assert.Equal(21m, Assert.Single(summary.Days).Basal);
        Assert.Equal(1, summary.Suspensions);
        Assert.Equal(TimeSpan.FromHours(3), summary.SuspendedTime);
    }

    [Fact]
    public void Boluses_count_on_the_clinic_day_they_started_with_their_extended_part()
    {
        var summary = OneDay(
            _pump.At(Normal(1m), Cet(12, 0, 30)),          // 11 Jan 23:30 UTC, but 12 Jan in Paris
            _pump.At(Normal(4m), Cet(12, 8)),
            _pump.At(Dual(2m, 1.5m), Cet(12, 12)),
            _pump.At(Normal(9m), Cet(13, 0, 30)));         // the next day, outside the period

        // bolus 1 + 4 + (2 + 1.5) = 8.5; total 24 + 8.5 = 32.5; basal 24 / 32.5 = 73.846154 %
        Assert.Equal(new DailyInsulin(Jan12, 24m, 8.5m, 32.5m, DailyInsulinSource.Computed), Assert.Single(summary.Days));
        Assert.Equal(3, summary.Boluses);
        Assert.Equal(3, summary.BolusesPerDay, 9);
        Assert.Equal(73.846154, summary.BasalPercent!.Value, 6);
    }

    [Fact]
    public void The_pumps_own_daily_total_overrides_the_computed_one()
    {
        // Computed would be 24 + 4 = 28; the pump says 30 = 20 basal + 10 bolus.
        var summary = OneDay(
            _pump.At(Normal(4m), Cet(12, 8)),
            _pump.At(new DailyInsulinTotal { Day = Jan12, TotalUnits = 30m, BasalUnits = 20m, BolusUnits = 10m }, Cet(12, 23, 59)));

        Assert.Equal(new DailyInsulin(Jan12, 20m, 10m, 30m, DailyInsulinSource.PumpTotal), Assert.Single(summary.Days));
        Assert.Equal(30m, summary.TotalDailyDose);

        // 20 / 30 × 100 = 66.666667 %
        Assert.Equal(66.666667, summary.BasalPercent!.Value, 6);
    }

    [Fact]
    public void A_pump_total_without_a_split_is_split_with_the_days_boluses_and_the_last_total_of_a_day_wins()
    {
        // The pump says 30 U; the history holds 4 + 2.5 U of boluses that day, so the basal delivered 23.5 U.
        var summary = OneDay(
            _pump.At(Normal(4m), Cet(12, 8)),
            _pump.At(Normal(2.5m), Cet(12, 19)),
            _pump.At(new DailyInsulinTotal { Day = Jan12, TotalUnits = 12m }, Cet(12, 12)),
            _pump.At(new DailyInsulinTotal { Day = Jan12, TotalUnits = 30m }, Cet(12, 23, 59)));

        Assert.Equal(new DailyInsulin(Jan12, 23.5m, 6.5m, 30m, DailyInsulinSource.PumpTotal), Assert.Single(summary.Days));
        Assert.Equal((30m, 23.5m, 6.5m), (summary.TotalDailyDose, summary.BasalPerDay, summary.BolusPerDay));

        // 23.5 / 30 × 100
        Assert.Equal(78.333333, summary.BasalPercent!.Value, 6);
    }

    [Fact]
    public void A_pump_total_below_the_days_recorded_boluses_leaves_the_split_unknown()
    {
        var summary = OneDay(
            _pump.At(Normal(8m), Cet(12, 8)),
            _pump.At(new DailyInsulinTotal { Day = Jan12, TotalUnits = 6m }, Cet(12, 23, 59)));

        Assert.Equal(new DailyInsulin(Jan12, null, null, 6m, DailyInsulinSource.PumpTotal), Assert.Single(summary.Days));
        Assert.Null(summary.BasalPerDay);
        Assert.Null(summary.BasalPercent);
    }

    [Fact]
    public void Means_are_over_the_whole_days_of_the_period()
    {
        var events = new TelemetryEvent[]
        {
            _pump.At(Scheduled(1m), Cet(12, 0)),

            // 12 Jan: basal 24, bolus 4 + 4.5 = 8.5, total 32.5
            _pump.At(Normal(4m), Cet(12, 8)),
            _pump.At(Normal(4.5m), Cet(12, 19)),

            // 13 Jan: 50 % for 2 h → basal 23, no bolus, total 23
            _pump.At(Temporary(TemporaryBasalPhase.Started, percent: 50, hours: 2), Cet(13, 10)),

            // 14 Jan: suspended 14:00–16:00 → basal 22, bolus 3.5, total 25.5
            _pump.At(new DeliveryStateChange { Suspended = true }, Cet(14, 14)),
            _pump.At(new DeliveryStateChange { Suspended = false }, Cet(14, 16)),
            _pump.At(Normal(3.5m), Cet(14, 20)),

            _pump.At(new DeviceStatus { BatteryPercent = 80 }, Cet(15, 0)),
        };

        var summary = InsulinMetrics.Compute(events, Period(Cet(12, 0), Cet(15, 0)));

        Assert.Equal([32.5m, 23m, 25.5m], summary.Days.Select(d => d.Total));

        // TDD (32.5 + 23 + 25.5) / 3 = 81 / 3 = 27; basal (24 + 23 + 22) / 3 = 69 / 3 = 23; bolus (8.5 + 0 + 3.5) / 3 = 12 / 3 = 4
        Assert.Equal(27m, summary.TotalDailyDose);
        Assert.Equal(23m, summary.BasalPerDay);
        Assert.Equal(4m, summary.BolusPerDay);

        // basal share 69 / 81 × 100 = 85.185185 %
        Assert.Equal(85.185185, summary.BasalPercent!.Value, 6);

        // 3 boluses over 3 days = 1 a day; one temporary basal; one suspension of 2 h
        Assert.Equal(3, summary.Boluses);
        Assert.Equal(1, summary.BolusesPerDay, 9);
        Assert.Equal(1, summary.TemporaryBasals);
        Assert.Equal(1, summary.Suspensions);
        Assert.Equal(TimeSpan.FromHours(2), summary.SuspendedTime);
    }

    [Fact]
    public void A_day_before_the_first_scheduled_basal_has_no_computed_basal()
    {
        var events = new List<TelemetryEvent>
        {
            _pump.At(Scheduled(1m), Cet(12, 6)), // 00:00–06:00 on the 12th: rate unknown
            _pump.At(new DeviceStatus { BatteryPercent = 80 }, Cet(14, 0)),
        };
        var period = Period(Cet(12, 0), Cet(14, 0));

        var computedOnly = InsulinMetrics.Compute(events, period);
        Assert.Equal(new DailyInsulin(Jan12.AddDays(1), 24m, 0m, 24m, DailyInsulinSource.Computed), Assert.Single(computedOnly.Days));

        // With the pump's total for the 12th (26, no split, no bolus recorded: all basal): TDD (26 + 24) / 2 = 25.
        events.Add(_pump.At(new DailyInsulinTotal { Day = Jan12, TotalUnits = 26m }, Cet(12, 23, 59)));
        var withTotal = InsulinMetrics.Compute(events, period);
        Assert.Equal([DailyInsulinSource.PumpTotal, DailyInsulinSource.Computed], withTotal.Days.Select(d => d.Source));
        Assert.Equal(25m, withTotal.TotalDailyDose);
        Assert.Equal(25m, withTotal.BasalPerDay);
        Assert.Equal(0m, withTotal.BolusPerDay);
        Assert.Equal(100, withTotal.BasalPercent);
    }

    [Fact]
    public void A_day_beyond_the_pumps_last_event_is_not_covered()
    {
        // The last event is a bolus at 20:00: what the pump did from 20:00 to midnight is not known.
        var events = new TelemetryEvent[] { _pump.At(Scheduled(1m), Cet(12, 0)), _pump.At(Normal(2m), Cet(12, 20)) };

        var summary = InsulinMetrics.Compute(events, Period(Cet(12, 0), Cet(13, 0)));

        Assert.Empty(summary.Days);
        Assert.Null(summary.TotalDailyDose);
        Assert.Null(summary.BasalPerDay);
        Assert.Null(summary.BasalPercent);
        Assert.Equal(1, summary.Boluses);
    }

    [Fact]
    public void An_absolute_temporary_basal_over_midnight_is_split_between_the_days()
    {
        // 0.25 U/h from 22:00 on the 12th for 4 h: 12th = 22 × 1 + 2 × 0.25 = 22.5; 13th = 2 × 0.25 + 22 × 1 = 22.5
        var events = new TelemetryEvent[]
        {
            _pump.At(Scheduled(1m), Cet(12, 0)),
            _pump.At(Temporary(TemporaryBasalPhase.Started, unitsPerHour: 0.25m, hours: 4), Cet(12, 22)),
            _pump.At(new DeviceStatus { BatteryPercent = 80 }, Cet(14, 0)),
        };

        var summary = InsulinMetrics.Compute(events, Period(Cet(12, 0), Cet(14, 0)));

        Assert.Equal([22.5m, 22.5m], summary.Days.Select(d => d.Basal));
    }

    [Fact]
    public void An_ended_event_stops_a_temporary_basal_early()
    {
        // 50 % from 10:00 for 4 h, ended at 11:00: 23 × 1 + 1 × 0.5 = 23.5
        var summary = OneDay(
            _pump.At(Temporary(TemporaryBasalPhase.Started, percent: 50, hours: 4), Cet(12, 10)),
            _pump.At(Temporary(TemporaryBasalPhase.Ended, percent: 50, hours: 4), Cet(12, 11)));

        Assert.Equal(23.5m, Assert.Single(summary.Days).Basal);
    }

    [Fact]
    public void The_next_temporary_basal_replaces_the_running_one()
    {
        // 50 % from 10:00 for 4 h, replaced at 11:00 by 0 U/h for 1 h, then the schedule again (the first is not resumed):
        // 10–11 0.5 U, 11–12 0 U, 22 other hours × 1 U = 22.5
        var summary = OneDay(
            _pump.At(Temporary(TemporaryBasalPhase.Started, percent: 50, hours: 4), Cet(12, 10)),
            _pump.At(Temporary(TemporaryBasalPhase.Started, unitsPerHour: 0m, hours: 1), Cet(12, 11)));

        Assert.Equal(22.5m, Assert.Single(summary.Days).Basal);
        Assert.Equal(2, summary.TemporaryBasals);
    }

    [Fact]
    public void An_end_and_a_start_at_the_same_instant_end_the_old_one_and_start_the_new()
    {
        // 50 % 10:00–12:00 (ended at 12:00), 0 U/h 12:00–13:00, listed start-first:
        // 10–12 2 × 0.5 = 1, 12–13 0, 21 other hours × 1 = 21 → 22
        var summary = OneDay(
            _pump.At(Temporary(TemporaryBasalPhase.Started, percent: 50, hours: 4), Cet(12, 10)),
            _pump.At(Temporary(TemporaryBasalPhase.Started, unitsPerHour: 0m, hours: 1), Cet(12, 12)),
            _pump.At(Temporary(TemporaryBasalPhase.Ended, percent: 50, hours: 4), Cet(12, 12)));

        Assert.Equal(22m, Assert.Single(summary.Days).Basal);
    }

    [Fact]
    public void A_percent_temporary_basal_follows_the_schedule_underneath()
    {
        // Schedule 1 U/h 00–12, 2 U/h 12–24 = 12 + 24 = 36. 50 % from 11:00 for 2 h: 11–12 saves 0.5, 12–13 saves 1 → 34.5
        var summary = OneDay(
            _pump.At(Scheduled(2m), Cet(12, 12)),
            _pump.At(Temporary(TemporaryBasalPhase.Started, percent: 50, hours: 2), Cet(12, 11)));

        Assert.Equal(34.5m, Assert.Single(summary.Days).Basal);
    }

    [Fact]
    public void Clinic_days_of_23_and_25_hours_deliver_23_and_25_units()
    {
        // Paris 2026-03-29: 03-28 23:00 UTC to 03-29 22:00 UTC = 23 h; 2026-10-25: 10-24 22:00 UTC to 10-25 23:00 UTC = 25 h.
        var spring = new DateTimeOffset(2026, 3, 28, 23, 0, 0, TimeSpan.Zero);
        var autumn = new DateTimeOffset(2026, 10, 24, 22, 0, 0, TimeSpan.Zero);
        foreach (var (start, end, units) in new[] { (spring, spring.AddHours(23), 23m), (autumn, autumn.AddHours(25), 25m) })
        {
            var events = new TelemetryEvent[] { _pump.At(Scheduled(1m), start), _pump.At(new DeviceStatus { BatteryPercent = 80 }, end) };

            var summary = InsulinMetrics.Compute(events, new ReportPeriod(start, end, Paris));

            Assert.Equal(units, Assert.Single(summary.Days).Basal);
        }
    }

    [Fact]
    public void Suspensions_are_clipped_to_the_period_and_an_open_one_runs_to_its_end()
    {
        var events = new TelemetryEvent[]
        {
            _pump.At(Scheduled(1m), Cet(11, 22)),
            _pump.At(new DeliveryStateChange { Suspended = true }, Cet(11, 23)),  // 1 h of it inside: 00:00–01:00
            _pump.At(new DeliveryStateChange { Suspended = false }, Cet(12, 1)),
            _pump.At(new DeliveryStateChange { Suspended = false }, Cet(12, 10)), // a resume while running: nothing
            _pump.At(new DeliveryStateChange { Suspended = true }, Cet(12, 20)),  // never resumed: 20:00–24:00 = 4 h
            _pump.At(new DeliveryStateChange { Suspended = true, Reason = "alarm" }, Cet(12, 20, 30)), // the same suspension
            _pump.At(new DeviceStatus { BatteryPercent = 80 }, Cet(13, 0)),
        };

        var summary = InsulinMetrics.Compute(events, Period(Cet(12, 0), Cet(13, 0)));

        Assert.Equal(2, summary.Suspensions);
        Assert.Equal(TimeSpan.FromHours(5), summary.SuspendedTime);

        // delivered 01:00–20:00 only: 19 U
        Assert.Equal(19m, Assert.Single(summary.Days).Basal);
    }

    [Fact]
    public void Only_temporary_basal_starts_and_set_changes_that_begin_in_the_period_count()
    {
        var summary = OneDay(
            _pump.At(Temporary(TemporaryBasalPhase.Started, percent: 120, hours: 1), Cet(11, 22)),  // before the period
            _pump.At(Temporary(TemporaryBasalPhase.Started, percent: 80, hours: 2), Cet(12, 10)),   // counts
            _pump.At(Temporary(TemporaryBasalPhase.Changed, percent: 70, hours: 2), Cet(12, 10, 30)),
            _pump.At(Temporary(TemporaryBasalPhase.Ended, percent: 70, hours: 2), Cet(12, 11)),
            _pump.At(new PumpMaintenance { Action = PumpMaintenanceAction.Rewind }, Cet(11, 23, 50)),         // a change begun before midnight
            _pump.At(new PumpMaintenance { Action = PumpMaintenanceAction.ReservoirFilled }, Cet(12, 0, 5)),
            _pump.At(new PumpMaintenance { Action = PumpMaintenanceAction.Rewind }, Cet(12, 12)),             // counts
            _pump.At(new PumpMaintenance { Action = PumpMaintenanceAction.CannulaPrimed }, Cet(12, 12, 10)),
            _pump.At(new PumpMaintenance { Action = PumpMaintenanceAction.BatteryChanged }, Cet(12, 15)));

        Assert.Equal(1, summary.TemporaryBasals);
        Assert.Equal(1, summary.SetChanges);

        // 10:00–10:30 at 80 % = 0.4, 10:30–11:00 at 70 % = 0.35, other 23 h = 23 → 23.75
        Assert.Equal(23.75m, Assert.Single(summary.Days).Basal);
    }

    [Fact]
    public void Negative_insulin_and_null_events_are_refused()
    {
        var period = Period(Cet(12, 0), Cet(13, 0));

        Assert.Throws<ArgumentException>(() => InsulinMetrics.Compute([_pump.At(Scheduled(-1m), Cet(12, 0))], period));
        Assert.Throws<ArgumentException>(() => InsulinMetrics.Compute([_pump.At(Normal(-1m), Cet(12, 0))], period));
        Assert.Throws<ArgumentException>(() => InsulinMetrics.Compute([_pump.At(Temporary(TemporaryBasalPhase.Started, percent: -5, hours: 1), Cet(12, 0))], period));
        Assert.Throws<ArgumentException>(() => InsulinMetrics.Compute([null!], period));
    }

    /// <summary>12 January at 1 U/h from midnight, the pump read at the next midnight, plus the scenario's events.</summary>
    private InsulinSummary OneDay(params TelemetryEvent[] scenario)
    {
        var events = new List<TelemetryEvent> { _pump.At(Scheduled(1m), Cet(12, 0)) };
        events.AddRange(scenario);
        events.Add(_pump.At(new DeviceStatus { BatteryPercent = 80 }, Cet(13, 0)));
        return InsulinMetrics.Compute(events, Period(Cet(12, 0), Cet(13, 0)));
    }

    private static ReportPeriod Period(DateTimeOffset from, DateTimeOffset to) => new(from, to, Paris);

    private static DateTimeOffset Cet(int day, int hour, int minute = 0) => new(2026, 1, day, hour, minute, 0, TimeSpan.FromHours(1));

    private static ScheduledBasal Scheduled(decimal unitsPerHour) => new() { UnitsPerHour = unitsPerHour };

    private static TemporaryBasal Temporary(TemporaryBasalPhase phase, double hours, int? percent = null, decimal? unitsPerHour = null) =>
        new() { Phase = phase, Percent = percent, UnitsPerHour = unitsPerHour, ProgrammedDuration = TimeSpan.FromHours(hours) };

    private static Bolus Normal(decimal units) =>
        new() { BolusType = BolusType.Normal, ProgrammedUnits = units, DeliveredUnits = units };

    private static Bolus Dual(decimal now, decimal extended) => new()
    {
        BolusType = BolusType.DualWave,
        ProgrammedUnits = now,
        DeliveredUnits = now,
        ProgrammedExtendedUnits = extended,
        DeliveredExtendedUnits = extended,
        ExtendedDuration = TimeSpan.FromHours(2),
    };
}
