using System.Globalization;
using PumpGateway.Devices.Medtronic;
using PumpGateway.Fakes.Medtronic;
using PumpGateway.Fakes.Scenario;
using Proto = PumpGateway.Api.V1;

namespace PumpGateway.EndToEnd.Tests.Clinical;

/// <summary>
/// A Paradigm pump keeps its wearer's local time, without a zone. In a clinic in Paris the clocks go
/// back an hour at 03:00 on the last Sunday of October; the wearer sets the pump back an hour that
/// morning. The gateway, told the clinic's zone, must give every record its true UTC time (the ones
/// written before the change through the pump's own ChangeTime record) and report the clinic's days.
/// </summary>
public sealed class TimeZoneTests
{
    private const string Serial = "665455";

    [Fact]
    public async Task A_pump_set_back_an_hour_after_the_october_change_keeps_every_records_true_time_and_the_report_keeps_paris_days()
    {
        var paris = TimeZoneInfo.FindSystemTimeZoneById("Europe/Paris");
        var sunday = LastOctoberChangeBefore(DateTime.UtcNow.AddDays(-4));
        var start = sunday.AddDays(-2);

        // Seed 22, with about four clock changes a month: the only one this wearer makes is on the
        // Sunday, after the change (the scenario's draws put it between 08:00 and 21:00), one hour back.
        var scenario = new TherapyScenario(new TherapyScenarioOptions
        {
            Seed = 22,
            Start = start,
            Duration = TimeSpan.FromDays(5) + TimeSpan.FromHours(2),
            ClockChangesPerMonth = 4,
        });
        var therapy = scenario.Events;
        var change = Assert.Single(therapy.OfType<ClockChanged>());
        Assert.Equal((sunday, TimeSpan.FromHours(-1)), (change.OldTime.Date, change.NewTime - change.OldTime));
        Assert.True(change.OldTime.Hour >= 3, "the wearer sets the pump after the clocks went back");

        // The truth: the scenario's axis is the pump clock as it stood at the start, Paris summer time
        // (UTC + 2); an event's pump time less the clock changes before it is on that axis.
        var summer = paris.GetUtcOffset(start);
        Assert.Equal(TimeSpan.FromHours(2), summer);
        DateTimeOffset TrueUtc(TherapyEvent e)
        {
            var shifted = therapy.OfType<ClockChanged>().Where(c => c.Sequence < e.Sequence).Aggregate(TimeSpan.Zero, (sum, c) => sum + (c.NewTime - c.OldTime));
            return new DateTimeOffset(e.Time - shifted - summer, TimeSpan.Zero);
        }

        // Docked today the pump reads Paris time, as the wearer left it.
        var parisNow = paris.GetUtcOffset(DateTimeOffset.UtcNow);
        using var folder = new ScratchFolder();
        using var cancel = new CancellationTokenSource(ClinicGateway.Timeout);
        await using var pump = ParadigmPumpEmulator.FromScenario(scenario, options: new ParadigmPumpOptions { Serial = Serial, ClockOffset = parisNow });
        await using var stick = CareLinkStickEmulator.Start(pump);
        await using var gateway = await ClinicGateway.ParadigmAsync(folder.Path, stick.PortPath, Serial, "Europe/Paris").WaitAsync(cancel.Token);
        var device = await ClinicGateway.DeviceAsync(gateway, "medtronic", cancel.Token);
        var stored = await ClinicGateway.HistoryUntilAsync(
            gateway,
            device.DeviceId,
            e => e.Count(x => x.DeliveryState is not null) == therapy.Count(t => t is DeliverySuspended or DeliveryResumed) && e.Count(x => x.DailyInsulinTotal is not null) == 5,
            cancel.Token);

        // The clock offset measured at dock is Paris's offset now, within the pump's whole second and the radio's round trip.
        var error = device.ClockOffset.ToTimeSpan() - parisNow;
        Assert.InRange(error, TimeSpan.FromSeconds(-2), TimeSpan.FromSeconds(2));

        // Every event made from a history record: found by the record it came from (its identity is
        // the record's bytes, a bolus's its start, kind and amount, as the page served decodes), at its
        // true time less that error.
        var model = MedtronicModel.Parse("554");
        var sources = new Dictionary<string, TherapyEvent>(StringComparer.Ordinal);
        foreach (var page in pump.HistoryPages)
        {
            var served = MedtronicPageCodec.Decode(page.Bytes, model).Records;
            Assert.Equal(page.Entries!.Count, served.Count);
            foreach (var (record, entry) in served.Zip(page.Entries))
            {
                sources.TryAdd(Key(record, model), entry.Source!);
            }
        }

        var history = stored.Where(e => e.EventId.Contains("/mdt/", StringComparison.Ordinal)).ToList();
        Assert.Equal(history.Count, history.Select(e => e.EventId).Distinct().Count());
        Assert.True(history.Count > 100, $"{history.Count} history events");
        var before = 0;
        foreach (var e in history)
        {
            var source = sources[e.EventId[(e.EventId.IndexOf("/mdt/", StringComparison.Ordinal) + 5)..].Replace("-status", "", StringComparison.Ordinal)];

            // A day's total is written at the pump's midnight and dated the last second of its day.
            var truth = source is DailyTotal ? TrueUtc(source).AddSeconds(-1) : TrueUtc(source);
            Assert.Equal((e.EventId, truth - error), (e.EventId, e.UtcTime.ToDateTimeOffset()));
            var written = source.Sequence <= change.Sequence;
            before += written ? 1 : 0;
            Assert.Equal((e.EventId, written ? Proto.TimeBasis.DeviceTimeChange : Proto.TimeBasis.DockClockOffset), (e.EventId, e.TimeBasis));
        }

        Assert.InRange(before, 40, history.Count - 40);
        var clockSet = Assert.Single(history, e => e.PumpMaintenance?.Action == Proto.PumpMaintenance.Types.Action.ClockSet);
        Assert.Equal(TrueUtc(change) - error, clockSet.UtcTime.ToDateTimeOffset());

        // The report's days are Paris days, Sunday 25 hours long; each day's total is the insulin delivered
        // between two Paris midnights (the pump's own totals: it kept Paris time at every midnight).
        var from = new DateTimeOffset(start, paris.GetUtcOffset(start));
        var to = new DateTimeOffset(start.AddDays(5), paris.GetUtcOffset(start.AddDays(5)));
        Assert.Equal(TimeSpan.FromDays(5) + TimeSpan.FromHours(1), to - from);
        var summary = await ClinicGateway.SummaryAsync(gateway, device.DeviceId, from, to, cancel.Token);
        Assert.Equal("Europe/Paris", summary.ClinicTimeZone);
        var deliveries = scenario.Deliveries.Where(d => d.Kind != DeliveryKind.Prime).ToList();
        var days = Enumerable.Range(0, 5).Select(d =>
        {
            var day = DateOnly.FromDateTime(start.AddDays(d));
            var total = deliveries.Where(p => DateOnly.FromDateTime(TimeZoneInfo.ConvertTime(TrueUtcOfDelivery(p), paris).DateTime) == day).Sum(p => p.Units);
            return (day.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture), total);
        }).ToList();
        Assert.Equal(days, summary.Insulin.Days.Select(d => (d.Day, ClinicGateway.Units(d.Total)!.Value)));

        // The Paradigm's totals give no split: a bolus counts whole on the Paris day it started, the basal is the rest.
        var bolusByDay = deliveries.Where(p => p.Kind == DeliveryKind.Bolus).GroupBy(p => p.BolusId)
            .Select(b => (Day: DateOnly.FromDateTime(TimeZoneInfo.ConvertTime(b.Select(TrueUtcOfDelivery).Min(), paris).DateTime), Units: b.Sum(p => p.Units)))
            .GroupBy(b => b.Day.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture))
            .ToDictionary(g => g.Key, g => g.Sum(b => b.Units));
        Assert.Equal(
            days.Select(d => (Proto.DailyInsulin.Types.Source.PumpTotal, (decimal?)(d.total - bolusByDay.GetValueOrDefault(d.Item1)), (decimal?)bolusByDay.GetValueOrDefault(d.Item1))),
            summary.Insulin.Days.Select(d => (d.Source, ClinicGateway.Units(d.Basal), ClinicGateway.Units(d.Bolus))));

        // Boluses, suspensions and set changes of the period by their true time.
        bool InPeriod(DateTimeOffset utc) => utc >= from && utc < to;
        Assert.Equal(therapy.OfType<BolusProgrammed>().Count(b => InPeriod(TrueUtc(b))), summary.Insulin.Boluses);
        Assert.Equal(therapy.OfType<DeliverySuspended>().Count(s => InPeriod(TrueUtc(s))), summary.Insulin.Suspensions);
        Assert.Equal(therapy.OfType<Rewound>().Select(r => TrueUtc(r) - error).Where(InPeriod), summary.SetChanges.Select(t => t.ToDateTimeOffset()));

        DateTimeOffset TrueUtcOfDelivery(InsulinDelivery delivery)
        {
            var shifted = therapy.OfType<ClockChanged>().Where(c => c.Sequence <= delivery.AfterSequence).Aggregate(TimeSpan.Zero, (sum, c) => sum + (c.NewTime - c.OldTime));
            return new DateTimeOffset(delivery.From - shifted - summer, TimeSpan.Zero);
        }
    }

    [Fact]
    public async Task The_pumps_own_sensor_readings_keep_their_true_time_through_the_hour_the_set_back_clock_repeats()
    {
        // Seed 2 from this Friday: the wearer sets the pump back an hour on the Sunday of the change, at 14:26.
        var paris = TimeZoneInfo.FindSystemTimeZoneById("Europe/Paris");
        var start = new DateTime(2026, 10, 23);
        var wearer = new Wearer(new TherapyScenarioOptions
        {
            Seed = 2,
            Start = start,
            Duration = TimeSpan.FromDays(5) + TimeSpan.FromHours(2),
            ClockChangesPerMonth = 4,
            GlucoseInterval = TimeSpan.FromMinutes(5),
            SensorSession = TimeSpan.FromDays(6),
        });
        // On the scenario's axis (the pump clock as it stood at the start, Paris summer time) a change happened at
        // its old pump time less the changes before it. This wearer sets the clock back at least once: the
        // readings of the hour before that change are the ones the new clock repeats.
        var changes = new List<(DateTime AxisTime, TimeSpan By)>();
        foreach (var clockChange in wearer.Therapy.Events.OfType<ClockChanged>())
        {
            changes.Add((clockChange.OldTime - changes.Aggregate(TimeSpan.Zero, (sum, c) => sum + c.By), clockChange.NewTime - clockChange.OldTime));
        }

        var setBack = Assert.Single(changes, c => c.By == TimeSpan.FromHours(-1));
        var summer = paris.GetUtcOffset(start);
        var repeated = wearer.Cgm.Readings.Count(r => r.Time >= setBack.AxisTime.AddHours(-1) && r.Time < setBack.AxisTime);
        Assert.InRange(repeated, 11, 12);
        var lastChange = changes[^1].AxisTime;

        var parisNow = paris.GetUtcOffset(DateTimeOffset.UtcNow);
        using var folder = new ScratchFolder();
        using var cancel = new CancellationTokenSource(ClinicGateway.Timeout);
        await using var pump = ParadigmPumpEmulator.FromWearer(wearer, new ParadigmPumpOptions { Serial = Serial, ClockOffset = parisNow });
        await using var stick = CareLinkStickEmulator.Start(pump);
        await using var gateway = await ClinicGateway.ParadigmAsync(folder.Path, stick.PortPath, Serial, "Europe/Paris").WaitAsync(cancel.Token);
        var device = await ClinicGateway.DeviceAsync(gateway, "medtronic", cancel.Token);
        var readings = wearer.Cgm.Readings;
        var stored = (await ClinicGateway.HistoryUntilAsync(
                gateway, device.DeviceId, e => e.Count(x => x.Glucose?.Source == Proto.GlucoseReading.Types.Source.Sensor) == readings.Count, cancel.Token))
            .Where(e => e.Glucose?.Source == Proto.GlucoseReading.Types.Source.Sensor)
            .OrderBy(e => e.UtcTime.ToDateTimeOffset())
            .ToList();

        // Each at its true minute (the page keeps minutes), less the dock's error of a second or two;
        // the readings taken before the last change say they went through a change.
        var error = device.ClockOffset.ToTimeSpan() - parisNow;
        Assert.InRange(error, TimeSpan.FromSeconds(-2), TimeSpan.FromSeconds(2));
        Assert.Equal(
            readings.Select(r => (new DateTimeOffset(new DateTime(r.Time.Ticks - (r.Time.Ticks % TimeSpan.TicksPerMinute)) - summer, TimeSpan.Zero) - error, r.Time < lastChange)),
            stored.Select(e => (e.UtcTime.ToDateTimeOffset(), e.TimeBasis == Proto.TimeBasis.DeviceTimeChange)));
    }

    [Fact]
    public async Task A_sensors_days_and_times_of_day_are_paris_ones_across_the_october_change()
    {
        // Five Paris days from Friday, Sunday 25 hours long; the sensor keeps UTC. Its readings every
        // 5 minutes from Friday's Paris midnight, less its two-hour warm-up.
        var paris = TimeZoneInfo.FindSystemTimeZoneById("Europe/Paris");
        var friday = LastOctoberChangeBefore(DateTime.UtcNow.AddDays(-4)).AddDays(-2);
        var from = new DateTimeOffset(friday, paris.GetUtcOffset(friday));
        var to = new DateTimeOffset(friday.AddDays(5), paris.GetUtcOffset(friday.AddDays(5)));
        var scenario = new GlucoseScenario(new GlucoseScenarioOptions { Seed = 25, Start = from.UtcDateTime, Duration = to - from });
        using var folder = new ScratchFolder();
        using var cancel = new CancellationTokenSource(ClinicGateway.Timeout);
        await using var bench = await BluetoothBench.StartAsync().WaitAsync(cancel.Token);
        await using var sensor = await PumpGateway.Fakes.Cgms.CgmsSensorEmulator.StartAsync(
            bench.Bus.Address,
            scenario,
            new PumpGateway.Fakes.Cgms.CgmsSensorOptions { LocalName = "CGM clinical-paris", SerialNumber = "CGM-PARIS", UtcOffset = TimeSpan.Zero, SessionLength = TimeSpan.FromDays(6) },
            cancellationToken: cancel.Token).WaitAsync(cancel.Token);
        await using var gateway = await ClinicGateway.BluetoothAsync(folder.Path, bench.Bus.Address, "Europe/Paris").WaitAsync(cancel.Token);
        var key = sensor.SessionStartUtc.ToUnixTimeSeconds() / 60;
        var device = await ClinicGateway.CursorReachedAsync(gateway, "cgms", "cgm", (key << 16) | sensor.Records[^1].TimeOffsetMinutes, cancel.Token);

        var readings = scenario.History.Where(r => r.Time >= from.UtcDateTime.AddHours(2)).Select(r => (ByHand.Utc(r.Time), (double)r.MgDl)).ToList();
        Assert.Equal((5 * 288) + 12 - 24, readings.Count);
        var summary = await ClinicGateway.SummaryAsync(gateway, device.DeviceId, from, to, cancel.Token);
        var expected = ByHand.Glucose(readings, from, to, TimeSpan.FromMinutes(5), paris);
        Assert.Equal((expected.Readings, 5, false), (summary.Glucose.Readings, summary.Glucose.DaysWithData, summary.Glucose.Sufficient));
        Assert.Equal(expected.Mean, summary.Glucose.MeanMgDl, 9);
        Assert.Equal(expected.Wear, summary.Glucose.WearPercent, 9);

        // The AGP folds Paris time of day: the hour Sunday repeats (02:00 to 03:00) gives its slots a sixth
        // day's readings (18); Friday's first two hours are the warm-up (slots before 02:00 have 4 days, 12);
        // the rest have five (15).
        var agp = ByHand.Agp(readings, paris);
        Assert.Equal(agp.Select(s => s.Readings), summary.Glucose.Agp.Select(s => s.Readings));
        Assert.Equal((12, 18, 15), (summary.Glucose.Agp[0].Readings, summary.Glucose.Agp[8].Readings, summary.Glucose.Agp[12].Readings));
        for (var slot = 0; slot < 96; slot++)
        {
            Assert.Equal(agp[slot].Percentiles![2], summary.Glucose.Agp[slot].P50, 9);
        }
    }

    /// <summary>The last Sunday of October of the latest year whose one is before <paramref name="before"/>.</summary>
    private static DateTime LastOctoberChangeBefore(DateTime before)
    {
        for (var year = before.Year; ; year--)
        {
            var sunday = new DateTime(year, 10, 31, 0, 0, 0, DateTimeKind.Unspecified);
            while (sunday.DayOfWeek != DayOfWeek.Sunday)
            {
                sunday = sunday.AddDays(-1);
            }

            if (sunday.AddDays(3) < before)
            {
                return sunday;
            }
        }
    }

    /// <summary>The identity the gateway gives the event of a history record: its bytes, or a bolus's start, kind and programmed amount.</summary>
    private static string Key(MedtronicHistoryRecord record, MedtronicModel model) => record is MedtronicBolus bolus
        ? string.Create(CultureInfo.InvariantCulture, $"bolus-{bolus.Time:yyyyMMddHHmmss}-{bolus.Kind}-{bolus.Programmed}")
        : Convert.ToHexStringLower(MedtronicRecordCodec.Encode(record, model));
}
