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

    private static IdsHistoryEvent ReadData(ref IdsReader reader, IdsHistoryEventType type, uint seq, ushort rel, IdsDialect dialect)
    {
        switch (type)
        {
            case IdsHistoryEventType.ReferenceTime:
                return new IdsReferenceTimeEvent(seq, rel, reader.Enum8<IdsRecordingReason>("recording reason"), IdsDateTime.Read(ref reader), ReadTimeZone(ref reader), reader.Enum8<IdsDstOffset>("DST offset"));
            case IdsHistoryEventType.ReferenceTimeBaseOffset:
                return new IdsReferenceTimeBaseOffsetEvent(seq, rel, reader.Enum8<IdsRecordingReason>("recording reason"), IdsDateTime.Read(ref reader), reader.S16("time offset"));
            case IdsHistoryEventType.BolusCalculatedPart1:
                return new IdsBolusCalculatedPart1Event(seq, rel, reader.Insulin(dialect, "meal fast"), reader.Insulin(dialect, "meal extended"), reader.Insulin(dialect, "correction fast"), reader.Insulin(dialect, "correction extended"));
            case IdsHistoryEventType.BolusCalculatedPart2:
                return new IdsBolusCalculatedPart2Event(seq, rel, reader.Insulin(dialect, "meal fast"), reader.Insulin(dialect, "meal extended"), reader.Insulin(dialect, "correction fast"), reader.Insulin(dialect, "correction extended"));
            case IdsHistoryEventType.BolusProgrammedPart1:
                return new IdsBolusProgrammedPart1Event(seq, rel, reader.U16("bolus id"), reader.Enum8<IdsBolusType>("bolus type"), reader.Insulin(dialect, "programmed fast amount"), reader.Insulin(dialect, "programmed extended amount"), reader.U16("effective duration"));
            case IdsHistoryEventType.BolusProgrammedPart2:
            {
                var flags = reader.Flags(0x1F, "bolus programmed flags");
                return new IdsBolusProgrammedPart2Event(
                    seq,
                    rel,
                    Has(flags, 0) ? reader.U16("bolus delay time") : null,
                    Has(flags, 1) ? reader.U8("bolus template number") : null,
                    Has(flags, 2) ? reader.Enum8<IdsBolusActivationType>("bolus activation type") : null,
                    Has(flags, 3),
                    Has(flags, 4));
            }

            case IdsHistoryEventType.BolusDeliveredPart1:
                return new IdsBolusDeliveredPart1Event(seq, rel, reader.U16("bolus id"), reader.Enum8<IdsBolusType>("bolus type"), reader.Insulin(dialect, "delivered fast amount"), reader.Insulin(dialect, "delivered extended amount"), reader.U16("effective duration"));
            case IdsHistoryEventType.BolusDeliveredPart2:
            {
                var flags = reader.Flags(0x07, "bolus delivered flags");
                return new IdsBolusDeliveredPart2Event(
                    seq,
                    rel,
                    reader.U32("bolus start time offset"),
                    Has(flags, 0) ? reader.Enum8<IdsBolusActivationType>("bolus activation type") : null,
                    Has(flags, 1) ? reader.Enum8<IdsBolusEndReason>("bolus end reason") : null,
                    Has(flags, 2) ? reader.U16("annunciation instance id") : null);
            }

            case IdsHistoryEventType.DeliveredBasalRateChanged:
            {
                var flags = reader.Flags(0x01, "basal rate changed flags");
                return new IdsDeliveredBasalRateChangedEvent(seq, rel, reader.Insulin(dialect, "old basal rate"), reader.Insulin(dialect, "new basal rate"), Has(flags, 0) ? reader.Enum8<IdsDeliveryContext>("basal delivery context") : null);
            }

            case IdsHistoryEventType.TbrAdjustmentStarted:
            {
                var flags = reader.Flags(0x03, "TBR started flags");
                return new IdsTbrAdjustmentStartedEvent(
                    seq,
                    rel,
                    reader.Enum8<IdsTbrType>("TBR type"),
                    reader.Insulin(dialect, "TBR adjustment value"),
                    reader.U16("TBR duration programmed"),
                    Has(flags, 0) ? reader.U8("TBR template number") : null,
                    Has(flags, 1) ? reader.Enum8<IdsDeliveryContext>("TBR delivery context") : null);
            }

            case IdsHistoryEventType.TbrAdjustmentEnded:
            {
                var flags = reader.Flags(0x03, "TBR ended flags");
                return new IdsTbrAdjustmentEndedEvent(
                    seq,
                    rel,
                    reader.Enum8<IdsTbrType>("last set TBR type"),
                    reader.U16("effective TBR duration"),
                    reader.Enum8<IdsTbrEndReason>("TBR end reason"),
                    Has(flags, 0) ? reader.U8("last set TBR template number") : null,
                    Has(flags, 1) ? reader.U16("annunciation instance id") : null);
            }

            case IdsHistoryEventType.TbrAdjustmentChanged:
            {
                var flags = reader.Flags(0x03, "TBR changed flags");
                return new IdsTbrAdjustmentChangedEvent(
                    seq,
                    rel,
                    reader.Enum8<IdsTbrType>("TBR type"),
                    reader.Insulin(dialect, "TBR adjustment value"),
                    reader.U16("TBR duration programmed"),
                    reader.U16("TBR duration elapsed"),
                    Has(flags, 0) ? reader.U8("TBR template number") : null,
                    Has(flags, 1) ? reader.Enum8<IdsDeliveryContext>("TBR delivery context") : null);
            }

            case IdsHistoryEventType.ProfileTemplateActivated:
                return new IdsProfileTemplateActivatedEvent(seq, rel, reader.Enum8<IdsProfileTemplateType>("profile template type"), reader.U8("old template number"), reader.U8("new template number"));
            case IdsHistoryEventType.BasalRateProfileTemplateTimeBlockChanged:
                return new IdsBasalRateProfileTemplateTimeBlockChangedEvent(seq, rel, reader.U8("template number"), reader.U8("time block number"), reader.U16("duration"), reader.Insulin(dialect, "basal rate"));
            case IdsHistoryEventType.TotalDailyInsulinDelivery:
            {
                var flags = reader.Flags(0x01, "total daily insulin flags");
                var totalDaily = new IdsTotalDailyInsulinDeliveryEvent(seq, rel, reader.Insulin(dialect, "total bolus"), reader.Insulin(dialect, "total basal"), reader.U16("year"), reader.U8("month"), reader.U8("day"), Has(flags, 0));
                if (DateProblem(totalDaily) is { } problem)
                {
                    throw new ProtocolException(ProtocolErrorKind.OutOfRange, reader.Offset - 4 + problem.FieldOffset, problem.Message);
                }

                return totalDaily;
            }

            case IdsHistoryEventType.TherapyControlStateChanged:
                return new IdsTherapyControlStateChangedEvent(seq, rel, reader.Enum8<IdsTherapyControlState>("old therapy control state"), reader.Enum8<IdsTherapyControlState>("new therapy control state"));
            case IdsHistoryEventType.OperationalStateChanged:
                return new IdsOperationalStateChangedEvent(seq, rel, reader.Enum8<IdsOperationalState>("old operational state"), reader.Enum8<IdsOperationalState>("new operational state"));
            case IdsHistoryEventType.ReservoirRemainingAmountChanged:
                return new IdsReservoirRemainingAmountChangedEvent(seq, rel, reader.Insulin(dialect, "reservoir remaining amount"));
            case IdsHistoryEventType.AnnunciationStatusChangedPart1:
            {
                var flags = reader.Flags(0x03, "annunciation changed flags");
                return new IdsAnnunciationStatusChangedPart1Event(
                    seq,
                    rel,
                    reader.U16("annunciation instance id"),
                    reader.Enum16<IdsAnnunciationType>("annunciation type"),
                    reader.Enum8<IdsAnnunciationState>("annunciation status"),
                    Has(flags, 0) ? reader.U16("AuxInfo1") : null,
                    Has(flags, 1) ? reader.U16("AuxInfo2") : null);
            }

            case IdsHistoryEventType.AnnunciationStatusChangedPart2:
            {
                var flags = reader.Flags(0x07, "annunciation changed flags");
                return new IdsAnnunciationStatusChangedPart2Event(seq, rel, Has(flags, 0) ? reader.U16("AuxInfo3") : null, Has(flags, 1) ? reader.U16("AuxInfo4") : null, Has(flags, 2) ? reader.U16("AuxInfo5") : null);
            }

            case IdsHistoryEventType.IsfProfileTemplateTimeBlockChanged:
                return new IdsIsfProfileTemplateTimeBlockChangedEvent(seq, rel, reader.U8("template number"), reader.U8("time block number"), reader.U16("duration"), reader.SFloat("ISF"));
            case IdsHistoryEventType.I2ChoRatioProfileTemplateTimeBlockChanged:
                return new IdsI2ChoRatioProfileTemplateTimeBlockChangedEvent(seq, rel, reader.U8("template number"), reader.U8("time block number"), reader.U16("duration"), reader.SFloat("I:CHO ratio"));
            case IdsHistoryEventType.TargetGlucoseRangeProfileTemplateTimeBlockChanged:
                return new IdsTargetGlucoseRangeProfileTemplateTimeBlockChangedEvent(seq, rel, reader.U8("template number"), reader.U8("time block number"), reader.U16("duration"), reader.SFloat("lower target glucose limit"), reader.SFloat("upper target glucose limit"));
            case IdsHistoryEventType.PrimingStarted:
                return new IdsPrimingStartedEvent(seq, rel, reader.Insulin(dialect, "programmed priming amount"));
            case IdsHistoryEventType.PrimingDone:
            {
                var flags = reader.Flags(0x01, "priming done flags");
                return new IdsPrimingDoneEvent(seq, rel, reader.Insulin(dialect, "delivered priming amount"), reader.Enum8<IdsPrimingTerminationReason>("termination reason"), Has(flags, 0) ? reader.U16("annunciation instance id") : null);
            }

            case IdsHistoryEventType.DataCorruption:
                return new IdsDataCorruptionEvent(seq, rel);
            case IdsHistoryEventType.PointerEvent:
                return new IdsPointerEvent(seq, rel);
            case IdsHistoryEventType.BolusTemplateChangedPart1:
                return new IdsBolusTemplateChangedPart1Event(seq, rel, reader.U8("bolus template number"), reader.Enum8<IdsBolusType>("bolus type"), reader.Insulin(dialect, "bolus fast amount"), reader.Insulin(dialect, "bolus extended amount"), reader.U16("bolus duration"));
            case IdsHistoryEventType.BolusTemplateChangedPart2:
            {
                var flags = reader.Flags(0x07, "bolus template changed flags");
                return new IdsBolusTemplateChangedPart2Event(seq, rel, Has(flags, 0) ? reader.U16("bolus delay time") : null, Has(flags, 1), Has(flags, 2));
            }

            case IdsHistoryEventType.TbrTemplateChanged:
                return new IdsTbrTemplateChangedEvent(seq, rel, reader.U8("TBR template number"), reader.Enum8<IdsTbrType>("TBR type"), reader.Insulin(dialect, "TBR adjustment value"), reader.U16("TBR duration"));
            case IdsHistoryEventType.MaxBolusAmountChanged:
                return new IdsMaxBolusAmountChangedEvent(seq, rel, reader.Insulin(dialect, "old max bolus amount"), reader.Insulin(dialect, "new max bolus amount"));
            default:
                throw new ProtocolException(ProtocolErrorKind.UnknownRecordType, 0, $"{type} has no layout");
        }
    }

    private static void WriteData(IdsWriter writer, IdsHistoryEvent historyEvent, IdsDialect dialect)
    {
        switch (historyEvent)
        {
            case IdsReferenceTimeEvent e:
                if (e.TimeZoneQuarterHours is < MinTimeZone or > MaxTimeZone && e.TimeZoneQuarterHours != IdsReferenceTimeEvent.UnknownTimeZone)
                {
                    throw new ArgumentException($"Time zone {e.TimeZoneQuarterHours} quarter hours is out of range.", nameof(historyEvent));
                }

                writer.Enum8(e.RecordingReason, "recording reason");
                e.DateTime.Write(writer);
                writer.S8(e.TimeZoneQuarterHours).Enum8(e.DstOffset, "DST offset");
                break;
            case IdsReferenceTimeBaseOffsetEvent e:
                writer.Enum8(e.RecordingReason, "recording reason");
                e.BaseTime.Write(writer);
                writer.S16(e.TimeOffsetMinutes);
                break;
            case IdsBolusCalculatedPart1Event e:
                writer.Insulin(dialect, e.MealFast).Insulin(dialect, e.MealExtended).Insulin(dialect, e.CorrectionFast).Insulin(dialect, e.CorrectionExtended);
                break;
            case IdsBolusCalculatedPart2Event e:
                writer.Insulin(dialect, e.MealFast).Insulin(dialect, e.MealExtended).Insulin(dialect, e.CorrectionFast).Insulin(dialect, e.CorrectionExtended);
                break;
            case IdsBolusProgrammedPart1Event e:
                writer.U16(e.BolusId).Enum8(e.BolusType, "bolus type").Insulin(dialect, e.FastAmount).Insulin(dialect, e.ExtendedAmount).U16(e.DurationMinutes);
                break;
            case IdsBolusProgrammedPart2Event e:
                writer.U8(Flags(e.DelayMinutes is not null, e.TemplateNumber is not null, e.ActivationType is not null, e.ForCorrection, e.ForMeal));
                writer.Optional(e.DelayMinutes);
                writer.Optional(e.TemplateNumber);
                writer.Optional(e.ActivationType, "bolus activation type");
                break;
            case IdsBolusDeliveredPart1Event e:
                writer.U16(e.BolusId).Enum8(e.BolusType, "bolus type").Insulin(dialect, e.FastAmount).Insulin(dialect, e.ExtendedAmount).U16(e.EffectiveDurationMinutes);
                break;
            case IdsBolusDeliveredPart2Event e:
                writer.U8(Flags(e.ActivationType is not null, e.EndReason is not null, e.AnnunciationInstanceId is not null)).U32(e.StartTimeOffsetSeconds);
                writer.Optional(e.ActivationType, "bolus activation type");
                writer.Optional(e.EndReason, "bolus end reason");
                writer.Optional(e.AnnunciationInstanceId);
                break;
            case IdsDeliveredBasalRateChangedEvent e:
                writer.U8(Flags(e.DeliveryContext is not null)).Insulin(dialect, e.OldRate).Insulin(dialect, e.NewRate);
                writer.Optional(e.DeliveryContext, "basal delivery context");
                break;
            case IdsTbrAdjustmentStartedEvent e:
                writer.U8(Flags(e.TemplateNumber is not null, e.DeliveryContext is not null)).Enum8(e.TbrType, "TBR type").Insulin(dialect, e.AdjustmentValue).U16(e.DurationProgrammedMinutes);
                writer.Optional(e.TemplateNumber);
                writer.Optional(e.DeliveryContext, "TBR delivery context");
                break;
            case IdsTbrAdjustmentEndedEvent e:
                writer.U8(Flags(e.LastSetTemplateNumber is not null, e.AnnunciationInstanceId is not null)).Enum8(e.LastSetTbrType, "TBR type").U16(e.EffectiveDurationMinutes).Enum8(e.EndReason, "TBR end reason");
                writer.Optional(e.LastSetTemplateNumber);
                writer.Optional(e.AnnunciationInstanceId);
                break;
            case IdsTbrAdjustmentChangedEvent e:
                writer.U8(Flags(e.TemplateNumber is not null, e.DeliveryContext is not null)).Enum8(e.TbrType, "TBR type").Insulin(dialect, e.AdjustmentValue)
                    .U16(e.DurationProgrammedMinutes).U16(e.DurationElapsedMinutes);
                writer.Optional(e.TemplateNumber);
                writer.Optional(e.DeliveryContext, "TBR delivery context");
                break;
            case IdsProfileTemplateActivatedEvent e:
                writer.Enum8(e.ProfileTemplateType, "profile template type").U8(e.OldTemplateNumber).U8(e.NewTemplateNumber);
                break;
            case IdsBasalRateProfileTemplateTimeBlockChangedEvent e:
                writer.U8(e.TemplateNumber).U8(e.TimeBlockNumber).U16(e.DurationMinutes).Insulin(dialect, e.Rate);
                break;
            case IdsTotalDailyInsulinDeliveryEvent e:
                if (DateProblem(e) is { } problem)
                {
                    throw new ArgumentException(problem.Message, nameof(historyEvent));
                }

                writer.U8(Flags(e.DateTimeChangedWarning)).Insulin(dialect, e.TotalBolus).Insulin(dialect, e.TotalBasal).U16(e.Year).U8(e.Month).U8(e.Day);
                break;
            case IdsTherapyControlStateChangedEvent e:
                writer.Enum8(e.OldState, "old therapy control state").Enum8(e.NewState, "new therapy control state");
                break;
            case IdsOperationalStateChangedEvent e:
                writer.Enum8(e.OldState, "old operational state").Enum8(e.NewState, "new operational state");
                break;
            case IdsReservoirRemainingAmountChangedEvent e:
                writer.Insulin(dialect, e.RemainingAmount);
                break;
            case IdsAnnunciationStatusChangedPart1Event e:
                writer.U8(Flags(e.AuxInfo1 is not null, e.AuxInfo2 is not null)).U16(e.InstanceId).Enum16(e.AnnunciationType, "annunciation type").Enum8(e.Status, "annunciation status");
                writer.Optional(e.AuxInfo1);
                writer.Optional(e.AuxInfo2);
                break;
            case IdsAnnunciationStatusChangedPart2Event e:
                writer.U8(Flags(e.AuxInfo3 is not null, e.AuxInfo4 is not null, e.AuxInfo5 is not null));
                writer.Optional(e.AuxInfo3);
                writer.Optional(e.AuxInfo4);
                writer.Optional(e.AuxInfo5);
                break;
            case IdsIsfProfileTemplateTimeBlockChangedEvent e:
                writer.U8(e.TemplateNumber).U8(e.TimeBlockNumber).U16(e.DurationMinutes).SFloat(e.Isf);
                break;
            case IdsI2ChoRatioProfileTemplateTimeBlockChangedEvent e:
                writer.U8(e.TemplateNumber).U8(e.TimeBlockNumber).U16(e.DurationMinutes).SFloat(e.Ratio);
                break;
            case IdsTargetGlucoseRangeProfileTemplateTimeBlockChangedEvent e:
                writer.U8(e.TemplateNumber).U8(e.TimeBlockNumber).U16(e.DurationMinutes).SFloat(e.LowerLimit).SFloat(e.UpperLimit);
                break;
            case IdsPrimingStartedEvent e:
                writer.Insulin(dialect, e.ProgrammedAmount);
                break;
            case IdsPrimingDoneEvent e:
                writer.U8(Flags(e.AnnunciationInstanceId is not null)).Insulin(dialect, e.DeliveredAmount).Enum8(e.TerminationReason, "termination reason");
                writer.Optional(e.AnnunciationInstanceId);
                break;
            case IdsDataCorruptionEvent or IdsPointerEvent:
                break;
            case IdsBolusTemplateChangedPart1Event e:
                writer.U8(e.TemplateNumber).Enum8(e.BolusType, "bolus type").Insulin(dialect, e.FastAmount).Insulin(dialect, e.ExtendedAmount).U16(e.DurationMinutes);
                break;
            case IdsBolusTemplateChangedPart2Event e:
                writer.U8(Flags(e.DelayMinutes is not null, e.ForCorrection, e.ForMeal));
                writer.Optional(e.DelayMinutes);
                break;
            case IdsTbrTemplateChangedEvent e:
                writer.U8(e.TemplateNumber).Enum8(e.TbrType, "TBR type").Insulin(dialect, e.AdjustmentValue).U16(e.DurationMinutes);
                break;
            case IdsMaxBolusAmountChangedEvent e:
                writer.Insulin(dialect, e.OldAmount).Insulin(dialect, e.NewAmount);
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

    private static sbyte ReadTimeZone(ref IdsReader reader)
    {
        var offset = reader.Offset;
        var zone = reader.S8("time zone");
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
