using PumpGateway.Clinical;
using PumpGateway.Devices;
using PumpGateway.Telemetry;

namespace PumpGateway.Core.Tests.Clinical;

/// <summary>
/// The finding rules over small event lists; every expectation is worked out by hand in the comments
/// (times are UTC on 2 March 2026 unless a day is added).
/// </summary>
public sealed class FindingRulesTests
{
    private static readonly DeviceId Pump = new("ids-pump-a");
    private static readonly DateTimeOffset Day = new(2026, 3, 2, 0, 0, 0, TimeSpan.Zero);

    // ── 1. Delivery interrupted ──

    [Fact]
    public void A_five_hour_occlusion_cleared_with_a_resume_is_one_significant_interruption_of_five_hours()
    {
        var raised = AlarmEvent("occ-r", At(10, 00), AlarmTransition.Raised, AlarmKind.Occlusion);
        var cleared = AlarmEvent("occ-c", At(15, 00), AlarmTransition.Cleared, AlarmKind.Occlusion);
        var resumed = Delivery("resume", At(15, 00), suspended: false);

        var finding = Assert.Single(FindingRules.Evaluate([resumed, cleared, raised], At(18, 00)));

        Assert.Equal((FindingKind.DeliveryInterrupted, FindingSeverity.Significant, At(10, 00), At(15, 00)), (finding.Kind, finding.Severity, finding.FromUtc, finding.ToUtc));
        Assert.Equal([raised.Id, cleared.Id, resumed.Id], finding.Evidence); // the raise, then the two closers of 15:00 by id
        Assert.Contains("5 h", finding.Summary, StringComparison.Ordinal);
        Assert.Equal(Pump, finding.Device);
    }

    [Fact]
    public void A_seven_hour_suspension_is_a_major_interruption()
    {
        var suspended = Delivery("suspend", At(1, 00), suspended: true);
        var resumed = Delivery("resume", At(8, 00), suspended: false);

        var finding = Assert.Single(FindingRules.Evaluate([suspended, resumed], At(12, 00)));

        Assert.Equal((FindingKind.DeliveryInterrupted, FindingSeverity.Major, At(1, 00), At(8, 00)), (finding.Kind, finding.Severity, finding.FromUtc, finding.ToUtc));
        Assert.Equal([suspended.Id, resumed.Id], finding.Evidence);
        Assert.Contains("7 h (suspended)", finding.Summary, StringComparison.Ordinal);
    }

    [Fact]
    public void Two_overlapping_causes_merge_into_one_interruption()
    {
        // Occlusion 09:00 → cleared 10:30 (1 h 30 min, nothing alone); suspension 10:00 → 11:30 (1 h 30 min, nothing alone).
        // The resume at 11:30 comes after the clear, so the alarm ends at 10:30. Together: 09:00 → 11:30 = 2 h 30 min.
        var raised = AlarmEvent("occ-r", At(9, 00), AlarmTransition.Raised, AlarmKind.Occlusion);
        var suspended = Delivery("suspend", At(10, 00), suspended: true);
        var cleared = AlarmEvent("occ-c", At(10, 30), AlarmTransition.Cleared, AlarmKind.Occlusion);
        var resumed = Delivery("resume", At(11, 30), suspended: false);

        var finding = Assert.Single(FindingRules.Evaluate([raised, suspended, cleared, resumed], At(20, 00)));

        Assert.Equal((FindingSeverity.Significant, At(9, 00), At(11, 30)), (finding.Severity, finding.FromUtc, finding.ToUtc));
        Assert.Equal([raised.Id, suspended.Id, cleared.Id, resumed.Id], finding.Evidence);
        Assert.Contains("2 h 30 min (occlusion alarm, suspended)", finding.Summary, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(119, null)] // 1 h 59 min: nothing
    [InlineData(120, FindingSeverity.Significant)] // 2 h: significant from there
    [InlineData(359, FindingSeverity.Significant)]
    [InlineData(360, FindingSeverity.Major)] // 6 h: major from there
    public void A_suspension_is_graded_by_its_length(int minutes, FindingSeverity? expected)
    {
        var events = new TelemetryEvent[] { Delivery("suspend", At(6, 00), true), Delivery("resume", At(6, 00).AddMinutes(minutes), false) };

        var findings = FindingRules.Evaluate(events, At(23, 00));

        Assert.Equal(expected, findings.SingleOrDefault()?.Severity);
    }

    [Fact]
    public void A_suspension_still_running_runs_to_now()
    {
        var suspended = Delivery("suspend", At(8, 00), suspended: true);

        var finding = Assert.Single(FindingRules.Evaluate([suspended], At(16, 00)));

        Assert.Equal((FindingSeverity.Major, At(8, 00), At(16, 00)), (finding.Severity, finding.FromUtc, finding.ToUtc));
        Assert.Equal([suspended.Id], finding.Evidence);
        Assert.Contains("8 h (suspended), still interrupted", finding.Summary, StringComparison.Ordinal);
    }

    [Fact]
    public void An_occlusion_never_cleared_ends_at_the_first_bolus_that_delivered()
    {
        // The cancelled bolus of 11:00 delivered nothing: it does not show insulin flowing. The 12:30 one does: 2 h 30 min.
        var raised = AlarmEvent("occ-r", At(10, 00), AlarmTransition.Raised, AlarmKind.Occlusion);
        var cancelled = BolusOf("b-cancelled", At(11, 00), delivered: 0m);
        var bolus = BolusOf("b", At(12, 30), delivered: 2m);

        var finding = Assert.Single(FindingRules.Evaluate([raised, cancelled, bolus], At(20, 00)));

        Assert.Equal((FindingSeverity.Significant, At(10, 00), At(12, 30)), (finding.Severity, finding.FromUtc, finding.ToUtc));
        Assert.Equal([raised.Id, bolus.Id], finding.Evidence);
    }

    [Theory]
    [InlineData("scheduled")]
    [InlineData("temporary-80-percent")]
    [InlineData("zero-temporary-ended")]
    public void An_occlusion_never_cleared_ends_when_a_basal_rate_shows_delivery_but_not_at_a_zero_temporary_rate(string restart)
    {
        // Raised 10:00; a zero temporary rate set at 10:30 delivers nothing; the restart at 12:30 ends it: 2 h 30 min.
        var raised = AlarmEvent("occ-r", At(10, 00), AlarmTransition.Raised, AlarmKind.Occlusion);
        var zero = Stamp(new TemporaryBasal { Phase = TemporaryBasalPhase.Started, UnitsPerHour = 0m, ProgrammedDuration = TimeSpan.FromHours(4) }, "tb-zero", At(10, 30));
        TelemetryEvent restarted = restart switch
        {
            "scheduled" => Stamp(new ScheduledBasal { UnitsPerHour = 0.8m }, "basal", At(12, 30)),
            "temporary-80-percent" => Stamp(new TemporaryBasal { Phase = TemporaryBasalPhase.Started, Percent = 80, ProgrammedDuration = TimeSpan.FromHours(1) }, "tb-80", At(12, 30)),
            _ => Stamp(new TemporaryBasal { Phase = TemporaryBasalPhase.Ended, UnitsPerHour = 0m, ProgrammedDuration = TimeSpan.FromHours(4), EndReason = "cancelled" }, "tb-zero-end", At(12, 30)),
        };

        var finding = Assert.Single(FindingRules.Evaluate([raised, zero, restarted], At(20, 00)));

        Assert.Equal((At(10, 00), At(12, 30)), (finding.FromUtc, finding.ToUtc));
        Assert.Equal([raised.Id, restarted.Id], finding.Evidence);
    }

    [Fact]
    public void Only_events_up_to_now_are_looked_at()
    {
        // Suspended 08:00 → resumed 11:00. At 09:00 the resume has not happened: 1 h so far, nothing.
        TelemetryEvent[] events = [Delivery("suspend", At(8, 00), true), Delivery("resume", At(11, 00), false)];

        Assert.Empty(FindingRules.Evaluate(events, At(9, 00)));
        var later = Assert.Single(FindingRules.Evaluate(events, At(12, 00)));
        Assert.Equal((At(8, 00), At(11, 00)), (later.FromUtc, later.ToUtc));
    }

    // ── 2. Suspected set failure ──

    /// <summary>A detached set: glucose rising from 180 to 350 over three hours, a reading every 15 minutes from 09:00 to 12:00.</summary>
    private static readonly (int Hour, int Minute, double MgDl)[] Rising =
    [
        (9, 00, 180), (9, 15, 195), (9, 30, 210), (9, 45, 225), (10, 00, 240), (10, 15, 255), (10, 30, 270),
        (10, 45, 285), (11, 00, 300), (11, 15, 310), (11, 30, 320), (11, 45, 335), (12, 00, 350),
    ];

    [Fact]
    public void A_rise_above_300_with_nothing_to_explain_it_is_a_suspected_set_failure_over_exactly_the_high_readings()
    {
        // 300 at 11:00 is not above 300; the run is 11:15 (310) → 12:00 (350) = 45 min ≥ 30 min.
        var readings = RisingReadings();

        var finding = Assert.Single(FindingRules.Evaluate([Basal(At(0, 0)), .. readings], At(12, 30)));

        Assert.Equal((FindingKind.SuspectedSetFailure, FindingSeverity.Warning, At(11, 15), At(12, 00)), (finding.Kind, finding.Severity, finding.FromUtc, finding.ToUtc));
        Assert.Equal(readings.Where(r => r.MgDl > 300).Select(r => r.Id), finding.Evidence);
        Assert.Equal(4, finding.Evidence.Count);
        Assert.Contains("peak 350 mg/dL", finding.Summary, StringComparison.Ordinal);
    }

    [Fact]
    public void A_cgm_alone_knows_no_insulin_so_its_highs_are_no_set_failure()
    {
        Assert.Empty(FindingRules.Evaluate(RisingReadings(), At(12, 30)));
    }

    [Fact]
    public void A_pump_without_its_own_sensor_reads_the_rise_from_its_wearers_cgm()
    {
        var cgm = new DeviceId("cgms-wearer-a");
        var readings = RisingReadings().Select(r => r with { Id = EventId.For(cgm, "glucose", r.Id.Value), Device = cgm }).ToList();

        var finding = Assert.Single(FindingRules.Evaluate([Basal(At(0, 0))], At(12, 30), wearerGlucose: readings));

        Assert.Equal((Pump, FindingKind.SuspectedSetFailure, At(11, 15), At(12, 00)), (finding.Device, finding.Kind, finding.FromUtc, finding.ToUtc));
        Assert.Equal(readings.Where(r => r.MgDl > 300).Select(r => r.Id), finding.Evidence);
        Assert.Empty(FindingRules.Evaluate([Basal(At(0, 0)), BolusOf("meal", At(9, 15), delivered: 6m)], At(12, 30), wearerGlucose: readings));
    }

    [Fact]
    public void The_same_rise_with_a_bolus_two_hours_before_is_explained()
    {
        // The window is [08:15, 11:15]; a bolus at 09:15 lies in it.
        TelemetryEvent[] events = [.. RisingReadings(), BolusOf("meal", At(9, 15), delivered: 6m)];

        Assert.Empty(FindingRules.Evaluate(events, At(12, 30)));
    }

    [Fact]
    public void A_bolus_more_than_three_hours_before_the_rise_does_not_explain_it()
    {
        // 08:00 is before the window [08:15, 11:15].
        TelemetryEvent[] events = [.. RisingReadings(), BolusOf("breakfast", At(8, 00), delivered: 6m)];

        Assert.Equal(FindingKind.SuspectedSetFailure, Assert.Single(FindingRules.Evaluate(events, At(12, 30))).Kind);
    }

    [Fact]
    public void An_occlusion_alarm_in_the_window_explains_the_rise()
    {
        // The occlusion of 10:15 → 10:20 is a five-minute interruption (no finding of its own) inside the window.
        TelemetryEvent[] events =
        [
            .. RisingReadings(),
            AlarmEvent("occ-r", At(10, 15), AlarmTransition.Raised, AlarmKind.Occlusion),
            AlarmEvent("occ-c", At(10, 20), AlarmTransition.Cleared, AlarmKind.Occlusion),
        ];

        Assert.Empty(FindingRules.Evaluate(events, At(12, 30)));
    }

    [Fact]
    public void A_high_shorter_than_thirty_minutes_or_broken_by_a_gap_is_not_a_run()
    {
        // 301 from 10:00 to 10:25 (25 min), then 290. Later 320 at 14:00 and 14:45: 45 min apart, a gap over 30 min.
        TelemetryEvent[] events =
        [
            Glucose("g1", At(10, 00), 301), Glucose("g2", At(10, 05), 305), Glucose("g3", At(10, 25), 301), Glucose("g4", At(10, 30), 290),
            Glucose("g5", At(14, 00), 320), Glucose("g6", At(14, 45), 320),
        ];

        Assert.Empty(FindingRules.Evaluate(events, At(16, 00)));
    }

    // ── 3. Infusion set age ──

    [Theory]
    [InlineData(71, null)] // 2 d 23 h
    [InlineData(72, FindingSeverity.Warning)] // 3 d exactly: ≥ 3 d
    [InlineData(73, FindingSeverity.Warning)] // 3 d 1 h
    [InlineData(96, FindingSeverity.Warning)] // 4 d exactly: not more than 4 d
    [InlineData(97, FindingSeverity.Significant)] // 4 d 1 h
    public void The_current_set_is_judged_by_its_age_at_now(int hoursWorn, FindingSeverity? expected)
    {
        var change = SetChange("a", At(8, 00));

        var findings = FindingRules.Evaluate(change, At(8, 00).AddHours(hoursWorn));

        Assert.Equal(expected, findings.SingleOrDefault()?.Severity);
        if (expected is not null)
        {
            var finding = findings[0];
            Assert.Equal((FindingKind.InfusionSetAge, At(8, 00), At(8, 00).AddHours(hoursWorn)), (finding.Kind, finding.FromUtc, finding.ToUtc));
            Assert.Equal(change.Select(e => e.Id), finding.Evidence);
        }
    }

    [Fact]
    public void A_four_day_old_set_warns_at_three_days_one_hour_and_is_significant_at_four_days_one_hour()
    {
        var change = SetChange("a", At(8, 00));

        var early = Assert.Single(FindingRules.Evaluate(change, At(8, 00).AddDays(3).AddHours(1)));
        var late = Assert.Single(FindingRules.Evaluate(change, At(8, 00).AddDays(4).AddHours(1)));

        Assert.Equal(FindingSeverity.Warning, early.Severity);
        Assert.Contains("worn 3 d 1 h so far", early.Summary, StringComparison.Ordinal);
        Assert.Equal(FindingSeverity.Significant, late.Severity);
        Assert.Contains("worn 4 d 1 h so far", late.Summary, StringComparison.Ordinal);
    }

    [Fact]
    public void A_past_set_worn_three_and_a_half_days_is_a_warning_spanning_its_life()
    {
        // Set 1: 08:00 → day 3 20:00 = 3 d 12 h. Set 2: day 3 20:00 → now (day 4 08:00) = 12 h: nothing.
        var first = SetChange("a", At(8, 00));
        var second = new[] { Maintenance("b-rewind", At(8, 00).AddDays(3).AddHours(12), PumpMaintenanceAction.Rewind), Maintenance("b-prime", At(8, 20).AddDays(3).AddHours(12), PumpMaintenanceAction.Primed) };

        var finding = Assert.Single(FindingRules.Evaluate([.. first, .. second], At(8, 00).AddDays(4)));

        Assert.Equal((FindingSeverity.Warning, At(8, 00), At(20, 00).AddDays(3)), (finding.Severity, finding.FromUtc, finding.ToUtc));
        Assert.Equal(first.Concat(second).Select(e => e.Id), finding.Evidence);
        Assert.Contains("worn 3 d 12 h (", finding.Summary, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(30, true)] // within 30 minutes of the rewind: one set change at 08:00, 3 d 0 h 15 min old at now
    [InlineData(31, false)] // a second set change at 08:31: the current set is 2 d 23 h 44 min old
    public void Maintenance_within_thirty_minutes_of_the_first_is_one_set_change(int primeAfterMinutes, bool warned)
    {
        TelemetryEvent[] events = [Maintenance("rewind", At(8, 00), PumpMaintenanceAction.Rewind), Maintenance("prime", At(8, 00).AddMinutes(primeAfterMinutes), PumpMaintenanceAction.Primed)];

        var findings = FindingRules.Evaluate(events, At(8, 15).AddDays(3));

        Assert.Equal(warned, findings.Any(f => f.Kind == FindingKind.InfusionSetAge));
    }

    // ── 4. Battery and reservoir running out ──

    [Theory]
    [InlineData(24 * 60, true)] // projected empty in exactly 24 h: within the horizon (the boundary is inclusive)
    [InlineData((24 * 60) - 1, false)] // a horizon one minute shorter: not within
    public void A_reservoir_falling_50_40_30_every_8_hours_is_projected_empty_24_hours_after_the_last(int horizonMinutes, bool found)
    {
        // Exact line: −1.25 U/h through (0 h, 50), (8 h, 40), (16 h, 30): zero at 40 h = day 1 16:00, 24 h after the last.
        var readings = ReservoirReadings();
        var options = new FindingOptions { RunOutHorizon = TimeSpan.FromMinutes(horizonMinutes) };

        var findings = FindingRules.Evaluate(readings, At(16, 00), options);

        Assert.Equal(found, findings.Count == 1);
        if (found)
        {
            var finding = findings[0];
            Assert.Equal((FindingKind.ReservoirRunningOut, FindingSeverity.Warning, At(0, 00), At(16, 00)), (finding.Kind, finding.Severity, finding.FromUtc, finding.ToUtc));
            Assert.Equal(readings.Select(r => r.Id), finding.Evidence);
            Assert.Contains("projected empty at 2026-03-03 16:00 UTC (in 1 d)", finding.Summary, StringComparison.Ordinal);
            Assert.Contains("falling 1.25 U/h", finding.Summary, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void A_reservoir_projected_empty_within_six_hours_is_significant()
    {
        // Empty at day 1 16:00; at day 1 10:01 that is 5 h 59 min away. The first reading (day 0 00:00) is 34 h old: inside 48 h.
        var finding = Assert.Single(FindingRules.Evaluate(ReservoirReadings(), At(10, 01).AddDays(1)));

        Assert.Equal(FindingSeverity.Significant, finding.Severity);
        Assert.Contains("(in 5 h 59 min)", finding.Summary, StringComparison.Ordinal);
    }

    [Fact]
    public void Readings_older_than_48_hours_are_left_out_of_the_projection()
    {
        // At day 2 00:01 the 00:00 reading is 48 h 1 min old: two readings remain, too few for a line.
        Assert.Empty(FindingRules.Evaluate(ReservoirReadings(), At(0, 01).AddDays(2)));
    }

    [Fact]
    public void A_refill_restarts_the_series()
    {
        // 50, 40, 30, then a refill to 200 and 190: two readings since the rise, too few.
        TelemetryEvent[] events = [.. ReservoirReadings(), Status("s4", At(20, 00), reservoir: 200m), Status("s5", At(22, 00), reservoir: 190m)];

        Assert.Empty(FindingRules.Evaluate(events, At(22, 00)));
    }

    [Fact]
    public void A_refill_starts_the_line_afresh()
    {
        // 50 and 40 before the refill; then 200, 150, 100 at 04:00, 08:00, 12:00: −12.5 U/h, empty at 20:00, 8 h after now.
        TelemetryEvent[] before = [Status("s1", At(0, 00), reservoir: 50m), Status("s2", At(2, 00), reservoir: 40m)];
        TelemetryEvent[] after = [Status("s3", At(4, 00), reservoir: 200m), Status("s4", At(8, 00), reservoir: 150m), Status("s5", At(12, 00), reservoir: 100m)];

        var finding = Assert.Single(FindingRules.Evaluate([.. before, .. after], At(12, 00)));

        Assert.Equal((FindingSeverity.Warning, At(4, 00), At(12, 00)), (finding.Severity, finding.FromUtc, finding.ToUtc));
        Assert.Equal(after.Select(e => e.Id), finding.Evidence);
        Assert.Equal("Reservoir at 100 U, falling 12.5 U/h: projected empty at 2026-03-02 20:00 UTC (in 8 h)", finding.Summary);
    }

    [Theory]
    [InlineData(16, FindingSeverity.Warning)] // 90, 60, 30 % at 0, 8, 16 h: −3.75 %/h, empty at 24:00, 8 h away
    [InlineData(19, FindingSeverity.Significant)] // 5 h away
    public void A_falling_battery_is_projected_the_same_way(int nowHour, FindingSeverity expected)
    {
        TelemetryEvent[] events = [Status("b1", At(0, 00), battery: 90), Status("b2", At(8, 00), battery: 60), Status("b3", At(16, 00), battery: 30)];

        var finding = Assert.Single(FindingRules.Evaluate(events, At(nowHour, 00)));

        Assert.Equal((FindingKind.BatteryRunningOut, expected), (finding.Kind, finding.Severity));
        Assert.Contains("projected empty at 2026-03-03 00:00 UTC", finding.Summary, StringComparison.Ordinal);
    }

    [Fact]
    public void A_reservoir_already_at_zero_is_significant_and_a_steady_one_is_nothing()
    {
        var empty = Assert.Single(FindingRules.Evaluate([Status("z", At(9, 00), reservoir: 0m)], At(10, 00)));
        Assert.Equal((FindingKind.ReservoirRunningOut, FindingSeverity.Significant), (empty.Kind, empty.Severity));

        TelemetryEvent[] steady = [Status("s1", At(0, 00), reservoir: 30m), Status("s2", At(8, 00), reservoir: 30m), Status("s3", At(16, 00), reservoir: 30m)];
        Assert.Empty(FindingRules.Evaluate(steady, At(16, 00)));
    }

    // ── 5. Repeated occlusions ──

    [Theory]
    [InlineData(7 * 24 * 60, true)] // 7 days apart exactly: within the window
    [InlineData((7 * 24 * 60) + 1, false)] // 7 days 1 minute: not
    public void Two_occlusions_within_seven_days_are_significant(int minutesApart, bool found)
    {
        var second = At(10, 00).AddMinutes(minutesApart);
        TelemetryEvent[] events =
        [
            AlarmEvent("o1-r", At(10, 00), AlarmTransition.Raised, AlarmKind.Occlusion), AlarmEvent("o1-c", At(10, 10), AlarmTransition.Cleared, AlarmKind.Occlusion),
            AlarmEvent("o2-r", second, AlarmTransition.Raised, AlarmKind.Occlusion), AlarmEvent("o2-c", second.AddMinutes(10), AlarmTransition.Cleared, AlarmKind.Occlusion),
        ];

        var findings = FindingRules.Evaluate(events, second.AddHours(1));

        Assert.Equal(found, findings.Count == 1);
        if (found)
        {
            Assert.Equal((FindingKind.RepeatedOcclusions, FindingSeverity.Significant, At(10, 00), second), (findings[0].Kind, findings[0].Severity, findings[0].FromUtc, findings[0].ToUtc));
            Assert.Equal([events[0].Id, events[2].Id], findings[0].Evidence);
        }
    }

    // ── 6. Unstable link ──

    [Fact]
    public void Three_sessions_ended_by_a_failure_within_24_hours_make_the_link_unstable()
    {
        var f1 = Link("l1", At(1, 00), "the device stopped answering");
        var f2 = Link("l2", At(9, 00), "CRC error after 3 retries");
        var normal = Link("l3", At(12, 00), "the session ended");
        var f3 = Link("l4", At(20, 00), "the port closed");

        var finding = Assert.Single(FindingRules.Evaluate([f1, f2, normal, f3], At(21, 00)));

        Assert.Equal((FindingKind.UnstableLink, FindingSeverity.Warning, At(1, 00), At(20, 00)), (finding.Kind, finding.Severity, finding.FromUtc, finding.ToUtc));
        Assert.Equal([f1.Id, f2.Id, f3.Id], finding.Evidence);
        Assert.Contains("3 of 3 sessions ended by a failure (last: \"the port closed\")", finding.Summary, StringComparison.Ordinal);
    }

    [Fact]
    public void Three_failures_over_more_than_24_hours_or_without_a_reason_are_not_unstable()
    {
        // 01:00, 09:00, day 1 01:01: the first and the last are 24 h 1 min apart. Three reports with no reason: nothing says they failed.
        TelemetryEvent[] spread = [Link("l1", At(1, 00), "timeout"), Link("l2", At(9, 00), "timeout"), Link("l3", At(1, 01).AddDays(1), "timeout")];
        TelemetryEvent[] silent = [Link("l1", At(1, 00), null), Link("l2", At(2, 00), null), Link("l3", At(3, 00), null)];

        Assert.Empty(FindingRules.Evaluate(spread, At(12, 00).AddDays(1)));
        Assert.Empty(FindingRules.Evaluate(silent, At(12, 00)));
    }

    [Theory]
    [InlineData(6, true)] // 6 CRC errors in 50,000 bytes = 1.2 per 10 kB: above 1
    [InlineData(5, false)] // 5 in 50,000 = exactly 1 per 10 kB: not above
    public void Crc_errors_above_one_per_10_kB_make_the_link_unstable(long crcErrors, bool found)
    {
        var report = Link("l1", At(9, 00), "the session ended", crcErrors: crcErrors, bytesIn: 50_000);

        var findings = FindingRules.Evaluate([report], At(10, 00));

        Assert.Equal(found, findings.Count == 1);
        if (found)
        {
            Assert.Equal((FindingKind.UnstableLink, FindingSeverity.Warning), (findings[0].Kind, findings[0].Severity));
            Assert.Equal([report.Id], findings[0].Evidence);
            Assert.Contains("6 CRC errors in 50000 bytes received (1.2 per 10 kB)", findings[0].Summary, StringComparison.Ordinal);
        }
    }

    // ── 7. Clock off ──

    [Theory]
    [InlineData(7, FindingSeverity.Warning, "7 min ahead")]
    [InlineData(-61, FindingSeverity.Significant, "1 h 1 min behind")] // beyond an hour
    public void A_clock_error_beyond_five_minutes_at_the_last_dock_is_a_finding(int errorMinutes, FindingSeverity expected, string words)
    {
        var report = Link("l1", At(9, 00), "the session ended", clockError: TimeSpan.FromMinutes(errorMinutes));

        var finding = Assert.Single(FindingRules.Evaluate([report], At(10, 00)));

        Assert.Equal((FindingKind.ClockOff, expected, At(9, 00), At(9, 00)), (finding.Kind, finding.Severity, finding.FromUtc, finding.ToUtc));
        Assert.Equal([report.Id], finding.Evidence);
        Assert.Contains(words, finding.Summary, StringComparison.Ordinal);
    }

    [Fact]
    public void A_clock_off_reaches_back_over_the_docks_it_was_already_off_at()
    {
        // 1 min 40 days ago (fine, and too long ago to count for drift), 6 min on day 0, 7 min on day 1: off since day 0.
        var fine = Link("l0", At(9, 00).AddDays(-40), "the session ended", clockError: TimeSpan.FromMinutes(1));
        var off = Link("l1", At(9, 00), "the session ended", clockError: TimeSpan.FromMinutes(6));
        var newest = Link("l2", At(9, 00).AddDays(1), "the session ended", clockError: TimeSpan.FromMinutes(7));

        var finding = Assert.Single(FindingRules.Evaluate([newest, fine, off], At(10, 00).AddDays(1)));

        Assert.Equal((FindingKind.ClockOff, FindingSeverity.Warning, At(9, 00), At(9, 00).AddDays(1)), (finding.Kind, finding.Severity, finding.FromUtc, finding.ToUtc));
        Assert.Equal([off.Id, newest.Id], finding.Evidence);
        Assert.Equal("Device clock 7 min ahead at the last dock, off since 2026-03-02 09:00 UTC", finding.Summary);
    }

    [Fact]
    public void A_clock_set_right_since_is_no_finding()
    {
        // 7 min ahead on day 0, set on day 1, on time on day 2: not off now, and the change is a correction, not a drift.
        TelemetryEvent[] events =
        [
            Link("l1", At(9, 00), "the session ended", clockError: TimeSpan.FromMinutes(7)),
            Maintenance("set", At(9, 00).AddDays(1), PumpMaintenanceAction.ClockSet),
            Link("l2", At(9, 00).AddDays(2), "the session ended", clockError: TimeSpan.Zero),
        ];

        Assert.Empty(FindingRules.Evaluate(events, At(10, 00).AddDays(2)));
    }

    [Theory]
    [InlineData(10, true)] // −3 min then +3 min 10 days later: 6 min of change > 5 min, within 30 days
    [InlineData(29, true)]
    [InlineData(30, false)] // 30 days apart: not less than 30 days
    public void A_clock_that_drifts_more_than_five_minutes_within_30_days_is_a_warning(int daysApart, bool found)
    {
        var before = Link("l1", At(9, 00), "the session ended", clockError: TimeSpan.FromMinutes(-3));
        var after = Link("l2", At(9, 00).AddDays(daysApart), "the session ended", clockError: TimeSpan.FromMinutes(3));

        var findings = FindingRules.Evaluate([before, after], At(10, 00).AddDays(daysApart));

        Assert.Equal(found, findings.Count == 1); // neither error is beyond 5 min on its own
        if (found)
        {
            Assert.Equal((FindingKind.ClockOff, FindingSeverity.Warning, At(9, 00), At(9, 00).AddDays(daysApart)), (findings[0].Kind, findings[0].Severity, findings[0].FromUtc, findings[0].ToUtc));
            Assert.Equal([before.Id, after.Id], findings[0].Evidence);
            Assert.Contains("drifting: 3 min behind", findings[0].Summary, StringComparison.Ordinal);
            Assert.Contains("(6 min in ", findings[0].Summary, StringComparison.Ordinal);
        }
    }

    // ── all rules ──

    [Fact]
    public void The_order_the_events_arrive_in_does_not_change_the_findings()
    {
        TelemetryEvent[] events =
        [
            .. RisingReadings(), .. ReservoirReadings(), .. SetChange("a", At(8, 00).AddDays(-4)),
            Delivery("suspend", At(13, 00), true), Delivery("resume", At(16, 00), false),
            AlarmEvent("o1-r", At(13, 30), AlarmTransition.Raised, AlarmKind.Occlusion), AlarmEvent("o1-c", At(14, 00), AlarmTransition.Cleared, AlarmKind.Occlusion),
            AlarmEvent("o2-r", At(17, 00), AlarmTransition.Raised, AlarmKind.Occlusion),
            Link("l1", At(1, 00), "timeout"), Link("l2", At(2, 00), "timeout"), Link("l3", At(3, 00), "timeout", clockError: TimeSpan.FromMinutes(9)),
        ];
        var expected = FindingRules.Evaluate(events, At(18, 00)).Select(Describe).ToList();
        // Set failure, reservoir, set age, interruption (13:00 → 16:00), repeated occlusions, unstable link, clock off.
        Assert.Equal(7, expected.Count);

        var random = new Random(20260302);
        for (var round = 0; round < 50; round++)
        {
            var shuffled = events.ToArray();
            random.Shuffle(shuffled);
            Assert.Equal(expected, FindingRules.Evaluate([.. shuffled, shuffled[0]], At(18, 00)).Select(Describe)); // a duplicate counts once
        }
    }

    [Fact]
    public void Events_of_two_devices_bad_options_or_events_without_an_id_are_refused()
    {
        var other = Delivery("x", At(1, 00), true) with { Device = new DeviceId("mdt-pump-b") };
        Assert.Throws<ArgumentException>(() => FindingRules.Evaluate([Delivery("s", At(1, 00), true), other], At(2, 00)));
        Assert.Throws<ArgumentException>(() => FindingRules.Evaluate([], At(2, 00), new FindingOptions { MajorInterruption = TimeSpan.FromHours(1) }));
        Assert.Throws<ArgumentException>(() => FindingRules.Evaluate([], At(2, 00), new FindingOptions { RepeatedOcclusions = 0 }));
        Assert.Throws<ArgumentException>(() => FindingRules.Evaluate([Delivery("s", At(1, 00), true) with { Id = default }], At(2, 00)));
        Assert.Throws<ArgumentNullException>(() => FindingRules.Evaluate(null!, At(2, 00)));
        Assert.Empty(FindingRules.Evaluate([], At(2, 00)));
    }

    private static string Describe(Finding f) => $"{f.Device}|{f.Kind}|{f.Severity}|{f.FromUtc:O}|{f.ToUtc:O}|{f.Summary}|{string.Join(",", f.Evidence)}";

    private static DateTimeOffset At(int hour, int minute) => Day.AddHours(hour).AddMinutes(minute);

    private static GlucoseReading[] RisingReadings() =>
        Rising.Select(r => Glucose($"g-{r.Hour:00}{r.Minute:00}", At(r.Hour, r.Minute), r.MgDl)).ToArray();

    private static DeviceStatus[] ReservoirReadings() =>
        [Status("s1", At(0, 00), reservoir: 50m), Status("s2", At(8, 00), reservoir: 40m), Status("s3", At(16, 00), reservoir: 30m)];

    /// <summary>A new set as pumps log it: rewind, fill, tubing prime, cannula prime within twelve minutes.</summary>
    private static PumpMaintenance[] SetChange(string id, DateTimeOffset utc) =>
    [
        Maintenance($"{id}-rewind", utc, PumpMaintenanceAction.Rewind),
        Maintenance($"{id}-fill", utc.AddMinutes(5), PumpMaintenanceAction.ReservoirFilled),
        Maintenance($"{id}-tubing", utc.AddMinutes(10), PumpMaintenanceAction.TubingPrimed),
        Maintenance($"{id}-cannula", utc.AddMinutes(12), PumpMaintenanceAction.CannulaPrimed),
    ];

    private static T Stamp<T>(T e, string id, DateTimeOffset utc)
        where T : TelemetryEvent =>
        e with { Id = EventId.For(Pump, e.Kind.ToString(), id), Device = Pump, DeviceTime = DeviceTimestamp.FromClock(utc.UtcDateTime), Utc = utc, TimeBasis = TimeBasis.DeviceUtc };

    private static ScheduledBasal Basal(DateTimeOffset utc) => Stamp(new ScheduledBasal { UnitsPerHour = 0.8m }, "basal", utc);

    private static DeliveryStateChange Delivery(string id, DateTimeOffset utc, bool suspended) =>
        Stamp(new DeliveryStateChange { Suspended = suspended }, id, utc);

    private static Alarm AlarmEvent(string id, DateTimeOffset utc, AlarmTransition transition, AlarmKind kind) =>
        Stamp(new Alarm { AlarmKind = kind, Severity = AlarmSeverity.Alarm, Transition = transition, VendorCode = $"test:{kind}" }, id, utc);

    private static Bolus BolusOf(string id, DateTimeOffset utc, decimal delivered) =>
        Stamp(new Bolus { BolusType = BolusType.Normal, ProgrammedUnits = 6m, DeliveredUnits = delivered }, id, utc);

    private static GlucoseReading Glucose(string id, DateTimeOffset utc, double mgDl) =>
        Stamp(new GlucoseReading { Source = GlucoseSource.Sensor, MgDl = mgDl }, id, utc);

    private static PumpMaintenance Maintenance(string id, DateTimeOffset utc, PumpMaintenanceAction action) =>
        Stamp(new PumpMaintenance { Action = action }, id, utc);

    private static DeviceStatus Status(string id, DateTimeOffset utc, int? battery = null, decimal? reservoir = null) =>
        Stamp(new DeviceStatus { BatteryPercent = battery, ReservoirUnits = reservoir }, id, utc);

    private static LinkReport Link(string id, DateTimeOffset utc, string? endReason, long crcErrors = 0, long bytesIn = 100_000, TimeSpan? clockError = null) =>
        Stamp(new LinkReport { Endpoint = "serial:/dev/ttyUSB0", SessionLength = TimeSpan.FromMinutes(2), EndReason = endReason, CrcErrors = crcErrors, BytesIn = bytesIn, ClockError = clockError }, id, utc);
}
