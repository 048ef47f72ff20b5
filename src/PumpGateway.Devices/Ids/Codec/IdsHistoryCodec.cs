using PumpGateway.Protocol;

namespace PumpGateway.Devices.Ids;

/// <summary>
/// IDD History Data (0x2B28): event type (uint16), sequence number (uint32), relative offset
/// (uint16, seconds), event data, then — with E2E protection — an E2E-CRC but no E2E-Counter.
/// An event type the specification does not define (including manufacturers' own) is
/// <see cref="ProtocolErrorKind.UnknownRecordType"/>: rejected, never guessed.
/// </summary>
public static class IdsHistoryCodec
{
    public const int HeaderSize = 8;
    private const sbyte MinTimeZone = -48, MaxTimeZone = 56;

    public static IdsHistoryEvent Decode(ReadOnlySpan<byte> value, IdsDialect dialect)
    {
        var reader = new IdsReader(IdsE2e.Open(value, dialect, hasCounter: false, out _));
        var raw = reader.U16("event type");
        var type = (IdsHistoryEventType)raw;
        if (!Enum.IsDefined(type))
        {
            throw new ProtocolException(ProtocolErrorKind.UnknownRecordType, 0, $"history event type 0x{raw:x4} is not defined by the specification");
        }

        var sequence = reader.U32("sequence number");
        var relative = reader.U16("relative offset");
        var historyEvent = ReadData(ref reader, type, sequence, relative, dialect);
        reader.End($"{type} event");
        return historyEvent;
    }

    public static byte[] Encode(IdsHistoryEvent historyEvent, IdsDialect dialect)
    {
        var writer = new IdsWriter().Enum16(historyEvent.EventType, "event type").U32(historyEvent.SequenceNumber).U16(historyEvent.RelativeOffsetSeconds);
        WriteData(writer, historyEvent, dialect);
        return IdsE2e.Seal(writer, dialect, counter: null, hasCounter: false);
    }

    private static IdsHistoryEvent ReadData(ref IdsReader r, IdsHistoryEventType type, uint seq, ushort rel, IdsDialect d)
    {
        switch (type)
        {
            case IdsHistoryEventType.ReferenceTime:
                return new IdsReferenceTimeEvent(seq, rel, r.Enum8<IdsRecordingReason>("recording reason"), IdsDateTime.Read(ref r), ReadTimeZone(ref r), r.Enum8<IdsDstOffset>("DST offset"));
            case IdsHistoryEventType.ReferenceTimeBaseOffset:
                return new IdsReferenceTimeBaseOffsetEvent(seq, rel, r.Enum8<IdsRecordingReason>("recording reason"), IdsDateTime.Read(ref r), r.S16("time offset"));
            case IdsHistoryEventType.BolusCalculatedPart1:
                return new IdsBolusCalculatedPart1Event(seq, rel, r.Insulin(d, "meal fast"), r.Insulin(d, "meal extended"), r.Insulin(d, "correction fast"), r.Insulin(d, "correction extended"));
            case IdsHistoryEventType.BolusCalculatedPart2:
                return new IdsBolusCalculatedPart2Event(seq, rel, r.Insulin(d, "meal fast"), r.Insulin(d, "meal extended"), r.Insulin(d, "correction fast"), r.Insulin(d, "correction extended"));
            case IdsHistoryEventType.BolusProgrammedPart1:
                return new IdsBolusProgrammedPart1Event(seq, rel, r.U16("bolus id"), r.Enum8<IdsBolusType>("bolus type"), r.Insulin(d, "programmed fast amount"), r.Insulin(d, "programmed extended amount"), r.U16("effective duration"));
            case IdsHistoryEventType.BolusProgrammedPart2:
            {
                var flags = r.Flags(0x1F, "bolus programmed flags");
                return new IdsBolusProgrammedPart2Event(
                    seq,
                    rel,
                    Has(flags, 0) ? r.U16("bolus delay time") : null,
                    Has(flags, 1) ? r.U8("bolus template number") : null,
                    Has(flags, 2) ? r.Enum8<IdsBolusActivationType>("bolus activation type") : null,
                    Has(flags, 3),
                    Has(flags, 4));
            }

            case IdsHistoryEventType.BolusDeliveredPart1:
                return new IdsBolusDeliveredPart1Event(seq, rel, r.U16("bolus id"), r.Enum8<IdsBolusType>("bolus type"), r.Insulin(d, "delivered fast amount"), r.Insulin(d, "delivered extended amount"), r.U16("effective duration"));
            case IdsHistoryEventType.BolusDeliveredPart2:
            {
                var flags = r.Flags(0x07, "bolus delivered flags");
                return new IdsBolusDeliveredPart2Event(
                    seq,
                    rel,
                    r.U32("bolus start time offset"),
                    Has(flags, 0) ? r.Enum8<IdsBolusActivationType>("bolus activation type") : null,
                    Has(flags, 1) ? r.Enum8<IdsBolusEndReason>("bolus end reason") : null,
                    Has(flags, 2) ? r.U16("annunciation instance id") : null);
            }

            case IdsHistoryEventType.DeliveredBasalRateChanged:
            {
                var flags = r.Flags(0x01, "basal rate changed flags");
                return new IdsDeliveredBasalRateChangedEvent(seq, rel, r.Insulin(d, "old basal rate"), r.Insulin(d, "new basal rate"), Has(flags, 0) ? r.Enum8<IdsDeliveryContext>("basal delivery context") : null);
            }

            case IdsHistoryEventType.TbrAdjustmentStarted:
            {
                var flags = r.Flags(0x03, "TBR started flags");
                return new IdsTbrAdjustmentStartedEvent(
                    seq,
                    rel,
                    r.Enum8<IdsTbrType>("TBR type"),
                    r.Insulin(d, "TBR adjustment value"),
                    r.U16("TBR duration programmed"),
                    Has(flags, 0) ? r.U8("TBR template number") : null,
                    Has(flags, 1) ? r.Enum8<IdsDeliveryContext>("TBR delivery context") : null);
            }

            case IdsHistoryEventType.TbrAdjustmentEnded:
            {
                var flags = r.Flags(0x03, "TBR ended flags");
                return new IdsTbrAdjustmentEndedEvent(
                    seq,
                    rel,
                    r.Enum8<IdsTbrType>("last set TBR type"),
                    r.U16("effective TBR duration"),
                    r.Enum8<IdsTbrEndReason>("TBR end reason"),
                    Has(flags, 0) ? r.U8("last set TBR template number") : null,
                    Has(flags, 1) ? r.U16("annunciation instance id") : null);
            }

            case IdsHistoryEventType.TbrAdjustmentChanged:
            {
                var flags = r.Flags(0x03, "TBR changed flags");
                return new IdsTbrAdjustmentChangedEvent(
                    seq,
                    rel,
                    r.Enum8<IdsTbrType>("TBR type"),
                    r.Insulin(d, "TBR adjustment value"),
                    r.U16("TBR duration programmed"),
                    r.U16("TBR duration elapsed"),
                    Has(flags, 0) ? r.U8("TBR template number") : null,
                    Has(flags, 1) ? r.Enum8<IdsDeliveryContext>("TBR delivery context") : null);
            }

            case IdsHistoryEventType.ProfileTemplateActivated:
                return new IdsProfileTemplateActivatedEvent(seq, rel, r.Enum8<IdsProfileTemplateType>("profile template type"), r.U8("old template number"), r.U8("new template number"));
            case IdsHistoryEventType.BasalRateProfileTemplateTimeBlockChanged:
                return new IdsBasalRateProfileTemplateTimeBlockChangedEvent(seq, rel, r.U8("template number"), r.U8("time block number"), r.U16("duration"), r.Insulin(d, "basal rate"));
            case IdsHistoryEventType.TotalDailyInsulinDelivery:
            {
                var flags = r.Flags(0x01, "total daily insulin flags");
                var totalDaily = new IdsTotalDailyInsulinDeliveryEvent(seq, rel, r.Insulin(d, "total bolus"), r.Insulin(d, "total basal"), r.U16("year"), r.U8("month"), r.U8("day"), Has(flags, 0));
                if (DateProblem(totalDaily) is { } problem)
                {
                    throw new ProtocolException(ProtocolErrorKind.OutOfRange, r.Offset - 4 + problem.FieldOffset, problem.Message);
                }

                return totalDaily;
            }

            case IdsHistoryEventType.TherapyControlStateChanged:
                return new IdsTherapyControlStateChangedEvent(seq, rel, r.Enum8<IdsTherapyControlState>("old therapy control state"), r.Enum8<IdsTherapyControlState>("new therapy control state"));
            case IdsHistoryEventType.OperationalStateChanged:
                return new IdsOperationalStateChangedEvent(seq, rel, r.Enum8<IdsOperationalState>("old operational state"), r.Enum8<IdsOperationalState>("new operational state"));
            case IdsHistoryEventType.ReservoirRemainingAmountChanged:
                return new IdsReservoirRemainingAmountChangedEvent(seq, rel, r.Insulin(d, "reservoir remaining amount"));
            case IdsHistoryEventType.AnnunciationStatusChangedPart1:
            {
                var flags = r.Flags(0x03, "annunciation changed flags");
                return new IdsAnnunciationStatusChangedPart1Event(
                    seq,
                    rel,
                    r.U16("annunciation instance id"),
                    r.Enum16<IdsAnnunciationType>("annunciation type"),
                    r.Enum8<IdsAnnunciationState>("annunciation status"),
                    Has(flags, 0) ? r.U16("AuxInfo1") : null,
                    Has(flags, 1) ? r.U16("AuxInfo2") : null);
            }

            case IdsHistoryEventType.AnnunciationStatusChangedPart2:
            {
                var flags = r.Flags(0x07, "annunciation changed flags");
                return new IdsAnnunciationStatusChangedPart2Event(seq, rel, Has(flags, 0) ? r.U16("AuxInfo3") : null, Has(flags, 1) ? r.U16("AuxInfo4") : null, Has(flags, 2) ? r.U16("AuxInfo5") : null);
            }

            case IdsHistoryEventType.IsfProfileTemplateTimeBlockChanged:
                return new IdsIsfProfileTemplateTimeBlockChangedEvent(seq, rel, r.U8("template number"), r.U8("time block number"), r.U16("duration"), r.SFloat("ISF"));
            case IdsHistoryEventType.I2ChoRatioProfileTemplateTimeBlockChanged:
                return new IdsI2ChoRatioProfileTemplateTimeBlockChangedEvent(seq, rel, r.U8("template number"), r.U8("time block number"), r.U16("duration"), r.SFloat("I:CHO ratio"));
            case IdsHistoryEventType.TargetGlucoseRangeProfileTemplateTimeBlockChanged:
                return new IdsTargetGlucoseRangeProfileTemplateTimeBlockChangedEvent(seq, rel, r.U8("template number"), r.U8("time block number"), r.U16("duration"), r.SFloat("lower target glucose limit"), r.SFloat("upper target glucose limit"));
            case IdsHistoryEventType.PrimingStarted:
                return new IdsPrimingStartedEvent(seq, rel, r.Insulin(d, "programmed priming amount"));
            case IdsHistoryEventType.PrimingDone:
            {
                var flags = r.Flags(0x01, "priming done flags");
                return new IdsPrimingDoneEvent(seq, rel, r.Insulin(d, "delivered priming amount"), r.Enum8<IdsPrimingTerminationReason>("termination reason"), Has(flags, 0) ? r.U16("annunciation instance id") : null);
            }

            case IdsHistoryEventType.DataCorruption:
                return new IdsDataCorruptionEvent(seq, rel);
            case IdsHistoryEventType.PointerEvent:
                return new IdsPointerEvent(seq, rel);
            case IdsHistoryEventType.BolusTemplateChangedPart1:
                return new IdsBolusTemplateChangedPart1Event(seq, rel, r.U8("bolus template number"), r.Enum8<IdsBolusType>("bolus type"), r.Insulin(d, "bolus fast amount"), r.Insulin(d, "bolus extended amount"), r.U16("bolus duration"));
            case IdsHistoryEventType.BolusTemplateChangedPart2:
            {
                var flags = r.Flags(0x07, "bolus template changed flags");
                return new IdsBolusTemplateChangedPart2Event(seq, rel, Has(flags, 0) ? r.U16("bolus delay time") : null, Has(flags, 1), Has(flags, 2));
            }

            case IdsHistoryEventType.TbrTemplateChanged:
                return new IdsTbrTemplateChangedEvent(seq, rel, r.U8("TBR template number"), r.Enum8<IdsTbrType>("TBR type"), r.Insulin(d, "TBR adjustment value"), r.U16("TBR duration"));
            case IdsHistoryEventType.MaxBolusAmountChanged:
                return new IdsMaxBolusAmountChangedEvent(seq, rel, r.Insulin(d, "old max bolus amount"), r.Insulin(d, "new max bolus amount"));
            default:
                throw new ProtocolException(ProtocolErrorKind.UnknownRecordType, 0, $"{type} has no layout");
        }
    }

    private static void WriteData(IdsWriter w, IdsHistoryEvent historyEvent, IdsDialect d)
    {
        switch (historyEvent)
        {
            case IdsReferenceTimeEvent e:
                if (e.TimeZoneQuarterHours is < MinTimeZone or > MaxTimeZone && e.TimeZoneQuarterHours != IdsReferenceTimeEvent.UnknownTimeZone)
                {
                    throw new ArgumentException($"Time zone {e.TimeZoneQuarterHours} quarter hours is out of range.", nameof(historyEvent));
                }

                w.Enum8(e.RecordingReason, "recording reason");
                e.DateTime.Write(w);
                w.S8(e.TimeZoneQuarterHours).Enum8(e.DstOffset, "DST offset");
                break;
            case IdsReferenceTimeBaseOffsetEvent e:
                w.Enum8(e.RecordingReason, "recording reason");
                e.BaseTime.Write(w);
                w.S16(e.TimeOffsetMinutes);
                break;
            case IdsBolusCalculatedPart1Event e:
                w.Insulin(d, e.MealFast).Insulin(d, e.MealExtended).Insulin(d, e.CorrectionFast).Insulin(d, e.CorrectionExtended);
                break;
            case IdsBolusCalculatedPart2Event e:
                w.Insulin(d, e.MealFast).Insulin(d, e.MealExtended).Insulin(d, e.CorrectionFast).Insulin(d, e.CorrectionExtended);
                break;
            case IdsBolusProgrammedPart1Event e:
                w.U16(e.BolusId).Enum8(e.BolusType, "bolus type").Insulin(d, e.FastAmount).Insulin(d, e.ExtendedAmount).U16(e.DurationMinutes);
                break;
            case IdsBolusProgrammedPart2Event e:
                w.U8(Flags(e.DelayMinutes is not null, e.TemplateNumber is not null, e.ActivationType is not null, e.ForCorrection, e.ForMeal));
                Optional(w, e.DelayMinutes);
                Optional(w, e.TemplateNumber);
                Optional(w, e.ActivationType, "bolus activation type");
                break;
            case IdsBolusDeliveredPart1Event e:
                w.U16(e.BolusId).Enum8(e.BolusType, "bolus type").Insulin(d, e.FastAmount).Insulin(d, e.ExtendedAmount).U16(e.EffectiveDurationMinutes);
                break;
            case IdsBolusDeliveredPart2Event e:
                w.U8(Flags(e.ActivationType is not null, e.EndReason is not null, e.AnnunciationInstanceId is not null)).U32(e.StartTimeOffsetSeconds);
                Optional(w, e.ActivationType, "bolus activation type");
                Optional(w, e.EndReason, "bolus end reason");
                Optional(w, e.AnnunciationInstanceId);
                break;
            case IdsDeliveredBasalRateChangedEvent e:
                w.U8(Flags(e.DeliveryContext is not null)).Insulin(d, e.OldRate).Insulin(d, e.NewRate);
                Optional(w, e.DeliveryContext, "basal delivery context");
                break;
            case IdsTbrAdjustmentStartedEvent e:
                w.U8(Flags(e.TemplateNumber is not null, e.DeliveryContext is not null)).Enum8(e.TbrType, "TBR type").Insulin(d, e.AdjustmentValue).U16(e.DurationProgrammedMinutes);
                Optional(w, e.TemplateNumber);
                Optional(w, e.DeliveryContext, "TBR delivery context");
                break;
            case IdsTbrAdjustmentEndedEvent e:
                w.U8(Flags(e.LastSetTemplateNumber is not null, e.AnnunciationInstanceId is not null)).Enum8(e.LastSetTbrType, "TBR type").U16(e.EffectiveDurationMinutes).Enum8(e.EndReason, "TBR end reason");
                Optional(w, e.LastSetTemplateNumber);
                Optional(w, e.AnnunciationInstanceId);
                break;
            case IdsTbrAdjustmentChangedEvent e:
                w.U8(Flags(e.TemplateNumber is not null, e.DeliveryContext is not null)).Enum8(e.TbrType, "TBR type").Insulin(d, e.AdjustmentValue)
                    .U16(e.DurationProgrammedMinutes).U16(e.DurationElapsedMinutes);
                Optional(w, e.TemplateNumber);
                Optional(w, e.DeliveryContext, "TBR delivery context");
                break;
            case IdsProfileTemplateActivatedEvent e:
                w.Enum8(e.ProfileTemplateType, "profile template type").U8(e.OldTemplateNumber).U8(e.NewTemplateNumber);
                break;
            case IdsBasalRateProfileTemplateTimeBlockChangedEvent e:
                w.U8(e.TemplateNumber).U8(e.TimeBlockNumber).U16(e.DurationMinutes).Insulin(d, e.Rate);
                break;
            case IdsTotalDailyInsulinDeliveryEvent e:
                if (DateProblem(e) is { } problem)
                {
                    throw new ArgumentException(problem.Message, nameof(historyEvent));
                }

                w.U8(Flags(e.DateTimeChangedWarning)).Insulin(d, e.TotalBolus).Insulin(d, e.TotalBasal).U16(e.Year).U8(e.Month).U8(e.Day);
                break;
            case IdsTherapyControlStateChangedEvent e:
                w.Enum8(e.OldState, "old therapy control state").Enum8(e.NewState, "new therapy control state");
                break;
            case IdsOperationalStateChangedEvent e:
                w.Enum8(e.OldState, "old operational state").Enum8(e.NewState, "new operational state");
                break;
            case IdsReservoirRemainingAmountChangedEvent e:
                w.Insulin(d, e.RemainingAmount);
                break;
            case IdsAnnunciationStatusChangedPart1Event e:
                w.U8(Flags(e.AuxInfo1 is not null, e.AuxInfo2 is not null)).U16(e.InstanceId).Enum16(e.AnnunciationType, "annunciation type").Enum8(e.Status, "annunciation status");
                Optional(w, e.AuxInfo1);
                Optional(w, e.AuxInfo2);
                break;
            case IdsAnnunciationStatusChangedPart2Event e:
                w.U8(Flags(e.AuxInfo3 is not null, e.AuxInfo4 is not null, e.AuxInfo5 is not null));
                Optional(w, e.AuxInfo3);
                Optional(w, e.AuxInfo4);
                Optional(w, e.AuxInfo5);
                break;
            case IdsIsfProfileTemplateTimeBlockChangedEvent e:
                w.U8(e.TemplateNumber).U8(e.TimeBlockNumber).U16(e.DurationMinutes).SFloat(e.Isf);
                break;
            case IdsI2ChoRatioProfileTemplateTimeBlockChangedEvent e:
                w.U8(e.TemplateNumber).U8(e.TimeBlockNumber).U16(e.DurationMinutes).SFloat(e.Ratio);
                break;
            case IdsTargetGlucoseRangeProfileTemplateTimeBlockChangedEvent e:
                w.U8(e.TemplateNumber).U8(e.TimeBlockNumber).U16(e.DurationMinutes).SFloat(e.LowerLimit).SFloat(e.UpperLimit);
                break;
            case IdsPrimingStartedEvent e:
                w.Insulin(d, e.ProgrammedAmount);
                break;
            case IdsPrimingDoneEvent e:
                w.U8(Flags(e.AnnunciationInstanceId is not null)).Insulin(d, e.DeliveredAmount).Enum8(e.TerminationReason, "termination reason");
                Optional(w, e.AnnunciationInstanceId);
                break;
            case IdsDataCorruptionEvent or IdsPointerEvent:
                break;
            case IdsBolusTemplateChangedPart1Event e:
                w.U8(e.TemplateNumber).Enum8(e.BolusType, "bolus type").Insulin(d, e.FastAmount).Insulin(d, e.ExtendedAmount).U16(e.DurationMinutes);
                break;
            case IdsBolusTemplateChangedPart2Event e:
                w.U8(Flags(e.DelayMinutes is not null, e.ForCorrection, e.ForMeal));
                Optional(w, e.DelayMinutes);
                break;
            case IdsTbrTemplateChangedEvent e:
                w.U8(e.TemplateNumber).Enum8(e.TbrType, "TBR type").Insulin(d, e.AdjustmentValue).U16(e.DurationMinutes);
                break;
            case IdsMaxBolusAmountChangedEvent e:
                w.Insulin(d, e.OldAmount).Insulin(d, e.NewAmount);
                break;
            default:
                throw new ArgumentException($"{historyEvent.GetType().Name} is not a history event this codec writes.", nameof(historyEvent));
        }
    }

    private static bool Has(byte flags, int bit) => (flags & (1 << bit)) != 0;

    /// <summary>Flags octet from presence bits, bit 0 first.</summary>
    private static byte Flags(params ReadOnlySpan<bool> bits)
    {
        var flags = 0;
        for (var i = 0; i < bits.Length; i++)
        {
            flags |= bits[i] ? 1 << i : 0;
        }

        return (byte)flags;
    }

    private static void Optional(IdsWriter w, ushort? value)
    {
        if (value is { } present)
        {
            w.U16(present);
        }
    }

    private static void Optional(IdsWriter w, byte? value)
    {
        if (value is { } present)
        {
            w.U8(present);
        }
    }

    private static void Optional<T>(IdsWriter w, T? value, string field)
        where T : struct, Enum
    {
        if (value is { } present)
        {
            w.Enum8(present, field);
        }
    }

    private static sbyte ReadTimeZone(ref IdsReader r)
    {
        var offset = r.Offset;
        var zone = r.S8("time zone");
        return zone is >= MinTimeZone and <= MaxTimeZone || zone == IdsReferenceTimeEvent.UnknownTimeZone
            ? zone
            : throw new ProtocolException(ProtocolErrorKind.OutOfRange, offset, $"time zone {zone} quarter hours is outside -48..+56 and not 'unknown'");
    }

    /// <summary>The day the totals are for; 0 means "not known", as in a Date Time.</summary>
    private static (int FieldOffset, string Message)? DateProblem(IdsTotalDailyInsulinDeliveryEvent e) =>
        e.Year != 0 && e.Year is < 1582 or > 9999 ? (0, $"year {e.Year} is outside 1582-9999")
        : e.Month > 12 ? (2, $"month {e.Month}")
        : e.Day > 31 ? (3, $"day {e.Day}")
        : null;
}
