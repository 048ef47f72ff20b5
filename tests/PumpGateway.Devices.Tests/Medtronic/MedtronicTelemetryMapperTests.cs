using PumpGateway.Devices.Medtronic;
using PumpGateway.Telemetry;
using Xunit.Abstractions;

namespace PumpGateway.Devices.Tests.Medtronic;

/// <summary>
/// The telemetry the gateway makes of the real pages of pump 578398 against Medtronic CareLink's
/// own export of the same pump: every bolus (normal, square, dual wave as one bolus), temp basal,
/// suspend, resume and pump alarm CareLink lists for the pages' time span is there at the same
/// second with the same values, and the gateway made nothing of those kinds CareLink does not have.
/// </summary>
public sealed class MedtronicTelemetryMapperTests(ITestOutputHelper output)
{
    private static readonly DeviceId Pump = DeviceId.FromSerial("medtronic", "578398");

    /// <summary>When CareLink exported the pump (the export's file name, in ms since 1970): every bolus on the pages was over.</summary>
    private static readonly DateTime Exported = DateTimeOffset.FromUnixTimeMilliseconds(1430357806982).UtcDateTime;

    /// <summary>Pages 10 (oldest) to 0 (newest), mapped in that order with no clock offset: the pump's time is the time.</summary>
    private static readonly Lazy<IReadOnlyList<TelemetryEvent>> Telemetry = new(() =>
    {
        var mapper = new MedtronicTelemetryMapper(Pump, MedtronicModel.Paradigm522, TimeSpan.Zero, Exported);
        var events = Enumerable.Range(0, 11).Reverse()
            .SelectMany(n => MedtronicPageCodecTests.Decoded("578398", "522", n).Records)
            .SelectMany(mapper.Map)
            .ToList();
        Assert.Null(mapper.Waiting);
        return events;
    });

    [Fact]
    public void Every_therapy_row_CareLink_lists_for_the_pages_is_one_event_at_the_same_second_with_the_same_values_and_no_event_is_extra()
    {
        var events = Telemetry.Value.Where(e => e.DeviceTime.Clock.Year >= 2015).ToList();
        var rows = CareLinkExport.Rows("Paradigm 522");
        var spanStart = events.Min(e => e.DeviceTime.Clock);
        var spanEnd = rows.Max(r => r.Time);
        bool InSpan(DateTime time) => time >= spanStart && time <= spanEnd;
        var used = new HashSet<TelemetryEvent>(ReferenceEqualityComparer.Instance);
        var rowsMatched = new Dictionary<string, int>(StringComparer.Ordinal);
        var unmatched = new List<string>();

        void Expect(CareLinkRow row, Func<TelemetryEvent, bool> partner, CareLinkRow? joined = null)
        {
            var found = events.FirstOrDefault(e => !used.Contains(e) && e.DeviceTime.Clock == row.Time && partner(e));
            if (found is null)
            {
                unmatched.Add($"{row.RawType} row {row.Index} at {row.Time:s}: {row.RawValues}");
                return;
            }

            used.Add(found);
            foreach (var matched in joined is null ? [row] : new[] { row, joined })
            {
                rowsMatched[matched.RawType] = rowsMatched.GetValueOrDefault(matched.RawType) + 1;
            }
        }

        var therapy = rows.Where(r => InSpan(r.Time)).ToList();
        for (var i = 0; i < therapy.Count; i++)
        {
            var row = therapy[i];
            switch (row.RawType)
            {
                case "BolusNormal" when row.Bool("IS_DUAL_COMPONENT"):
                    // A dual wave: this normal part and the square part CareLink lists after it are one bolus.
                    var square = therapy.Skip(i + 1).FirstOrDefault(r => r.RawType == "BolusSquare" && r.Bool("IS_DUAL_COMPONENT"));
                    var paired = square is not null && square.Time - row.Time <= TimeSpan.FromMinutes(30);
                    Expect(
                        row,
                        e => e is Bolus { BolusType: BolusType.DualWave } b
                            && b.ProgrammedUnits == row.Decimal("PROGRAMMED_AMOUNT") && b.DeliveredUnits == row.Decimal("AMOUNT")
                            && (paired
                                ? b.ProgrammedExtendedUnits == square!.Decimal("PROGRAMMED_AMOUNT") && b.DeliveredExtendedUnits == square.Decimal("AMOUNT")
                                    && b.ExtendedDuration == TimeSpan.FromMilliseconds(square.Long("DURATION"))
                                : b.ProgrammedExtendedUnits is null),
                        paired ? square : null);
                    if (paired)
                    {
                        therapy.Remove(square!);
                    }

                    break;
                case "BolusNormal":
                    Expect(row, e => e is Bolus { BolusType: BolusType.Normal } b
                        && b.ProgrammedUnits == row.Decimal("PROGRAMMED_AMOUNT") && b.DeliveredUnits == row.Decimal("AMOUNT"));
                    break;
                case "BolusSquare":
                    Expect(row, e => e is Bolus b
                        && b.BolusType == (row.Bool("IS_DUAL_COMPONENT") ? BolusType.DualWave : BolusType.Square)
                        && b.ProgrammedExtendedUnits == row.Decimal("PROGRAMMED_AMOUNT") && b.DeliveredExtendedUnits == row.Decimal("AMOUNT")
                        && b.ExtendedDuration == TimeSpan.FromMilliseconds(row.Long("DURATION")));
                    break;
                case "ChangeTempBasal":
                    var duration = TimeSpan.FromMilliseconds(row.Long("DURATION"));
                    Expect(row, e => e is TemporaryBasal t
                        && t.Phase == (duration == TimeSpan.Zero ? TemporaryBasalPhase.Ended : TemporaryBasalPhase.Started)
                        && t.UnitsPerHour == row.Decimal("RATE") && t.ProgrammedDuration == duration);
                    break;
                case "ChangeSuspendEnable":
                    Expect(row, e => e is DeliveryStateChange d && d.Suspended == (row.Text("ENABLE") == "user_suspend"));
                    break;
                case "AlarmPump":
                    Expect(row, e => e is Alarm { Transition: AlarmTransition.Raised } a && a.VendorCode == $"mdt:pump:{row.Long("RAW_TYPE")}"
                        && a.VendorText!.Contains($"line {row.Long("LINE_NUM")}", StringComparison.Ordinal));
                    break;
                case "BasalProfileStart":
                    Expect(row, e => e is ScheduledBasal s && s.UnitsPerHour == row.Decimal("RATE") && s.SegmentIndex == row.Long("PROFILE_INDEX"));
                    break;
            }
        }

        var extra = events
            .Where(e => !used.Contains(e) && InSpan(e.DeviceTime.Clock)
                && (e is Bolus or TemporaryBasal or DeliveryStateChange or ScheduledBasal || e is Alarm { Transition: AlarmTransition.Raised } a && a.VendorCode.StartsWith("mdt:pump:", StringComparison.Ordinal)))
            .Select(e => $"{e.Kind} at {e.DeviceTime.Clock:s}: {e}")
            .ToList();
        foreach (var (type, count) in rowsMatched.OrderBy(c => c.Key, StringComparer.Ordinal))
        {
            output.WriteLine($"{type}: {count} CareLink rows matched");
        }

        Assert.Empty(unmatched);
        Assert.Empty(extra);

        // The figures of the decoder's own cross-check (MedtronicRecordCareLinkTests): the mapper loses none of them.
        Assert.Equal(
            new Dictionary<string, int> { ["AlarmPump"] = 5, ["BolusNormal"] = 97, ["BolusSquare"] = 25, ["ChangeSuspendEnable"] = 37, ["ChangeTempBasal"] = 3 },
            rowsMatched.OrderBy(c => c.Key, StringComparer.Ordinal).ToDictionary());
    }

    [Fact]
    public void An_event_is_known_by_its_record_bytes_so_a_re_read_is_the_same_event_whatever_the_clock_offset()
    {
        var events = Telemetry.Value;

        // Records whose bytes repeat are the same fact (the pages hold two "device reset" alarms and
        // two empty daily totals stamped 2005-01-01 00:00 after a battery reset): one event each.
        var records = Enumerable.Range(0, 11).Reverse().SelectMany(n => MedtronicPageCodecTests.Decoded("578398", "522", n).Records).ToList();
        var repeats = records.GroupBy(r => Convert.ToHexString(MedtronicRecordCodec.Encode(r, MedtronicModel.Paradigm522))).Sum(g => g.Count() - 1);
        var repeatedEvents = events.GroupBy(e => e.Id).Sum(g => g.Count() - 1);
        Assert.Equal(2, repeatedEvents);
        Assert.True(repeatedEvents <= repeats, $"{repeatedEvents} events share an id, but only {repeats} records repeat");

        var again = records.SelectMany(new MedtronicTelemetryMapper(Pump, MedtronicModel.Paradigm522, TimeSpan.FromHours(2), Exported).Map).ToList();
        Assert.Equal(events.Select(e => e.Id), again.Select(e => e.Id));
        Assert.All(again.Zip(events), pair => Assert.Equal(pair.Second.Utc - TimeSpan.FromHours(2), pair.First.Utc));
    }

    [Fact]
    public void A_bolus_still_delivering_is_held_back_and_the_records_after_it_are_not()
    {
        var start = new DateTime(2015, 4, 29, 7, 41, 25);
        var delivering = NormalBolus(start, programmed: 3.0m, delivered: 1.2m);
        var rewind = new MedtronicPumpEvent(MedtronicRecordType.Rewind, new MedtronicTimestamp(start.AddMinutes(1)));

        // 3 U take 2 min at 1.5 U/min, and the mapper allows 2 min more.
        var early = new MedtronicTelemetryMapper(Pump, MedtronicModel.Paradigm522, TimeSpan.Zero, start.AddMinutes(3));
        Assert.Empty(early.Map(delivering));
        Assert.Single(early.Map(rewind));
        Assert.Same(delivering, early.Waiting);

        // Read again once it is over: the same bolus, now whole, is one event under the same id
        // whatever amount the record held when it was first seen.
        var late = new MedtronicTelemetryMapper(Pump, MedtronicModel.Paradigm522, TimeSpan.Zero, start.AddMinutes(5));
        var done = Assert.IsType<Bolus>(Assert.Single(late.Map(delivering with { Delivered = 3.0m })));
        Assert.Equal(3.0m, done.DeliveredUnits);
        Assert.Null(late.Waiting);
        var partial = Assert.IsType<Bolus>(Assert.Single(new MedtronicTelemetryMapper(Pump, MedtronicModel.Paradigm522, TimeSpan.Zero, start.AddHours(1)).Map(delivering)));
        Assert.Equal(done.Id, partial.Id);
    }

    [Fact]
    public void A_dual_wave_is_held_until_its_square_part_has_run_after_the_normal_part()
    {
        var start = new DateTime(2015, 4, 29, 12, 0, 0);
        var normal = new MedtronicBolus(new MedtronicTimestamp(start, (byte)MedtronicBolusKind.DualNormal), 4.5m, 4.5m, TimeSpan.Zero);
        var square = new MedtronicBolus(new MedtronicTimestamp(start.AddMinutes(1), (byte)MedtronicBolusKind.DualSquare), 2.0m, 2.0m, TimeSpan.FromHours(1));

        // The normal part takes 3 min, then the square part 1 h, then the 2 min margin: 12:00 + 1:05.
        var during = new MedtronicTelemetryMapper(Pump, MedtronicModel.Paradigm522, TimeSpan.Zero, start.AddMinutes(64));
        Assert.Empty(during.Map(normal));
        Assert.Empty(during.Map(square));
        Assert.Same(normal, during.Waiting);

        var after = new MedtronicTelemetryMapper(Pump, MedtronicModel.Paradigm522, TimeSpan.Zero, start.AddMinutes(66));
        Assert.Empty(after.Map(normal));
        var dual = Assert.IsType<Bolus>(Assert.Single(after.Map(square)));
        Assert.Equal((BolusType.DualWave, 4.5m, 2.0m), (dual.BolusType, dual.DeliveredUnits, dual.DeliveredExtendedUnits));
        Assert.Null(after.Waiting);
    }

    private static MedtronicBolus NormalBolus(DateTime at, decimal programmed, decimal delivered) =>
        new(new MedtronicTimestamp(at, (byte)MedtronicBolusKind.Normal), programmed, delivered, TimeSpan.Zero);

    [Fact]
    public void Records_written_before_the_clock_was_set_get_the_offset_the_clock_had_then()
    {
        // The wearer flies east: at 12:00 on the pump's clock it is set to 13:00. At dock the pump
        // reads one hour ahead of UTC; before the change it read UTC.
        var day = new DateTime(2015, 4, 20);
        var before = NormalBolus(day.AddHours(10), programmed: 1.0m, delivered: 1.0m);
        var change = new MedtronicPumpEvent(MedtronicRecordType.ChangeTime, new MedtronicTimestamp(day.AddHours(12)));
        var set = new MedtronicPumpEvent(MedtronicRecordType.NewTimeSet, new MedtronicTimestamp(day.AddHours(13)));
        var after = NormalBolus(day.AddHours(14), programmed: 2.0m, delivered: 2.0m);
        var mapper = new MedtronicTelemetryMapper(Pump, MedtronicModel.Paradigm522, TimeSpan.FromHours(1), day.AddDays(1));
        MedtronicHistoryRecord[] records = [before, change, set, after];

        mapper.CorrectForClockChanges(records);
        var events = records.SelectMany(mapper.Map).ToList();

        var boluses = events.OfType<Bolus>().ToList();
        Assert.Equal((Utc(day.AddHours(10)), TimeBasis.DeviceTimeChange), (boluses[0].Utc, boluses[0].TimeBasis));
        Assert.Equal((Utc(day.AddHours(13)), TimeBasis.DockClockOffset), (boluses[1].Utc, boluses[1].TimeBasis));
        var clockSet = Assert.Single(events.OfType<PumpMaintenance>());
        Assert.Equal((Utc(day.AddHours(12)), day.AddHours(12), day.AddHours(13)), (clockSet.Utc, clockSet.ClockBefore, clockSet.ClockAfter));

        // Sensor glucose on either side of the change, one 11:55 on the old clock and one 13:05 on the new.
        var (old, now) = Two(mapper.MapGlucosePage(
            [new MedtronicGlucoseEntry(new MedtronicSensorGlucose(60), day.AddHours(11).AddMinutes(55)), new MedtronicGlucoseEntry(new MedtronicSensorGlucose(60), day.AddHours(13).AddMinutes(5))]));
        Assert.Equal((Utc(day.AddHours(11).AddMinutes(55)), TimeBasis.DeviceTimeChange), (old.Utc, old.TimeBasis));
        Assert.Equal((Utc(day.AddHours(12).AddMinutes(5)), TimeBasis.DockClockOffset), (now.Utc, now.TimeBasis));
        Assert.NotEqual(old.Id, now.Id);
    }

    [Fact]
    public void Sensor_glucose_in_the_hour_a_clock_set_back_repeats_is_told_apart_by_page_order()
    {
        // At 03:00 on the pump's clock the wearer sets it back to 02:00; at dock it reads UTC, before the change UTC + 1 h.
        var day = new DateTime(2015, 10, 25);
        var change = new MedtronicPumpEvent(MedtronicRecordType.ChangeTime, new MedtronicTimestamp(day.AddHours(3)));
        var set = new MedtronicPumpEvent(MedtronicRecordType.NewTimeSet, new MedtronicTimestamp(day.AddHours(2)));
        var mapper = new MedtronicTelemetryMapper(Pump, MedtronicModel.Paradigm522, TimeSpan.Zero, day.AddDays(1));
        mapper.CorrectForClockChanges([change, set]);

        // 02:30 and 02:55 on the old clock, then 02:00, 02:30 and 03:05 on the new one.
        DateTime[] pumpTimes = [day.AddHours(2.5), day.AddHours(2).AddMinutes(55), day.AddHours(2), day.AddHours(2.5), day.AddHours(3).AddMinutes(5)];
        var readings = mapper.MapGlucosePage([.. pumpTimes.Select(t => new MedtronicGlucoseEntry(new MedtronicSensorGlucose(100), t))]);

        Assert.Equal(
            [
                (Utc(day.AddHours(1.5)), TimeBasis.DeviceTimeChange), (Utc(day.AddHours(1).AddMinutes(55)), TimeBasis.DeviceTimeChange),
                (Utc(day.AddHours(2)), TimeBasis.DockClockOffset), (Utc(day.AddHours(2.5)), TimeBasis.DockClockOffset), (Utc(day.AddHours(3).AddMinutes(5)), TimeBasis.DockClockOffset),
            ],
            readings.Select(r => (r.Utc, r.TimeBasis)));
        Assert.Equal(5, readings.Select(r => r.Id).Distinct().Count());

        // A page with no going back (read after the change was written on an earlier page): the overlap is the new clock.
        Assert.Equal(TimeBasis.DockClockOffset, Assert.Single(mapper.MapGlucosePage([new MedtronicGlucoseEntry(new MedtronicSensorGlucose(100), day.AddHours(2.5))])).TimeBasis);
    }

    private static (T First, T Second) Two<T>(IReadOnlyList<T> items)
    {
        Assert.Equal(2, items.Count);
        return (items[0], items[1]);
    }

    private static DateTimeOffset Utc(DateTime time) => new(DateTime.SpecifyKind(time, DateTimeKind.Utc));
}

