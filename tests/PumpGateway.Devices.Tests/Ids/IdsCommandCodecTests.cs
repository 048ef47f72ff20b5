using PumpGateway.Codecs;
using PumpGateway.Devices.Ids;
using PumpGateway.Protocol;
using PumpGateway.TestSupport;
using static PumpGateway.Devices.Tests.Ids.IdsStatusCodecTests;

namespace PumpGateway.Devices.Tests.Ids;

/// <summary>IDD Command Control Point and Command Data: the read requests, their answers, and the refusal of everything else.</summary>
public sealed class IdsCommandCodecTests
{
    private static readonly IdsDialect Spec = IdsDialect.Specification;
    private static readonly IdsDialect E2e = IdsDialect.SpecificationWithE2e;

    public static TheoryData<string, IdsCommandRequest> Requests => new()
    {
        { "AA 0F 01", new IdsReadProfileTemplate(IdsProfile.BasalRate, 1) },
        { "B8 12 05", new IdsReadProfileTemplate(IdsProfile.Isf, 5) },
        { "ED 12 09", new IdsReadProfileTemplate(IdsProfile.I2ChoRatio, 9) },
        { "28 14 0D", new IdsReadTargetGlucoseRangeProfileTemplate(13) },
        { "1E 11 02", new IdsGetTbrTemplate(2) },
        { "BB 11 03", new IdsGetBolusTemplate(3) },
        { "88 11", new IdsGetAvailableBoluses() },
        { "EE 11", new IdsGetTemplateStatusAndDetails() },
        { "48 12", new IdsGetActivatedProfileTemplates() },
        { "7D 14", new IdsGetMaxBolusAmount() },
    };

    [Theory]
    [MemberData(nameof(Requests))]
    public void Every_read_request_encodes_and_decodes_both_ways(string hex, IdsCommandRequest request)
    {
        var bytes = Hex.Parse(hex);
        Assert.Equal(bytes, IdsCommandControlPointCodec.Encode(request, Spec));
        Assert.Equal(request, IdsCommandControlPointCodec.DecodeRequest(bytes, Spec));

        var protectedRequest = request with { E2eCounter = 200 };
        Assert.Equal(protectedRequest, IdsCommandControlPointCodec.DecodeRequest(IdsCommandControlPointCodec.Encode(protectedRequest, E2e), E2e));
    }

    // The op codes of BLEIDSSim datatypes.py CommandControlOpCodes that change the pump: therapy state, flight mode,
    // annunciations, template writes, TBR, bolus, template reset/activation, priming, reservoir, max bolus.
    public static TheoryData<ushort> DeliveryChangingOpCodes =>
    [
        0x0F5A, 0x0F66, 0x0F69, 0x0F99, 0x0FCC, 0x0FFF, 0x1111, 0x112D, 0x114B, 0x1178, 0x11DD, 0x121D, 0x122E,
        0x127B, 0x1284, 0x128B, 0x12B7, 0x12DE, 0x141B, 0x144E, 0x148D,
    ];

    [Theory]
    [MemberData(nameof(DeliveryChangingOpCodes))]
    public void A_command_that_changes_the_pump_is_an_unknown_command(ushort opCode)
    {
        Assert.False(Enum.IsDefined((IdsCommandOpCode)opCode));
        byte[] value = [(byte)opCode, (byte)(opCode >> 8), 0x01, 0x02, 0x03, 0x04];
        Assert.Equal((ProtocolErrorKind.UnknownCommand, 0), Offence(() => IdsCommandControlPointCodec.DecodeRequest(value, Spec)));
        Assert.Equal((ProtocolErrorKind.UnknownCommand, 0), Offence(() => IdsCommandControlPointCodec.DecodeResponse(value, Spec)));
        Assert.Equal((ProtocolErrorKind.UnknownCommand, 0), Offence(() => IdsCommandDataCodec.Decode(value, Spec)));
    }

    [Fact]
    public void A_set_bolus_under_valid_E2E_is_still_refused_after_its_CRC_checks()
    {
        // Set Bolus 0x114B as CCInsulinDelivery composes it (flags, type fast, amount), here with a good counter and CRC.
        var body = Hex.Parse("4B 11 00 33 0A 00 01");
        var crc = E2eCrc.Compute(body);
        byte[] value = [.. body, (byte)crc, (byte)(crc >> 8)];
        Assert.Equal((ProtocolErrorKind.UnknownCommand, 0), Offence(() => IdsCommandControlPointCodec.DecodeRequest(value, E2e)));
    }

    [Fact]
    public void Only_read_op_codes_exist_in_the_codec()
    {
        ushort[] reads = [0x0F55, 0x0FAA, 0x0FC3, 0x111E, 0x1122, 0x1188, 0x11B4, 0x11BB, 0x11D2, 0x11EE, 0x1212, 0x1248, 0x1274, 0x12B8, 0x12D1, 0x12ED, 0x1414, 0x1428, 0x1441, 0x147D, 0x1482];
        Assert.Equal(reads, Enum.GetValues<IdsCommandOpCode>().Select(o => (ushort)o));
    }

    [Fact]
    public void A_response_code_for_a_command_the_gateway_never_sends_is_refused()
    {
        // palmarci/OpenGuardian docs/data-protocol.md, a real 780G: 550f 8e14 0f answers Medtronic's custom 0x148E.
        Assert.Equal((ProtocolErrorKind.UnknownCommand, 2), Offence(() => IdsCommandControlPointCodec.DecodeResponse(Hex.Parse("55 0F 8E 14 0F"), Spec)));
        Assert.Equal((ProtocolErrorKind.UnknownCommand, 0), Offence(() => IdsCommandControlPointCodec.DecodeRequest(Hex.Parse("8E 14 01"), Spec)));

        // AndroidBLEParser SimpleResponseParserTest: a response code for Snooze Annunciation (0x0F69), invalid operand.
        Assert.Equal((ProtocolErrorKind.UnknownCommand, 2), Offence(() => IdsCommandControlPointCodec.DecodeResponse(Hex.Parse("55 0F 69 0F 71"), Spec)));
    }

    public static TheoryData<string, IdsCommandResponse> SimulatorResponses => new()
    {
        // BLEIDSSim parser.py (earlier revision) handle_get_* builders; values through its float_to_shortfloat; counter 0, MCRF4XX CRC.
        { "22 11 01 33 20 F0 02 00 00 66 0E", new IdsTbrTemplate(1, IdsTbrType.Absolute, new MedicalFloat(32, -1), 2) { E2eCounter = 0 } },
        { "B4 11 01 00 C0 D6", new IdsAvailableBoluses(true, false, false) { E2eCounter = 0 } },
        { "D2 11 01 00 33 20 F0 00 00 00 00 00 69 BD", new IdsBolusTemplate(1, IdsBolusType.Fast, new MedicalFloat(32, -1), new MedicalFloat(0, 0), 0) { E2eCounter = 0 } },
        { "74 12 02 01 02 00 0F 2F", new IdsActivatedProfileTemplates([1, 2]) { E2eCounter = 0 } },
        { "82 14 09 00 00 06 81", new IdsMaxBolusAmount(new MedicalFloat(9, 0)) { E2eCounter = 0 } },
    };

    [Theory]
    [MemberData(nameof(SimulatorResponses))]
    public void Simulator_command_responses_decode_and_re_encode_under_E2E(string hex, IdsCommandResponse response)
    {
        var bytes = Hex.Parse(hex);
        Assert.Equal(response, IdsCommandControlPointCodec.DecodeResponse(bytes, E2e));
        Assert.Equal(bytes, IdsCommandControlPointCodec.Encode(response, E2e));
    }

    public static TheoryData<string, IdsCommandResponse> SpecResponses => new()
    {
        { "55 0F AA 0F 0F", new IdsCommandResult(IdsCommandOpCode.ReadBasalRateProfileTemplate, IdsCommandResponseCode.Success) },
        { "55 0F 7D 14 72", new IdsCommandResult(IdsCommandOpCode.GetMaxBolusAmount, IdsCommandResponseCode.ProcedureNotCompleted) },

        // AndroidBLEParser GetBolusTemplateResponseParserTest: template 1, flags 0b101, extended, 0 and 1 IU, 2 min, delay 5.
        { "D2 11 01 05 3C 00 00 01 00 02 00 05 00", new IdsBolusTemplate(1, IdsBolusType.Extended, new MedicalFloat(0, 0), new MedicalFloat(1, 0), 2, 5, false, true) },

        // AndroidBLEParser SimpleResponseParserTest: available boluses 0b111.
        { "B4 11 07", new IdsAvailableBoluses(true, true, true) },
        { "74 12 00", new IdsActivatedProfileTemplates([]) },
    };

    [Theory]
    [MemberData(nameof(SpecResponses))]
    public void Command_responses_decode_and_re_encode_in_the_spec_dialect(string hex, IdsCommandResponse response)
    {
        var bytes = Hex.Parse(hex);
        Assert.Equal(response, IdsCommandControlPointCodec.DecodeResponse(bytes, Spec));
        Assert.Equal(bytes, IdsCommandControlPointCodec.Encode(response, Spec));
    }

    public static TheoryData<string, IdsCommandData> SimulatorData => new()
    {
        // BLEIDSSim parser.py handle_get_template_status_and_details: bolus templates 1..3, 24 blocks, 0x39 = configurable [y,n,y], configured [n,y,y].
        { "12 12 55 01 03 18 39 00 6B F6", new IdsTemplateStatusAndDetails(IdsTemplateType.Bolus, 1, 24, [new(true, false), new(false, true), new(true, true)]) { E2eCounter = 0 } },

        // handle_read_isf_profile_template: template 1, first index 1, 5 min, ISF 10.
        { "D1 12 00 01 01 05 00 0A 00 00 C1 3B", new IdsProfileTemplateTimeBlocks(IdsProfile.Isf, 1, 1, [new(5, new MedicalFloat(10, 0))]) { E2eCounter = 0 } },

        // handle_read_target_glucose_range_profile_template for template 1: 5 min, 2.9 to 8.5.
        { "41 14 00 01 01 05 00 1D F0 55 F0 00 AC 27", new IdsTargetGlucoseRangeTimeBlocks(1, 1, [new(5, new MedicalFloat(29, -1), new MedicalFloat(85, -1))]) { E2eCounter = 0 } },
    };

    [Theory]
    [MemberData(nameof(SimulatorData))]
    public void Simulator_command_data_decodes_and_re_encodes_under_E2E(string hex, IdsCommandData data)
    {
        var bytes = Hex.Parse(hex);
        Assert.Equal(data, IdsCommandDataCodec.Decode(bytes, E2e));
        Assert.Equal(bytes, IdsCommandDataCodec.Encode(data, E2e));
    }

    public static TheoryData<string, IdsCommandData> SpecData => new()
    {
        // AndroidBLEParser IDDCommandDataParserTest: basal template 1, first index 2, blocks (3, 4), (5, 6), (7, 8).
        { "C3 0F 03 01 02 03 00 04 00 05 00 06 00 07 00 08 00", new IdsProfileTemplateTimeBlocks(IdsProfile.BasalRate, 1, 2, [new(3, new MedicalFloat(4, 0)), new(5, new MedicalFloat(6, 0)), new(7, new MedicalFloat(8, 0))]) },
        { "14 14 01 01 02 03 00 04 00 05 00 06 00", new IdsProfileTemplateTimeBlocks(IdsProfile.I2ChoRatio, 1, 2, [new(3, new MedicalFloat(4, 0)), new(5, new MedicalFloat(6, 0))]) },
        { "41 14 01 01 02 03 00 04 00 05 00 06 00 07 00 08 00", new IdsTargetGlucoseRangeTimeBlocks(1, 2, [new(3, new MedicalFloat(4, 0), new MedicalFloat(5, 0)), new(6, new MedicalFloat(7, 0), new MedicalFloat(8, 0))]) },

        // AndroidBLEParser IDDCommandDataParserTest: basal templates from 1, two of them, 3 blocks, 0b001001.
        { "12 12 33 01 02 03 09", new IdsTemplateStatusAndDetails(IdsTemplateType.BasalRateProfile, 1, 3, [new(true, false), new(false, true)]) },

        // GetTemplateStatusAndDetailsResponseParserTest.readConfigurationStatus, eleven templates: 0b00011011 0b01001110 0b00111001.
        { "12 12 3C 01 0B 01 1B 4E 39", new IdsTemplateStatusAndDetails(IdsTemplateType.Tbr, 1, 1, [new(true, true), new(false, true), new(true, false), new(false, false), new(false, true), new(true, true), new(false, false), new(true, false), new(true, false), new(false, true), new(true, true)]) },
    };

    [Theory]
    [MemberData(nameof(SpecData))]
    public void Command_data_decodes_and_re_encodes_in_the_spec_dialect(string hex, IdsCommandData data)
    {
        var bytes = Hex.Parse(hex);
        Assert.Equal(data, IdsCommandDataCodec.Decode(bytes, Spec));
        Assert.Equal(bytes, IdsCommandDataCodec.Encode(data, Spec));
    }

    [Fact]
    public void Basal_rates_widen_in_the_float_dialect_while_glucose_values_stay_sfloat()
    {
        var miniMed = IdsDialect.MedtronicMiniMed700;
        var basal = new IdsProfileTemplateTimeBlocks(IdsProfile.BasalRate, 1, 0, [new(480, new MedicalFloat(25000, -5))]);
        Assert.Equal(Hex.Parse("C3 0F 00 01 00 E0 01 A8 61 00 FB"), IdsCommandDataCodec.Encode(basal, miniMed));

        // Glucose limits in SFLOAT, as in OpenMinimed's 780G capture of its custom high/low settings (0x0118 = 280 mg/dL).
        var target = new IdsTargetGlucoseRangeTimeBlocks(1, 0, [new(480, new MedicalFloat(80, 0), new MedicalFloat(280, 0))]);
        Assert.Equal(Hex.Parse("41 14 00 01 00 E0 01 50 00 18 01"), IdsCommandDataCodec.Encode(target, miniMed));
        Assert.Equal(target, IdsCommandDataCodec.Decode(IdsCommandDataCodec.Encode(target, miniMed), miniMed));
    }

    [Fact]
    public void The_simulator_i2cho_response_under_the_isf_op_code_is_taken_at_its_op_code()
    {
        // BLEIDSSim handle_read_i2cho_ratio_profile_template answers with read_isf_profile_template_response (0x12D1):
        // decoded as what it says it is, an ISF block, not guessed into an I:CHO ratio.
        var data = IdsCommandDataCodec.Decode(Hex.Parse("D1 12 00 02 01 05 00 34 F0"), Spec);
        Assert.Equal(IdsProfile.Isf, Assert.IsType<IdsProfileTemplateTimeBlocks>(data).Profile);
    }

    [Theory]
    [InlineData("C3 0F 02 01 02 03 00 04 00", ProtocolErrorKind.ReservedValue, 2)]
    [InlineData("C3 0F 04 01 02 03 00 04 00", ProtocolErrorKind.ReservedValue, 2)]
    [InlineData("41 14 02 01 02 03 00 04 00 05 00", ProtocolErrorKind.ReservedValue, 2)]
    [InlineData("C3 0F 01 01 02 03 00 04 00", ProtocolErrorKind.Truncated, 9)]
    [InlineData("12 12 33 01 02 03 19", ProtocolErrorKind.ReservedValue, 6)]
    [InlineData("12 12 34 01 02 03 09", ProtocolErrorKind.ReservedValue, 2)]
    [InlineData("12 12 33 01 05 03 FF", ProtocolErrorKind.Truncated, 7)]
    [InlineData("55 0F AA 0F 0F", ProtocolErrorKind.UnknownCommand, 0)]
    public void Command_data_problems_are_typed_with_their_offset(string hex, ProtocolErrorKind kind, int offset) =>
        Assert.Equal((kind, offset), Offence(() => IdsCommandDataCodec.Decode(Hex.Parse(hex), Spec)));

    [Theory]
    [InlineData("22 11 01 34 20 F0 02 00", ProtocolErrorKind.ReservedValue, 3)]
    [InlineData("B4 11 08", ProtocolErrorKind.ReservedValue, 2)]
    [InlineData("D2 11 01 08 3C 00 00 01 00 02 00", ProtocolErrorKind.ReservedValue, 3)]
    [InlineData("74 12 03 01 02", ProtocolErrorKind.Truncated, 5)]
    [InlineData("55 0F AA 0F 77", ProtocolErrorKind.ReservedValue, 4)]
    [InlineData("C3 0F 00 01 02 03 00 04 00", ProtocolErrorKind.UnknownCommand, 0)]
    [InlineData("82 14 09 00 00", ProtocolErrorKind.BadLength, 4)]
    public void Command_response_problems_are_typed_with_their_offset(string hex, ProtocolErrorKind kind, int offset) =>
        Assert.Equal((kind, offset), Offence(() => IdsCommandControlPointCodec.DecodeResponse(Hex.Parse(hex), Spec)));

    [Fact]
    public void Encoders_refuse_records_the_wire_cannot_carry()
    {
        Assert.Throws<ArgumentException>(() => IdsCommandDataCodec.Encode(new IdsProfileTemplateTimeBlocks(IdsProfile.Isf, 1, 0, []), Spec));
        Assert.Throws<ArgumentException>(() => IdsCommandDataCodec.Encode(new IdsTargetGlucoseRangeTimeBlocks(1, 0, [new(1, default, default), new(1, default, default), new(1, default, default)]), Spec));
        Assert.Throws<ArgumentException>(() => IdsCommandControlPointCodec.Encode(new IdsCommandResult(IdsCommandOpCode.GetMaxBolusAmountResponse, IdsCommandResponseCode.Success), Spec));
        Assert.Throws<ArgumentException>(() => IdsCommandControlPointCodec.Encode(new IdsTbrTemplate(1, (IdsTbrType)0x44, new MedicalFloat(1, 0), 30), Spec));
        Assert.Throws<ArgumentOutOfRangeException>(() => IdsCommandControlPointCodec.Encode(new IdsReadProfileTemplate((IdsProfile)9, 1), Spec));
    }
}
