using PumpGateway.Protocol;

namespace PumpGateway.Devices.Ids;

/// <summary>IDD Record Access Control Point (0x2B27), both ways: the gateway writes requests, the emulator parses them.</summary>
public static class IdsRacpCodec
{
    public static byte[] Encode(IdsRacpRequest request, IdsDialect dialect)
    {
        Validate(request, (message, _) => new ArgumentException(message, nameof(request)));
        var writer = new IdsWriter().Enum8(request.OpCode, "op code").Enum8(request.Operator, "operator")
            .Optional(request.FilterType, "filter type").Optional(request.SequenceNumber).Optional(request.RangeEnd);
        return IdsE2e.Seal(writer, dialect, request.E2eCounter, hasCounter: true);
    }

    public static IdsRacpRequest DecodeRequest(ReadOnlySpan<byte> value, IdsDialect dialect)
    {
        var reader = new IdsReader(IdsE2e.Open(value, dialect, hasCounter: true, out var counter));
        var opCode = ReadOpCode(ref reader);
        if (opCode is IdsRacpOpCode.ResponseCode or IdsRacpOpCode.NumberOfStoredRecordsResponse)
        {
            throw new ProtocolException(ProtocolErrorKind.UnknownCommand, 0, $"{opCode} is a response, not a request");
        }

        var op = reader.Enum8<IdsRacpOperator>("operator");
        var filter = reader.Remaining > 0 ? reader.Enum8<IdsRacpFilterType>("filter type") : (IdsRacpFilterType?)null;
        uint? first = op is IdsRacpOperator.LessThanOrEqualTo or IdsRacpOperator.GreaterThanOrEqualTo or IdsRacpOperator.WithinRangeOf ? reader.U32("sequence number") : null;
        uint? last = op is IdsRacpOperator.WithinRangeOf ? reader.U32("last sequence number") : null;
        reader.End($"{opCode} request");
        var request = new IdsRacpRequest(opCode, op, filter, first, last) { E2eCounter = counter };
        Validate(request, (message, offset) => new ProtocolException(offset == 1 ? ProtocolErrorKind.ReservedValue : ProtocolErrorKind.OutOfRange, offset, message));
        return request;
    }

    public static byte[] Encode(IdsRacpResponse response, IdsDialect dialect)
    {
        var writer = new IdsWriter();
        switch (response)
        {
            case IdsRacpResult result:
                if (result.RequestOpCode is IdsRacpOpCode.ResponseCode or IdsRacpOpCode.NumberOfStoredRecordsResponse)
                {
                    throw new ArgumentException($"{result.RequestOpCode} is not a request op code.", nameof(response));
                }

                writer.U8((byte)IdsRacpOpCode.ResponseCode).U8((byte)IdsRacpOperator.Null).Enum8(result.RequestOpCode, "request op code").Enum8(result.ResponseCode, "response code");
                break;
            case IdsRacpRecordCount count:
                writer.U8((byte)IdsRacpOpCode.NumberOfStoredRecordsResponse).U8((byte)IdsRacpOperator.Null).U32(count.Count);
                break;
            default:
                throw new ArgumentException($"{response.GetType().Name} is not an RACP response.", nameof(response));
        }

        return IdsE2e.Seal(writer, dialect, response.E2eCounter, hasCounter: true);
    }

    public static IdsRacpResponse DecodeResponse(ReadOnlySpan<byte> value, IdsDialect dialect)
    {
        var reader = new IdsReader(IdsE2e.Open(value, dialect, hasCounter: true, out var counter));
        var opCode = ReadOpCode(ref reader);
        if (opCode is not (IdsRacpOpCode.ResponseCode or IdsRacpOpCode.NumberOfStoredRecordsResponse))
        {
            throw new ProtocolException(ProtocolErrorKind.UnknownCommand, 0, $"{opCode} is a request, not a response");
        }

        var op = reader.Enum8<IdsRacpOperator>("operator");
        if (op != IdsRacpOperator.Null)
        {
            throw new ProtocolException(ProtocolErrorKind.ReservedValue, 1, $"a response carries the Null operator, not {op}");
        }

        IdsRacpResponse response;
        if (opCode == IdsRacpOpCode.ResponseCode)
        {
            var requestOpCode = ReadOpCode(ref reader, 2);
            if (requestOpCode is IdsRacpOpCode.ResponseCode or IdsRacpOpCode.NumberOfStoredRecordsResponse)
            {
                throw new ProtocolException(ProtocolErrorKind.UnknownCommand, 2, $"{requestOpCode} is not a request op code");
            }

            response = new IdsRacpResult(requestOpCode, reader.Enum8<IdsRacpResponseCode>("response code"));
        }
        else
        {
            response = new IdsRacpRecordCount(reader.U32("number of stored records"));
        }

        reader.End($"{opCode}");
        return response with { E2eCounter = counter };
    }

    private static IdsRacpOpCode ReadOpCode(ref IdsReader reader, int offset = 0)
    {
        var raw = reader.U8("op code");
        var opCode = (IdsRacpOpCode)raw;
        return Enum.IsDefined(opCode)
            ? opCode
            : throw new ProtocolException(ProtocolErrorKind.UnknownCommand, offset, raw == 0x3C ? "Delete Stored Records is never sent" : $"RACP op code 0x{raw:x2} is not defined");
    }

    /// <summary>The operator decides which operand parts exist; anything else is a malformed request.</summary>
    private static void Validate(IdsRacpRequest request, Func<string, int, Exception> fail)
    {
        const int OperatorOffset = 1, OperandOffset = 3;
        var single = request.Operator is IdsRacpOperator.LessThanOrEqualTo or IdsRacpOperator.GreaterThanOrEqualTo;
        var range = request.Operator == IdsRacpOperator.WithinRangeOf;
        var simple = request.Operator is IdsRacpOperator.AllRecords or IdsRacpOperator.FirstRecord or IdsRacpOperator.LastRecord;
        if (!Enum.IsDefined(request.OpCode) || request.OpCode is IdsRacpOpCode.ResponseCode or IdsRacpOpCode.NumberOfStoredRecordsResponse)
        {
            throw fail($"{request.OpCode} is not a request op code", 0);
        }

        if (request.OpCode == IdsRacpOpCode.AbortOperation)
        {
            if (request.Operator != IdsRacpOperator.Null || request.FilterType is not null || request.SequenceNumber is not null || request.RangeEnd is not null)
            {
                throw fail("abort takes the Null operator and no operand", OperatorOffset);
            }

            return;
        }

        if (!single && !range && !simple)
        {
            throw fail($"{request.Operator} is not an operator for {request.OpCode}", OperatorOffset);
        }

        if ((single || range) && (request.FilterType is null || request.SequenceNumber is null))
        {
            throw fail($"{request.Operator} needs a filter type and a sequence number", OperandOffset);
        }

        if (simple && request.SequenceNumber is not null)
        {
            throw fail($"{request.Operator} takes no sequence number", OperandOffset);
        }

        if (range != (request.RangeEnd is not null) || (range && request.RangeEnd < request.SequenceNumber))
        {
            throw fail("a range needs an end at or after its start, and only a range has one", OperandOffset);
        }
    }
}
