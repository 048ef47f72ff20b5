using PumpGateway.Devices.Ids;
using PumpGateway.Protocol;
using PumpGateway.TestSupport;
using static PumpGateway.Devices.Tests.Ids.IdsStatusCodecTests;

namespace PumpGateway.Devices.Tests.Ids;

/// <summary>IDD Record Access Control Point: the requests the gateway sends (and the emulator parses) and the responses.</summary>
public sealed class IdsRacpCodecTests
{
    private static readonly IdsDialect Spec = IdsDialect.Specification;
    private static readonly IdsDialect E2e = IdsDialect.SpecificationWithE2e;

    public static TheoryData<string, IdsRacpRequest> Requests => new()
    {
        { "33 33", IdsRacpRequest.ReportAll() },

        // AndroidBLEParser idd RacpComposerTest: report records >= 5 filtered by reference time events.
        { "33 55 33 05 00 00 00", IdsRacpRequest.ReportFrom(5, IdsRacpFilterType.SequenceNumberOfReferenceTimeEvents) },
        { "33 3C 0F FF FF FF FF", IdsRacpRequest.ReportUpTo(uint.MaxValue) },
        { "33 5A 0F 02 00 00 00 00 01 00 00", IdsRacpRequest.ReportRange(2, 256) },
        { "33 66", IdsRacpRequest.ReportFirst() },
        { "33 69", IdsRacpRequest.ReportLast() },
        { "5A 33", IdsRacpRequest.CountAll() },
        { "5A 55 0F 80 00 00 00", IdsRacpRequest.CountFrom(128) },

        // AndroidBLEParser idd RacpComposerTest: number of records within 12..34 of non-reference-time events.
        { "5A 5A 3C 0C 00 00 00 22 00 00 00", new IdsRacpRequest(IdsRacpOpCode.ReportNumberOfStoredRecords, IdsRacpOperator.WithinRangeOf, IdsRacpFilterType.SequenceNumberOfNonReferenceTimeEvents, 12, 34) },

        // AndroidBLEParser composeAbortOperation: op code, Null operator.
        { "55 0F", IdsRacpRequest.Abort() },

        // OpenMinimed Documentation idd-service.md: a 780G requires a filter type after All / First / Last (the spec has none).
        { "33 33 0F", IdsRacpRequest.ReportAll() with { FilterType = IdsRacpFilterType.SequenceNumber } },
        { "33 33 33", IdsRacpRequest.ReportAll() with { FilterType = IdsRacpFilterType.SequenceNumberOfReferenceTimeEvents } },
        { "5A 69 0F", new IdsRacpRequest(IdsRacpOpCode.ReportNumberOfStoredRecords, IdsRacpOperator.LastRecord, IdsRacpFilterType.SequenceNumber) },
    };

    [Theory]
    [MemberData(nameof(Requests))]
    public void Every_request_encodes_and_decodes_both_ways(string hex, IdsRacpRequest request)
    {
        var bytes = Hex.Parse(hex);
        Assert.Equal(bytes, IdsRacpCodec.Encode(request, Spec));
        Assert.Equal(request, IdsRacpCodec.DecodeRequest(bytes, Spec));
    }

    [Fact]
    public void Resuming_a_download_asks_for_everything_from_the_next_sequence_number()
    {
        var request = IdsRacpRequest.ReportFrom(669028 + 1) with { E2eCounter = 1 };
        var bytes = IdsRacpCodec.Encode(request, E2e);
        Assert.Equal(Hex.Parse("33 55 0F 65 35 0A 00 01"), bytes[..^2]);
        Assert.Equal(request, IdsRacpCodec.DecodeRequest(bytes, E2e));
    }

    [Fact]
    public void Delete_stored_records_is_never_encoded_nor_accepted()
    {
        Assert.DoesNotContain(Enum.GetValues<IdsRacpOpCode>(), o => (byte)o == 0x3C);

        // CCInsulinDelivery IDSRecordAccessControlPoint.deleteAllRecords: 3C 33 0F then counter 00 and the CRC.
        var delete = Hex.Parse("3C 33 0F 00");
        var crc = PumpGateway.Codecs.E2eCrc.Compute(delete);
        Assert.Equal((ProtocolErrorKind.UnknownCommand, 0), Offence(() => IdsRacpCodec.DecodeRequest([.. delete, (byte)crc, (byte)(crc >> 8)], E2e)));

        // AndroidBLEParser idd RacpParserTest: a success response to a delete is not one the gateway can have asked for.
        Assert.Equal((ProtocolErrorKind.UnknownCommand, 2), Offence(() => IdsRacpCodec.DecodeResponse(Hex.Parse("0F 0F 3C F0"), Spec)));
    }

    [Theory]
    [InlineData("33 0F", ProtocolErrorKind.ReservedValue, 1)]
    [InlineData("33 55 0F", ProtocolErrorKind.Truncated, 3)]
    [InlineData("33 55", ProtocolErrorKind.Truncated, 2)]
    [InlineData("33 5A 0F 05 00 00 00 04 00 00 00", ProtocolErrorKind.OutOfRange, 3)]
    [InlineData("33 33 0F 01 00 00 00", ProtocolErrorKind.BadLength, 3)]
    [InlineData("33 77", ProtocolErrorKind.ReservedValue, 1)]
    [InlineData("33 55 10 05 00 00 00", ProtocolErrorKind.ReservedValue, 2)]
    [InlineData("55 33", ProtocolErrorKind.ReservedValue, 1)]
    [InlineData("0F 0F 33 F0", ProtocolErrorKind.UnknownCommand, 0)]
    [InlineData("01 01", ProtocolErrorKind.UnknownCommand, 0)]
    public void Malformed_requests_are_typed_with_their_offset(string hex, ProtocolErrorKind kind, int offset) =>
        Assert.Equal((kind, offset), Offence(() => IdsRacpCodec.DecodeRequest(Hex.Parse(hex), Spec)));

    public static TheoryData<string, IdsRacpResponse> Responses => new()
    {
        // The notes' shape 0F 0F <request op code> <response code>, as AndroidBLEParser's idd RacpParser reads it.
        { "0F 0F 33 F0", new IdsRacpResult(IdsRacpOpCode.ReportStoredRecords, IdsRacpResponseCode.Success) },
        { "0F 0F 33 06", new IdsRacpResult(IdsRacpOpCode.ReportStoredRecords, IdsRacpResponseCode.NoRecordsFound) },
        { "0F 0F 55 0A", new IdsRacpResult(IdsRacpOpCode.AbortOperation, IdsRacpResponseCode.ProcedureNotApplicable) },

        // AndroidBLEParser idd RacpParserTest: number of stored records 123 (uint32).
        { "66 0F 7B 00 00 00", new IdsRacpRecordCount(123) },
        { "66 0F FF FF FF FF", new IdsRacpRecordCount(uint.MaxValue) },
    };

    [Theory]
    [MemberData(nameof(Responses))]
    public void Every_response_decodes_and_re_encodes(string hex, IdsRacpResponse response)
    {
        var bytes = Hex.Parse(hex);
        Assert.Equal(response, IdsRacpCodec.DecodeResponse(bytes, Spec));
        Assert.Equal(bytes, IdsRacpCodec.Encode(response, Spec));
    }

    [Fact]
    public void The_simulator_response_without_its_operator_byte_is_refused()
    {
        // BLEIDSSim history.py report_all_history_events ends with 0F 33 F0 (no operator), counter 0, CRC.
        Assert.Equal((ProtocolErrorKind.ReservedValue, 1), Offence(() => IdsRacpCodec.DecodeResponse(Hex.Parse("0F 33 F0 00 1A A4"), E2e)));
    }

    [Theory]
    [InlineData("0F 0F 33 01", ProtocolErrorKind.ReservedValue, 3)]
    [InlineData("0F 0F 0F F0", ProtocolErrorKind.UnknownCommand, 2)]
    [InlineData("66 0F 7B 00 00", ProtocolErrorKind.Truncated, 2)]
    [InlineData("66 33 7B 00 00 00", ProtocolErrorKind.ReservedValue, 1)]
    [InlineData("33 0F 33 F0", ProtocolErrorKind.UnknownCommand, 0)]
    [InlineData("0F 0F 33 F0 00", ProtocolErrorKind.BadLength, 4)]
    public void Malformed_responses_are_typed_with_their_offset(string hex, ProtocolErrorKind kind, int offset) =>
        Assert.Equal((kind, offset), Offence(() => IdsRacpCodec.DecodeResponse(Hex.Parse(hex), Spec)));

    [Fact]
    public void Requests_that_do_not_fit_their_operator_are_not_encoded()
    {
        Assert.Throws<ArgumentException>(() => IdsRacpCodec.Encode(new IdsRacpRequest(IdsRacpOpCode.ReportStoredRecords, IdsRacpOperator.GreaterThanOrEqualTo), Spec));
        Assert.Throws<ArgumentException>(() => IdsRacpCodec.Encode(IdsRacpRequest.ReportRange(9, 3), Spec));
        Assert.Throws<ArgumentException>(() => IdsRacpCodec.Encode(IdsRacpRequest.Abort() with { FilterType = IdsRacpFilterType.SequenceNumber }, Spec));
        Assert.Throws<ArgumentException>(() => IdsRacpCodec.Encode(new IdsRacpRequest((IdsRacpOpCode)0x3C, IdsRacpOperator.AllRecords), Spec));
        Assert.Throws<ArgumentException>(() => IdsRacpCodec.Encode(new IdsRacpRequest(IdsRacpOpCode.ResponseCode, IdsRacpOperator.Null), Spec));
        Assert.Throws<ArgumentException>(() => IdsRacpCodec.Encode(IdsRacpRequest.ReportFirst() with { SequenceNumber = 4 }, Spec));
        Assert.Throws<ArgumentException>(() => IdsRacpCodec.Encode(new IdsRacpResult(IdsRacpOpCode.NumberOfStoredRecordsResponse, IdsRacpResponseCode.Success), Spec));
    }
}
