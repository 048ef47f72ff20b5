using System.Buffers.Binary;
using System.Text.Json.Serialization;
using PumpGateway.Protocol;

namespace PumpGateway.Devices.Cgms;

/// <summary>
/// A request to the CGMS Record Access Control Point. The operand is a time offset filter:
/// <paramref name="FromTimeOffset"/> for ≥, <paramref name="ToTimeOffset"/> for ≤, both for a
/// range (inclusive), neither otherwise.
/// </summary>
public sealed record CgmRacpRequest(CgmRacpProcedure Procedure, CgmRacpOperator Operator, ushort? FromTimeOffset = null, ushort? ToTimeOffset = null)
{
    public static CgmRacpRequest ReportAll() => new(CgmRacpProcedure.ReportStoredRecords, CgmRacpOperator.AllRecords);

    /// <summary>Resumes a download: everything at or after <paramref name="timeOffset"/> (the last one seen + 1).</summary>
    public static CgmRacpRequest ReportFrom(ushort timeOffset) => new(CgmRacpProcedure.ReportStoredRecords, CgmRacpOperator.GreaterThanOrEqualTo, timeOffset);

    public static CgmRacpRequest CountAll() => new(CgmRacpProcedure.ReportNumberOfStoredRecords, CgmRacpOperator.AllRecords);

    public static CgmRacpRequest CountFrom(ushort timeOffset) => new(CgmRacpProcedure.ReportNumberOfStoredRecords, CgmRacpOperator.GreaterThanOrEqualTo, timeOffset);

    public static CgmRacpRequest Abort() => new(CgmRacpProcedure.AbortOperation, CgmRacpOperator.Null);
}

[JsonPolymorphic(TypeDiscriminatorPropertyName = "response")]
[JsonDerivedType(typeof(CgmRacpRecordCount), "numberOfStoredRecords")]
[JsonDerivedType(typeof(CgmRacpResponseCode), "responseCode")]
public abstract record CgmRacpResponse;

public sealed record CgmRacpRecordCount(ushort Count) : CgmRacpResponse;

public sealed record CgmRacpResponseCode(CgmRacpOpCode RequestOpCode, CgmRacpResult Result) : CgmRacpResponse;

/// <summary>
/// Record Access Control Point (0x2A52) as the CGMS uses it: op code, operator, and for ≤, ≥ and
/// range a filter type (1, time offset) with u16 time offsets. Responses carry the Null operator:
/// <c>05 00 count(u16)</c> and <c>06 00 request-op-code response-code</c>. The CGMS RACP carries
/// no E2E-CRC. Delete stored records has no encoder and decodes as
/// <see cref="ProtocolErrorKind.UnknownCommand"/>.
/// </summary>
public static class CgmRacpCodec
{
    private const int ResponseSize = 4;

    public static byte[] EncodeRequest(CgmRacpRequest request)
    {
        var procedure = CgmsWire.RequireDefined(request.Procedure, nameof(request));
        var op = CgmsWire.RequireDefined(request.Operator, nameof(request));
        if ((procedure == CgmRacpProcedure.AbortOperation) != (op == CgmRacpOperator.Null))
        {
            throw new ArgumentException("Abort takes the Null operator and only abort does.", nameof(request));
        }

        var (wantsFrom, wantsTo) = OperandsOf(op);
        if (wantsFrom != request.FromTimeOffset.HasValue || wantsTo != request.ToTimeOffset.HasValue)
        {
            throw new ArgumentException($"{op} takes {(wantsFrom ? "a from " : string.Empty)}{(wantsTo ? "a to " : string.Empty)}time offset{(wantsFrom || wantsTo ? string.Empty : " neither")}.", nameof(request));
        }

        if (request is { FromTimeOffset: { } from, ToTimeOffset: { } to } && from > to)
        {
            throw new ArgumentException($"The range {from}..{to} is reversed.", nameof(request));
        }

        var value = new byte[2 + OperandSize(op)];
        value[0] = (byte)procedure;
        value[1] = (byte)op;
        if (wantsFrom || wantsTo)
        {
            value[2] = (byte)CgmRacpFilterType.TimeOffset;
            var position = 3;
            foreach (var offset in new[] { request.FromTimeOffset, request.ToTimeOffset })
            {
                if (offset is { } minutes)
                {
                    BinaryPrimitives.WriteUInt16LittleEndian(value.AsSpan(position), minutes);
                    position += 2;
                }
            }
        }

        return value;
    }

    public static CgmRacpRequest DecodeRequest(ReadOnlySpan<byte> value)
    {
        if (value.Length < 2)
        {
            throw new ProtocolException(ProtocolErrorKind.Truncated, value.Length, $"a RACP request is at least an op code and an operator, got {value.Length} bytes");
        }

        var procedure = (CgmRacpProcedure)value[0];
        if (!Enum.IsDefined(procedure))
        {
            var opCode = (CgmRacpOpCode)value[0];
            throw new ProtocolException(
                ProtocolErrorKind.UnknownCommand,
                0,
                Enum.IsDefined(opCode) ? $"{opCode} is not a request the gateway makes" : $"op code {value[0]} is reserved");
        }

        var op = CgmsWire.Defined<CgmRacpOperator>(value[1], 1, "RACP operator");
        if ((procedure == CgmRacpProcedure.AbortOperation) != (op == CgmRacpOperator.Null))
        {
            throw new ProtocolException(ProtocolErrorKind.ReservedValue, 1, $"{procedure} does not take the {op} operator");
        }

        CgmsWire.RequireLength(value, 2 + OperandSize(op), $"{procedure} {op} request");
        var (wantsFrom, wantsTo) = OperandsOf(op);
        if (!wantsFrom && !wantsTo)
        {
            return new CgmRacpRequest(procedure, op);
        }

        CgmsWire.Defined<CgmRacpFilterType>(value[2], 2, "RACP filter type");
        var first = BinaryPrimitives.ReadUInt16LittleEndian(value[3..]);
        if (!wantsTo)
        {
            return new CgmRacpRequest(procedure, op, FromTimeOffset: first);
        }

        if (!wantsFrom)
        {
            return new CgmRacpRequest(procedure, op, ToTimeOffset: first);
        }

        var last = BinaryPrimitives.ReadUInt16LittleEndian(value[5..]);
        return first <= last
            ? new CgmRacpRequest(procedure, op, first, last)
            : throw new ProtocolException(ProtocolErrorKind.OutOfRange, 3, $"the range {first}..{last} is reversed");
    }

    public static CgmRacpResponse DecodeResponse(ReadOnlySpan<byte> value)
    {
        if (value.IsEmpty)
        {
            throw new ProtocolException(ProtocolErrorKind.Truncated, 0, "an empty RACP response");
        }

        var opCode = (CgmRacpOpCode)value[0];
        if (opCode is not (CgmRacpOpCode.NumberOfStoredRecordsResponse or CgmRacpOpCode.ResponseCode))
        {
            throw new ProtocolException(ProtocolErrorKind.UnknownCommand, 0, $"op code {value[0]} is not a RACP response");
        }

        CgmsWire.RequireLength(value, ResponseSize, $"{opCode}");
        if (value[1] != (byte)CgmRacpOperator.Null)
        {
            throw new ProtocolException(ProtocolErrorKind.ReservedValue, 1, $"a response carries the Null operator, not {value[1]}");
        }

        if (opCode == CgmRacpOpCode.NumberOfStoredRecordsResponse)
        {
            return new CgmRacpRecordCount(BinaryPrimitives.ReadUInt16LittleEndian(value[2..]));
        }

        var result = CgmsWire.Defined<CgmRacpResult>(value[3], 3, "RACP response code");
        var request = (CgmRacpOpCode)value[2];
        if (!Enum.IsDefined(request) && result != CgmRacpResult.OpCodeNotSupported)
        {
            throw new ProtocolException(ProtocolErrorKind.ReservedValue, 2, $"request op code {value[2]} is reserved, yet the response is {result}");
        }

        return new CgmRacpResponseCode(request, result);
    }

    public static byte[] EncodeResponse(CgmRacpResponse response)
    {
        var value = new byte[ResponseSize];
        switch (response)
        {
            case CgmRacpRecordCount count:
                value[0] = (byte)CgmRacpOpCode.NumberOfStoredRecordsResponse;
                BinaryPrimitives.WriteUInt16LittleEndian(value.AsSpan(2), count.Count);
                break;
            case CgmRacpResponseCode code:
                CgmsWire.RequireDefined(code.Result, nameof(response));
                if (!Enum.IsDefined(code.RequestOpCode) && code.Result != CgmRacpResult.OpCodeNotSupported)
                {
                    throw new ArgumentOutOfRangeException(nameof(response), code.RequestOpCode, "only an op-code-not-supported response echoes a reserved op code");
                }

                value[0] = (byte)CgmRacpOpCode.ResponseCode;
                value[2] = (byte)code.RequestOpCode;
                value[3] = (byte)code.Result;
                break;
            default:
                throw new ArgumentException($"{response.GetType().Name} is not a RACP response.", nameof(response));
        }

        return value;
    }

    private static (bool From, bool To) OperandsOf(CgmRacpOperator op) => op switch
    {
        CgmRacpOperator.GreaterThanOrEqualTo => (true, false),
        CgmRacpOperator.LessThanOrEqualTo => (false, true),
        CgmRacpOperator.WithinRangeOf => (true, true),
        _ => (false, false),
    };

    /// <summary>Filter type byte plus one u16 per bound.</summary>
    private static int OperandSize(CgmRacpOperator op) => OperandsOf(op) switch
    {
        (true, true) => 5,
        (false, false) => 0,
        _ => 3,
    };
}
