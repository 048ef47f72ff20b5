using PumpGateway.Codecs;
using PumpGateway.Devices.Ids;
using PumpGateway.Protocol;
using PumpGateway.TestSupport;
using static PumpGateway.Devices.Tests.Ids.IdsStatusCodecTests;

namespace PumpGateway.Devices.Tests.Ids;

/// <summary>IDD Status Reader Control Point: every read request and every response, both ways.</summary>
public sealed class IdsStatusReaderCodecTests
{
    private static readonly IdsDialect Spec = IdsDialect.Specification;
    private static readonly IdsDialect E2e = IdsDialect.SpecificationWithE2e;
    private static readonly IdsDialect MiniMed = IdsDialect.MedtronicMiniMed700;

    public static TheoryData<string, IdsStatusReaderRequest> Requests => new()
    {
        { "30 03", new IdsGetActiveBolusIds() },

        // AndroidBLEParser StatusReaderControlOperandComposer: bolus id uint16, then the value selection.
        { "56 03 34 12 0F", new IdsGetActiveBolusDelivery(0x1234, IdsBolusValueSelection.Programmed) },
        { "56 03 02 00 3C", new IdsGetActiveBolusDelivery(2, IdsBolusValueSelection.Delivered) },
        { "65 03", new IdsGetActiveBasalRateDelivery() },
        { "95 03", new IdsGetTotalDailyInsulinStatus() },
        { "A6 03 55 33", new IdsGetCounter(IdsCounterType.ReservoirInsulinOperationTime, IdsCounterValueSelection.Elapsed) },
        { "C0 03", new IdsGetDeliveredInsulin() },
        { "F3 03", new IdsGetInsulinOnBoard() },
    };

    [Theory]
    [MemberData(nameof(Requests))]
    public void Every_read_request_encodes_and_decodes_both_ways(string hex, IdsStatusReaderRequest request)
    {
        var bytes = Hex.Parse(hex);
        Assert.Equal(bytes, IdsStatusReaderCodec.Encode(request, Spec));
        Assert.Equal(request, IdsStatusReaderCodec.DecodeRequest(bytes, Spec));
    }

    [Fact]
    public void A_request_under_E2E_carries_its_counter_and_CRC()
    {
        var request = new IdsGetInsulinOnBoard { E2eCounter = 1 };
        var bytes = IdsStatusReaderCodec.Encode(request, E2e);
        Assert.Equal(Hex.Parse("F3 03 01"), bytes[..3]);
        Assert.Equal(E2eCrc.Compute(bytes.AsSpan(0, 3)), BitConverter.ToUInt16(bytes, 3));
        Assert.Equal(request, IdsStatusReaderCodec.DecodeRequest(bytes, E2e));
    }

    [Fact]
    public void Reset_status_is_neither_written_nor_accepted()
    {
        Assert.DoesNotContain(Enum.GetValues<IdsStatusReaderOpCode>(), o => (ushort)o == 0x030C);
        Assert.Equal((ProtocolErrorKind.UnknownCommand, 0), Offence(() => IdsStatusReaderCodec.DecodeRequest(Hex.Parse("0C 03 FF 00"), Spec)));

        // BLEIDSSim ids/parser.py handle_reset_status confirmation: 03 03 0C 03 0F, counter 0, CRC.
        Assert.Equal((ProtocolErrorKind.UnknownCommand, 2), Offence(() => IdsStatusReaderCodec.DecodeResponse(Hex.Parse("03 03 0C 03 0F 00 59 E2"), E2e)));
    }

    [Fact]
    public void Requests_and_responses_do_not_pass_for_each_other()
    {
        Assert.Equal((ProtocolErrorKind.UnknownCommand, 0), Offence(() => IdsStatusReaderCodec.DecodeRequest(Hex.Parse("FC 03 00 00 00"), Spec)));
        Assert.Equal((ProtocolErrorKind.UnknownCommand, 0), Offence(() => IdsStatusReaderCodec.DecodeResponse(Hex.Parse("F3 03"), Spec)));
        Assert.Equal((ProtocolErrorKind.UnknownCommand, 0), Offence(() => IdsStatusReaderCodec.DecodeRequest(Hex.Parse("FD 03"), Spec)));
    }

    public static TheoryData<string, IdsStatusReaderResponse> SpecResponses => new()
    {
        // AndroidBLEParser StatusReaderControlGeneralResponse: request op code uint16, response code uint8.
        { "03 03 65 03 74", new IdsStatusReaderResult(IdsStatusReaderOpCode.GetActiveBasalRateDelivery, IdsStatusReaderResponseCode.ProcedureNotApplicable) },
        { "03 03 30 03 0F", new IdsStatusReaderResult(IdsStatusReaderOpCode.GetActiveBolusIds, IdsStatusReaderResponseCode.Success) },
        { "3F 03 00", new IdsActiveBolusIds([]) },
        { "59 03 1F 07 00 55 7D E0 32 00 1E 00 05 00 01 5A", new IdsActiveBolusDelivery(7, IdsBolusType.Multiwave, new MedicalFloat(125, -2), new MedicalFloat(50, 0), 30, 5, 1, IdsBolusActivationType.Commanded, true, true) },
        { "59 03 00 08 00 33 0A 00 00 00 00 00", new IdsActiveBolusDelivery(8, IdsBolusType.Fast, new MedicalFloat(10, 0), new MedicalFloat(0, 0), 0) },
        { "6A 03 07 01 7D E0 33 8F E0 0A 00 09 00 01 33", new IdsActiveBasalRateDelivery(1, new MedicalFloat(125, -2), new IdsActiveTbr(IdsTbrType.Absolute, new MedicalFloat(143, -2), 10, 9), 1, IdsDeliveryContext.DeviceBased) },
        { "6A 03 04 02 64 E0 55", new IdsActiveBasalRateDelivery(2, new MedicalFloat(100, -2), DeliveryContext: IdsDeliveryContext.ApController) },
        { "9A 03 7D E0 64 E0 E1 E0", new IdsTotalDailyInsulinStatus(new MedicalFloat(125, -2), new MedicalFloat(100, -2), new MedicalFloat(225, -2)) },
        { "A9 03 33 0F A0 8C 00 00", new IdsCounterValue(IdsCounterType.WarrantyTime, IdsCounterValueSelection.Remaining, 36000) },
        { "A9 03 0F 33 FF FF FF FF", new IdsCounterValue(IdsCounterType.Lifetime, IdsCounterValueSelection.Elapsed, -1) },
        { "CF 03 F4 01 00 FE 20 4E 00 FF", new IdsDeliveredInsulin(new MedicalFloat(500, -2), new MedicalFloat(20000, -1)) },
        { "FC 03 01 5E F0 B4 00", new IdsInsulinOnBoard(new MedicalFloat(94, -1), 180) },
    };

    [Theory]
    [MemberData(nameof(SpecResponses))]
    public void Every_response_decodes_and_re_encodes_in_the_spec_dialect(string hex, IdsStatusReaderResponse response)
    {
        var bytes = Hex.Parse(hex);
        Assert.Equal(response, IdsStatusReaderCodec.DecodeResponse(bytes, Spec));
        Assert.Equal(bytes, IdsStatusReaderCodec.Encode(response, Spec));
    }

    [Fact]
    public void The_simulator_active_bolus_ids_response_decodes_under_E2E()
    {
        // BLEIDSSim parser.py handle_get_active_bolus_ids: two boluses, ids 1 and 2 (uint16 LE), counter 0, CRC.
        var bytes = Hex.Parse("3F 03 02 01 00 02 00 00 72 3E");
        var ids = Assert.IsType<IdsActiveBolusIds>(IdsStatusReaderCodec.DecodeResponse(bytes, E2e));
        Assert.Equal([1, 2], ids.BolusIds);
        Assert.Equal((byte)0, ids.E2eCounter);
        Assert.Equal(bytes, IdsStatusReaderCodec.Encode(ids, E2e));
    }

    [Fact]
    public void A_real_MiniMed_insulin_on_board_response_reads_as_a_float()
    {
        // OpenMinimed/PythonPumpConnector idd/status/iob.py: fc0300c05c15fa = 1.4 IU (0xfa155cc0 = 1400000 x 10^-6).
        var bytes = Hex.Parse("FC 03 00 C0 5C 15 FA");
        var iob = Assert.IsType<IdsInsulinOnBoard>(IdsStatusReaderCodec.DecodeResponse(bytes, MiniMed));
        Assert.Equal(1.4m, iob.Amount.ToDecimal());
        Assert.Null(iob.RemainingDurationMinutes);
        Assert.Equal(bytes, IdsStatusReaderCodec.Encode(iob, MiniMed));

        // The same bytes in the spec dialect are a 2-byte SFLOAT followed by two stray octets.
        Assert.Equal(ProtocolErrorKind.BadLength, Offence(() => IdsStatusReaderCodec.DecodeResponse(bytes, Spec)).Kind);
    }

    [Fact]
    public void A_real_MiniMed_active_basal_rate_response_reads_as_a_float()
    {
        // OpenMinimed/PythonPumpConnector idd/status/active_basal_rate_delivery.py: 6a03000200000000, template 2, rate 0.
        var bytes = Hex.Parse("6A 03 00 02 00 00 00 00");
        var basal = Assert.IsType<IdsActiveBasalRateDelivery>(IdsStatusReaderCodec.DecodeResponse(bytes, MiniMed));
        Assert.Equal(new IdsActiveBasalRateDelivery(2, new MedicalFloat(0, 0)), basal);
        Assert.Equal(bytes, IdsStatusReaderCodec.Encode(basal, MiniMed));
    }

    [Fact]
    public void Float_dialect_widens_every_insulin_field_and_keeps_delivered_insulin_as_specified()
    {
        var bolus = new IdsActiveBolusDelivery(3, IdsBolusType.Extended, new MedicalFloat(0, 0), new MedicalFloat(2500000, -6), 60);
        var bytes = IdsStatusReaderCodec.Encode(bolus, MiniMed);
        Assert.Equal(Hex.Parse("59 03 00 03 00 3C 00 00 00 00 A0 25 26 FA 3C 00"), bytes);
        Assert.Equal(bolus, IdsStatusReaderCodec.DecodeResponse(bytes, MiniMed));

        var delivered = new IdsDeliveredInsulin(new MedicalFloat(500, -2), new MedicalFloat(20000, -1));
        Assert.Equal(IdsStatusReaderCodec.Encode(delivered, Spec), IdsStatusReaderCodec.Encode(delivered, MiniMed));
    }

    [Theory]
    [InlineData("3F 03 08 01 00 02 00 03 00 04 00 05 00 06 00 07 00 08 00", ProtocolErrorKind.OutOfRange, 2)]
    [InlineData("3F 03 02 01 00", ProtocolErrorKind.Truncated, 5)]
    [InlineData("59 03 20 07 00 55 7D E0 32 00 1E 00", ProtocolErrorKind.ReservedValue, 2)]
    [InlineData("59 03 00 07 00 56 7D E0 32 00 1E 00", ProtocolErrorKind.ReservedValue, 5)]
    [InlineData("6A 03 02 01 7D E0 01", ProtocolErrorKind.ReservedValue, 2)]
    [InlineData("6A 03 01 01 7D E0 34 8F E0 0A 00 09 00", ProtocolErrorKind.ReservedValue, 6)]
    [InlineData("A9 03 34 0F A0 8C 00 00", ProtocolErrorKind.ReservedValue, 2)]
    [InlineData("FC 03 02 5E F0", ProtocolErrorKind.ReservedValue, 2)]
    [InlineData("03 03 65 03 75", ProtocolErrorKind.ReservedValue, 4)]
    [InlineData("03 03 65 03 0F 00", ProtocolErrorKind.BadLength, 5)]
    [InlineData("CF 03 F4 01 00 FE 01 00 80 00", ProtocolErrorKind.ReservedValue, 6)]
    public void Response_problems_are_typed_with_their_offset(string hex, ProtocolErrorKind kind, int offset) =>
        Assert.Equal((kind, offset), Offence(() => IdsStatusReaderCodec.DecodeResponse(Hex.Parse(hex), Spec)));

    [Fact]
    public void Encoders_refuse_what_the_wire_cannot_carry()
    {
        Assert.Throws<ArgumentException>(() => IdsStatusReaderCodec.Encode(new IdsActiveBolusIds([1, 2, 3, 4, 5, 6, 7, 8]), Spec));
        Assert.Throws<ArgumentException>(() => IdsStatusReaderCodec.Encode(new IdsActiveBasalRateDelivery(1, new MedicalFloat(1, 0), TbrTemplateNumber: 2), Spec));
        Assert.Throws<ArgumentException>(() => IdsStatusReaderCodec.Encode(new IdsStatusReaderResult(IdsStatusReaderOpCode.GetCounterResponse, IdsStatusReaderResponseCode.Success), Spec));
        Assert.Throws<ArgumentException>(() => IdsStatusReaderCodec.Encode(new IdsGetCounter((IdsCounterType)0x5A, IdsCounterValueSelection.Elapsed), Spec));
        Assert.Throws<ArgumentOutOfRangeException>(() => IdsStatusReaderCodec.Encode(new IdsInsulinOnBoard(new MedicalFloat(5000, 0)), Spec));
    }
}
