using PumpGateway.Devices.Medtronic;
using PumpGateway.Protocol;
using PumpGateway.TestSupport;

namespace PumpGateway.Devices.Tests.Medtronic;

/// <summary>Single records, timestamps and models: the notes' vectors M-9 to M-15 and decocare's doctests, both ways.</summary>
public sealed class MedtronicRecordCodecTests
{
    private static MedtronicHistoryRecord DecodeOne(string hex, MedtronicModel model)
    {
        var bytes = Hex.Parse(hex);
        var record = MedtronicRecordCodec.Decode(bytes, model, 0, out var length);
        Assert.Equal(bytes.Length, length);
        Assert.Equal(bytes, MedtronicRecordCodec.Encode(record, model));
        return record;
    }

    private static T RecordAt<T>(int page, int offset)
        where T : MedtronicHistoryRecord
    {
        var decoded = MedtronicPageCodecTests.Decoded("578398", "522", page);
        var index = Enumerable.Range(0, decoded.Records.Count).Single(i => decoded.OffsetOf(i) == offset);
        return Assert.IsType<T>(decoded.Records[index]);
    }

    // The notes place M-9 and M-10 on page 0; the fixture holds those bytes at the same offsets of
    // page 1 (page 0 is the newest page, 2015-04-29 17:03 to 20:12).
    [Fact]
    public void M9_page1_at_567_is_a_normal_bolus_of_5_2_units_at_04_57_38()
    {
        var bolus = RecordAt<MedtronicBolus>(1, 567);
        Assert.Equal(Hex.Parse("01 34 34 00 66 39 84 1D 0F"), MedtronicPageCodecTests.Page("578398", 1)[567..576]);
        Assert.Equal((new DateTime(2015, 4, 29, 4, 57, 38), 5.2m, 5.2m, TimeSpan.Zero, false), (bolus.Time, bolus.Programmed, bolus.Delivered, bolus.Duration, bolus.IsSquareWave));
        Assert.Equal(MedtronicBolusKind.DualNormal, bolus.Kind);
    }

    [Fact]
    public void M10_page1_at_584_and_591_are_a_suspend_at_06_47_49_and_a_resume_at_06_47_55()
    {
        var suspend = RecordAt<MedtronicSuspendResume>(1, 584);
        var resume = RecordAt<MedtronicSuspendResume>(1, 591);
        Assert.Equal((true, new DateTime(2015, 4, 29, 6, 47, 49), MedtronicSuspendReason.Unspecified), (suspend.IsSuspend, suspend.Time, suspend.Reason));
        Assert.Equal((false, new DateTime(2015, 4, 29, 6, 47, 55)), (resume.IsSuspend, resume.Time));
    }

    [Fact]
    public void M11_a_square_wave_of_2_units_over_2_hours_and_one_cancelled_after_0_4_of_3_4_units()
    {
        var square = RecordAt<MedtronicBolus>(1, 932);
        Assert.Equal((2.0m, 2.0m, TimeSpan.FromHours(2), MedtronicBolusKind.DualSquare), (square.Programmed, square.Delivered, square.Duration, square.Kind));
        var cancelled = RecordAt<MedtronicBolus>(2, 56);
        Assert.Equal(Hex.Parse("01 22 04 02 5A 17 B2 1B 0F"), MedtronicPageCodecTests.Page("578398", 2)[56..65]);
        Assert.Equal((3.4m, 0.4m, TimeSpan.FromHours(1), true), (cancelled.Programmed, cancelled.Delivered, cancelled.Duration, cancelled.IsSquareWave));
    }

    [Fact]
    public void M12_page2_at_65_is_a_no_delivery_alarm_from_firmware_line_3071()
    {
        var alarm = RecordAt<MedtronicAlarmPump>(2, 65);
        Assert.Equal((new DateTime(2015, 4, 27, 18, 30, 3), (byte)4, (ushort)3071, MedtronicPumpAlarmType.NoDelivery), (alarm.Time, alarm.AlarmCode, alarm.FirmwareLine, alarm.KnownType));
    }

    [Fact]
    public void M15_decocare_low_reservoir_and_bolus_doctests()
    {
        // decocare decocare/history.py LowReservoir._test_1 and records/bolus.py Bolus._test_1
        var reservoir = Assert.IsType<MedtronicLowReservoir>(DecodeOne("34 C8 EB 02 0B 07 0C", MedtronicModel.Paradigm522));
        Assert.Equal((new DateTime(2012, 12, 7, 11, 2, 43), 20.0m), (reservoir.Time, reservoir.Remaining));
        var bolus = Assert.IsType<MedtronicBolus>(DecodeOne("01 38 38 00 DC 05 4F 12 0C", MedtronicModel.Paradigm522));
        Assert.Equal((new DateTime(2012, 12, 18, 15, 5, 28), 5.6m, 5.6m, false), (bolus.Time, bolus.Programmed, bolus.Delivered, bolus.IsSquareWave));
    }

    [Theory]
    [InlineData("6F D7 08 01 06", "2006-07-01T08:23:47")] // M-15, decocare records/times.py parse_date doctest
    [InlineData("93 D4 0E 10 0C", "2012-11-16T14:20:19")] // decocare records/times.py __test__ unmask
    [InlineData("A6 EB 0B 10 0C", "2012-11-16T11:43:38")]
    [InlineData("95 E8 0E 10 0C", "2012-11-16T14:40:21")]
    [InlineData("80 CF 30 10 0C", "2012-11-16T16:15:00")]
    [InlineData("A3 CF 30 10 0C", "2012-11-16T16:15:35")]
    public void Timestamps_decode_as_decocare_does_and_encode_back(string hex, string expected)
    {
        var bytes = Hex.Parse(hex);
        var timestamp = MedtronicTimestamp.Decode(bytes, 0);
        Assert.Equal(DateTime.Parse(expected, System.Globalization.CultureInfo.InvariantCulture), timestamp.Time);
        var encoded = new byte[5];
        timestamp.Encode(encoded);
        Assert.Equal(bytes, encoded);
    }

    [Theory]
    [InlineData("00 00 00 01 0F", 0)] // month 0
    [InlineData("3C 01 00 01 0F", 0)] // second 60
    [InlineData("00 41 18 01 0F", 0)] // hour 24
    [InlineData("00 41 00 00 0F", 0)] // day 0
    [InlineData("40 81 00 1F 0F", 0)] // 31 June
    public void A_timestamp_that_is_no_date_is_out_of_range(string hex, int offset) =>
        Assert.Equal(
            (ProtocolErrorKind.OutOfRange, offset),
            Assert.Throws<ProtocolException>(() => MedtronicTimestamp.Decode(Hex.Parse(hex), offset)) is var e ? (e.Kind, e.Offset) : default);

    [Theory]
    [InlineData("58 0F", "2015-04-24")] // page 4 of pump 578398, CareLink ResultDailyTotal 4/24/15 AMOUNT=10.65
    [InlineData("01 85", "2005-01-01")] // the battery-reset date on the same page
    public void Daily_total_dates_decode_and_encode_back(string hex, string expected)
    {
        var date = MedtronicDate.Decode(Hex.Parse(hex), 0);
        Assert.Equal(DateOnly.Parse(expected, System.Globalization.CultureInfo.InvariantCulture), date.Date);
        var encoded = new byte[2];
        date.Encode(encoded);
        Assert.Equal(Hex.Parse(hex), encoded);
    }

    [Fact]
    public void Decocare_unabsorbed_insulin_doctests()
    {
        // decocare records/bolus.py UnabsorbedInsulinBolus._test_1 and _test_2
        var first = Assert.IsType<MedtronicUnabsorbedInsulin>(DecodeOne("5C 08 32 4E 04 26 58 04", MedtronicModel.Paradigm522));
        Assert.Equal([(1.25m, 78), (0.95m, 88)], first.Doses.Select(d => (d.Amount, d.AgeMinutes)));
        var second = Assert.IsType<MedtronicUnabsorbedInsulin>(DecodeOne("5C 08 68 3C 04 64 A0 04", MedtronicModel.Paradigm522));
        Assert.Equal([(2.6m, 60), (2.5m, 160)], second.Doses.Select(d => (d.Amount, d.AgeMinutes)));
    }

    [Fact]
    public void Decocare_bolus_wizard_doctest_of_a_522()
    {
        // decocare records/bolus.py BolusWizard._test_1 (model 522)
        var wizard = Assert.IsType<MedtronicBolusWizard>(DecodeOne("5B 6C 2D 47 0D 14 0D 0F 50 0D 2D 6A 00 0B 00 00 30 00 0B 7D", MedtronicModel.Paradigm522));
        Assert.Equal(new DateTime(2013, 1, 20, 13, 7, 45), wizard.Time);
        Assert.Equal((108, 15, 13m, 45, 106, 125), (wizard.Bg, wizard.CarbGrams, wizard.CarbRatio, wizard.InsulinSensitivity, wizard.BgTargetLow, wizard.BgTargetHigh));
        Assert.Equal((1.1m, 1.1m, 0m, 4.8m), (wizard.BolusEstimate, wizard.FoodEstimate, wizard.CorrectionEstimate, wizard.ActiveInsulin));
    }

    [Fact]
    public void Decocare_cal_bg_for_ph_doctest()
    {
        // decocare records/bolus.py CalBGForPH._test_1
        var calibration = Assert.IsType<MedtronicCalBgForPh>(DecodeOne("0A 8B EE 04 2F 12 0C", MedtronicModel.Paradigm522));
        Assert.Equal((new DateTime(2012, 12, 18, 15, 4, 46), 139), (calibration.Time, calibration.Bg));
    }

    [Fact]
    public void The_554_page_holds_basal_profile_starts_with_pattern_segment_start_and_rate()
    {
        var page = MedtronicPageCodecTests.Decoded("model-554", "554", 0);
        var start = Assert.IsType<MedtronicBasalProfileStart>(page.Records[1]);
        Assert.Equal(21, page.OffsetOf(1));
        Assert.Equal(
            (new DateTime(2015, 4, 5, 14, 30, 0), MedtronicBasalPattern.Standard, 5, TimeSpan.FromHours(14.5), 0.85m),
            (start.Time, start.Pattern, start.SegmentIndex, start.Start, start.Rate));
    }

    [Theory]
    [InlineData("522", MedtronicModelFamily.UpToX22, 10, 9, 20, 7, 124)]
    [InlineData("515", MedtronicModelFamily.UpToX22, 10, 9, 20, 7, 124)]
    [InlineData("722", MedtronicModelFamily.UpToX22, 10, 9, 20, 7, 124)]
    [InlineData("523", MedtronicModelFamily.X23AndLater, 40, 13, 22, 10, 144)]
    [InlineData("554", MedtronicModelFamily.X23AndLater, 40, 13, 22, 10, 144)]
    [InlineData("754", MedtronicModelFamily.X23AndLater, 40, 13, 22, 10, 144)]
    public void A_model_number_gives_its_family_resolution_and_record_lengths(string number, MedtronicModelFamily family, int strokes, int bolus, int wizard, int dailyTotal, int wizardSetup)
    {
        var model = MedtronicModel.Parse(number);
        Assert.Equal((family, strokes), (model.Family, model.StrokesPerUnit));
        Assert.Equal(
            (bolus, wizard, dailyTotal, wizardSetup),
            (model.LayoutOf(MedtronicRecordType.Bolus)!.Value.Length, model.LayoutOf(MedtronicRecordType.BolusWizard)!.Value.Length,
             model.LayoutOf(MedtronicRecordType.ResultDailyTotal)!.Value.Length, model.LayoutOf(MedtronicRecordType.BolusWizardSetup)!.Value.Length));
        Assert.Null(model.LayoutOf((MedtronicRecordType)0x99));
    }

    [Theory]
    [InlineData("999")]
    [InlineData("")]
    [InlineData("5220")]
    [InlineData("MMT-522")]
    [InlineData("521")]
    public void An_unknown_model_is_rejected_not_guessed(string number)
    {
        Assert.False(MedtronicModel.TryParse(number, out _));
        Assert.Equal(ProtocolErrorKind.UnsupportedRevision, Assert.Throws<ProtocolException>(() => MedtronicModel.Parse(number)).Kind);
    }

    [Theory]
    [InlineData("01 38 38 00 DC 05 0F 12 0C", 6, ProtocolErrorKind.ReservedValue)] // bolus kind 0
    [InlineData("1E 09 71 2F 06 1D 0F", 1, ProtocolErrorKind.ReservedValue)] // suspend reason 9
    [InlineData("33 10 00 40 00 01 0F 10", 7, ProtocolErrorKind.ReservedValue)] // temp basal type 2
    [InlineData("33 10 00 40 00 01 0F 09", 7, ProtocolErrorKind.ReservedValue)] // percent with rate bits
    [InlineData("5C 03 32 4E", 1, ProtocolErrorKind.BadLength)] // unabsorbed length not 2 + 3n
    [InlineData("5C 01", 1, ProtocolErrorKind.BadLength)]
    [InlineData("5C 08 32 4E 04", 0, ProtocolErrorKind.Truncated)]
    [InlineData("01 38 38 00 DC 05 4F 12", 0, ProtocolErrorKind.Truncated)]
    [InlineData("34 C8 EB 02 0B 00 0C", 2, ProtocolErrorKind.OutOfRange)] // day 0, reported at the timestamp
    [InlineData("99 00 00 00 00 00 00", 0, ProtocolErrorKind.UnknownRecordType)]
    public void Bad_records_are_rejected_with_kind_and_offset(string hex, int offset, ProtocolErrorKind kind)
    {
        var error = Assert.Throws<ProtocolException>(() => MedtronicRecordCodec.Decode(Hex.Parse(hex), MedtronicModel.Paradigm522, 0, out _));
        Assert.Equal((kind, offset), (error.Kind, error.Offset));
    }

    [Fact]
    public void A_basal_profile_start_with_an_undefined_pattern_or_a_start_past_midnight_is_rejected()
    {
        Assert.Equal(ProtocolErrorKind.ReservedValue, Assert.Throws<ProtocolException>(() =>
            MedtronicRecordCodec.Decode(Hex.Parse("7B 05 40 1E 6E 05 0F 1D 22 00"), MedtronicModel.Paradigm554, 0, out _)).Kind);
        Assert.Equal(ProtocolErrorKind.OutOfRange, Assert.Throws<ProtocolException>(() =>
            MedtronicRecordCodec.Decode(Hex.Parse("7B 05 40 1E 0E 05 0F 30 22 00"), MedtronicModel.Paradigm554, 0, out _)).Kind);
    }

    public static TheoryData<string, MedtronicHistoryRecord> SampleRecords()
    {
        var at = new MedtronicTimestamp(new DateTime(2015, 4, 29, 7, 41, 25));
        var normal = at with { HourHighBits = (byte)MedtronicBolusKind.Normal };
        var data = new TheoryData<string, MedtronicHistoryRecord>();
        foreach (var model in new[] { "522", "554" })
        {
            var larger = model == "554";
            data.Add(model, new MedtronicBolus(normal, larger ? 5.275m : 5.2m, larger ? 5.275m : 5.2m, TimeSpan.Zero, larger ? 1.5m : null));
            data.Add(model, new MedtronicBolus(at with { HourHighBits = (byte)MedtronicBolusKind.DualSquare }, 3.4m, 0.4m, TimeSpan.FromHours(1.5), larger ? 0m : null));
            data.Add(model, MedtronicBolusWizard.Create(larger ? MedtronicModelFamily.X23AndLater : MedtronicModelFamily.UpToX22, at, 330, 41, 10m, 40, 90, 120, 4.1m, 1.6m, 1.5m, 4.2m));
            data.Add(model, new MedtronicUnabsorbedInsulin([new MedtronicUnabsorbedDose(1.25m, 78, 4), new MedtronicUnabsorbedDose(2.5m, 700, 4)]));
            data.Add(model, MedtronicTempBasal.Absolute(at, 1.3m));
            data.Add(model, MedtronicTempBasal.Absolute(at, 35m));
            data.Add(model, MedtronicTempBasal.OfPercent(at, 150));
            data.Add(model, new MedtronicTempBasalDuration(at, TimeSpan.FromHours(2)));
            data.Add(model, new MedtronicBasalProfileStart(at with { HourHighBits = (byte)MedtronicBasalPattern.B }, 3, TimeSpan.FromHours(23.5), 1.225m));
            data.Add(model, new MedtronicSuspendResume(MedtronicRecordType.PumpSuspend, at, MedtronicSuspendReason.LowGlucoseSuspend));
            data.Add(model, new MedtronicSuspendResume(MedtronicRecordType.PumpResume, at, MedtronicSuspendReason.AutoResumeAfterNoResponse, 2));
            data.Add(model, new MedtronicAlarmPump(at with { DayHighBits = 6 }, 62, 3009));
            data.Add(model, new MedtronicAlarmSensor(at with { YearHighBit = true }, 102, 80));
            data.Add(model, new MedtronicClearAlarm(at, 4));
            data.Add(model, new MedtronicLowReservoir(at, 20m));
            data.Add(model, new MedtronicPrime(at, 0.5m, 0.5m));
            data.Add(model, new MedtronicCalBgForPh(at with { HourHighBits = 4, YearHighBit = true }, 0x2A));
            data.Add(model, new MedtronicBgReceived(at with { HourHighBits = 3 }, 23, [0x78, 0x34, 0x36]));
            data.Add(model, new MedtronicResultDailyTotal(new MedtronicDate(new DateOnly(2015, 4, 24)), 10.65m, 0, 0, larger ? [1, 2, 3] : []));
            data.Add(model, new MedtronicDailyTotals(MedtronicRecordType.DailyTotal522, new MedtronicDate(new DateOnly(2015, 4, 24)), [.. new byte[41]]));
            data.Add(model, new MedtronicDailyTotals(MedtronicRecordType.DailyTotal523, new MedtronicDate(new DateOnly(2015, 4, 24)), [.. new byte[49]]));
            data.Add(model, new MedtronicDailyTotals(MedtronicRecordType.DailyTotal515, new MedtronicDate(new DateOnly(2015, 4, 24)), [.. new byte[35]]));
            foreach (var type in new[] { MedtronicRecordType.Rewind, MedtronicRecordType.LowBattery, MedtronicRecordType.Battery, MedtronicRecordType.ChangeTime, MedtronicRecordType.NewTimeSet })
            {
                data.Add(model, new MedtronicPumpEvent(type, at));
            }

            data.Add(model, new MedtronicUninterpretedRecord(MedtronicRecordType.EnableDisableRemote, [1], at, [.. Enumerable.Range(0, 14).Select(i => (byte)i)]));
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(SampleRecords))]
    public void Every_record_type_round_trips_through_a_page_of_either_family(string model, MedtronicHistoryRecord record)
    {
        var page = new MedtronicHistoryPage(MedtronicModel.Parse(model), [record, record]);
        var bytes = MedtronicPageCodec.Encode(page);
        Assert.Equal(page, MedtronicPageCodec.Decode(bytes, page.Model));
        Assert.Equal(bytes, MedtronicPageCodec.Encode(MedtronicPageCodec.Decode(bytes, page.Model)));
    }

    [Fact]
    public void Encoded_records_carry_the_values_they_were_built_from()
    {
        var at = MedtronicTimestamp.Decode(Hex.Parse("DC 05 4F 12 0C"), 0);
        Assert.Equal(Hex.Parse("01 38 38 00 DC 05 4F 12 0C"), MedtronicRecordCodec.Encode(new MedtronicBolus(at, 5.6m, 5.6m, TimeSpan.Zero), MedtronicModel.Paradigm522));
        Assert.Equal(Hex.Parse("01 00 E0 00 E0 00 3C 00 DC 05 4F 12 0C"), MedtronicRecordCodec.Encode(new MedtronicBolus(at, 5.6m, 5.6m, TimeSpan.Zero, 1.5m), MedtronicModel.Paradigm554));
        var wizard = MedtronicBolusWizard.Create(MedtronicModelFamily.UpToX22, MedtronicTimestamp.Decode(Hex.Parse("2D 47 0D 14 0D"), 0), 108, 15, 13, 45, 106, 125, 1.1m, 0m, 4.8m, 1.1m);
        Assert.Equal(Hex.Parse("5B 6C 2D 47 0D 14 0D 0F 00 0D 2D 6A 00 0B 00 00 30 00 0B 7D"), MedtronicRecordCodec.Encode(wizard, MedtronicModel.Paradigm522));
        var larger = MedtronicBolusWizard.Create(MedtronicModelFamily.X23AndLater, at, 300, 300, 12.5m, 40, 90, 120, 24m, 5.125m, 1.5m, 27.625m);
        Assert.Equal((300, 300, 12.5m, 40, 90, 120), (larger.Bg, larger.CarbGrams, larger.CarbRatio, larger.InsulinSensitivity, larger.BgTargetLow, larger.BgTargetHigh));
        Assert.Equal((24m, 5.125m, 1.5m, 27.625m), (larger.FoodEstimate, larger.CorrectionEstimate, larger.ActiveInsulin, larger.BolusEstimate));
    }

    [Fact]
    public void The_encoder_refuses_values_the_pump_cannot_hold()
    {
        var at = new MedtronicTimestamp(new DateTime(2015, 4, 29, 7, 41, 25), (byte)MedtronicBolusKind.Normal);
        Assert.Throws<ArgumentOutOfRangeException>(() => MedtronicRecordCodec.Encode(new MedtronicBolus(at, 5.25m, 5.25m, TimeSpan.Zero), MedtronicModel.Paradigm522));
        Assert.Throws<ArgumentException>(() => MedtronicRecordCodec.Encode(new MedtronicBolus(at, 5m, 5m, TimeSpan.Zero), MedtronicModel.Paradigm554));
        Assert.Throws<ArgumentException>(() => MedtronicRecordCodec.Encode(new MedtronicBolus(at, 5m, 5m, TimeSpan.Zero, 1m), MedtronicModel.Paradigm522));
        Assert.Throws<ArgumentOutOfRangeException>(() => MedtronicRecordCodec.Encode(new MedtronicBolus(at with { HourHighBits = 7 }, 5m, 5m, TimeSpan.Zero), MedtronicModel.Paradigm522));
        Assert.Throws<ArgumentOutOfRangeException>(() => MedtronicRecordCodec.Encode(new MedtronicTempBasalDuration(at, TimeSpan.FromMinutes(45)), MedtronicModel.Paradigm522));
        Assert.Throws<ArgumentException>(() => MedtronicRecordCodec.Encode(new MedtronicTempBasal(at, MedtronicTempBasalType.Percent, 1m, null), MedtronicModel.Paradigm522));
        Assert.Throws<ArgumentOutOfRangeException>(() => MedtronicRecordCodec.Encode(new MedtronicPumpEvent(MedtronicRecordType.Rewind, new MedtronicTimestamp(new DateTime(1999, 1, 1))), MedtronicModel.Paradigm522));
        var full = new MedtronicHistoryPage(MedtronicModel.Paradigm522, [.. Enumerable.Repeat<MedtronicHistoryRecord>(new MedtronicPumpEvent(MedtronicRecordType.Rewind, at), 147)]);
        Assert.Throws<ArgumentException>(() => MedtronicPageCodec.Encode(full));
    }
}
