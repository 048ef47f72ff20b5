using PumpGateway.Codecs;
using PumpGateway.Devices.Ids;
using PumpGateway.Protocol;
using PumpGateway.TestSupport;

namespace PumpGateway.Devices.Tests.Ids;

/// <summary>IDD Status Changed, Status, Annunciation Status and Features, both ways, with the public vectors that exist.</summary>
public sealed class IdsStatusCodecTests
{
    private static readonly IdsDialect Spec = IdsDialect.Specification;
    private static readonly IdsDialect E2e = IdsDialect.SpecificationWithE2e;

    [Fact]
    public void The_simulator_status_with_its_E2E_trailer_decodes_and_re_encodes()
    {
        // ehealthinnovation/BLEIDSSim ids.py get_ids_status: run, ready, float_to_shortfloat(5.22), attached, counter 0, MCRF4XX CRC.
        var bytes = Hex.Parse("55 96 0A E2 01 00 74 20");
        var status = IdsStatusCodec.Decode(bytes, E2e);
        Assert.Equal(new IdsStatus(IdsTherapyControlState.Run, IdsOperationalState.Ready, new MedicalFloat(522, -2), true) { E2eCounter = 0 }, status);
        Assert.Equal(5.22m, status.ReservoirRemainingAmount.ToDecimal());
        Assert.Equal(bytes, IdsStatusCodec.Encode(status, E2e));
    }

    [Fact]
    public void A_MiniMed_status_reads_its_reservoir_as_a_32_bit_float()
    {
        // OpenMinimed/PythonPumpConnector idd/status/pump_status.py sample 5596e80d28fb010300, without
        // Medtronic's two trailing sensor octets: 0xfb280de8 = 2625000 x 10^-5 = 26.25 IU.
        var bytes = Hex.Parse("55 96 E8 0D 28 FB 01");
        var status = IdsStatusCodec.Decode(bytes, IdsDialect.MedtronicMiniMed700);
        Assert.Equal(26.25m, status.ReservoirRemainingAmount.ToDecimal());
        Assert.True(status.ReservoirAttached);
        Assert.Equal(bytes, IdsStatusCodec.Encode(status, IdsDialect.MedtronicMiniMed700));
    }

    [Fact]
    public void The_MiniMed_status_extension_octets_are_not_silently_dropped()
    {
        var error = Assert.Throws<ProtocolException>(() => IdsStatusCodec.Decode(Hex.Parse("55 96 E8 0D 28 FB 01 03 00"), IdsDialect.MedtronicMiniMed700));
        Assert.Equal((ProtocolErrorKind.BadLength, 7), (error.Kind, error.Offset));
    }

    [Fact]
    public void A_status_from_the_AndroidBLEParser_test_decodes_in_the_spec_dialect()
    {
        // AndroidBLEParser IddStatusParserTest: RUN, READY, 2.3 IU, reservoir attached (SFLOAT written by us as 23 x 10^-1).
        var status = IdsStatusCodec.Decode(Hex.Parse("55 96 17 F0 01"), Spec);
        Assert.Equal(new IdsStatus(IdsTherapyControlState.Run, IdsOperationalState.Ready, new MedicalFloat(23, -1), true), status);
    }

    [Theory]
    [InlineData("50 96 17 F0 01", ProtocolErrorKind.ReservedValue, 0)]
    [InlineData("55 97 17 F0 01", ProtocolErrorKind.ReservedValue, 1)]
    [InlineData("55 96 17 F0 03", ProtocolErrorKind.ReservedValue, 4)]
    [InlineData("55 96 01 08 01", ProtocolErrorKind.ReservedValue, 2)]
    [InlineData("55 96 17 F0", ProtocolErrorKind.Truncated, 4)]
    [InlineData("55 96 17 F0 01 00", ProtocolErrorKind.BadLength, 5)]
    public void Status_problems_are_typed_with_their_offset(string hex, ProtocolErrorKind kind, int offset)
    {
        var error = Assert.Throws<ProtocolException>(() => IdsStatusCodec.Decode(Hex.Parse(hex), Spec));
        Assert.Equal((kind, offset), (error.Kind, error.Offset));
    }

    [Fact]
    public void A_flipped_bit_under_E2E_is_a_bad_crc_at_the_crc_field()
    {
        var bytes = Hex.Parse("55 96 0A E2 01 00 74 20");
        bytes[2] ^= 0x10;
        var error = Assert.Throws<ProtocolException>(() => IdsStatusCodec.Decode(bytes, E2e));
        Assert.Equal((ProtocolErrorKind.BadCrc, 6), (error.Kind, error.Offset));
    }

    [Fact]
    public void The_CRC_variant_is_a_dialect_setting()
    {
        var ccitt = E2e with { CrcVariant = E2eCrcVariant.CcittFalse };
        var status = new IdsStatus(IdsTherapyControlState.Run, IdsOperationalState.Ready, new MedicalFloat(522, -2), true) { E2eCounter = 0 };

        // Same payload as the simulator vector, CRC-16/CCITT-FALSE (computed independently, check 0x29B1).
        var bytes = Hex.Parse("55 96 0A E2 01 00 41 43");
        Assert.Equal(bytes, IdsStatusCodec.Encode(status, ccitt));
        Assert.Equal(status, IdsStatusCodec.Decode(bytes, ccitt));
        Assert.Equal(ProtocolErrorKind.BadCrc, Assert.Throws<ProtocolException>(() => IdsStatusCodec.Decode(bytes, E2e)).Kind);
    }

    [Fact]
    public void Status_changed_flags_round_trip_and_reserved_bits_are_refused()
    {
        // BLEIDSSim statusChanged.py: "history event recorded" (bit 7), counter 0, CRC.
        var simulator = Hex.Parse("80 00 00 DF 35");
        var changed = IdsStatusChangedCodec.Decode(simulator, E2e);
        Assert.Equal(new IdsStatusChanged(IdsStatusChangedFlags.HistoryEventRecorded) { E2eCounter = 0 }, changed);
        Assert.Equal(simulator, IdsStatusChangedCodec.Encode(changed, E2e));

        // AndroidBLEParser IddStatusChangedParserTest: 0x11 and 0xFF.
        Assert.Equal(IdsStatusChangedFlags.TherapyControlStateChanged | IdsStatusChangedFlags.TotalDailyInsulinStatusChanged, IdsStatusChangedCodec.Decode(Hex.Parse("11 00"), Spec).Flags);
        Assert.Equal((IdsStatusChangedFlags)0xFF, IdsStatusChangedCodec.Decode(Hex.Parse("FF 00"), Spec).Flags);

        // OpenMinimed PebbleOS vector ef814f00: a 780G's 32-bit extended flags (bit 15 = "more follows").
        Assert.Equal((ProtocolErrorKind.ReservedValue, 1), Offence(() => IdsStatusChangedCodec.Decode(Hex.Parse("EF 81 4F 00"), Spec)));
        Assert.Equal((ProtocolErrorKind.BadLength, 2), Offence(() => IdsStatusChangedCodec.Decode(Hex.Parse("EF 00 4F 00"), Spec)));
    }

    [Fact]
    public void The_simulator_annunciation_decodes_with_a_one_octet_status()
    {
        // BLEIDSSim parser.py get_ids_annunciation_status: flags 01, id 1, battery low, snoozed (uint8), counter 0, CRC.
        var bytes = Hex.Parse("01 01 00 C3 00 3C 00 67 E9");
        var status = IdsAnnunciationStatusCodec.Decode(bytes, E2e);
        Assert.Equal(new IdsAnnunciationStatus(new IdsAnnunciation(1, IdsAnnunciationType.BatteryLow, IdsAnnunciationState.Snoozed)) { E2eCounter = 0 }, status);
        Assert.Equal(bytes, IdsAnnunciationStatusCodec.Encode(status, E2e));
    }

    [Fact]
    public void AuxInfo_words_follow_their_flags()
    {
        // AndroidBLEParser IddAnnunciationParserTest: flags 0x07, id 1, battery low, pending, AuxInfo 23 and 34.
        // That parser reads the status as uint16; the specification (and its own history parser) has uint8.
        var bytes = Hex.Parse("07 01 00 C3 00 33 17 00 22 00");
        var status = IdsAnnunciationStatusCodec.Decode(bytes, Spec);
        Assert.Equal(new IdsAnnunciation(1, IdsAnnunciationType.BatteryLow, IdsAnnunciationState.Pending, AuxInfo1: 23, AuxInfo2: 34), status.Annunciation);
        Assert.Equal(bytes, IdsAnnunciationStatusCodec.Encode(status, Spec));

        var sparse = new IdsAnnunciationStatus(new IdsAnnunciation(0x1234, IdsAnnunciationType.OcclusionDetected, IdsAnnunciationState.Pending, AuxInfo3: 7, AuxInfo5: 9));
        var sparseBytes = IdsAnnunciationStatusCodec.Encode(sparse, Spec);
        Assert.Equal(Hex.Parse("29 34 12 3C 00 33 07 00 09 00"), sparseBytes);
        Assert.Equal(sparse, IdsAnnunciationStatusCodec.Decode(sparseBytes, Spec));
    }

    [Fact]
    public void No_annunciation_yet_is_a_single_zero_octet()
    {
        Assert.Equal([0x00], IdsAnnunciationStatusCodec.Encode(new IdsAnnunciationStatus(null), Spec));
        Assert.Null(IdsAnnunciationStatusCodec.Decode([0x00], Spec).Annunciation);
        Assert.Equal(ProtocolErrorKind.ReservedValue, Assert.Throws<ProtocolException>(() => IdsAnnunciationStatusCodec.Decode(Hex.Parse("02 05 00"), Spec)).Kind);
    }

    public static TheoryData<ushort> AnnunciationTypes => [.. Enum.GetValues<IdsAnnunciationType>().Select(t => (ushort)t)];

    [Theory]
    [MemberData(nameof(AnnunciationTypes))]
    public void Every_annunciation_type_of_the_notes_round_trips(ushort type)
    {
        var status = new IdsAnnunciationStatus(new IdsAnnunciation(42, (IdsAnnunciationType)type, IdsAnnunciationState.Confirmed));
        var bytes = IdsAnnunciationStatusCodec.Encode(status, Spec);
        Assert.Equal((byte)type, bytes[3]);
        Assert.Equal(status, IdsAnnunciationStatusCodec.Decode(bytes, Spec));
    }

    [Fact]
    public void The_annunciation_types_are_the_22_of_the_notes()
    {
        ushort[] notes = [0x000F, 0x0033, 0x003C, 0x0055, 0x005A, 0x0066, 0x0069, 0x0096, 0x0099, 0x00A5, 0x00AA, 0x00C3, 0x00CC, 0x00F0, 0x00FF, 0x0303, 0x030C, 0x0330, 0x033F, 0x0356, 0x0359, 0x0365];
        Assert.Equal(notes, Enum.GetValues<IdsAnnunciationType>().Select(t => (ushort)t));
        Assert.Equal(ProtocolErrorKind.ReservedValue, Assert.Throws<ProtocolException>(() => IdsAnnunciationStatusCodec.Decode(Hex.Parse("01 01 00 C4 00 3C"), Spec)).Kind);
    }

    [Fact]
    public void A_real_MiniMed_780G_features_value_decodes_with_its_extension_octet()
    {
        // palmarci/OpenGuardian docs/data-protocol.md, read from a 780G: ffff006400fede801f.
        var bytes = Hex.Parse("FF FF 00 64 00 FE DE 80 1F");
        var features = IdsFeaturesCodec.Decode(bytes, IdsDialect.MedtronicMiniMed700);
        Assert.Equal(100m, features.InsulinConcentration.ToDecimal());
        Assert.Equal(0x1F80DEFEul, features.Flags);
        Assert.False(features.E2eProtectionSupported);
        Assert.True(features.StandardFlags.HasFlag(IdsFeatureFlags.InsulinOnBoardSupported));
        Assert.False(features.StandardFlags.HasFlag(IdsFeatureFlags.BolusDelayTimeSupported));
        Assert.Equal(0x1Ful, features.ExtensionFlags);
        Assert.Equal(bytes, IdsFeaturesCodec.Encode(features, IdsDialect.MedtronicMiniMed700));
    }

    [Fact]
    public void Features_with_E2E_put_the_checked_CRC_first_then_the_counter()
    {
        // BLEIDSSim parser.py get_ids_features layout: CRC over [counter, concentration 0.01 (0xE001), flags 0x008023], inserted in front.
        var bytes = Hex.Parse("2D D7 00 01 E0 23 80 00");
        var features = IdsFeaturesCodec.Decode(bytes, Spec);
        Assert.Equal(new IdsFeatures(0, new MedicalFloat(1, -2), 0x008023), features);
        Assert.True(features.E2eProtectionSupported);
        Assert.Equal(bytes, IdsFeaturesCodec.Encode(features, Spec));

        bytes[5] ^= 0x02;
        Assert.Equal((ProtocolErrorKind.BadCrc, 0), Offence(() => IdsFeaturesCodec.Decode(bytes, Spec)));
    }

    [Theory]
    [InlineData("00 00 00 64 00 02 00 00", ProtocolErrorKind.ReservedValue, 0)]
    [InlineData("FF FF 01 64 00 02 00 00", ProtocolErrorKind.ReservedValue, 2)]
    [InlineData("FF FF 00 64 00 02 00 01", ProtocolErrorKind.ReservedValue, 7)]
    [InlineData("FF FF 00 64 00 02 00 80", ProtocolErrorKind.Truncated, 8)]
    [InlineData("FF FF 00 64 00 02 00", ProtocolErrorKind.Truncated, 7)]
    [InlineData("FF FF 00 64 00 02 00 00 00", ProtocolErrorKind.BadLength, 8)]
    [InlineData("FF FF 00 64 00 02 00 80 80 80 80 80 80", ProtocolErrorKind.OutOfRange, 13)]
    public void Features_without_E2E_must_say_so_in_their_CRC_and_counter(string hex, ProtocolErrorKind kind, int offset) =>
        Assert.Equal((kind, offset), Offence(() => IdsFeaturesCodec.Decode(Hex.Parse(hex), Spec)));

    [Fact]
    public void The_AndroidBLEParser_all_features_vector_is_refused_for_its_reserved_bits()
    {
        // AndroidBLEParser IddFeatureParserTest feeds 0xFFFFFFFF... as 24 flag bits: reserved bits 16-22 and an extension
        // bit with no octet after it. Its parser accepts that; a strict decoder cannot.
        Assert.Equal(ProtocolErrorKind.Truncated, Offence(() => IdsFeaturesCodec.Decode(Hex.Parse("00 00 00 7B F0 FF FF FF"), Spec)).Kind);
        Assert.Equal(ProtocolErrorKind.ReservedValue, Offence(() => IdsFeaturesCodec.Decode(Hex.Parse("00 00 00 7B F0 FF FF 7F"), Spec)).Kind);
    }

    [Fact]
    public void Encoders_refuse_records_that_cannot_be_sent()
    {
        Assert.Throws<ArgumentException>(() => IdsStatusCodec.Encode(new IdsStatus((IdsTherapyControlState)1, IdsOperationalState.Ready, new MedicalFloat(1, 0), true), Spec));
        Assert.Throws<ArgumentException>(() => IdsStatusCodec.Encode(new IdsStatus(IdsTherapyControlState.Run, IdsOperationalState.Ready, new MedicalFloat(1, 0), true), E2e));
        Assert.Throws<ArgumentException>(() => IdsStatusCodec.Encode(new IdsStatus(IdsTherapyControlState.Run, IdsOperationalState.Ready, new MedicalFloat(1, 0), true) { E2eCounter = 1 }, Spec));
        Assert.Throws<ArgumentException>(() => IdsStatusChangedCodec.Encode(new IdsStatusChanged((IdsStatusChangedFlags)0x100), Spec));
        Assert.Throws<ArgumentException>(() => IdsFeaturesCodec.Encode(new IdsFeatures(0, new MedicalFloat(100, 0), 0x01_0000), Spec));
        Assert.Throws<ArgumentException>(() => IdsFeaturesCodec.Encode(new IdsFeatures(0, new MedicalFloat(100, 0), 0x0100_0000), Spec));
        Assert.Throws<ArgumentException>(() => IdsFeaturesCodec.Encode(new IdsFeatures(3, new MedicalFloat(100, 0), 0x02), Spec));
    }

    internal static (ProtocolErrorKind Kind, int Offset) Offence(Action decode)
    {
        var error = Assert.Throws<ProtocolException>(decode);
        return (error.Kind, error.Offset);
    }
}
