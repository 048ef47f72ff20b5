using PumpGateway.Devices.Medtronic;
using PumpGateway.Fakes.Medtronic;
using PumpGateway.Fakes.Scenario;
using PumpGateway.Telemetry;

namespace PumpGateway.Fakes.Tests.Medtronic;

/// <summary>
/// History and glucose pages generated from a wearer, read through the stick and decoded with the
/// codec, against the scenario they were generated from.
/// </summary>
public sealed class ParadigmGeneratedHistoryTests
{
    private const string Serial = "665455";
    private static readonly DateTime Start = new(2026, 3, 2);

    private static readonly Lazy<Wearer> TenDays = new(() => new Wearer(Options()));

    /// <summary>The pump's alarm codes for the scenario's alarms (protocol notes, "Pump alarm types"; a Paradigm reports an occlusion as No Delivery).</summary>
    private static readonly Dictionary<AlarmKind, byte> AlarmCodes = new()
    {
        [AlarmKind.Occlusion] = 4,
        [AlarmKind.NoDelivery] = 4,
        [AlarmKind.BatteryEmpty] = 5,
        [AlarmKind.AutoOff] = 6,
        [AlarmKind.PumpError] = 16,
        [AlarmKind.ReservoirEmpty] = 62,
    };

    private static TherapyScenarioOptions Options(int days = 10, int seed = 4) => new()
    {
        Seed = seed,
        Start = Start,
        Duration = TimeSpan.FromDays(days),
        AbsoluteTemporaryBasalsPerWeek = 3,
        RandomAlarmsPerWeek = 2,
        ClockChangesPerMonth = 8,
        SensorSession = TimeSpan.FromDays(2),
        ScriptedAlarms =
        [
            new(Start.AddHours(20), AlarmKind.Occlusion),
            new(Start.AddDays(1).AddHours(16), AlarmKind.NoDelivery),
            new(Start.AddDays(2).AddHours(11), AlarmKind.AutoOff),
            new(Start.AddDays(3).AddHours(15), AlarmKind.BatteryEmpty),
            new(Start.AddDays(4).AddHours(10), AlarmKind.ReservoirEmpty),
            new(Start.AddDays(5).AddHours(17), AlarmKind.PumpError),
        ],
    };

    private static List<ParadigmHistoryEntry> Oldest_first(ParadigmPumpEmulator pump) => [.. pump.HistoryPages.Reverse().SelectMany(p => p.Entries!)];

    [Fact]
    public async Task Every_generated_page_reads_through_the_stick_and_decodes_to_its_ground_truth()
    {
        await using var pump = ParadigmPumpEmulator.FromWearer(TenDays.Value);
        await using var stick = CareLinkStickEmulator.Start(pump);
        await using var client = await CareLinkTestClient.OpenAsync(stick.PortPath);
        await client.WakeAsync(Serial);

        Assert.Equal("554", ParadigmReplies.DecodePumpModel(await client.RequireAsync(ParadigmCommands.Read(Serial, ParadigmCommandCode.ReadPumpModel))));
        var current = ParadigmReplies.DecodeCurrentPageNumber(await client.RequireAsync(ParadigmCommands.Read(Serial, ParadigmCommandCode.ReadCurPageNumber)));
        Assert.InRange(current, 2u, 35u);
        Assert.Equal((int)current + 1, pump.HistoryPages.Count);
        for (var page = 0; page <= current; page++)
        {
            var bytes = ParadigmReplies.DecodePage(await client.RequireAsync(ParadigmCommands.ReadHistoryData(Serial, (byte)page)));
            var decoded = MedtronicPageCodec.Decode(bytes, MedtronicModel.Paradigm554);
            Assert.Equal(pump.HistoryPages[page].Entries!.Select(e => e.Record), decoded.Records);

            // Full pages are full: the next event's records would not have fit.
            Assert.True(page == 0 || decoded.OffsetOf(decoded.Records.Count - 1) > 900, $"page {page} rolled over early");
        }

        Assert.Empty(stick.RefusedCommands);
    }

    [Fact]
    public void The_pages_hold_each_kind_of_scenario_event_as_often_as_it_happened()
    {
        var wearer = TenDays.Value;
        using var pumpScope = new PumpScope(ParadigmPumpEmulator.FromWearer(wearer));
        var records = Oldest_first(pumpScope.Pump).Select(e => e.Record).ToList();
        var events = wearer.Therapy.Events;
        int Count(MedtronicRecordType type) => records.Count(r => r.Type == type);
        int Raised(Func<AlarmKind, bool> kind, AlarmTransition transition = AlarmTransition.Raised) =>
            events.OfType<AlarmChanged>().Count(a => a.Transition == transition && kind(a.Kind));

        var temporaryBasals = events.OfType<TemporaryBasalStarted>().Count() + events.OfType<TemporaryBasalChanged>().Count()
            + events.OfType<TemporaryBasalEnded>().Count(e => e.Ending == TemporaryBasalEnding.Cancelled);
        var scheduledChanges = events.OfType<BasalRateChanged>().Select(b => b.ScheduledUnitsPerHour).Aggregate(
            (Count: 0, Last: (decimal?)null), (acc, rate) => (acc.Count + (rate == acc.Last ? 0 : 1), rate)).Count;
        var expected = new Dictionary<MedtronicRecordType, int>
        {
            [MedtronicRecordType.Bolus] = events.OfType<BolusProgrammed>().Sum(b => b.Type == BolusType.DualWave ? 2 : 1),
            [MedtronicRecordType.TempBasal] = temporaryBasals,
            [MedtronicRecordType.TempBasalDuration] = temporaryBasals,
            [MedtronicRecordType.BasalProfileStart] = scheduledChanges,
            [MedtronicRecordType.PumpSuspend] = events.OfType<DeliverySuspended>().Count(),
            [MedtronicRecordType.PumpResume] = events.OfType<DeliveryResumed>().Count(),
            [MedtronicRecordType.Rewind] = events.OfType<Rewound>().Count(),
            [MedtronicRecordType.Prime] = events.OfType<Primed>().Count(),
            [MedtronicRecordType.AlarmPump] = Raised(AlarmCodes.ContainsKey),
            [MedtronicRecordType.ClearAlarm] = Raised(AlarmCodes.ContainsKey, AlarmTransition.Cleared),
            [MedtronicRecordType.LowReservoir] = Raised(k => k == AlarmKind.ReservoirLow),
            [MedtronicRecordType.LowBattery] = Raised(k => k == AlarmKind.BatteryLow),
            [MedtronicRecordType.Battery] = events.OfType<BatteryReplaced>().Count(),
            [MedtronicRecordType.ResultDailyTotal] = events.OfType<DailyTotal>().Count(),
            [MedtronicRecordType.ChangeTime] = events.OfType<ClockChanged>().Count(),
            [MedtronicRecordType.NewTimeSet] = events.OfType<ClockChanged>().Count(),
        };

        Assert.Equal(expected.Where(e => e.Value > 0).OrderBy(e => e.Key), records.CountBy(r => r.Type).OrderBy(e => e.Key));
        foreach (var kind in new[]
        {
            MedtronicRecordType.Bolus, MedtronicRecordType.TempBasal, MedtronicRecordType.BasalProfileStart, MedtronicRecordType.PumpSuspend, MedtronicRecordType.Rewind, MedtronicRecordType.Prime,
            MedtronicRecordType.AlarmPump, MedtronicRecordType.ClearAlarm, MedtronicRecordType.LowReservoir, MedtronicRecordType.Battery, MedtronicRecordType.ResultDailyTotal, MedtronicRecordType.ChangeTime,
        })
        {
            Assert.True(Count(kind) > 0, $"the ten days have no {kind}: the test would prove nothing about it");
        }

        Assert.Contains(records, r => r is MedtronicBolus { Kind: MedtronicBolusKind.Square });
        Assert.Contains(records, r => r is MedtronicBolus { Kind: MedtronicBolusKind.DualSquare });
        Assert.Contains(records, r => r is MedtronicTempBasal { RateType: MedtronicTempBasalType.Percent });
        Assert.Contains(records, r => r is MedtronicTempBasal { RateType: MedtronicTempBasalType.Absolute });
        Assert.Contains(records, r => r is MedtronicSuspendResume { Reason: MedtronicSuspendReason.LowGlucoseSuspend });
        Assert.Contains(events, e => e is TemporaryBasalChanged);
        Assert.Equal(AlarmCodes.Values.Distinct().Order(), records.OfType<MedtronicAlarmPump>().Select(a => a.AlarmCode).Distinct().Order());

        // A Paradigm cannot tell a detached set: the alarm the scenario raised for one leaves no record.
        Assert.Contains(events, e => e is AlarmChanged { Kind: AlarmKind.InfusionSetDetached, Transition: AlarmTransition.Raised });
    }

    [Fact]
    public void Every_record_carries_the_values_and_time_of_the_scenario_event_it_came_from()
    {
        var wearer = TenDays.Value;
        using var pumpScope = new PumpScope(ParadigmPumpEmulator.FromWearer(wearer));
        var events = wearer.Therapy.Events;
        var delivered = events.OfType<BolusDelivered>().ToDictionary(d => d.BolusId);
        var profile = TherapyScenarioOptions.DefaultBasalRates;
        decimal? reservoir = null;
        var levels = events.Select(e => e switch { ReservoirLevel l => reservoir = l.Units, ReservoirFilled f => reservoir = f.Units, _ => reservoir }).ToList();
        var checkedRecords = 0;

        foreach (var (record, source) in Oldest_first(pumpScope.Pump))
        {
            Assert.NotNull(source);
            if (record is MedtronicTimedRecord timed && record.Type != MedtronicRecordType.NewTimeSet)
            {
                Assert.Equal(source.Time, timed.Time);
            }

            switch (record, source)
            {
                case (MedtronicBolus bolus, BolusProgrammed programmed):
                    var done = delivered.GetValueOrDefault(programmed.BolusId);
                    var square = bolus.Kind is MedtronicBolusKind.Square or MedtronicBolusKind.DualSquare;
                    var expectedKind = programmed.Type switch
                    {
                        BolusType.Normal => MedtronicBolusKind.NormalVariable,
                        BolusType.Square => MedtronicBolusKind.Square,
                        _ => square ? MedtronicBolusKind.DualSquare : MedtronicBolusKind.DualNormal,
                    };
                    Assert.Equal(expectedKind, bolus.Kind);
                    Assert.Equal(square ? programmed.ExtendedUnits : programmed.ImmediateUnits, bolus.Programmed);
                    Assert.Equal(done is null ? 0 : square ? done.ExtendedUnits : done.ImmediateUnits, bolus.Delivered);
                    Assert.Equal(square ? programmed.ExtendedDuration : TimeSpan.Zero, bolus.Duration);
                    Assert.Equal(programmed.Calculation.ActiveInsulinUnits, bolus.Unabsorbed);
                    break;
                case (MedtronicTempBasal temp, TemporaryBasalStarted or TemporaryBasalChanged):
                    var (kind, amount) = source switch
                    {
                        TemporaryBasalStarted s => (s.Kind, s.Amount),
                        TemporaryBasalChanged c => (c.Kind, c.Amount),
                        _ => default,
                    };
                    Assert.Equal(kind == TemporaryBasalKind.Relative ? ((decimal?)null, (int?)amount) : (amount, null), (temp.Rate, temp.Percent));
                    break;
                case (MedtronicTempBasalDuration duration, TemporaryBasalStarted or TemporaryBasalChanged):
                    var programmedDuration = source is TemporaryBasalStarted started ? started.Duration : ((TemporaryBasalChanged)source).Duration;
                    Assert.InRange(duration.Duration - programmedDuration, TimeSpan.Zero, TimeSpan.FromMinutes(30) - TimeSpan.FromTicks(1));
                    Assert.Equal(0, duration.Duration.TotalMinutes % 30);
                    break;
                case (MedtronicTempBasal cancel, TemporaryBasalEnded ended):
                    Assert.Equal(TemporaryBasalEnding.Cancelled, ended.Ending);
                    Assert.True(cancel.Rate == 0 || cancel.Percent == 0);
                    break;
                case (MedtronicTempBasalDuration cancelled, TemporaryBasalEnded):
                    Assert.True(cancelled.IsCancel);
                    break;
                case (MedtronicBasalProfileStart start, BasalRateChanged basal):
                    Assert.Equal(basal.ScheduledUnitsPerHour, start.Rate);
                    Assert.Equal(profile[(int)start.Start.TotalHours], start.Rate);
                    Assert.InRange((int)start.Start.TotalHours, 0, basal.Segment);
                    Assert.Equal(MedtronicBasalPattern.Standard, start.Pattern);
                    break;
                case (MedtronicSuspendResume suspend, DeliverySuspended stopped):
                    Assert.Equal(stopped.Reason switch { SuspendReason.Alarm => MedtronicSuspendReason.Alarm, SuspendReason.LowGlucose => MedtronicSuspendReason.LowGlucoseSuspend, _ => MedtronicSuspendReason.User }, suspend.Reason);
                    break;
                case (MedtronicSuspendResume resume, DeliveryResumed resumed):
                    Assert.Equal(resumed.Reason == SuspendReason.LowGlucose ? MedtronicSuspendReason.AutoResumeAfterNoResponse : MedtronicSuspendReason.ResumeUser, resume.Reason);
                    break;
                case (MedtronicPrime prime, Primed primed):
                    Assert.Equal((primed.Target == PrimeTarget.Cannula ? primed.Units : 0, primed.Units), (prime.Programmed, prime.Amount));
                    break;
                case (MedtronicAlarmPump alarm, AlarmChanged raised):
                    Assert.Equal((AlarmCodes[raised.Kind], AlarmTransition.Raised), (alarm.AlarmCode, raised.Transition));
                    break;
                case (MedtronicClearAlarm clear, AlarmChanged cleared):
                    Assert.Equal((AlarmCodes[cleared.Kind], AlarmTransition.Cleared), (clear.AlarmCode, cleared.Transition));
                    break;
                case (MedtronicLowReservoir low, AlarmChanged { Kind: AlarmKind.ReservoirLow } lowAlarm):
                    Assert.Equal(levels[events.ToList().IndexOf(lowAlarm)], low.Remaining);
                    break;
                case (MedtronicResultDailyTotal total, DailyTotal day):
                    Assert.Equal((day.Day, day.TotalUnits), (total.Date.Date, total.Total));
                    break;
                case (MedtronicPumpEvent { EventType: MedtronicRecordType.NewTimeSet } set, ClockChanged clock):
                    Assert.Equal(clock.NewTime, set.Time);
                    break;
                case (MedtronicPumpEvent { EventType: MedtronicRecordType.ChangeTime or MedtronicRecordType.Rewind or MedtronicRecordType.Battery or MedtronicRecordType.LowBattery }, _):
                    break;
                default:
                    Assert.Fail($"{record.Type} came from {source.GetType().Name}");
                    break;
            }

            checkedRecords++;
        }

        Assert.True(checkedRecords > 250, $"{checkedRecords} records");
    }

    [Fact]
    public async Task The_glucose_pages_carry_every_sensor_reading_at_its_minute_and_mark_the_sensor_gaps()
    {
        var wearer = TenDays.Value;
        await using var pump = ParadigmPumpEmulator.FromWearer(wearer);
        await using var stick = CareLinkStickEmulator.Start(pump);
        await using var client = await CareLinkTestClient.OpenAsync(stick.PortPath);
        await client.WakeAsync(Serial);

        var number = ParadigmReplies.DecodeCurrentGlucosePageNumber(await client.RequireAsync(ParadigmCommands.Read(Serial, ParadigmCommandCode.ReadCurGlucosePageNumber)));
        Assert.Equal(0, number.IsigPages);
        var entries = new List<MedtronicGlucoseEntry>();
        for (var page = number.CurrentPage + 1 - number.GlucosePages; page <= number.CurrentPage; page++)
        {
            var bytes = ParadigmReplies.DecodePage(await client.RequireAsync(ParadigmCommands.ReadGlucoseHistory(Serial, page)));
            entries.AddRange(MedtronicGlucosePageCodec.Decode(bytes).Entries);
        }

        // Each reading at its minute on the pump's clock: the wearer's axis plus the clock changes made before it
        // (a change happens at its old pump time, which is the axis time plus the changes before it).
        var changes = new List<(DateTime AxisTime, TimeSpan Shift)>();
        foreach (var change in wearer.Therapy.Events.OfType<ClockChanged>())
        {
            var before = changes.Count > 0 ? changes[^1].Shift : TimeSpan.Zero;
            changes.Add((change.OldTime - before, before + (change.NewTime - change.OldTime)));
        }

        Assert.NotEmpty(changes);
        DateTime PumpMinute(DateTime axis)
        {
            var time = axis + changes.LastOrDefault(c => c.AxisTime <= axis).Shift;
            return new DateTime(time.Ticks - (time.Ticks % TimeSpan.TicksPerMinute));
        }

        var readings = wearer.Cgm.Readings;
        Assert.True(readings.Count > 1500, $"{readings.Count} readings");
        Assert.Equal(
            readings.Select(r => (PumpMinute(r.Time), 2 * (int)Math.Round(r.MgDl / 2.0, MidpointRounding.AwayFromZero))),
            entries.Where(e => e.Record is MedtronicSensorGlucose).Select(e => (e.Time!.Value, ((MedtronicSensorGlucose)e.Record).MgDl)));

        // A gap where the sensor was off, or where the clock moved between two readings.
        var stamps = entries.Select(e => e.Record).OfType<MedtronicGlucoseTimestamped>().ToList();
        var gaps = readings.Zip(readings.Skip(1)).Count(p => PumpMinute(p.Second.Time) - PumpMinute(p.First.Time) != TimeSpan.FromMinutes(5));
        Assert.True(gaps >= 2, $"{gaps} sensor gaps");
        Assert.Equal(gaps, stamps.Count(s => s.TimestampKind == MedtronicSensorTimestampKind.Gap));
        Assert.Equal(number.GlucosePages - 1, stamps.Count(s => s.TimestampKind == MedtronicSensorTimestampKind.PageEnd));
        Assert.Equal(entries.Count, pump.GlucosePages.Sum(p => p.Entries!.Count));
    }

    [Fact]
    public void A_522_writes_its_shorter_records_without_basal_profile_starts_or_suspend_reasons()
    {
        var options = Options(days: 3) with { BolusResolution = 0.1m };
        using var pumpScope = new PumpScope(ParadigmPumpEmulator.FromScenario(new TherapyScenario(options), options: new ParadigmPumpOptions { Model = "522" }));
        var pump = pumpScope.Pump;
        var records = pump.HistoryPages.SelectMany(p => MedtronicPageCodec.Decode(p.Bytes, MedtronicModel.Paradigm522).Records).ToList();

        Assert.Equal(Oldest_first(pump).Count, records.Count);
        Assert.DoesNotContain(records, r => r.Type == MedtronicRecordType.BasalProfileStart);
        Assert.NotEmpty(records.OfType<MedtronicSuspendResume>());
        Assert.All(records.OfType<MedtronicSuspendResume>(), r => Assert.Equal(MedtronicSuspendReason.Unspecified, r.Reason));
        Assert.All(records.OfType<MedtronicBolus>(), b => Assert.Null(b.Unabsorbed));
        Assert.Equal(10, pump.Model.StrokesPerUnit);

        Assert.Throws<ArgumentException>(() => ParadigmPumpEmulator.FromScenario(new TherapyScenario(Options(days: 1)), options: new ParadigmPumpOptions { Model = "522" }));
    }

    [Fact]
    public async Task Advancing_the_scenario_appends_to_page_0_rolls_full_pages_over_and_keeps_the_newest_pages()
    {
        var options = Options(days: 1, seed: 8) with { ScriptedAlarms = [] };
        await using var pump = ParadigmPumpEmulator.FromScenario(new TherapyScenario(options), options: new ParadigmPumpOptions { MaxHistoryPages = 3, TimeScale = 0 });
        var scenario = pump.Scenario!;
        var page0 = pump.HistoryPages[0].Entries!;
        var rolled = pump.CurrentPageNumber;

        var written = pump.AdvanceTo(scenario.Now.AddHours(2));
        Assert.NotEmpty(written);
        Assert.Equal(rolled, pump.CurrentPageNumber);
        var grown = pump.HistoryPages[0].Entries!;
        Assert.True(grown.Count > page0.Count);
        Assert.Equal(page0.Select(Key), grown.Take(page0.Count).Select(Key));
        Assert.Equal(written.Where(e => e.Record is not MedtronicBolus).Select(Key), grown.Skip(page0.Count).Where(e => e.Record is not MedtronicBolus).Select(Key));

        // Advance until page 0 rolls over: what it held is page 1 now, a new page 0 follows it.
        var before = pump.HistoryPages[0].Entries!;
        while (pump.CurrentPageNumber == rolled)
        {
            before = pump.HistoryPages[0].Entries!;
            pump.AdvanceTo(scenario.Now.AddHours(1));
        }

        Assert.Equal(rolled + 1, pump.CurrentPageNumber);
        Assert.Equal(before.Select(Key), pump.HistoryPages[1].Entries!.Take(before.Count).Select(Key));

        while (pump.CurrentPageNumber < rolled + 4)
        {
            pump.AdvanceTo(scenario.Now.AddHours(6));
        }

        Assert.Equal(3, pump.HistoryPages.Count);
        await using var stick = CareLinkStickEmulator.Start(pump);
        await using var client = await CareLinkTestClient.OpenAsync(stick.PortPath);
        await client.WakeAsync(Serial);
        Assert.Equal(pump.CurrentPageNumber, ParadigmReplies.DecodeCurrentPageNumber(await client.RequireAsync(ParadigmCommands.Read(Serial, ParadigmCommandCode.ReadCurPageNumber))));
        Assert.Equal(pump.HistoryPages[2].Bytes, ParadigmReplies.DecodePage(await client.RequireAsync(ParadigmCommands.ReadHistoryData(Serial, 2))));
        await Assert.ThrowsAsync<PumpGateway.Protocol.ProtocolException>(() => client.PumpAsync(ParadigmCommands.ReadHistoryData(Serial, 3)));

        static (MedtronicRecordType, DateTime?, long?) Key(ParadigmHistoryEntry entry) =>
            (entry.Record.Type, (entry.Record as MedtronicTimedRecord)?.Time, entry.Source?.Sequence);
    }

    [Fact]
    public void A_bolus_is_written_when_programmed_and_its_delivered_amount_filled_in_when_it_ends()
    {
        var full = new TherapyScenario(Options(days: 4));
        var square = full.Events.OfType<BolusProgrammed>().First(b => b.Type != BolusType.Normal);
        var end = full.Events.OfType<BolusDelivered>().Single(d => d.BolusId == square.BolusId);

        // A shorter scenario starts with exactly the events of the longer one: stop it just after the programming.
        var options = Options(days: 4) with { Duration = square.Time - Start + TimeSpan.FromSeconds(1) };
        using var pumpScope = new PumpScope(ParadigmPumpEmulator.FromScenario(new TherapyScenario(options), options: new ParadigmPumpOptions { TimeScale = 0 }));
        var pump = pumpScope.Pump;
        MedtronicBolus SquarePart() => (MedtronicBolus)Oldest_first(pump).Last(e => e.Source == square && e.Record is MedtronicBolus { Duration.Ticks: > 0 }).Record;

        Assert.Equal((square.ExtendedUnits, 0m), (SquarePart().Programmed, SquarePart().Delivered));
        var rewritten = pump.AdvanceTo(end.Time.AddSeconds(1));
        Assert.Contains(rewritten, e => e.Source == square);
        Assert.Equal((square.ExtendedUnits, end.ExtendedUnits, square.ExtendedDuration), (SquarePart().Programmed, SquarePart().Delivered, SquarePart().Duration));
        Assert.Equal(square.Time, SquarePart().Time);
    }

    [Fact]
    public async Task The_live_loop_runs_the_scenario_on_the_real_clock_times_the_time_scale()
    {
        var options = Options(days: 1, seed: 2) with { ScriptedAlarms = [] };
        await using var pump = ParadigmPumpEmulator.FromScenario(new TherapyScenario(options), options: new ParadigmPumpOptions { TimeScale = 4 * 3600, LiveTick = TimeSpan.FromMilliseconds(20) });
        var from = pump.Scenario!.Now;
        var records = pump.HistoryPages[0].Entries!.Count + pump.CurrentPageNumber;
        pump.StartLive();
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (pump.Scenario.Now < from.AddHours(4) && DateTime.UtcNow < deadline)
        {
            await Task.Delay(20);
        }

        Assert.True(pump.Scenario.Now >= from.AddHours(4), $"the scenario stands at {pump.Scenario.Now}");
        Assert.True(pump.HistoryPages[0].Entries!.Count + pump.CurrentPageNumber > records);
        Assert.Throws<InvalidOperationException>(pump.StartLive);
    }

    /// <summary>Disposes a pump from a synchronous test.</summary>
    private sealed class PumpScope(ParadigmPumpEmulator pump) : IDisposable
    {
        public ParadigmPumpEmulator Pump { get; } = pump;

        public void Dispose() => Pump.DisposeAsync().AsTask().GetAwaiter().GetResult();
    }
}
