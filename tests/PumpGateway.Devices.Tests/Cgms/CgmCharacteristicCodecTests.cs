using PumpGateway.Codecs;
using PumpGateway.Devices.Cgms;
using PumpGateway.Protocol;
using PumpGateway.TestSupport;

namespace PumpGateway.Devices.Tests.Cgms;

/// <summary>
/// CGM Feature, Status, Session Start Time and Session Run Time. "Nordic" vectors come from
/// NordicSemiconductor/Android-BLE-Common-Library ble-common/src/test/java/no/nordicsemi/android/ble/common/callback/cgm/
/// (CGMFeatureDataCallbackTest, CGMStatusDataCallbackTest, CGMSessionStartTimeDataCallbackTest,
/// CGMSessionRunTimeDataCallbackTest); "UHN" from ehealthinnovation/AndroidBLEParser CgmStatusParserTest.kt.
/// </summary>
public sealed class CgmCharacteristicCodecTests
{
    private const CgmFeatures NordicFeatures =
        CgmFeatures.PatientHighLowAlertsSupported | CgmFeatures.HypoAlertsSupported | CgmFeatures.HyperAlertsSupported
        | CgmFeatures.DeviceSpecificAlertSupported | CgmFeatures.SensorMalfunctionDetectionSupported | CgmFeatures.LowBatteryDetectionSupported
        | CgmFeatures.SensorTypeErrorDetectionSupported | CgmFeatures.GeneralDeviceFaultSupported | CgmFeatures.CgmTrendInformationSupported
        | CgmFeatures.CgmQualitySupported;

    [Theory]
    [InlineData("6E 9E 01 16 8A C1", true)] // Nordic ..._full: features 0b11001111001101110, arterial plasma at the finger, CRC 0xC18A
    [InlineData("6E 8E 01 16 FF FF", false)] // Nordic ..._crcNotSupported: E2E bit clear, CRC field 0xFFFF
    public void Feature_vectors_decode_and_encode_back(string hex, bool e2e)
    {
        var bytes = Hex.Parse(hex);
        var feature = CgmFeatureCodec.Decode(bytes);
        var expected = new CgmFeature(e2e ? NordicFeatures | CgmFeatures.E2eCrcSupported : NordicFeatures, CgmType.ArterialPlasma, CgmSampleLocation.Finger);
        Assert.Equal(expected, feature);
        Assert.Equal(e2e, feature.E2eCrcSupported);
        Assert.Equal(new CgmsE2e(e2e), CgmsE2e.For(feature));
        Assert.Equal(bytes, CgmFeatureCodec.Encode(feature));
    }

    [Theory]
    [InlineData("6E 9E 01 16 AF BE", ProtocolErrorKind.BadCrc, 4)] // Nordic ...WithCrcError
    [InlineData("6E 9E 01 16", ProtocolErrorKind.Truncated, 4)] // Nordic onInvalidDataReceived_noCrc: the field is always there
    [InlineData("6E 8E 01 16 AF BE", ProtocolErrorKind.ReservedValue, 4)] // Nordic onInvalidDataReceived_wrongDefaultCrc
    [InlineData("6E 8E 01 16 FF FF 00", ProtocolErrorKind.BadLength, 6)]
    [InlineData("00 00 02 16 FF FF", ProtocolErrorKind.ReservedValue, 2)] // reserved feature bit 17
    [InlineData("00 00 80 16 FF FF", ProtocolErrorKind.ReservedValue, 2)] // reserved feature bit 23
    [InlineData("00 00 00 10 FF FF", ProtocolErrorKind.ReservedValue, 3)] // type 0 is reserved
    [InlineData("00 00 00 1B FF FF", ProtocolErrorKind.ReservedValue, 3)] // type 11 is reserved
    [InlineData("00 00 00 69 FF FF", ProtocolErrorKind.ReservedValue, 3)] // location 6 is reserved
    public void Feature_problems_are_typed(string hex, ProtocolErrorKind kind, int offset)
    {
        var error = Assert.Throws<ProtocolException>(() => CgmFeatureCodec.Decode(Hex.Parse(hex)));
        Assert.Equal((kind, offset), (error.Kind, error.Offset));
    }

    [Fact]
    public void Every_feature_bit_and_every_type_and_location_round_trips_in_both_crc_orders()
    {
        foreach (var variant in new[] { E2eCrcVariant.Specification, E2eCrcVariant.CcittFalse })
        {
            foreach (var bit in Enum.GetValues<CgmFeatures>())
            {
                foreach (var type in Enum.GetValues<CgmType>())
                {
                    foreach (var location in Enum.GetValues<CgmSampleLocation>())
                    {
                        var feature = new CgmFeature(bit | CgmFeatures.CalibrationSupported, type, location);
                        Assert.Equal(feature, CgmFeatureCodec.Decode(CgmFeatureCodec.Encode(feature, variant), variant));
                    }
                }
            }
        }

        Assert.Equal(18, Enum.GetValues<CgmFeatures>().Length);
    }

    public static TheoryData<string, bool, CgmStatus> StatusVectors => new()
    {
        // Nordic onContinuousGlucoseMonitorStatusChanged_withCrc: every defined bit set, CRC 0xE0A7.
        { "05 00 3F 3F FF A7 E0", true, new CgmStatus(5, (CgmStatusAnnunciation)0x3F, (CgmCalTempAnnunciation)0x3F, (CgmWarningAnnunciation)0xFF) },

        // Nordic onContinuousGlucoseMonitorStatusChanged_noCrc: bit 0 of each octet.
        { "06 00 01 01 01", false, new CgmStatus(6, CgmStatusAnnunciation.SessionStopped, CgmCalTempAnnunciation.TimeSynchronizationRequired, CgmWarningAnnunciation.ResultLowerThanPatientLowLevel) },

        // UHN CgmStatusParserTest.parse packet 1: 1234 min, 0x111111.
        {
            "D2 04 11 11 11", false,
            new CgmStatus(
                1234,
                CgmStatusAnnunciation.SessionStopped | CgmStatusAnnunciation.DeviceSpecificAlert,
                CgmCalTempAnnunciation.TimeSynchronizationRequired | CgmCalTempAnnunciation.SensorTemperatureTooHigh,
                CgmWarningAnnunciation.ResultLowerThanPatientLowLevel | CgmWarningAnnunciation.RateOfDecreaseExceeded)
        },

        // UHN CgmStatusParserTest.parse packet 2: 6789 min, nothing set.
        { "85 1A 00 00 00", false, new CgmStatus(6789, CgmStatusAnnunciation.None, CgmCalTempAnnunciation.None, CgmWarningAnnunciation.None) },
    };

    [Theory]
    [MemberData(nameof(StatusVectors))]
    public void Status_vectors_decode_and_encode_back(string hex, bool e2e, CgmStatus expected)
    {
        var bytes = Hex.Parse(hex);
        var settings = e2e ? CgmsE2e.On : CgmsE2e.Off;
        Assert.Equal(expected, CgmStatusCodec.Decode(bytes, settings));
        Assert.Equal(bytes, CgmStatusCodec.Encode(expected, settings));
    }

    [Theory]
    [InlineData("06 00 01 01 01 A7 E0", true, ProtocolErrorKind.BadCrc, 5)] // Nordic onContinuousGlucoseMonitorStatusReceivedWithCrcError
    [InlineData("06 00 01 01 01 01", false, ProtocolErrorKind.BadLength, 5)] // Nordic onInvalidDataReceived
    [InlineData("06 00 01 01", false, ProtocolErrorKind.Truncated, 4)]
    [InlineData("06 00 40 00 00", false, ProtocolErrorKind.ReservedValue, 2)]
    [InlineData("06 00 00 80 00", false, ProtocolErrorKind.ReservedValue, 3)]
    public void Status_problems_are_typed(string hex, bool e2e, ProtocolErrorKind kind, int offset)
    {
        var error = Assert.Throws<ProtocolException>(() => CgmStatusCodec.Decode(Hex.Parse(hex), e2e ? CgmsE2e.On : CgmsE2e.Off));
        Assert.Equal((kind, offset), (error.Kind, error.Offset));
    }

    [Fact]
    public void Nordic_session_start_time_is_2018_04_24_13_08_24_at_utc_plus_two_with_an_hour_of_dst()
    {
        // Nordic onContinuousGlucoseMonitorSessionStartTimeReceived: time zone 8 (x 15 min), DST 4 (+1 h), CRC 0xC2E0.
        var bytes = Hex.Parse("E2 07 04 18 0D 08 18 08 04 E0 C2");
        var start = CgmSessionStartTimeCodec.Decode(bytes, CgmsE2e.On);
        Assert.Equal(new CgmSessionStartTime(2018, 4, 24, 13, 8, 24, 8, CgmDstOffset.DaylightTime), start);
        Assert.Equal(new DateTime(2018, 4, 24, 13, 8, 24), start.LocalTime);
        Assert.Equal(TimeSpan.FromHours(3), start.UtcOffset);
        Assert.Equal(new DateTimeOffset(2018, 4, 24, 10, 8, 24, TimeSpan.Zero), start.ToUtc());
        Assert.Equal(TimeSpan.Zero, start.ToUtc()!.Value.Offset);
        Assert.Equal(new DateTimeOffset(2018, 4, 24, 10, 13, 24, TimeSpan.Zero), start.TimeOfMeasurement(5));
        Assert.Equal(new DateTimeOffset(2018, 4, 24, 10, 14, 24, TimeSpan.Zero), start.TimeOf(new CgmMeasurement(new MedicalFloat(12, 1), 6)));
        Assert.Equal(new DateTimeOffset(2018, 4, 24, 13, 8, 24, TimeSpan.FromHours(3)).AddMinutes(65535), start.TimeOfMeasurement(ushort.MaxValue));
        Assert.Equal(bytes, CgmSessionStartTimeCodec.Encode(start, CgmsE2e.On));
        Assert.Equal(start, CgmSessionStartTime.From(new DateTimeOffset(2018, 4, 24, 13, 8, 24, TimeSpan.FromHours(3)), CgmDstOffset.DaylightTime));
    }

    [Fact]
    public void An_unknown_year_keeps_the_fields_but_gives_no_instant()
    {
        // Nordic onContinuousGlucoseMonitorSessionStartTimeReceived_noYear: year 0, DST 2 (+0.5 h), no CRC.
        var bytes = Hex.Parse("00 00 04 18 0D 08 18 08 02");
        var start = CgmSessionStartTimeCodec.Decode(bytes, CgmsE2e.Off);
        Assert.Equal(new CgmSessionStartTime(0, 4, 24, 13, 8, 24, 8, CgmDstOffset.HalfAnHourDaylightTime), start);
        Assert.Null(start.LocalTime);
        Assert.Null(start.ToUtc());
        Assert.Null(start.TimeOfMeasurement(5));
        Assert.Equal(TimeSpan.FromMinutes(150), start.UtcOffset);
        Assert.Equal(bytes, CgmSessionStartTimeCodec.Encode(start, CgmsE2e.Off));
    }

    [Theory]
    [InlineData(CgmSessionStartTime.UnknownTimeZone, CgmDstOffset.StandardTime)]
    [InlineData(0, CgmDstOffset.Unknown)]
    public void An_unknown_time_zone_or_dst_gives_local_time_but_no_instant(sbyte timeZone, CgmDstOffset dst)
    {
        var start = new CgmSessionStartTime(2024, 2, 29, 23, 59, 59, timeZone, dst);
        var decoded = CgmSessionStartTimeCodec.Decode(CgmSessionStartTimeCodec.Encode(start, CgmsE2e.On), CgmsE2e.On);
        Assert.Equal(start, decoded);
        Assert.Equal(new DateTime(2024, 2, 29, 23, 59, 59), decoded.LocalTime);
        Assert.Null(decoded.UtcOffset);
        Assert.Null(decoded.ToUtc());
    }

    [Fact]
    public void Extreme_offsets_at_the_edges_of_the_calendar_give_no_instant_rather_than_a_crash()
    {
        var late = new CgmSessionStartTime(9999, 12, 31, 23, 0, 0, CgmSessionStartTime.MinTimeZone, CgmDstOffset.StandardTime);
        Assert.Null(late.ToUtc());
        var easternmost = new CgmSessionStartTime(2024, 1, 1, 0, 0, 0, CgmSessionStartTime.MaxTimeZone, CgmDstOffset.DoubleDaylightTime);
        Assert.Equal(new DateTimeOffset(2023, 12, 31, 8, 0, 0, TimeSpan.Zero), easternmost.ToUtc());
    }

    [Theory]
    [InlineData("E2 07 04 18 0D 08 18 08 04 E0 C3", true, ProtocolErrorKind.BadCrc, 9)] // Nordic ...ReceivedWithCrcError
    [InlineData("E2 07 04 18 0D 08 18 08 04 E0", true, ProtocolErrorKind.Truncated, 10)] // Nordic onInvalidDataReceived
    [InlineData("E8 03 04 18 0D 08 18 08 04", false, ProtocolErrorKind.OutOfRange, 0)] // year 1000
    [InlineData("E2 07 0D 18 0D 08 18 08 04", false, ProtocolErrorKind.OutOfRange, 2)] // month 13
    [InlineData("E2 07 02 1D 0D 08 18 08 04", false, ProtocolErrorKind.OutOfRange, 3)] // 29 February 2018
    [InlineData("E2 07 04 20 0D 08 18 08 04", false, ProtocolErrorKind.OutOfRange, 3)] // day 32
    [InlineData("E2 07 04 18 18 08 18 08 04", false, ProtocolErrorKind.OutOfRange, 4)] // 24 h
    [InlineData("E2 07 04 18 0D 3C 18 08 04", false, ProtocolErrorKind.OutOfRange, 5)] // 60 min
    [InlineData("E2 07 04 18 0D 08 3C 08 04", false, ProtocolErrorKind.OutOfRange, 6)] // 60 s
    [InlineData("E2 07 04 18 0D 08 18 39 04", false, ProtocolErrorKind.OutOfRange, 7)] // time zone 57
    [InlineData("E2 07 04 18 0D 08 18 CF 04", false, ProtocolErrorKind.OutOfRange, 7)] // time zone -49
    [InlineData("E2 07 04 18 0D 08 18 08 01", false, ProtocolErrorKind.ReservedValue, 8)] // DST 1 is reserved
    public void Session_start_time_problems_are_typed(string hex, bool e2e, ProtocolErrorKind kind, int offset)
    {
        var error = Assert.Throws<ProtocolException>(() => CgmSessionStartTimeCodec.Decode(Hex.Parse(hex), e2e ? CgmsE2e.On : CgmsE2e.Off));
        Assert.Equal((kind, offset), (error.Kind, error.Offset));
    }

    [Fact]
    public void The_start_time_encoder_refuses_what_the_decoder_would_reject()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => CgmSessionStartTimeCodec.Encode(new CgmSessionStartTime(2018, 13, 1, 0, 0, 0, 0, CgmDstOffset.StandardTime), CgmsE2e.Off));
        Assert.Throws<ArgumentOutOfRangeException>(() => CgmSessionStartTimeCodec.Encode(new CgmSessionStartTime(2018, 1, 1, 0, 0, 0, 0, (CgmDstOffset)1), CgmsE2e.Off));
        Assert.Throws<ArgumentOutOfRangeException>(() => CgmSessionStartTime.From(new DateTimeOffset(2018, 1, 1, 0, 0, 0, TimeSpan.FromMinutes(10)), CgmDstOffset.StandardTime));
        Assert.Throws<ArgumentOutOfRangeException>(() => CgmSessionStartTime.From(DateTimeOffset.UnixEpoch, CgmDstOffset.Unknown));
    }

    [Theory]
    [InlineData("02 00 08 C3", true)] // Nordic onContinuousGlucoseMonitorSessionRunTimeReceived_withCrc: 2 h, CRC 0xC308
    [InlineData("02 00", false)] // Nordic ..._noCrc
    public void Run_time_vectors_decode_and_encode_back(string hex, bool e2e)
    {
        var bytes = Hex.Parse(hex);
        var settings = e2e ? CgmsE2e.On : CgmsE2e.Off;
        var runTime = CgmSessionRunTimeCodec.Decode(bytes, settings);
        Assert.Equal(new CgmSessionRunTime(2), runTime);
        Assert.Equal(bytes, CgmSessionRunTimeCodec.Encode(runTime, settings));
    }

    [Theory]
    [InlineData("02 00 09 C3", true, ProtocolErrorKind.BadCrc, 2)] // Nordic ...ReceivedWithCrcError
    [InlineData("02 00 01", false, ProtocolErrorKind.BadLength, 2)] // Nordic onInvalidDataReceived
    [InlineData("02 00 08", true, ProtocolErrorKind.Truncated, 3)]
    public void Run_time_problems_are_typed(string hex, bool e2e, ProtocolErrorKind kind, int offset)
    {
        var error = Assert.Throws<ProtocolException>(() => CgmSessionRunTimeCodec.Decode(Hex.Parse(hex), e2e ? CgmsE2e.On : CgmsE2e.Off));
        Assert.Equal((kind, offset), (error.Kind, error.Offset));
    }
}
