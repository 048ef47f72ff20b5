using System.Globalization;
using Google.Protobuf.WellKnownTypes;
using Grpc.Core;
using PumpGateway.Devices;
using PumpGateway.Telemetry;
using Proto = PumpGateway.Api.V1;

namespace PumpGateway.Service.Tests;

public sealed class ReportServiceTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);

    // Two whole Paris days: 2 Nov 00:00 CET is 1 Nov 23:00 UTC.
    private static readonly DateTimeOffset From = new(2026, 11, 1, 23, 0, 0, TimeSpan.Zero);
    private static readonly DateTimeOffset To = From.AddDays(2);

    private static readonly Dictionary<string, string?> Paris = new() { ["Gateway:ClinicTimeZone"] = "Europe/Paris" };

    [Fact]
    public async Task A_pump_and_sensor_period_gives_the_metrics_counted_by_hand()
    {
        await using var gateway = await InProcessGateway.StartAsync(Paris);
        var pump = await TestTelemetry.AddDeviceAsync(gateway.Store, Pump());
        var e = new EventBuilder(pump);
        var events = new List<TelemetryEvent>
        {
            // 1 U/h from before the period; 50 % for 2 h on day 1 (−1 U); suspended 3 h on day 2 (−3 U).
            e.At(new ScheduledBasal { UnitsPerHour = 1.0m }, From.AddDays(-1)),
            e.At(new TemporaryBasal { Phase = TemporaryBasalPhase.Started, Percent = 50, ProgrammedDuration = TimeSpan.FromHours(2) }, From.AddHours(15)),
            e.At(new DeliveryStateChange { Suspended = true }, From.AddHours(27)),
            e.At(new DeliveryStateChange { Suspended = false }, From.AddHours(30)),

            // Day 1: 4 + 6 U, day 2: 4 U.
            Bolus(e, From.AddHours(8), 4m),
            Bolus(e, From.AddHours(13), 6m),
            Bolus(e, From.AddHours(32), 4m),

            // A new set on day 1 at 19:00 UTC: rewind, fill, primes.
            e.At(new PumpMaintenance { Action = PumpMaintenanceAction.Rewind }, From.AddHours(19)),
            e.At(new PumpMaintenance { Action = PumpMaintenanceAction.ReservoirFilled }, From.AddHours(19).AddMinutes(4)),
            e.At(new PumpMaintenance { Action = PumpMaintenanceAction.CannulaPrimed }, From.AddHours(19).AddMinutes(9)),

            // Alarms raised in the period: one occlusion (during the suspension), one low reservoir; one before it.
            e.Alarm(From.AddHours(27), AlarmTransition.Raised, AlarmKind.Occlusion),
            e.Alarm(From.AddHours(27.5), AlarmTransition.Cleared, AlarmKind.Occlusion),
            e.Alarm(From.AddHours(21), AlarmTransition.Raised, AlarmKind.ReservoirLow),
            e.Alarm(From.AddHours(-3), AlarmTransition.Raised, AlarmKind.BatteryLow),

            // The pump was read half an hour after the period: its events cover the whole period.
            e.At(new DeviceStatus { BatteryPercent = 80 }, To.AddMinutes(30)),
        };

        // Sensor glucose every 5 minutes, alternating 60 and 200 mg/dL.
        for (var i = 0; i < 2 * 288; i++)
        {
            events.Add(e.Glucose(From.AddMinutes(5 * i), i % 2 == 0 ? 60 : 200));
        }

        await TestTelemetry.AppendAsync(gateway.Store, events);

        var summary = await gateway.Reports.GetSummaryAsync(Request(pump, From, To), deadline: DateTime.UtcNow.Add(Timeout));

        Assert.Equal("Europe/Paris", summary.ClinicTimeZone);
        Assert.Equal(From, summary.From.ToDateTimeOffset());

        var glucose = summary.Glucose;
        Assert.Equal(576, glucose.Readings);
        Assert.Equal(TimeSpan.FromMinutes(5), glucose.ReadingInterval.ToTimeSpan());
        Assert.Equal(130, glucose.MeanMgDl, 9);
        Assert.Equal(70 * Math.Sqrt(576.0 / 575), glucose.SdMgDl, 9);
        Assert.Equal(100 * 70 * Math.Sqrt(576.0 / 575) / 130, glucose.CvPercent, 9);
        Assert.Equal(3.31 + (0.02392 * 130), glucose.GmiPercent, 9);
        Assert.Equal((0.0, 50.0, 0.0, 50.0, 0.0), (glucose.PercentBelow54, glucose.PercentBelow70, glucose.PercentInRange, glucose.PercentAbove180, glucose.PercentAbove250));
        Assert.Equal(100, glucose.WearPercent, 9);
        Assert.Equal(2, glucose.DaysWithData);
        Assert.False(glucose.Sufficient);
        Assert.Equal(Enumerable.Range(0, 96).Select(slot => slot * 15), glucose.Agp.Select(s => s.MinuteOfDay));
        Assert.Equal(576, glucose.Agp.Sum(s => s.Readings));

        var insulin = summary.Insulin;
        Assert.Equal(["2026-11-02", "2026-11-03"], insulin.Days.Select(d => d.Day));
        Assert.Equal([(23m, 10m, 33m), (21m, 4m, 25m)], insulin.Days.Select(d => (Units(d.Basal), Units(d.Bolus), Units(d.Total))));
        Assert.All(insulin.Days, d => Assert.Equal(Proto.DailyInsulin.Types.Source.Computed, d.Source));
        Assert.Equal((29m, 22m, 7m), (Units(insulin.TotalDailyDose), Units(insulin.BasalPerDay), Units(insulin.BolusPerDay)));
        Assert.Equal(100.0 * 22 / 29, insulin.BasalPercent, 9);
        Assert.Equal((3, 1.5, 1, 1, 1), (insulin.Boluses, insulin.BolusesPerDay, insulin.TemporaryBasals, insulin.Suspensions, insulin.SetChanges));
        Assert.Equal(TimeSpan.FromHours(3), insulin.SuspendedTime.ToTimeSpan());

        Assert.Equal([(Proto.Alarm.Types.Kind.Occlusion, 1), (Proto.Alarm.Types.Kind.ReservoirLow, 1)], summary.Alarms.Select(a => (a.Kind, a.Count)).OrderBy(a => a.Kind));
        Assert.Equal([From.AddHours(19)], summary.SetChanges.Select(t => t.ToDateTimeOffset()));

        var interrupted = Assert.Single(summary.Findings, f => f.Kind == Proto.Finding.Types.Kind.DeliveryInterrupted);
        Assert.Equal(Proto.Finding.Types.Severity.Significant, interrupted.Severity);
        Assert.Equal((From.AddHours(27), From.AddHours(30)), (interrupted.From.ToDateTimeOffset(), interrupted.To.ToDateTimeOffset()));
        Assert.NotEmpty(interrupted.EvidenceEventIds);
    }

    [Fact]
    public async Task A_cgm_receiver_has_no_insulin_and_a_period_without_readings_no_glucose()
    {
        await using var gateway = await InProcessGateway.StartAsync(Paris);
        var receiver = await TestTelemetry.AddDeviceAsync(gateway.Store, TestTelemetry.Receiver());
        await TestTelemetry.AppendAsync(gateway.Store, TestTelemetry.Readings(receiver, 0, 288));

        var day = await gateway.Reports.GetSummaryAsync(Request(receiver, TestTelemetry.Start, TestTelemetry.Start.AddDays(1)), deadline: DateTime.UtcNow.Add(Timeout));
        Assert.Equal(288, day.Glucose.Readings);
        Assert.Equal([receiver.Value], day.GlucoseDeviceIds);
        Assert.Null(day.Insulin);

        var before = await gateway.Reports.GetSummaryAsync(Request(receiver, TestTelemetry.Start.AddDays(-3), TestTelemetry.Start), deadline: DateTime.UtcNow.Add(Timeout));
        Assert.Null(before.Glucose);
        Assert.Empty(before.GlucoseDeviceIds);
        Assert.Empty(before.Alarms);
    }

    [Fact]
    public async Task A_pump_paired_with_its_wearers_cgm_shows_that_glucose_and_suspects_the_set_under_an_unexplained_high()
    {
        var pumpIdentity = Pump();
        var cgmIdentity = new DeviceIdentity("cgms", DeviceCategory.ContinuousGlucoseMonitor, "CGMS", "CGM0001", "Emulated CGMS sensor", "1.0");
        await using var gateway = await InProcessGateway.StartAsync(new Dictionary<string, string?>(Paris)
        {
            ["Gateway:Wearers:0:Devices:0"] = pumpIdentity.Id.Value,
            ["Gateway:Wearers:0:Devices:1"] = cgmIdentity.Id.Value,
        });
        var pump = await TestTelemetry.AddDeviceAsync(gateway.Store, pumpIdentity);
        var cgm = await TestTelemetry.AddDeviceAsync(gateway.Store, cgmIdentity);
        var p = new EventBuilder(pump);
        var c = new EventBuilder(cgm);

        // 150 mg/dL all day but from 13 h to 14 h into it, when it is 320 (13 readings: 60 minutes), with no bolus in the 3 h before.
        List<TelemetryEvent> glucose = [.. Enumerable.Range(0, 288).Select(i => c.Glucose(From.AddMinutes(5 * i), i is >= 156 and <= 168 ? 320 : 150))];
        await TestTelemetry.AppendAsync(gateway.Store, [p.At(new ScheduledBasal { UnitsPerHour = 1.0m }, From), Bolus(p, From.AddHours(2), 3m), .. glucose]);

        var summary = await gateway.Reports.GetSummaryAsync(Request(pump, From, From.AddDays(1)), deadline: DateTime.UtcNow.Add(Timeout));

        Assert.Equal(288, summary.Glucose.Readings);
        Assert.Equal([cgm.Value], summary.GlucoseDeviceIds);
        Assert.Equal(100.0 * 13 / 288, summary.Glucose.PercentAbove250, 9);
        var suspected = Assert.Single(summary.Findings, f => f.Kind == Proto.Finding.Types.Kind.SuspectedSetFailure);
        Assert.Equal((pump.Value, From.AddHours(13), From.AddHours(14)), (suspected.DeviceId, suspected.From.ToDateTimeOffset(), suspected.To.ToDateTimeOffset()));
        Assert.Equal(13, suspected.EvidenceEventIds.Count);

        // The CGM alone knows no insulin: no suspicion on its own summary.
        var cgmSummary = await gateway.Reports.GetSummaryAsync(Request(cgm, From, From.AddDays(1)), deadline: DateTime.UtcNow.Add(Timeout));
        Assert.DoesNotContain(cgmSummary.Findings, f => f.Kind == Proto.Finding.Types.Kind.SuspectedSetFailure);
    }

    [Fact]
    public async Task Bad_requests_get_invalid_argument_or_not_found_with_a_clear_message()
    {
        await using var gateway = await InProcessGateway.StartAsync();
        var receiver = await TestTelemetry.AddDeviceAsync(gateway.Store, TestTelemetry.Receiver());
        var start = TestTelemetry.Start;

        await AssertStatusAsync(StatusCode.NotFound, "No device dexcom-unknown", Request(new DeviceId("dexcom-unknown"), start, start.AddDays(1)));
        await AssertStatusAsync(StatusCode.InvalidArgument, "must be before", Request(receiver, start, start));
        await AssertStatusAsync(StatusCode.InvalidArgument, "at most 400 days", Request(receiver, start.AddDays(-401), start));
        await AssertStatusAsync(StatusCode.InvalidArgument, "from is required", new Proto.GetSummaryRequest { DeviceId = receiver.Value, To = Timestamp.FromDateTimeOffset(start) });
        await AssertStatusAsync(StatusCode.InvalidArgument, "not a valid timestamp", new Proto.GetSummaryRequest
        {
            DeviceId = receiver.Value, From = new Timestamp { Seconds = long.MaxValue }, To = Timestamp.FromDateTimeOffset(start),
        });
        await AssertStatusAsync(StatusCode.InvalidArgument, "device_id is not a device id", new Proto.GetSummaryRequest
        {
            DeviceId = "not a device!", From = Timestamp.FromDateTimeOffset(start), To = Timestamp.FromDateTimeOffset(start.AddDays(1)),
        });

        async Task AssertStatusAsync(StatusCode code, string message, Proto.GetSummaryRequest request)
        {
            var error = await Assert.ThrowsAsync<RpcException>(() => gateway.Reports.GetSummaryAsync(request, deadline: DateTime.UtcNow.Add(Timeout)).ResponseAsync);
            Assert.Equal(code, error.StatusCode);
            Assert.Contains(message, error.Status.Detail, StringComparison.Ordinal);
        }
    }

    private static DeviceIdentity Pump() => new("ids", DeviceCategory.InsulinPump, "IDS", "PUMP0001", "Emulated IDS pump", "1.0");

    private static Bolus Bolus(EventBuilder e, DateTimeOffset utc, decimal units) =>
        e.At(new Bolus { BolusType = BolusType.Normal, ProgrammedUnits = units, DeliveredUnits = units }, utc);

    private static Proto.GetSummaryRequest Request(DeviceId device, DateTimeOffset from, DateTimeOffset to) =>
        new() { DeviceId = device.Value, From = Timestamp.FromDateTimeOffset(from), To = Timestamp.FromDateTimeOffset(to) };

    private static decimal Units(string text) => decimal.Parse(text, NumberStyles.Number, CultureInfo.InvariantCulture);
}
