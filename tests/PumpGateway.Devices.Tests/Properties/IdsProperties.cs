using FsCheck;
using FsCheck.Fluent;
using PumpGateway.Codecs;
using PumpGateway.Devices.Ids;
using static PumpGateway.Devices.Tests.Properties.ValidValues;

namespace PumpGateway.Devices.Tests.Properties;

/// <summary>
/// Every IDS value in every dialect: status, annunciation, features, status reader and command control point
/// requests and responses, command data, RACP, every history event, and the E2E trailer (CRC and counter) around them.
/// </summary>
public sealed class IdsProperties
{
    private const int Cases = 1500;

    private static readonly (string Name, IdsDialect Dialect)[] Dialects =
    [
        ("specification", IdsDialect.Specification),
        ("specification with E2E", IdsDialect.SpecificationWithE2e),
        ("MiniMed 700", IdsDialect.MedtronicMiniMed700),
        ("E2E CCITT-FALSE, FLOAT insulin", new IdsDialect(E2eProtection: true, CrcVariant: E2eCrcVariant.CcittFalse, InsulinAsFloat: true)),
    ];

    private static Gen<ushort?> OptionalWord { get; } = OrNull(AnyUInt16);

    private static Gen<byte?> OptionalByte { get; } = OrNull(AnyByte);

    private static Gen<IdsDateTime> DateTime { get; } =
        from year in Gen.Frequency((1, Gen.Constant(0)), (6, Gen.Choose(1582, 9999)))
        from month in Gen.Choose(0, 12)
        from day in Gen.Choose(0, 31)
        from hours in Gen.Choose(0, 23)
        from minutes in Gen.Choose(0, 59)
        from seconds in Gen.Choose(0, 59)
        select new IdsDateTime((ushort)year, (byte)month, (byte)day, (byte)hours, (byte)minutes, (byte)seconds);

    private static Gen<IdsAnnunciation> Annunciation { get; } =
        from id in AnyUInt16
        from type in Defined<IdsAnnunciationType>()
        from state in Defined<IdsAnnunciationState>()
        from aux in Gen.ArrayOf(OptionalWord, 5)
        select new IdsAnnunciation(id, type, state, aux[0], aux[1], aux[2], aux[3], aux[4]);

    /// <summary>Three standard octets (bits 16-22 reserved), then extension octets each announced by bit 7 of the one before, eight at most.</summary>
    private static Gen<ulong> FeatureFlags { get; } = Gen.Choose(3, 8).SelectMany(
        octets => Gen.ArrayOf(AnyByte, octets),
        (octets, raw) =>
        {
            ulong flags = 0;
            for (var i = 0; i < octets; i++)
            {
                var octet = i == 2 ? (byte)0 : raw[i];
                octet = i >= 2 && i < octets - 1 ? (byte)(octet | 0x80) : i >= 2 ? (byte)(octet & 0x7F) : octet;
                flags |= (ulong)octet << (8 * i);
            }

            return flags;
        });

    private static Gen<IdsFeatures> Features { get; } = FeatureFlags.SelectMany(
        flags => ((IdsFeatureFlags)(uint)(flags & 0xFF_FFFF)).HasFlag(IdsFeatureFlags.E2eProtectionSupported) ? AnyByte : Gen.Constant((byte)0),
        (flags, counter) => (flags, counter)).SelectMany(p => SFloat, (p, concentration) => new IdsFeatures(p.counter, concentration, p.flags));

    private static Gen<IdsStatusReaderRequest> StatusReaderRequest { get; } = Gen.OneOf(
        Gen.Elements<IdsStatusReaderRequest>(new IdsGetActiveBolusIds(), new IdsGetActiveBasalRateDelivery(), new IdsGetTotalDailyInsulinStatus(), new IdsGetDeliveredInsulin(), new IdsGetInsulinOnBoard()),
        AnyUInt16.SelectMany(_ => Defined<IdsBolusValueSelection>(), (id, selection) => (IdsStatusReaderRequest)new IdsGetActiveBolusDelivery(id, selection)),
        Defined<IdsCounterType>().SelectMany(_ => Defined<IdsCounterValueSelection>(), (type, selection) => (IdsStatusReaderRequest)new IdsGetCounter(type, selection)));

    private static readonly IdsStatusReaderOpCode[] StatusReaderRequestOpCodes =
    [
        IdsStatusReaderOpCode.GetActiveBolusIds, IdsStatusReaderOpCode.GetActiveBolusDelivery, IdsStatusReaderOpCode.GetActiveBasalRateDelivery,
        IdsStatusReaderOpCode.GetTotalDailyInsulinStatus, IdsStatusReaderOpCode.GetCounter, IdsStatusReaderOpCode.GetDeliveredInsulin, IdsStatusReaderOpCode.GetInsulinOnBoard,
    ];

    private static Gen<IdsStatusReaderResponse> StatusReaderResponse(IdsDialect dialect)
    {
        var insulin = Insulin(dialect);
        return Gen.OneOf(
            Gen.Elements(StatusReaderRequestOpCodes).SelectMany(_ => Defined<IdsStatusReaderResponseCode>(), (op, code) => (IdsStatusReaderResponse)new IdsStatusReaderResult(op, code)),
            Gen.Choose(0, 7).SelectMany(n => Gen.ArrayOf(AnyUInt16, n), (_, ids) => (IdsStatusReaderResponse)new IdsActiveBolusIds(new IdsList<ushort>(ids))),
            from id in AnyUInt16
            from type in Defined<IdsBolusType>()
            from fast in insulin
            from extended in insulin
            from duration in AnyUInt16
            from delay in OptionalWord
            from template in OptionalByte
            from activation in DefinedOrNull<IdsBolusActivationType>()
            from correction in Bool
            from meal in Bool
            select (IdsStatusReaderResponse)new IdsActiveBolusDelivery(id, type, fast, extended, duration, delay, template, activation, correction, meal),
            from template in AnyByte
            from rate in insulin
            from tbr in Gen.OneOf(Gen.Constant<IdsActiveTbr?>(null), Defined<IdsTbrType>().SelectMany(_ => insulin, (t, v) => (t, v)).SelectMany(_ => Gen.Two(AnyUInt16), (tv, d) => (IdsActiveTbr?)new IdsActiveTbr(tv.t, tv.v, d.Item1, d.Item2)))
            from tbrTemplate in tbr is null ? Gen.Constant<byte?>(null) : OptionalByte
            from context in DefinedOrNull<IdsDeliveryContext>()
            select (IdsStatusReaderResponse)new IdsActiveBasalRateDelivery(template, rate, tbr, tbrTemplate, context),
            Gen.Three(insulin).Select(t => (IdsStatusReaderResponse)new IdsTotalDailyInsulinStatus(t.Item1, t.Item2, t.Item3)),
            from type in Defined<IdsCounterType>() from selection in Defined<IdsCounterValueSelection>() from value in AnyInt32
            select (IdsStatusReaderResponse)new IdsCounterValue(type, selection, value),
            Gen.Two(Float).Select(p => (IdsStatusReaderResponse)new IdsDeliveredInsulin(p.Item1, p.Item2)),
            insulin.SelectMany(_ => OptionalWord, (amount, remaining) => (IdsStatusReaderResponse)new IdsInsulinOnBoard(amount, remaining)));
    }

    private static Gen<IdsCommandRequest> CommandRequest { get; } = Gen.OneOf(
        Gen.Elements(IdsProfile.BasalRate, IdsProfile.Isf, IdsProfile.I2ChoRatio).SelectMany(_ => AnyByte, (profile, n) => (IdsCommandRequest)new IdsReadProfileTemplate(profile, n)),
        AnyByte.Select(n => (IdsCommandRequest)new IdsReadTargetGlucoseRangeProfileTemplate(n)),
        AnyByte.Select(n => (IdsCommandRequest)new IdsGetTbrTemplate(n)),
        AnyByte.Select(n => (IdsCommandRequest)new IdsGetBolusTemplate(n)),
        Gen.Elements<IdsCommandRequest>(new IdsGetAvailableBoluses(), new IdsGetTemplateStatusAndDetails(), new IdsGetActivatedProfileTemplates(), new IdsGetMaxBolusAmount()));

    private static readonly IdsCommandOpCode[] CommandRequestOpCodes =
    [
        IdsCommandOpCode.ReadBasalRateProfileTemplate, IdsCommandOpCode.GetTbrTemplate, IdsCommandOpCode.GetAvailableBoluses, IdsCommandOpCode.GetBolusTemplate,
        IdsCommandOpCode.GetTemplateStatusAndDetails, IdsCommandOpCode.GetActivatedProfileTemplates, IdsCommandOpCode.ReadIsfProfileTemplate,
        IdsCommandOpCode.ReadI2ChoRatioProfileTemplate, IdsCommandOpCode.ReadTargetGlucoseRangeProfileTemplate, IdsCommandOpCode.GetMaxBolusAmount,
    ];

    private static Gen<IdsCommandResponse> CommandResponse(IdsDialect dialect)
    {
        var insulin = Insulin(dialect);
        return Gen.OneOf(
            Gen.Elements(CommandRequestOpCodes).SelectMany(_ => Defined<IdsCommandResponseCode>(), (op, code) => (IdsCommandResponse)new IdsCommandResult(op, code)),
            from n in AnyByte from type in Defined<IdsTbrType>() from value in insulin from duration in AnyUInt16
            select (IdsCommandResponse)new IdsTbrTemplate(n, type, value, duration),
            Gen.Three(Bool).Select(b => (IdsCommandResponse)new IdsAvailableBoluses(b.Item1, b.Item2, b.Item3)),
            from n in AnyByte
            from type in Defined<IdsBolusType>()
            from fast in insulin
            from extended in insulin
            from duration in AnyUInt16
            from delay in OptionalWord
            from correction in Bool
            from meal in Bool
            select (IdsCommandResponse)new IdsBolusTemplate(n, type, fast, extended, duration, delay, correction, meal),
            Gen.Choose(0, 12).SelectMany(n => Gen.ArrayOf(AnyByte, n), (_, numbers) => (IdsCommandResponse)new IdsActivatedProfileTemplates(new IdsList<byte>(numbers))),
            insulin.Select(amount => (IdsCommandResponse)new IdsMaxBolusAmount(amount)));
    }

    private static Gen<IdsCommandData> CommandData(IdsDialect dialect) => Gen.OneOf(
        from profile in Gen.Elements(IdsProfile.BasalRate, IdsProfile.Isf, IdsProfile.I2ChoRatio)
        from template in AnyByte
        from first in AnyByte
        from count in Gen.Choose(1, 3)
        from blocks in Gen.ArrayOf(AnyUInt16.SelectMany(_ => profile == IdsProfile.BasalRate ? Insulin(dialect) : SFloat, (d, v) => new IdsTimeBlock(d, v)), count)
        select (IdsCommandData)new IdsProfileTemplateTimeBlocks(profile, template, first, new IdsList<IdsTimeBlock>(blocks)),
        from template in AnyByte
        from first in AnyByte
        from count in Gen.Choose(1, 2)
        from blocks in Gen.ArrayOf(from d in AnyUInt16 from low in SFloat from high in SFloat select new IdsTargetGlucoseTimeBlock(d, low, high), count)
        select (IdsCommandData)new IdsTargetGlucoseRangeTimeBlocks(template, first, new IdsList<IdsTargetGlucoseTimeBlock>(blocks)),
        from type in Defined<IdsTemplateType>()
        from start in AnyByte
        from maxBlocks in AnyByte
        from count in Gen.Choose(0, 20)
        from templates in Gen.ArrayOf(Gen.Two(Bool).Select(p => new IdsTemplateConfiguration(p.Item1, p.Item2)), count)
        select (IdsCommandData)new IdsTemplateStatusAndDetails(type, start, maxBlocks, new IdsList<IdsTemplateConfiguration>(templates)));

    private static Gen<IdsRacpRequest> RacpRequest { get; } = Gen.OneOf(
        Gen.Constant(IdsRacpRequest.Abort()),
        from op in Gen.Elements(IdsRacpOpCode.ReportStoredRecords, IdsRacpOpCode.ReportNumberOfStoredRecords)
        from oper in Gen.Elements(Enum.GetValues<IdsRacpOperator>().Where(o => o != IdsRacpOperator.Null).ToArray())
        from filter in Defined<IdsRacpFilterType>()
        from a in AnyUInt32
        from b in AnyUInt32
        select oper switch
        {
            IdsRacpOperator.LessThanOrEqualTo or IdsRacpOperator.GreaterThanOrEqualTo => new IdsRacpRequest(op, oper, filter, a),
            IdsRacpOperator.WithinRangeOf => new IdsRacpRequest(op, oper, filter, Math.Min(a, b), Math.Max(a, b)),
            _ => new IdsRacpRequest(op, oper),
        });

    private static Gen<IdsRacpResponse> RacpResponse { get; } = Gen.OneOf(
        AnyUInt32.Select(count => (IdsRacpResponse)new IdsRacpRecordCount(count)),
        Gen.Elements(IdsRacpOpCode.ReportStoredRecords, IdsRacpOpCode.AbortOperation, IdsRacpOpCode.ReportNumberOfStoredRecords)
            .SelectMany(_ => Defined<IdsRacpResponseCode>(), (op, code) => (IdsRacpResponse)new IdsRacpResult(op, code)));

    /// <summary>One generator per history event type, so each type is drawn as often as the others.</summary>
    private static Gen<IdsHistoryEvent> History(IdsDialect dialect)
    {
        var insulin = Insulin(dialect);
        var head = Gen.Two(AnyUInt32.Select(v => v)).Select(p => (Seq: p.Item1, Rel: (ushort)p.Item2));
        Gen<IdsHistoryEvent> Of<TPayload>(Gen<TPayload> payload, Func<uint, ushort, TPayload, IdsHistoryEvent> make) =>
            head.SelectMany(_ => payload, (h, p) => make(h.Seq, h.Rel, p));
        var bolusPart1 = from id in AnyUInt16 from type in Defined<IdsBolusType>() from fast in insulin from extended in insulin from duration in AnyUInt16 select (id, type, fast, extended, duration);
        var zone = Gen.Frequency((1, Gen.Constant((int)IdsReferenceTimeEvent.UnknownTimeZone)), (6, Gen.Choose(-48, 56))).Select(z => (sbyte)z);
        return Gen.OneOf(
            Of(from r in Defined<IdsRecordingReason>() from t in DateTime from z in zone from d in Defined<IdsDstOffset>() select (r, t, z, d),
                (s, o, p) => new IdsReferenceTimeEvent(s, o, p.r, p.t, p.z, p.d)),
            Of(from r in Defined<IdsRecordingReason>() from t in DateTime from offset in AnyUInt16 select (r, t, offset),
                (s, o, p) => new IdsReferenceTimeBaseOffsetEvent(s, o, p.r, p.t, (short)p.offset)),
            Of(Gen.Four(insulin), (s, o, p) => new IdsBolusCalculatedPart1Event(s, o, p.Item1, p.Item2, p.Item3, p.Item4)),
            Of(Gen.Four(insulin), (s, o, p) => new IdsBolusCalculatedPart2Event(s, o, p.Item1, p.Item2, p.Item3, p.Item4)),
            Of(bolusPart1, (s, o, p) => new IdsBolusProgrammedPart1Event(s, o, p.id, p.type, p.fast, p.extended, p.duration)),
            Of(from delay in OptionalWord from template in OptionalByte from activation in DefinedOrNull<IdsBolusActivationType>() from c in Bool from m in Bool select (delay, template, activation, c, m),
                (s, o, p) => new IdsBolusProgrammedPart2Event(s, o, p.delay, p.template, p.activation, p.c, p.m)),
            Of(bolusPart1, (s, o, p) => new IdsBolusDeliveredPart1Event(s, o, p.id, p.type, p.fast, p.extended, p.duration)),
            Of(from start in AnyUInt32 from activation in DefinedOrNull<IdsBolusActivationType>() from end in DefinedOrNull<IdsBolusEndReason>() from annunciation in OptionalWord select (start, activation, end, annunciation),
                (s, o, p) => new IdsBolusDeliveredPart2Event(s, o, p.start, p.activation, p.end, p.annunciation)),
            Of(from old in insulin from @new in insulin from context in DefinedOrNull<IdsDeliveryContext>() select (old, @new, context),
                (s, o, p) => new IdsDeliveredBasalRateChangedEvent(s, o, p.old, p.@new, p.context)),
            Of(from type in Defined<IdsTbrType>() from value in insulin from duration in AnyUInt16 from template in OptionalByte from context in DefinedOrNull<IdsDeliveryContext>() select (type, value, duration, template, context),
                (s, o, p) => new IdsTbrAdjustmentStartedEvent(s, o, p.type, p.value, p.duration, p.template, p.context)),
            Of(from type in Defined<IdsTbrType>() from duration in AnyUInt16 from end in Defined<IdsTbrEndReason>() from template in OptionalByte from annunciation in OptionalWord select (type, duration, end, template, annunciation),
                (s, o, p) => new IdsTbrAdjustmentEndedEvent(s, o, p.type, p.duration, p.end, p.template, p.annunciation)),
            Of(from type in Defined<IdsTbrType>() from value in insulin from durations in Gen.Two(AnyUInt16) from template in OptionalByte from context in DefinedOrNull<IdsDeliveryContext>() select (type, value, durations, template, context),
                (s, o, p) => new IdsTbrAdjustmentChangedEvent(s, o, p.type, p.value, p.durations.Item1, p.durations.Item2, p.template, p.context)),
            Of(from type in Defined<IdsProfileTemplateType>() from numbers in Gen.Two(AnyByte) select (type, numbers),
                (s, o, p) => new IdsProfileTemplateActivatedEvent(s, o, p.type, p.numbers.Item1, p.numbers.Item2)),
            Of(from n in Gen.Two(AnyByte) from duration in AnyUInt16 from rate in insulin select (n, duration, rate),
                (s, o, p) => new IdsBasalRateProfileTemplateTimeBlockChangedEvent(s, o, p.n.Item1, p.n.Item2, p.duration, p.rate)),
            Of(from totals in Gen.Two(insulin) from year in Gen.Frequency((1, Gen.Constant(0)), (6, Gen.Choose(1582, 9999))) from month in Gen.Choose(0, 12) from day in Gen.Choose(0, 31) from warning in Bool
               select (totals, year, month, day, warning),
                (s, o, p) => new IdsTotalDailyInsulinDeliveryEvent(s, o, p.totals.Item1, p.totals.Item2, (ushort)p.year, (byte)p.month, (byte)p.day, p.warning)),
            Of(Gen.Two(Defined<IdsTherapyControlState>()), (s, o, p) => new IdsTherapyControlStateChangedEvent(s, o, p.Item1, p.Item2)),
            Of(Gen.Two(Defined<IdsOperationalState>()), (s, o, p) => new IdsOperationalStateChangedEvent(s, o, p.Item1, p.Item2)),
            Of(insulin, (s, o, p) => new IdsReservoirRemainingAmountChangedEvent(s, o, p)),
            Of(from id in AnyUInt16 from type in Defined<IdsAnnunciationType>() from state in Defined<IdsAnnunciationState>() from aux in Gen.Two(OptionalWord) select (id, type, state, aux),
                (s, o, p) => new IdsAnnunciationStatusChangedPart1Event(s, o, p.id, p.type, p.state, p.aux.Item1, p.aux.Item2)),
            Of(Gen.Three(OptionalWord), (s, o, p) => new IdsAnnunciationStatusChangedPart2Event(s, o, p.Item1, p.Item2, p.Item3)),
            Of(from n in Gen.Two(AnyByte) from duration in AnyUInt16 from isf in SFloat select (n, duration, isf),
                (s, o, p) => new IdsIsfProfileTemplateTimeBlockChangedEvent(s, o, p.n.Item1, p.n.Item2, p.duration, p.isf)),
            Of(from n in Gen.Two(AnyByte) from duration in AnyUInt16 from ratio in SFloat select (n, duration, ratio),
                (s, o, p) => new IdsI2ChoRatioProfileTemplateTimeBlockChangedEvent(s, o, p.n.Item1, p.n.Item2, p.duration, p.ratio)),
            Of(from n in Gen.Two(AnyByte) from duration in AnyUInt16 from limits in Gen.Two(SFloat) select (n, duration, limits),
                (s, o, p) => new IdsTargetGlucoseRangeProfileTemplateTimeBlockChangedEvent(s, o, p.n.Item1, p.n.Item2, p.duration, p.limits.Item1, p.limits.Item2)),
            Of(insulin, (s, o, p) => new IdsPrimingStartedEvent(s, o, p)),
            Of(from amount in insulin from reason in Defined<IdsPrimingTerminationReason>() from annunciation in OptionalWord select (amount, reason, annunciation),
                (s, o, p) => new IdsPrimingDoneEvent(s, o, p.amount, p.reason, p.annunciation)),
            Of(Gen.Constant(0), (s, o, _) => new IdsDataCorruptionEvent(s, o)),
            Of(Gen.Constant(0), (s, o, _) => new IdsPointerEvent(s, o)),
            Of(from n in AnyByte from type in Defined<IdsBolusType>() from fast in insulin from extended in insulin from duration in AnyUInt16 select (n, type, fast, extended, duration),
                (s, o, p) => new IdsBolusTemplateChangedPart1Event(s, o, p.n, p.type, p.fast, p.extended, p.duration)),
            Of(from delay in OptionalWord from c in Bool from m in Bool select (delay, c, m), (s, o, p) => new IdsBolusTemplateChangedPart2Event(s, o, p.delay, p.c, p.m)),
            Of(from n in AnyByte from type in Defined<IdsTbrType>() from value in insulin from duration in AnyUInt16 select (n, type, value, duration),
                (s, o, p) => new IdsTbrTemplateChangedEvent(s, o, p.n, p.type, p.value, p.duration)),
            Of(Gen.Two(insulin), (s, o, p) => new IdsMaxBolusAmountChangedEvent(s, o, p.Item1, p.Item2)));
    }

    private static Gen<MedicalFloat> Insulin(IdsDialect dialect) => dialect.InsulinAsFloat ? Float : SFloat;

    /// <summary>With E2E protection on, a value carries its counter (any octet: the codec does not judge the sequence); off, it carries none.</summary>
    private static Gen<T> Counted<T>(Gen<T> values, IdsDialect dialect)
        where T : IdsE2eProtectedValue =>
        dialect.E2eProtection ? values.SelectMany(_ => AnyByte, (value, counter) => (T)(value with { E2eCounter = counter })) : values;

    public static IEnumerable<ICodecProperty> All()
    {
        foreach (var (tag, d) in Dialects)
        {
            yield return new CodecProperty<IdsStatusChanged>($"status changed ({tag})", Counted(Flags<IdsStatusChangedFlags>(0xFF).Select(f => new IdsStatusChanged(f)), d),
                b => IdsStatusChangedCodec.Decode(b, d), r => IdsStatusChangedCodec.Encode(r, d));
            yield return new CodecProperty<IdsStatus>(
                $"status ({tag})",
                Counted(from t in Defined<IdsTherapyControlState>() from o in Defined<IdsOperationalState>() from r in Insulin(d) from a in Bool select new IdsStatus(t, o, r, a), d),
                b => IdsStatusCodec.Decode(b, d), r => IdsStatusCodec.Encode(r, d));
            yield return new CodecProperty<IdsAnnunciationStatus>(
                $"annunciation status ({tag})", Counted(OrNullReference(Annunciation).Select(a => new IdsAnnunciationStatus(a)), d),
                b => IdsAnnunciationStatusCodec.Decode(b, d), r => IdsAnnunciationStatusCodec.Encode(r, d));
            yield return new CodecProperty<IdsFeatures>($"features ({tag})", Features, b => IdsFeaturesCodec.Decode(b, d), r => IdsFeaturesCodec.Encode(r, d));
            yield return new CodecProperty<IdsStatusReaderRequest>($"status reader request ({tag})", Counted(StatusReaderRequest, d),
                b => IdsStatusReaderCodec.DecodeRequest(b, d), r => IdsStatusReaderCodec.Encode(r, d));
            yield return new CodecProperty<IdsStatusReaderResponse>($"status reader response ({tag})", Counted(StatusReaderResponse(d), d),
                b => IdsStatusReaderCodec.DecodeResponse(b, d), r => IdsStatusReaderCodec.Encode(r, d));
            yield return new CodecProperty<IdsCommandRequest>($"command request ({tag})", Counted(CommandRequest, d),
                b => IdsCommandControlPointCodec.DecodeRequest(b, d), r => IdsCommandControlPointCodec.Encode(r, d));
            yield return new CodecProperty<IdsCommandResponse>($"command response ({tag})", Counted(CommandResponse(d), d),
                b => IdsCommandControlPointCodec.DecodeResponse(b, d), r => IdsCommandControlPointCodec.Encode(r, d));
            yield return new CodecProperty<IdsCommandData>($"command data ({tag})", Counted(CommandData(d), d), b => IdsCommandDataCodec.Decode(b, d), r => IdsCommandDataCodec.Encode(r, d));
            yield return new CodecProperty<IdsRacpRequest>($"RACP request ({tag})", Counted(RacpRequest, d), b => IdsRacpCodec.DecodeRequest(b, d), r => IdsRacpCodec.Encode(r, d));
            yield return new CodecProperty<IdsRacpResponse>($"RACP response ({tag})", Counted(RacpResponse, d), b => IdsRacpCodec.DecodeResponse(b, d), r => IdsRacpCodec.Encode(r, d));
            yield return new CodecProperty<IdsHistoryEvent>($"history event ({tag})", History(d), b => IdsHistoryCodec.Decode(b, d), r => IdsHistoryCodec.Encode(r, d));
        }
    }

    private static Gen<T?> OrNullReference<T>(Gen<T> values)
        where T : class => Gen.Frequency((1, Gen.Constant<T?>(null)), (3, values.Select(v => (T?)v)));

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
