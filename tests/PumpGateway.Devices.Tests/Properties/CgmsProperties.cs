using FsCheck;
using FsCheck.Fluent;
using PumpGateway.Codecs;
using PumpGateway.Devices.Cgms;
using PumpGateway.Devices.Gatt;
using static PumpGateway.Devices.Tests.Properties.ValidValues;

namespace PumpGateway.Devices.Tests.Properties;

/// <summary>CGMS characteristics and control points, Device Information and Battery: round trips and hostile bytes.</summary>
public sealed class CgmsProperties
{
    private const int Cases = 3000;

    private static readonly CgmsE2e[] Settings = [CgmsE2e.Off, CgmsE2e.On, new(true, E2eCrcVariant.CcittFalse)];

    private static Gen<CgmMeasurement> Measurement { get; } =
        from glucose in SFloat
        from timeOffset in AnyUInt16
        from status in OrNull(Flags<CgmStatusAnnunciation>(0x3F))
        from calTemp in OrNull(Flags<CgmCalTempAnnunciation>(0x7F))
        from warning in OrNull(Flags<CgmWarningAnnunciation>(0xFF))
        from trend in OrNull(SFloat)
        from quality in OrNull(SFloat)
        select new CgmMeasurement(glucose, timeOffset, status, calTemp, warning, trend, quality);

    private static Gen<CgmSessionStartTime> StartTime { get; } =
        from known in Gen.Frequency((1, Gen.Constant(false)), (6, Gen.Constant(true)))
        from year in known ? Gen.Choose(CgmSessionStartTime.MinYear, CgmSessionStartTime.MaxYear) : Gen.Constant(0)
        from month in Gen.Choose(known ? 1 : 0, 12)
        from day in Gen.Choose(known ? 1 : 0, year != 0 && month != 0 ? DateTime.DaysInMonth(year, month) : 31)
        from hours in Gen.Choose(0, 23)
        from minutes in Gen.Choose(0, 59)
        from seconds in Gen.Choose(0, 59)
        from zone in Gen.Frequency((1, Gen.Constant((int)CgmSessionStartTime.UnknownTimeZone)), (8, Gen.Choose(CgmSessionStartTime.MinTimeZone, CgmSessionStartTime.MaxTimeZone)))
        from dst in Defined<CgmDstOffset>()
        select new CgmSessionStartTime((ushort)year, (byte)month, (byte)day, (byte)hours, (byte)minutes, (byte)seconds, (sbyte)zone, dst);

    private static Gen<CgmSpecificOpsRequest> SpecificOpsRequest { get; } = Defined<CgmSpecificOpsQuery>().SelectMany(
        query => query == CgmSpecificOpsQuery.GetGlucoseCalibrationValue ? AnyUInt16.Select(n => (ushort?)n) : Gen.Constant<ushort?>(null),
        (query, recordNumber) => new CgmSpecificOpsRequest(query, recordNumber));

    private static Gen<CgmSpecificOpsResponse> SpecificOpsResponse { get; } = Gen.OneOf(
        AnyByte.Select(minutes => (CgmSpecificOpsResponse)new CgmCommunicationIntervalResponse(minutes)),
        from glucose in SFloat
        from time in AnyUInt16
        from type in Defined<CgmType>()
        from location in Defined<CgmSampleLocation>()
        from next in AnyUInt16
        from record in AnyUInt16
        from status in Flags<CgmCalibrationStatus>(0x07)
        select (CgmSpecificOpsResponse)new CgmCalibrationValueResponse(glucose, time, type, location, next, record, status),
        Defined<CgmAlertLevel>().SelectMany(_ => SFloat, (alert, level) => (CgmSpecificOpsResponse)new CgmAlertLevelResponse(alert, level)),
        // Only an op-code-not-supported response may echo an op code the service does not define.
        Gen.OneOf(
            Defined<CgmSpecificOpsOpCode>().SelectMany(_ => Defined<CgmSpecificOpsResult>(), (op, result) => new CgmSpecificOpsResponseCode(op, result)),
            AnyByte.Select(op => new CgmSpecificOpsResponseCode((CgmSpecificOpsOpCode)op, CgmSpecificOpsResult.OpCodeNotSupported)))
        .Select(code => (CgmSpecificOpsResponse)code));

    private static Gen<CgmRacpRequest> RacpRequest { get; } = Gen.OneOf(
        Gen.Constant(CgmRacpRequest.Abort()),
        from procedure in Gen.Elements(CgmRacpProcedure.ReportStoredRecords, CgmRacpProcedure.ReportNumberOfStoredRecords)
        from op in Gen.Elements(Enum.GetValues<CgmRacpOperator>().Where(o => o != CgmRacpOperator.Null).ToArray())
        from a in AnyUInt16
        from b in AnyUInt16
        select op switch
        {
            CgmRacpOperator.GreaterThanOrEqualTo => new CgmRacpRequest(procedure, op, FromTimeOffset: a),
            CgmRacpOperator.LessThanOrEqualTo => new CgmRacpRequest(procedure, op, ToTimeOffset: a),
            CgmRacpOperator.WithinRangeOf => new CgmRacpRequest(procedure, op, Math.Min(a, b), Math.Max(a, b)),
            _ => new CgmRacpRequest(procedure, op),
        });

    private static Gen<CgmRacpResponse> RacpResponse { get; } = Gen.OneOf(
        AnyUInt16.Select(count => (CgmRacpResponse)new CgmRacpRecordCount(count)),
        Defined<CgmRacpOpCode>().SelectMany(_ => Defined<CgmRacpResult>(), (op, result) => (CgmRacpResponse)new CgmRacpResponseCode(op, result)),
        AnyByte.Select(op => (CgmRacpResponse)new CgmRacpResponseCode((CgmRacpOpCode)op, CgmRacpResult.OpCodeNotSupported)));

    private static Gen<CgmFeature> Feature { get; } =
        from features in Flags<CgmFeatures>(0x01FFFF)
        from type in Defined<CgmType>()
        from location in Defined<CgmSampleLocation>()
        select new CgmFeature(features, type, location);

    // Printable text and the rest of the BMP and beyond, but never a trailing NUL (padding, which decoding drops) nor a lone surrogate.
    private static Gen<string> DeviceText { get; } = Gen.Choose(0, 40).SelectMany(
        length => Gen.ArrayOf(Gen.Frequency((6, Gen.Choose(0x20, 0x7E)), (2, Gen.Choose(0x01, 0xD7FF)), (1, Gen.Choose(0x10000, 0x10FFFF))), length),
        (_, points) => string.Concat(points.Select(char.ConvertFromUtf32)));

    public static IEnumerable<ICodecProperty> All()
    {
        foreach (var e2e in Settings)
        {
            var tag = e2e.CrcPresent ? $"E2E {e2e.Variant}" : "no E2E";
            yield return new CodecProperty<IReadOnlyList<CgmMeasurement>>(
                $"CGM measurement ({tag})", Gen.NonEmptyListOf(Measurement).Select(l => (IReadOnlyList<CgmMeasurement>)[.. l.Take(3)]),
                b => CgmMeasurementCodec.Decode(b, e2e), r => CgmMeasurementCodec.Encode(r, e2e));
            yield return new CodecProperty<CgmStatus>(
                $"CGM status ({tag})",
                from t in AnyUInt16 from s in Flags<CgmStatusAnnunciation>(0x3F) from c in Flags<CgmCalTempAnnunciation>(0x7F) from w in Flags<CgmWarningAnnunciation>(0xFF)
                select new CgmStatus(t, s, c, w),
                b => CgmStatusCodec.Decode(b, e2e), s => CgmStatusCodec.Encode(s, e2e));
            yield return new CodecProperty<CgmSessionStartTime>($"CGM session start time ({tag})", StartTime, b => CgmSessionStartTimeCodec.Decode(b, e2e), s => CgmSessionStartTimeCodec.Encode(s, e2e));
            yield return new CodecProperty<CgmSessionRunTime>(
                $"CGM session run time ({tag})", AnyUInt16.Select(h => new CgmSessionRunTime(h)), b => CgmSessionRunTimeCodec.Decode(b, e2e), r => CgmSessionRunTimeCodec.Encode(r, e2e));
            yield return new CodecProperty<CgmSpecificOpsRequest>(
                $"CGM specific ops request ({tag})", SpecificOpsRequest, b => CgmSpecificOpsCodec.DecodeRequest(b, e2e), r => CgmSpecificOpsCodec.EncodeRequest(r, e2e));
            yield return new CodecProperty<CgmSpecificOpsResponse>(
                $"CGM specific ops response ({tag})", SpecificOpsResponse, b => CgmSpecificOpsCodec.DecodeResponse(b, e2e), r => CgmSpecificOpsCodec.EncodeResponse(r, e2e));
        }

        foreach (var variant in Enum.GetValues<E2eCrcVariant>())
        {
            yield return new CodecProperty<CgmFeature>($"CGM feature ({variant})", Feature, b => CgmFeatureCodec.Decode(b, variant), f => CgmFeatureCodec.Encode(f, variant));
        }

        yield return new CodecProperty<CgmRacpRequest>("CGM RACP request", RacpRequest, b => CgmRacpCodec.DecodeRequest(b), CgmRacpCodec.EncodeRequest);
        yield return new CodecProperty<CgmRacpResponse>("CGM RACP response", RacpResponse, b => CgmRacpCodec.DecodeResponse(b), CgmRacpCodec.EncodeResponse);
        yield return new CodecProperty<string>("Device Information string", DeviceText, b => DeviceInformationCodec.DecodeString(b), DeviceInformationCodec.EncodeString);
        yield return new CodecProperty<GattSystemId>(
            "Device Information system ID",
            from manufacturer in Gen.Two(AnyUInt32) from oui in AnyUInt32
            select new GattSystemId(((ulong)manufacturer.Item1 | ((ulong)manufacturer.Item2 << 32)) & 0xFF_FFFF_FFFF, oui & 0xFF_FFFF),
            b => DeviceInformationCodec.DecodeSystemId(b), DeviceInformationCodec.EncodeSystemId);
        yield return new CodecProperty<byte>("Battery level", Gen.Choose(0, 100).Select(p => (byte)p), b => DeviceInformationCodec.DecodeBatteryLevel(b), DeviceInformationCodec.EncodeBatteryLevel);
    }

    public static TheoryData<string> Names => [.. All().Select(c => c.Name)];

    [Theory]
    [MemberData(nameof(Names))]
    public void Encoding_a_valid_value_and_decoding_it_gives_it_back_and_the_same_bytes_again(string codec) =>
        All().Single(c => c.Name == codec).RoundTrips(Cases);

    [Theory]
    [MemberData(nameof(Names))]
    public void Any_bytes_decode_or_fail_with_the_typed_error(string codec) =>
        All().Single(c => c.Name == codec).DecodesOrFailsTyped(Cases);
}
