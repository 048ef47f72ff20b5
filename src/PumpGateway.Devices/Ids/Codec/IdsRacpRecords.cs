using System.Text.Json.Serialization;

namespace PumpGateway.Devices.Ids;

/// <summary>
/// A request to the IDD Record Access Control Point. The operand is a filter type followed by one
/// (≤, ≥) or two (within range) uint32 sequence numbers. The specification gives All / First /
/// Last no operand; some pumps require a filter type there too, so it is optional for them.
/// Delete Stored Records does not exist here: the gateway never deletes history on a device.
/// </summary>
public sealed record IdsRacpRequest(
    IdsRacpOpCode OpCode,
    IdsRacpOperator Operator,
    IdsRacpFilterType? FilterType = null,
    uint? SequenceNumber = null,
    uint? RangeEnd = null) : IdsE2eProtectedValue
{
    public static IdsRacpRequest ReportAll() => new(IdsRacpOpCode.ReportStoredRecords, IdsRacpOperator.AllRecords);

    /// <summary>Resume a download: every record from <paramref name="sequenceNumber"/> on.</summary>
    public static IdsRacpRequest ReportFrom(uint sequenceNumber, IdsRacpFilterType filter = IdsRacpFilterType.SequenceNumber) =>
        new(IdsRacpOpCode.ReportStoredRecords, IdsRacpOperator.GreaterThanOrEqualTo, filter, sequenceNumber);

    public static IdsRacpRequest ReportUpTo(uint sequenceNumber, IdsRacpFilterType filter = IdsRacpFilterType.SequenceNumber) =>
        new(IdsRacpOpCode.ReportStoredRecords, IdsRacpOperator.LessThanOrEqualTo, filter, sequenceNumber);

    public static IdsRacpRequest ReportRange(uint first, uint last, IdsRacpFilterType filter = IdsRacpFilterType.SequenceNumber) =>
        new(IdsRacpOpCode.ReportStoredRecords, IdsRacpOperator.WithinRangeOf, filter, first, last);

    public static IdsRacpRequest ReportFirst() => new(IdsRacpOpCode.ReportStoredRecords, IdsRacpOperator.FirstRecord);

    public static IdsRacpRequest ReportLast() => new(IdsRacpOpCode.ReportStoredRecords, IdsRacpOperator.LastRecord);

    public static IdsRacpRequest CountAll() => new(IdsRacpOpCode.ReportNumberOfStoredRecords, IdsRacpOperator.AllRecords);

    public static IdsRacpRequest CountFrom(uint sequenceNumber, IdsRacpFilterType filter = IdsRacpFilterType.SequenceNumber) =>
        new(IdsRacpOpCode.ReportNumberOfStoredRecords, IdsRacpOperator.GreaterThanOrEqualTo, filter, sequenceNumber);

    public static IdsRacpRequest Abort() => new(IdsRacpOpCode.AbortOperation, IdsRacpOperator.Null);
}

[JsonDerivedType(typeof(IdsRacpResult), "result")]
[JsonDerivedType(typeof(IdsRacpRecordCount), "recordCount")]
public abstract record IdsRacpResponse : IdsE2eProtectedValue;

/// <summary>Response Code: <c>0F 0F &lt;request op code&gt; &lt;response code&gt;</c>, the end of a report or abort.</summary>
public sealed record IdsRacpResult(IdsRacpOpCode RequestOpCode, IdsRacpResponseCode ResponseCode) : IdsRacpResponse;

/// <summary>Number of Stored Records Response: <c>66 0F &lt;uint32&gt;</c>.</summary>
public sealed record IdsRacpRecordCount(uint Count) : IdsRacpResponse;
