using System.Buffers.Binary;
using System.Text.Json.Serialization;
using PumpGateway.Codecs;
using PumpGateway.Protocol;

namespace PumpGateway.Devices.Cgms;

/// <summary>A read the gateway asks of the CGM Specific Ops Control Point.</summary>
/// <param name="CalibrationRecordNumber">Only for <see cref="CgmSpecificOpsQuery.GetGlucoseCalibrationValue"/>, where it is required.</param>
public sealed record CgmSpecificOpsRequest(CgmSpecificOpsQuery Query, ushort? CalibrationRecordNumber = null)
{
    /// <summary>The record number that asks for the most recent calibration.</summary>
    public const ushort LastCalibrationRecord = 0xFFFF;

    public static CgmSpecificOpsRequest GetCalibrationValue(ushort recordNumber) => new(CgmSpecificOpsQuery.GetGlucoseCalibrationValue, recordNumber);
}

[JsonPolymorphic(TypeDiscriminatorPropertyName = "response")]
[JsonDerivedType(typeof(CgmCommunicationIntervalResponse), "communicationInterval")]
[JsonDerivedType(typeof(CgmCalibrationValueResponse), "calibrationValue")]
[JsonDerivedType(typeof(CgmAlertLevelResponse), "alertLevel")]
[JsonDerivedType(typeof(CgmSpecificOpsResponseCode), "responseCode")]
public abstract record CgmSpecificOpsResponse;

/// <param name="Minutes">Minutes between measurements: 0 means periodic measurement is off, 255 the fastest the sensor can.</param>
public sealed record CgmCommunicationIntervalResponse(byte Minutes) : CgmSpecificOpsResponse;

/// <summary>A stored calibration; times are minutes since the session start.</summary>
public sealed record CgmCalibrationValueResponse(
    MedicalFloat GlucoseMgDl,
    ushort CalibrationTimeMinutes,
    CgmType Type,
    CgmSampleLocation SampleLocation,
    ushort NextCalibrationTimeMinutes,
    ushort RecordNumber,
    CgmCalibrationStatus Status) : CgmSpecificOpsResponse;

/// <param name="Level">mg/dL for the glucose levels, mg/dL/min for the two rates.</param>
public sealed record CgmAlertLevelResponse(CgmAlertLevel Alert, MedicalFloat Level) : CgmSpecificOpsResponse;

/// <summary>The outcome of a request that has no data response, or the refusal of any request.</summary>
public sealed record CgmSpecificOpsResponseCode(CgmSpecificOpsOpCode RequestOpCode, CgmSpecificOpsResult Result) : CgmSpecificOpsResponse;

/// <summary>
/// CGM Specific Ops Control Point (0x2AAC): op code, operand, E2E-CRC if supported (both ways).
/// Only the read requests exist here. A request that would change the sensor (set interval,
/// calibration or alert levels, reset alert, start or stop the session) has no encoder, and
/// decoding one as a request is <see cref="ProtocolErrorKind.UnknownCommand"/>: that is how an
/// emulator knows to refuse it.
/// </summary>
public static class CgmSpecificOpsCodec
{
    private const int CalibrationOperandSize = 10;
    private const byte DefinedCalibrationStatus = 0x07;

    public static byte[] EncodeRequest(CgmSpecificOpsRequest request, CgmsE2e e2e)
    {
        var query = CgmsWire.RequireDefined(request.Query, nameof(request));
        var wantsRecordNumber = query == CgmSpecificOpsQuery.GetGlucoseCalibrationValue;
        if (wantsRecordNumber != request.CalibrationRecordNumber.HasValue)
        {
            throw new ArgumentException($"{query} {(wantsRecordNumber ? "needs" : "takes no")} calibration record number.", nameof(request));
        }

        var value = CgmsWire.Allocate(wantsRecordNumber ? 3 : 1, e2e);
        value[0] = (byte)query;
        if (request.CalibrationRecordNumber is { } recordNumber)
        {
            BinaryPrimitives.WriteUInt16LittleEndian(value.AsSpan(1), recordNumber);
        }

        return CgmsWire.Seal(value, e2e);
    }

    public static CgmSpecificOpsRequest DecodeRequest(ReadOnlySpan<byte> value, CgmsE2e e2e)
    {
        var payload = CgmsWire.UnsealAtLeast(value, 1, e2e, "CGM Specific Ops request");
        var query = (CgmSpecificOpsQuery)payload[0];
        if (!Enum.IsDefined(query))
        {
            var opCode = (CgmSpecificOpsOpCode)payload[0];
            throw new ProtocolException(
                ProtocolErrorKind.UnknownCommand,
                0,
                Enum.IsDefined(opCode) ? $"{opCode} is not a read request" : $"op code {payload[0]} is reserved");
        }

        if (query != CgmSpecificOpsQuery.GetGlucoseCalibrationValue)
        {
            CgmsWire.RequireLength(payload, 1, $"{query} request");
            return new CgmSpecificOpsRequest(query);
        }

        CgmsWire.RequireLength(payload, 3, $"{query} request");
        return CgmSpecificOpsRequest.GetCalibrationValue(BinaryPrimitives.ReadUInt16LittleEndian(payload[1..]));
    }

    public static CgmSpecificOpsResponse DecodeResponse(ReadOnlySpan<byte> value, CgmsE2e e2e)
    {
        var payload = CgmsWire.UnsealAtLeast(value, 1, e2e, "CGM Specific Ops response");
        var opCode = (CgmSpecificOpsOpCode)payload[0];
        if (AlertOf(opCode) is { } alert)
        {
            CgmsWire.RequireLength(payload, 1 + MedicalFloat.SFloatSize, $"{opCode}");
            return new CgmAlertLevelResponse(alert, CgmsWire.ReadSFloat(payload, 1));
        }

        switch (opCode)
        {
            case CgmSpecificOpsOpCode.CommunicationIntervalResponse:
                CgmsWire.RequireLength(payload, 2, $"{opCode}");
                return new CgmCommunicationIntervalResponse(payload[1]);
            case CgmSpecificOpsOpCode.GlucoseCalibrationValueResponse:
                CgmsWire.RequireLength(payload, 1 + CalibrationOperandSize, $"{opCode}");
                return DecodeCalibration(payload);
            case CgmSpecificOpsOpCode.ResponseCode:
                CgmsWire.RequireLength(payload, 3, $"{opCode}");
                var result = CgmsWire.Defined<CgmSpecificOpsResult>(payload[2], 2, "response code");
                var request = (CgmSpecificOpsOpCode)payload[1];
                if (!Enum.IsDefined(request) && result != CgmSpecificOpsResult.OpCodeNotSupported)
                {
                    throw new ProtocolException(ProtocolErrorKind.ReservedValue, 1, $"request op code {payload[1]} is reserved, yet the response is {result}");
                }

                return new CgmSpecificOpsResponseCode(request, result);
            default:
                throw new ProtocolException(ProtocolErrorKind.UnknownCommand, 0, $"op code {payload[0]} is not a response");
        }
    }

    public static byte[] EncodeResponse(CgmSpecificOpsResponse response, CgmsE2e e2e)
    {
        byte[] value;
        switch (response)
        {
            case CgmCommunicationIntervalResponse interval:
                value = CgmsWire.Allocate(2, e2e);
                value[0] = (byte)CgmSpecificOpsOpCode.CommunicationIntervalResponse;
                value[1] = interval.Minutes;
                break;
            case CgmCalibrationValueResponse calibration:
                value = CgmsWire.Allocate(1 + CalibrationOperandSize, e2e);
                EncodeCalibration(calibration, value);
                break;
            case CgmAlertLevelResponse level:
                value = CgmsWire.Allocate(1 + MedicalFloat.SFloatSize, e2e);
                value[0] = (byte)ResponseOpCodeOf(level.Alert);
                level.Level.WriteSFloat(value.AsSpan(1));
                break;
            case CgmSpecificOpsResponseCode code:
                CgmsWire.RequireDefined(code.Result, nameof(response));
                if (!Enum.IsDefined(code.RequestOpCode) && code.Result != CgmSpecificOpsResult.OpCodeNotSupported)
                {
                    throw new ArgumentOutOfRangeException(nameof(response), code.RequestOpCode, "only an op-code-not-supported response echoes a reserved op code");
                }

                value = CgmsWire.Allocate(3, e2e);
                value[0] = (byte)CgmSpecificOpsOpCode.ResponseCode;
                value[1] = (byte)code.RequestOpCode;
                value[2] = (byte)code.Result;
                break;
            default:
                throw new ArgumentException($"{response.GetType().Name} is not a CGM Specific Ops response.", nameof(response));
        }

        return CgmsWire.Seal(value, e2e);
    }

    private static CgmCalibrationValueResponse DecodeCalibration(ReadOnlySpan<byte> payload) => new(
        CgmsWire.ReadSFloat(payload, 1),
        BinaryPrimitives.ReadUInt16LittleEndian(payload[3..]),
        CgmsWire.Defined<CgmType>((byte)(payload[5] & 0x0F), 5, "calibration type"),
        CgmsWire.Defined<CgmSampleLocation>((byte)(payload[5] >> 4), 5, "calibration sample location"),
        BinaryPrimitives.ReadUInt16LittleEndian(payload[6..]),
        BinaryPrimitives.ReadUInt16LittleEndian(payload[8..]),
        CgmsWire.DefinedBits<CgmCalibrationStatus>(payload[10], DefinedCalibrationStatus, 10, "calibration status"));

    private static void EncodeCalibration(CgmCalibrationValueResponse calibration, Span<byte> value)
    {
        value[0] = (byte)CgmSpecificOpsOpCode.GlucoseCalibrationValueResponse;
        calibration.GlucoseMgDl.WriteSFloat(value[1..]);
        BinaryPrimitives.WriteUInt16LittleEndian(value[3..], calibration.CalibrationTimeMinutes);
        value[5] = CgmFeatureCodec.TypeSampleLocation(calibration.Type, calibration.SampleLocation);
        BinaryPrimitives.WriteUInt16LittleEndian(value[6..], calibration.NextCalibrationTimeMinutes);
        BinaryPrimitives.WriteUInt16LittleEndian(value[8..], calibration.RecordNumber);
        value[10] = CgmMeasurementCodec.RequireBits((byte)calibration.Status, DefinedCalibrationStatus, nameof(calibration));
    }

    private static CgmAlertLevel? AlertOf(CgmSpecificOpsOpCode opCode) => opCode switch
    {
        CgmSpecificOpsOpCode.PatientHighAlertLevelResponse => CgmAlertLevel.PatientHigh,
        CgmSpecificOpsOpCode.PatientLowAlertLevelResponse => CgmAlertLevel.PatientLow,
        CgmSpecificOpsOpCode.HypoAlertLevelResponse => CgmAlertLevel.Hypo,
        CgmSpecificOpsOpCode.HyperAlertLevelResponse => CgmAlertLevel.Hyper,
        CgmSpecificOpsOpCode.RateOfDecreaseAlertLevelResponse => CgmAlertLevel.RateOfDecrease,
        CgmSpecificOpsOpCode.RateOfIncreaseAlertLevelResponse => CgmAlertLevel.RateOfIncrease,
        _ => null,
    };

    private static CgmSpecificOpsOpCode ResponseOpCodeOf(CgmAlertLevel alert) => alert switch
    {
        CgmAlertLevel.PatientHigh => CgmSpecificOpsOpCode.PatientHighAlertLevelResponse,
        CgmAlertLevel.PatientLow => CgmSpecificOpsOpCode.PatientLowAlertLevelResponse,
        CgmAlertLevel.Hypo => CgmSpecificOpsOpCode.HypoAlertLevelResponse,
        CgmAlertLevel.Hyper => CgmSpecificOpsOpCode.HyperAlertLevelResponse,
        CgmAlertLevel.RateOfDecrease => CgmSpecificOpsOpCode.RateOfDecreaseAlertLevelResponse,
        CgmAlertLevel.RateOfIncrease => CgmSpecificOpsOpCode.RateOfIncreaseAlertLevelResponse,
        _ => throw new ArgumentOutOfRangeException(nameof(alert), alert, "not a defined alert level"),
    };
}
