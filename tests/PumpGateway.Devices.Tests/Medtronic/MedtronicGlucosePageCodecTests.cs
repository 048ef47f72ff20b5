using PumpGateway.Devices.Medtronic;
using PumpGateway.Protocol;
using PumpGateway.TestSupport;

namespace PumpGateway.Devices.Tests.Medtronic;

/// <summary>
/// The real glucose page of pump 578398 (shared/fixtures/medtronic/578398/ReadGlucoseHistory-page-6.data,
/// decocare analysis/578398) against CareLink's export of the same pump.
/// </summary>
public sealed class MedtronicGlucosePageCodecTests
{
    private static byte[] Page() => File.ReadAllBytes(SharedFiles.Fixture("medtronic", "578398", "ReadGlucoseHistory-page-6.data"));

    private static MedtronicGlucoseTimestamp At(int hour, int minute, byte dayBits = 0) => new(new DateTime(2015, 4, 29, hour, minute, 0), DayHighBits: dayBits);

    [Fact]
    public void The_real_glucose_page_decodes_with_its_crc_good_and_re_encodes_byte_for_byte()
    {
        var bytes = Page();
        var page = MedtronicGlucosePageCodec.Decode(bytes);
        Assert.Equal(bytes, MedtronicGlucosePageCodec.Encode(page));
        Assert.Equal(page, MedtronicGlucosePageCodec.Decode(MedtronicGlucosePageCodec.Encode(page)));
        Assert.Equal(169, page.Entries.Count(e => e.Record is MedtronicSensorGlucose));
    }

    [Fact]
    public void Its_last_records_are_the_sensor_timestamp_cal_factor_and_calibration_CareLink_lists()
    {
        var entries = MedtronicGlucosePageCodec.Decode(Page()).Entries;
        var stamp = Assert.IsType<MedtronicGlucoseTimestamped>(entries.Single(e => e.Record.Type == MedtronicGlucoseRecordType.SensorTimestamp).Record);
        Assert.Equal((new DateTime(2015, 4, 29, 18, 27, 0), MedtronicSensorTimestampKind.LastRf), (stamp.Timestamp.Time, stamp.TimestampKind));
        Assert.Equal(Hex.Parse("0F 1D 1B 52 08"), Page()[273..278]);

        var factors = entries.Select(e => e.Record).OfType<MedtronicSensorCalibrationFactor>().Select(f => (f.Timestamp.Time, f.Factor));
        Assert.Equal([(new DateTime(2015, 4, 29, 5, 13, 0), 8.757m), (new DateTime(2015, 4, 29, 7, 53, 0), 8.481m), (new DateTime(2015, 4, 29, 17, 53, 0), 7.28m)], factors);
        var calibrations = entries.Select(e => e.Record).OfType<MedtronicCalibrationBg>().Select(c => (c.Timestamp.Time, c.MgDl));
        Assert.Equal([(new DateTime(2015, 4, 29, 7, 41, 0), 186), (new DateTime(2015, 4, 29, 17, 40, 0), 216)], calibrations);
    }

    [Fact]
    public void Every_timed_reading_and_sensor_record_is_a_CareLink_row_at_the_same_minute_and_back()
    {
        var entries = MedtronicGlucosePageCodec.Decode(Page()).Entries;
        var rows = CareLinkExport.Rows("Paradigm 522");

        // Readings after the last SensorTimestamp (18:27) are timed forwards from it; the export
        // (18:32:33) lists none of them, so the comparison stops at that timestamp.
        var exportEnd = entries.Last(e => e.Record.Type == MedtronicGlucoseRecordType.SensorTimestamp).Time!.Value;
        // The page's first readings share their minutes with the end of the page before it
        // (CareLink lists a calibration of that page at 04:57): compare from the first own timestamp.
        var first = entries.First(e => e.Record is MedtronicSensorCalibrationFactor or MedtronicCalibrationBg or MedtronicGlucoseTimestamped).Time!.Value;
        var decoded = entries.Where(e => e.Time >= first && e.Time <= exportEnd).Select(e => e.Record switch
        {
            MedtronicSensorGlucose g => ((string?)$"GlucoseSensorData {g.MgDl}", e.Time!.Value),
            MedtronicGlucoseTimestamped { StampType: MedtronicGlucoseRecordType.SensorTimestamp } s => ($"SensorTimestamp {s.TimestampKind}", e.Time!.Value),
            MedtronicSensorCalibrationFactor f => ($"SensorCalFactor {f.Factor}", e.Time!.Value),
            MedtronicCalibrationBg c => ($"CalBGForGH {c.MgDl}", e.Time!.Value),
            _ => ((string?)null, default(DateTime)),
        }).Where(x => x.Item1 is not null).ToList();
        var listed = rows.Where(r => r.Time >= first && r.Time <= exportEnd).Select(r => r.RawType switch
        {
            "GlucoseSensorData" => ((string?)$"GlucoseSensorData {r.Long("AMOUNT")}", r.Time),
            "SensorTimestamp" => ($"SensorTimestamp {r.Text("TIMESTAMP_TYPE").Replace("_", string.Empty, StringComparison.Ordinal)}", r.Time),
            "SensorCalFactor" => ($"SensorCalFactor {r.Decimal("CAL_FACTOR")}", r.Time),
            "CalBGForGH" => ($"CalBGForGH {r.Long("AMOUNT")}", r.Time),
            _ => ((string?)null, default(DateTime)),
        }).Where(x => x.Item1 is not null).ToList();

        Assert.Equal(159 + 1 + 3 + 2, decoded.Count);
        var carelinkReadings = rows.Where(r => r.RawType == "GlucoseSensorData").Select(r => (r.Time, (int)r.Long("AMOUNT"))).ToHashSet();
        var anchored = entries.Where(e => e.Record is MedtronicSensorGlucose && e.Time <= exportEnd).ToList();
        Assert.Equal(163, anchored.Count);
        Assert.All(anchored, e => Assert.Contains((e.Time!.Value, ((MedtronicSensorGlucose)e.Record).MgDl), carelinkReadings));
        Assert.Equal(
            listed.Select(x => (x.Item1!.ToUpperInvariant(), x.Item2)).Order(),
            decoded.Select(x => (x.Item1!.ToUpperInvariant(), x.Item2)).Order());
    }

    [Fact]
    public void Readings_after_the_last_sensor_timestamp_are_timed_forwards_from_it()
    {
        var entries = MedtronicGlucosePageCodec.Decode(Page()).Entries;
        var last = entries.Where(e => e.Record is MedtronicSensorGlucose).TakeLast(6).Select(e => e.Time);
        Assert.Equal(Enumerable.Range(1, 6).Select(i => (DateTime?)new DateTime(2015, 4, 29, 18, 27, 0).AddMinutes(5 * i)), last);
        Assert.Equal((MedtronicGlucoseRecordType.DataEnd, (DateTime?)null), (entries[^1].Record.Type, entries[^1].Time));
    }

    [Fact]
    public void Every_glucose_record_type_round_trips_and_takes_its_slot()
    {
        MedtronicGlucoseRecord[] records =
        [
            new MedtronicSensorGlucose(0x50),
            new MedtronicGlucoseMarker(MedtronicGlucoseRecordType.SensorWeakSignal),
            new MedtronicGlucoseMarker(MedtronicGlucoseRecordType.SensorCalibration, 1),
            new MedtronicGlucoseMarker(MedtronicGlucoseRecordType.SensorPacket, 2),
            new MedtronicGlucoseMarker(MedtronicGlucoseRecordType.SensorError, 1),
            new MedtronicGlucoseMarker(MedtronicGlucoseRecordType.GlucoseBelow40),
            new MedtronicGlucoseMarker(MedtronicGlucoseRecordType.GlucoseAbove400, 0),
            new MedtronicGlucoseMarker(MedtronicGlucoseRecordType.NoOp),
            new MedtronicGlucoseMarker(MedtronicGlucoseRecordType.ZeroByte),
            new MedtronicGlucoseTimestamped(MedtronicGlucoseRecordType.BatteryChange, At(9, 1)),
            new MedtronicGlucoseTimestamped(MedtronicGlucoseRecordType.SensorStatus, At(9, 2, dayBits: 2)),
            new MedtronicGlucoseTimestamped(MedtronicGlucoseRecordType.DateTimeChange, At(9, 3)),
            new MedtronicGlucoseTimestamped(MedtronicGlucoseRecordType.SensorSync, At(9, 4)),
            new MedtronicGlucoseTimestamped(MedtronicGlucoseRecordType.SensorSpecialDisplay, At(9, 5)),
            new MedtronicCalibrationBg(At(9, 6, dayBits: 1), 0x2C),
            new MedtronicSensorCalibrationFactor(At(9, 7), 8481),
            new MedtronicSensorGlucose(0xFF),
            new MedtronicGlucoseTimestamped(MedtronicGlucoseRecordType.SensorTimestamp, At(10, 0, dayBits: 1)),
            new MedtronicSensorGlucose(0x14),
            new MedtronicGlucoseMarker(MedtronicGlucoseRecordType.DataEnd),
        ];
        var bytes = MedtronicGlucosePageCodec.Encode(records);
        var page = MedtronicGlucosePageCodec.Decode(bytes);
        Assert.Equal(records, page.Entries.Select(e => e.Record));
        Assert.Equal(bytes, MedtronicGlucosePageCodec.Encode(page));

        DateTime? T(int hour, int minute) => new DateTime(2015, 4, 29, hour, minute, 0);
        Assert.Equal(
            [T(9, 25), T(9, 30), T(9, 35), T(9, 40), T(9, 45), T(9, 50), T(9, 55), null, null, T(9, 1), T(9, 2), T(9, 3), T(9, 4), T(9, 5), T(9, 6), T(9, 7), T(10, 0), T(10, 0), T(10, 5), null],
            page.Entries.Select(e => e.Time));
        Assert.Equal(300, ((MedtronicCalibrationBg)records[14]).MgDl);
        Assert.Equal(MedtronicSensorStatusKind.Lost, ((MedtronicGlucoseTimestamped)records[10]).StatusKind);
        Assert.Equal(MedtronicSensorTimestampKind.PageEnd, ((MedtronicGlucoseTimestamped)records[17]).TimestampKind);
        Assert.Equal(510, ((MedtronicSensorGlucose)records[16]).MgDl);
    }

    [Theory]
    [InlineData(0x11)]
    [InlineData(0x09)]
    [InlineData(0x12)]
    public void An_unknown_glucose_opcode_stops_the_page_at_its_offset(byte opcode)
    {
        var bytes = Page();
        bytes[0x70] = opcode;
        PumpGateway.Devices.Medtronic.MedtronicPageFrame.Seal(bytes);
        var error = Assert.Throws<ProtocolException>(() => MedtronicGlucosePageCodec.Decode(bytes));
        Assert.Equal((ProtocolErrorKind.UnknownRecordType, 0x70), (error.Kind, error.Offset));
        Assert.Contains($"0x{opcode:X2}", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_record_reaching_before_byte_0_is_truncated_and_a_bad_crc_is_named()
    {
        var bytes = new byte[1024];
        bytes[0] = 0x47;
        bytes[1] = 0x0F;
        MedtronicPageFrame.Seal(bytes);
        var truncated = Assert.Throws<ProtocolException>(() => MedtronicGlucosePageCodec.Decode(bytes));
        Assert.Equal((ProtocolErrorKind.Truncated, 1), (truncated.Kind, truncated.Offset));
        bytes[5] = 1;
        Assert.Equal((ProtocolErrorKind.BadCrc, 1022), Assert.Throws<ProtocolException>(() => MedtronicGlucosePageCodec.Decode(bytes)) is var e ? (e.Kind, e.Offset) : default);
        Assert.Equal(ProtocolErrorKind.Truncated, Assert.Throws<ProtocolException>(() => MedtronicGlucosePageCodec.Decode(bytes.AsSpan(0, 1000))).Kind);
    }
}
