using PumpGateway.Codecs;
using PumpGateway.Devices.Cgms;
using PumpGateway.Protocol;
using PumpGateway.TestSupport;

namespace PumpGateway.Devices.Tests.Cgms;

/// <summary>
/// CGM Measurement vectors. "Nordic" = NordicSemiconductor/Android-BLE-Common-Library
/// ble-common/src/test/java/no/nordicsemi/android/ble/common/callback/cgm/ContinuousGlucoseMeasurementDataCallbackTest.java;
/// "UHN" = ehealthinnovation/AndroidBLEParser parser/src/test/java/org/ehealthinnovation/android/bluetooth/cgm/CgmMeasurementParserTest.kt
/// (its stub reader gives values, not bytes: the bytes are those values laid out per the GATT supplement).
/// </summary>
public sealed class CgmMeasurementCodecTests
{
    // Nordic onContinuousGlucoseMeasurementReceived_full: every field, Status 0x02, Cal/Temp 0x14, Warning 0xFF, CRC 0x3F8E.
    private const string NordicFull = "0F E3 D2 E4 05 00 02 14 FF 02 F0 E5 F3 8E 3F";

    public static TheoryData<string, bool, CgmMeasurement[]> Vectors => new()
    {
        {
            NordicFull, true,
            [new CgmMeasurement(
                new MedicalFloat(1234, -2), 5,
                CgmStatusAnnunciation.DeviceBatteryLow,
                CgmCalTempAnnunciation.CalibrationRecommended | CgmCalTempAnnunciation.SensorTemperatureTooHigh,
                (CgmWarningAnnunciation)0xFF,
                new MedicalFloat(2, -1),
                new MedicalFloat(997, -1))]
        },

        // Nordic onContinuousGlucoseMeasurementReceived_small: 120 mg/dL at 6 min, nothing optional.
        { "06 00 0C 10 06 00", false, [new CgmMeasurement(new MedicalFloat(12, 1), 6)] },

        // Nordic onContinuousGlucoseMeasurementReceived_double: two records in one notification.
        { "06 00 0C 10 05 00 06 00 0C 10 06 00", false, [new CgmMeasurement(new MedicalFloat(12, 1), 5), new CgmMeasurement(new MedicalFloat(12, 1), 6)] },

        // Nordic onContinuousGlucoseMeasurementReceived_crcError with the CRC its test computes (0x6F59).
        { "08 00 0C 10 06 00 59 6F", true, [new CgmMeasurement(new MedicalFloat(12, 1), 6)] },

        // UHN parse() packet 1: 35.4 mg/dL at 0x3412 min.
        { "06 00 62 F1 12 34", false, [new CgmMeasurement(new MedicalFloat(354, -1), 0x3412)] },

        // UHN parse() packet 2: the Cal/Temp octet alone, 0x01 = time synchronisation required.
        { "07 40 62 F1 12 34 01", false, [new CgmMeasurement(new MedicalFloat(354, -1), 0x3412, CalTemp: CgmCalTempAnnunciation.TimeSynchronizationRequired)] },

        // UHN parse() packet 3 (flags 0x63), its size byte corrected from 10 to the 12 bytes it holds.
        {
            "0C 63 62 F1 12 34 01 01 F3 FF D5 F3", false,
            [new CgmMeasurement(
                new MedicalFloat(354, -1), 0x3412,
                CalTemp: CgmCalTempAnnunciation.TimeSynchronizationRequired,
                Warning: CgmWarningAnnunciation.ResultLowerThanPatientLowLevel,
                TrendMgDlPerMinute: new MedicalFloat(-13, -1),
                QualityPercent: new MedicalFloat(981, -1))]
        },

        // UHN readSensorStatusAnnunciationSmokeTest case 3: octets 01 02 04 with all three present.
        {
            "09 E0 0C 10 06 00 01 02 04", false,
            [new CgmMeasurement(new MedicalFloat(12, 1), 6, CgmStatusAnnunciation.SessionStopped, CgmCalTempAnnunciation.CalibrationNotAllowed, CgmWarningAnnunciation.ResultLowerThanHypoLevel)]
        },
    };

    [Theory]
    [MemberData(nameof(Vectors))]
    public void Public_vectors_decode_to_the_expected_records_and_encode_back_byte_for_byte(string hex, bool e2e, CgmMeasurement[] expected)
    {
        var bytes = Hex.Parse(hex);
        var settings = e2e ? CgmsE2e.On : CgmsE2e.Off;
        var decoded = CgmMeasurementCodec.Decode(bytes, settings);
        Assert.Equal(expected, decoded);
        Assert.Equal(bytes, CgmMeasurementCodec.Encode(decoded, settings));
    }

    [Fact]
    public void The_full_nordic_record_names_the_annunciation_bits_the_way_its_test_asserts()
    {
        var record = Assert.Single(CgmMeasurementCodec.Decode(Hex.Parse(NordicFull), CgmsE2e.On));
        Assert.Equal(12.34m, record.GlucoseMgDl.ToDecimal());
        Assert.Equal(0.2m, record.TrendMgDlPerMinute?.ToDecimal());
        Assert.Equal(99.7m, record.QualityPercent?.ToDecimal());
        Assert.False(record.Status!.Value.HasFlag(CgmStatusAnnunciation.SessionStopped));
        Assert.True(record.Status.Value.HasFlag(CgmStatusAnnunciation.DeviceBatteryLow));
        Assert.True(record.CalTemp!.Value.HasFlag(CgmCalTempAnnunciation.SensorTemperatureTooHigh));
        Assert.False(record.CalTemp.Value.HasFlag(CgmCalTempAnnunciation.SensorTemperatureTooLow));
        Assert.Equal(CgmMeasurementFlags.TrendPresent | CgmMeasurementFlags.QualityPresent | CgmMeasurementFlags.WarningOctetPresent
            | CgmMeasurementFlags.CalTempOctetPresent | CgmMeasurementFlags.StatusOctetPresent, record.Flags);
    }

    /// <summary>
    /// Two octets present: the one that comes first is Cal/Temp, not Warning. Nordic's parser reads
    /// octets in flag-bit order (warning first) and would swap these; BLECgmSim writes status,
    /// warning, cal/temp. The spec order is status, cal/temp, warning. Octet values from UHN
    /// readSensorStatusAnnunciationByOctetSmokeTest (0x13 as Cal/Temp, 0x24 as Warning).
    /// </summary>
    [Fact]
    public void With_only_cal_temp_and_warning_octets_the_cal_temp_octet_comes_first()
    {
        var record = Assert.Single(CgmMeasurementCodec.Decode(Hex.Parse("08 60 0C 10 06 00 13 24"), CgmsE2e.Off));
        Assert.Null(record.Status);
        Assert.Equal(
            CgmCalTempAnnunciation.TimeSynchronizationRequired | CgmCalTempAnnunciation.CalibrationNotAllowed | CgmCalTempAnnunciation.SensorTemperatureTooHigh,
            record.CalTemp);
        Assert.Equal(CgmWarningAnnunciation.ResultLowerThanHypoLevel | CgmWarningAnnunciation.RateOfIncreaseExceeded, record.Warning);
    }

    [Fact]
    public void With_only_status_and_warning_octets_the_status_octet_comes_first()
    {
        var bytes = Hex.Parse("08 A0 0C 10 06 00 01 24");
        var record = Assert.Single(CgmMeasurementCodec.Decode(bytes, CgmsE2e.Off));
        Assert.Equal(CgmStatusAnnunciation.SessionStopped, record.Status);
        Assert.Null(record.CalTemp);
        Assert.Equal(CgmWarningAnnunciation.ResultLowerThanHypoLevel | CgmWarningAnnunciation.RateOfIncreaseExceeded, record.Warning);
        Assert.Equal(bytes, CgmMeasurementCodec.Encode(record, CgmsE2e.Off));
    }

    [Theory]
    [InlineData("06 E3 0C 10 06", false, ProtocolErrorKind.BadLength, 0)] // Nordic onInvalidDataReceived_tooShort: size 6, 5 bytes
    [InlineData("07 E3 0C 10 06 00 00", false, ProtocolErrorKind.BadLength, 0)] // Nordic onInvalidDataReceived: size 7 for flags needing 13
    [InlineData("0A 63 62 F1 12 34 01 01 F3 FF D5 F3", false, ProtocolErrorKind.BadLength, 0)] // UHN packet 3 as published: size 10 for 12 bytes of fields
    [InlineData("08 00 0C 10 06 00 58 6F", true, ProtocolErrorKind.BadCrc, 6)] // Nordic onContinuousGlucoseMeasurementReceived_crcError
    [InlineData("06 00 0C 10 06 00", true, ProtocolErrorKind.BadLength, 0)] // E2E on, no room for the CRC
    [InlineData("08 00 0C 10 06 00 59 6F", false, ProtocolErrorKind.BadLength, 0)] // a CRC where E2E is off
    [InlineData("06 00 0C 10 05 00 07 00 0C 10 06 00", false, ProtocolErrorKind.BadLength, 6)] // second record runs past the value
    [InlineData("06 00 0C 10 05 00 00", false, ProtocolErrorKind.BadLength, 6)] // a zero size never loops
    [InlineData("06 04 0C 10 06 00", false, ProtocolErrorKind.ReservedValue, 1)] // reserved flag bit 2
    [InlineData("06 08 0C 10 06 00", false, ProtocolErrorKind.ReservedValue, 1)] // reserved flag bit 3
    [InlineData("06 10 0C 10 06 00", false, ProtocolErrorKind.ReservedValue, 1)] // reserved flag bit 4
    [InlineData("07 80 0C 10 06 00 40", false, ProtocolErrorKind.ReservedValue, 6)] // reserved Status bit 6
    [InlineData("07 40 0C 10 06 00 80", false, ProtocolErrorKind.ReservedValue, 6)] // reserved Cal/Temp bit 7
    [InlineData("06 00 01 08 06 00", false, ProtocolErrorKind.ReservedValue, 2)] // SFLOAT 0x0801 is reserved
    [InlineData("", false, ProtocolErrorKind.Truncated, 0)]
    public void Bad_records_fail_with_the_kind_and_offset_of_the_problem(string hex, bool e2e, ProtocolErrorKind kind, int offset)
    {
        var bytes = Hex.Parse(hex);
        var error = Assert.Throws<ProtocolException>(() => CgmMeasurementCodec.Decode(bytes, e2e ? CgmsE2e.On : CgmsE2e.Off));
        Assert.Equal((kind, offset), (error.Kind, error.Offset));
    }

    public static TheoryData<CgmsE2e> Settings => new() { CgmsE2e.Off, CgmsE2e.On, new CgmsE2e(true, E2eCrcVariant.CcittFalse) };

    [Theory]
    [MemberData(nameof(Settings))]
    public void Every_combination_of_optional_fields_round_trips_in_one_notification(CgmsE2e e2e)
    {
        var records = new List<CgmMeasurement>();
        for (var flags = 0; flags < 32; flags++)
        {
            records.Add(new CgmMeasurement(
                MedicalFloat.SFloatOf(100 + flags, 0),
                (ushort)(flags * 5),
                (flags & 1) != 0 ? CgmStatusAnnunciation.SensorMalfunction : null,
                (flags & 2) != 0 ? CgmCalTempAnnunciation.CalibrationProcessPending : null,
                (flags & 4) != 0 ? CgmWarningAnnunciation.ResultHigherThanDeviceCanProcess : null,
                (flags & 8) != 0 ? MedicalFloat.SFloatOf(-1.5m, -1) : null,
                (flags & 16) != 0 ? MedicalFloat.NaN : null));
        }

        var bytes = CgmMeasurementCodec.Encode(records, e2e);
        Assert.Equal(records, CgmMeasurementCodec.Decode(bytes, e2e));
        Assert.Equal(bytes, CgmMeasurementCodec.Encode(CgmMeasurementCodec.Decode(bytes, e2e), e2e));
    }

    [Fact]
    public void A_crc_of_the_other_bit_order_is_a_bad_crc()
    {
        var record = new CgmMeasurement(MedicalFloat.SFloatOf(98, 0), 300);
        var dialect = new CgmsE2e(true, E2eCrcVariant.CcittFalse);
        var bytes = CgmMeasurementCodec.Encode(record, dialect);
        Assert.Equal(record, Assert.Single(CgmMeasurementCodec.Decode(bytes, dialect)));
        Assert.Equal(ProtocolErrorKind.BadCrc, Assert.Throws<ProtocolException>(() => CgmMeasurementCodec.Decode(bytes, CgmsE2e.On)).Kind);
    }

    [Fact]
    public void The_encoder_refuses_what_the_decoder_would_reject()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => CgmMeasurementCodec.Encode(new CgmMeasurement(MedicalFloat.SFloatOf(1, 0), 0, Status: (CgmStatusAnnunciation)0x40), CgmsE2e.Off));
        Assert.Throws<ArgumentOutOfRangeException>(() => CgmMeasurementCodec.Encode(new CgmMeasurement(MedicalFloat.SFloatOf(1, 0), 0, CalTemp: (CgmCalTempAnnunciation)0x80), CgmsE2e.Off));
        Assert.Throws<ArgumentException>(() => CgmMeasurementCodec.Encode([], CgmsE2e.Off));
    }
}
