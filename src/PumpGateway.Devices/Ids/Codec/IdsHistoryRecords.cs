using System.Text.Json.Serialization;
using PumpGateway.Codecs;

namespace PumpGateway.Devices.Ids;

/// <summary>
/// One IDD History Data event: its sequence number, its time as seconds after the last reference
/// time event, and its data. Events split in "part 1 of 2" and "part 2 of 2" stay two records here
/// (consecutive sequence numbers); <see cref="IdsHistoryParts"/> joins them.
/// </summary>
[JsonDerivedType(typeof(IdsReferenceTimeEvent), "referenceTime")]
[JsonDerivedType(typeof(IdsReferenceTimeBaseOffsetEvent), "referenceTimeBaseOffset")]
[JsonDerivedType(typeof(IdsBolusCalculatedPart1Event), "bolusCalculatedPart1")]
[JsonDerivedType(typeof(IdsBolusCalculatedPart2Event), "bolusCalculatedPart2")]
[JsonDerivedType(typeof(IdsBolusProgrammedPart1Event), "bolusProgrammedPart1")]
[JsonDerivedType(typeof(IdsBolusProgrammedPart2Event), "bolusProgrammedPart2")]
[JsonDerivedType(typeof(IdsBolusDeliveredPart1Event), "bolusDeliveredPart1")]
[JsonDerivedType(typeof(IdsBolusDeliveredPart2Event), "bolusDeliveredPart2")]
[JsonDerivedType(typeof(IdsDeliveredBasalRateChangedEvent), "deliveredBasalRateChanged")]
[JsonDerivedType(typeof(IdsTbrAdjustmentStartedEvent), "tbrAdjustmentStarted")]
[JsonDerivedType(typeof(IdsTbrAdjustmentEndedEvent), "tbrAdjustmentEnded")]
[JsonDerivedType(typeof(IdsTbrAdjustmentChangedEvent), "tbrAdjustmentChanged")]
[JsonDerivedType(typeof(IdsProfileTemplateActivatedEvent), "profileTemplateActivated")]
[JsonDerivedType(typeof(IdsBasalRateProfileTemplateTimeBlockChangedEvent), "basalRateProfileTemplateTimeBlockChanged")]
[JsonDerivedType(typeof(IdsTotalDailyInsulinDeliveryEvent), "totalDailyInsulinDelivery")]
[JsonDerivedType(typeof(IdsTherapyControlStateChangedEvent), "therapyControlStateChanged")]
[JsonDerivedType(typeof(IdsOperationalStateChangedEvent), "operationalStateChanged")]
[JsonDerivedType(typeof(IdsReservoirRemainingAmountChangedEvent), "reservoirRemainingAmountChanged")]
[JsonDerivedType(typeof(IdsAnnunciationStatusChangedPart1Event), "annunciationStatusChangedPart1")]
[JsonDerivedType(typeof(IdsAnnunciationStatusChangedPart2Event), "annunciationStatusChangedPart2")]
[JsonDerivedType(typeof(IdsIsfProfileTemplateTimeBlockChangedEvent), "isfProfileTemplateTimeBlockChanged")]
[JsonDerivedType(typeof(IdsI2ChoRatioProfileTemplateTimeBlockChangedEvent), "i2ChoRatioProfileTemplateTimeBlockChanged")]
[JsonDerivedType(typeof(IdsTargetGlucoseRangeProfileTemplateTimeBlockChangedEvent), "targetGlucoseRangeProfileTemplateTimeBlockChanged")]
[JsonDerivedType(typeof(IdsPrimingStartedEvent), "primingStarted")]
[JsonDerivedType(typeof(IdsPrimingDoneEvent), "primingDone")]
[JsonDerivedType(typeof(IdsDataCorruptionEvent), "dataCorruption")]
[JsonDerivedType(typeof(IdsPointerEvent), "pointer")]
[JsonDerivedType(typeof(IdsBolusTemplateChangedPart1Event), "bolusTemplateChangedPart1")]
[JsonDerivedType(typeof(IdsBolusTemplateChangedPart2Event), "bolusTemplateChangedPart2")]
[JsonDerivedType(typeof(IdsTbrTemplateChangedEvent), "tbrTemplateChanged")]
[JsonDerivedType(typeof(IdsMaxBolusAmountChangedEvent), "maxBolusAmountChanged")]
public abstract record IdsHistoryEvent(uint SequenceNumber, ushort RelativeOffsetSeconds)
{
    public abstract IdsHistoryEventType EventType { get; }
}

/// <summary>The device's wall-clock time, recorded when set, periodically, or after it was lost; later events count seconds from it.</summary>
public sealed record IdsReferenceTimeEvent(uint SequenceNumber, ushort RelativeOffsetSeconds, IdsRecordingReason RecordingReason, IdsDateTime DateTime, sbyte TimeZoneQuarterHours, IdsDstOffset DstOffset)
    : IdsHistoryEvent(SequenceNumber, RelativeOffsetSeconds)
{
    /// <summary>GATT Time Zone for "unknown".</summary>
    public const sbyte UnknownTimeZone = -128;

    public override IdsHistoryEventType EventType => IdsHistoryEventType.ReferenceTime;
}

/// <summary>A reference time given as a base time plus a signed offset in minutes.</summary>
public sealed record IdsReferenceTimeBaseOffsetEvent(uint SequenceNumber, ushort RelativeOffsetSeconds, IdsRecordingReason RecordingReason, IdsDateTime BaseTime, short TimeOffsetMinutes)
    : IdsHistoryEvent(SequenceNumber, RelativeOffsetSeconds)
{
    public override IdsHistoryEventType EventType => IdsHistoryEventType.ReferenceTimeBaseOffset;
}

/// <summary>Bolus calculator output, part 1 (as recommended): meal and correction amounts (IU), fast and extended.</summary>
public sealed record IdsBolusCalculatedPart1Event(uint SequenceNumber, ushort RelativeOffsetSeconds, MedicalFloat MealFast, MedicalFloat MealExtended, MedicalFloat CorrectionFast, MedicalFloat CorrectionExtended)
    : IdsHistoryEvent(SequenceNumber, RelativeOffsetSeconds)
{
    public override IdsHistoryEventType EventType => IdsHistoryEventType.BolusCalculatedPart1;
}

/// <summary>Bolus calculator output, part 2 (as confirmed by the wearer): the same four amounts.</summary>
public sealed record IdsBolusCalculatedPart2Event(uint SequenceNumber, ushort RelativeOffsetSeconds, MedicalFloat MealFast, MedicalFloat MealExtended, MedicalFloat CorrectionFast, MedicalFloat CorrectionExtended)
    : IdsHistoryEvent(SequenceNumber, RelativeOffsetSeconds)
{
    public override IdsHistoryEventType EventType => IdsHistoryEventType.BolusCalculatedPart2;
}

public sealed record IdsBolusProgrammedPart1Event(uint SequenceNumber, ushort RelativeOffsetSeconds, ushort BolusId, IdsBolusType BolusType, MedicalFloat FastAmount, MedicalFloat ExtendedAmount, ushort DurationMinutes)
    : IdsHistoryEvent(SequenceNumber, RelativeOffsetSeconds)
{
    public override IdsHistoryEventType EventType => IdsHistoryEventType.BolusProgrammedPart1;
}

/// <summary>Part 2 of a programmed bolus: its options. It carries no bolus id; the id is part 1's.</summary>
public sealed record IdsBolusProgrammedPart2Event(uint SequenceNumber, ushort RelativeOffsetSeconds, ushort? DelayMinutes = null, byte? TemplateNumber = null, IdsBolusActivationType? ActivationType = null, bool ForCorrection = false, bool ForMeal = false)
    : IdsHistoryEvent(SequenceNumber, RelativeOffsetSeconds)
{
    public override IdsHistoryEventType EventType => IdsHistoryEventType.BolusProgrammedPart2;
}

/// <summary>What a bolus actually delivered (IU) once it ended, completely or not.</summary>
public sealed record IdsBolusDeliveredPart1Event(uint SequenceNumber, ushort RelativeOffsetSeconds, ushort BolusId, IdsBolusType BolusType, MedicalFloat FastAmount, MedicalFloat ExtendedAmount, ushort EffectiveDurationMinutes)
    : IdsHistoryEvent(SequenceNumber, RelativeOffsetSeconds)
{
    public override IdsHistoryEventType EventType => IdsHistoryEventType.BolusDeliveredPart1;
}

/// <summary>Part 2 of a delivered bolus: when it started (seconds after its Bolus Programmed part 1) and why it ended.</summary>
public sealed record IdsBolusDeliveredPart2Event(uint SequenceNumber, ushort RelativeOffsetSeconds, uint StartTimeOffsetSeconds, IdsBolusActivationType? ActivationType = null, IdsBolusEndReason? EndReason = null, ushort? AnnunciationInstanceId = null)
    : IdsHistoryEvent(SequenceNumber, RelativeOffsetSeconds)
{
    public override IdsHistoryEventType EventType => IdsHistoryEventType.BolusDeliveredPart2;
}

/// <summary>The basal rate delivered changed (IU/h): a new time block, a TBR, a state change.</summary>
public sealed record IdsDeliveredBasalRateChangedEvent(uint SequenceNumber, ushort RelativeOffsetSeconds, MedicalFloat OldRate, MedicalFloat NewRate, IdsDeliveryContext? DeliveryContext = null)
    : IdsHistoryEvent(SequenceNumber, RelativeOffsetSeconds)
{
    public override IdsHistoryEventType EventType => IdsHistoryEventType.DeliveredBasalRateChanged;
}

public sealed record IdsTbrAdjustmentStartedEvent(uint SequenceNumber, ushort RelativeOffsetSeconds, IdsTbrType TbrType, MedicalFloat AdjustmentValue, ushort DurationProgrammedMinutes, byte? TemplateNumber = null, IdsDeliveryContext? DeliveryContext = null)
    : IdsHistoryEvent(SequenceNumber, RelativeOffsetSeconds)
{
    public override IdsHistoryEventType EventType => IdsHistoryEventType.TbrAdjustmentStarted;
}

public sealed record IdsTbrAdjustmentEndedEvent(uint SequenceNumber, ushort RelativeOffsetSeconds, IdsTbrType LastSetTbrType, ushort EffectiveDurationMinutes, IdsTbrEndReason EndReason, byte? LastSetTemplateNumber = null, ushort? AnnunciationInstanceId = null)
    : IdsHistoryEvent(SequenceNumber, RelativeOffsetSeconds)
{
    public override IdsHistoryEventType EventType => IdsHistoryEventType.TbrAdjustmentEnded;
}

public sealed record IdsTbrAdjustmentChangedEvent(uint SequenceNumber, ushort RelativeOffsetSeconds, IdsTbrType TbrType, MedicalFloat AdjustmentValue, ushort DurationProgrammedMinutes, ushort DurationElapsedMinutes, byte? TemplateNumber = null, IdsDeliveryContext? DeliveryContext = null)
    : IdsHistoryEvent(SequenceNumber, RelativeOffsetSeconds)
{
    public override IdsHistoryEventType EventType => IdsHistoryEventType.TbrAdjustmentChanged;
}

public sealed record IdsProfileTemplateActivatedEvent(uint SequenceNumber, ushort RelativeOffsetSeconds, IdsProfileTemplateType ProfileTemplateType, byte OldTemplateNumber, byte NewTemplateNumber)
    : IdsHistoryEvent(SequenceNumber, RelativeOffsetSeconds)
{
    public override IdsHistoryEventType EventType => IdsHistoryEventType.ProfileTemplateActivated;
}

public sealed record IdsBasalRateProfileTemplateTimeBlockChangedEvent(uint SequenceNumber, ushort RelativeOffsetSeconds, byte TemplateNumber, byte TimeBlockNumber, ushort DurationMinutes, MedicalFloat Rate)
    : IdsHistoryEvent(SequenceNumber, RelativeOffsetSeconds)
{
    public override IdsHistoryEventType EventType => IdsHistoryEventType.BasalRateProfileTemplateTimeBlockChanged;
}

/// <summary>The day's insulin totals (IU), recorded at midnight; the warning says the date was changed during that day.</summary>
public sealed record IdsTotalDailyInsulinDeliveryEvent(uint SequenceNumber, ushort RelativeOffsetSeconds, MedicalFloat TotalBolus, MedicalFloat TotalBasal, ushort Year, byte Month, byte Day, bool DateTimeChangedWarning = false)
    : IdsHistoryEvent(SequenceNumber, RelativeOffsetSeconds)
{
    public override IdsHistoryEventType EventType => IdsHistoryEventType.TotalDailyInsulinDelivery;
}

public sealed record IdsTherapyControlStateChangedEvent(uint SequenceNumber, ushort RelativeOffsetSeconds, IdsTherapyControlState OldState, IdsTherapyControlState NewState)
    : IdsHistoryEvent(SequenceNumber, RelativeOffsetSeconds)
{
    public override IdsHistoryEventType EventType => IdsHistoryEventType.TherapyControlStateChanged;
}

public sealed record IdsOperationalStateChangedEvent(uint SequenceNumber, ushort RelativeOffsetSeconds, IdsOperationalState OldState, IdsOperationalState NewState)
    : IdsHistoryEvent(SequenceNumber, RelativeOffsetSeconds)
{
    public override IdsHistoryEventType EventType => IdsHistoryEventType.OperationalStateChanged;
}

public sealed record IdsReservoirRemainingAmountChangedEvent(uint SequenceNumber, ushort RelativeOffsetSeconds, MedicalFloat RemainingAmount)
    : IdsHistoryEvent(SequenceNumber, RelativeOffsetSeconds)
{
    public override IdsHistoryEventType EventType => IdsHistoryEventType.ReservoirRemainingAmountChanged;
}

public sealed record IdsAnnunciationStatusChangedPart1Event(uint SequenceNumber, ushort RelativeOffsetSeconds, ushort InstanceId, IdsAnnunciationType AnnunciationType, IdsAnnunciationState Status, ushort? AuxInfo1 = null, ushort? AuxInfo2 = null)
    : IdsHistoryEvent(SequenceNumber, RelativeOffsetSeconds)
{
    public override IdsHistoryEventType EventType => IdsHistoryEventType.AnnunciationStatusChangedPart1;
}

public sealed record IdsAnnunciationStatusChangedPart2Event(uint SequenceNumber, ushort RelativeOffsetSeconds, ushort? AuxInfo3 = null, ushort? AuxInfo4 = null, ushort? AuxInfo5 = null)
    : IdsHistoryEvent(SequenceNumber, RelativeOffsetSeconds)
{
    public override IdsHistoryEventType EventType => IdsHistoryEventType.AnnunciationStatusChangedPart2;
}

public sealed record IdsIsfProfileTemplateTimeBlockChangedEvent(uint SequenceNumber, ushort RelativeOffsetSeconds, byte TemplateNumber, byte TimeBlockNumber, ushort DurationMinutes, MedicalFloat Isf)
    : IdsHistoryEvent(SequenceNumber, RelativeOffsetSeconds)
{
    public override IdsHistoryEventType EventType => IdsHistoryEventType.IsfProfileTemplateTimeBlockChanged;
}

public sealed record IdsI2ChoRatioProfileTemplateTimeBlockChangedEvent(uint SequenceNumber, ushort RelativeOffsetSeconds, byte TemplateNumber, byte TimeBlockNumber, ushort DurationMinutes, MedicalFloat Ratio)
    : IdsHistoryEvent(SequenceNumber, RelativeOffsetSeconds)
{
    public override IdsHistoryEventType EventType => IdsHistoryEventType.I2ChoRatioProfileTemplateTimeBlockChanged;
}

public sealed record IdsTargetGlucoseRangeProfileTemplateTimeBlockChangedEvent(uint SequenceNumber, ushort RelativeOffsetSeconds, byte TemplateNumber, byte TimeBlockNumber, ushort DurationMinutes, MedicalFloat LowerLimit, MedicalFloat UpperLimit)
    : IdsHistoryEvent(SequenceNumber, RelativeOffsetSeconds)
{
    public override IdsHistoryEventType EventType => IdsHistoryEventType.TargetGlucoseRangeProfileTemplateTimeBlockChanged;
}

public sealed record IdsPrimingStartedEvent(uint SequenceNumber, ushort RelativeOffsetSeconds, MedicalFloat ProgrammedAmount)
    : IdsHistoryEvent(SequenceNumber, RelativeOffsetSeconds)
{
    public override IdsHistoryEventType EventType => IdsHistoryEventType.PrimingStarted;
}

public sealed record IdsPrimingDoneEvent(uint SequenceNumber, ushort RelativeOffsetSeconds, MedicalFloat DeliveredAmount, IdsPrimingTerminationReason TerminationReason, ushort? AnnunciationInstanceId = null)
    : IdsHistoryEvent(SequenceNumber, RelativeOffsetSeconds)
{
    public override IdsHistoryEventType EventType => IdsHistoryEventType.PrimingDone;
}

/// <summary>The device found corrupt events in its history memory (it records this one with sequence number 0xFFFFFFFF).</summary>
public sealed record IdsDataCorruptionEvent(uint SequenceNumber, ushort RelativeOffsetSeconds)
    : IdsHistoryEvent(SequenceNumber, RelativeOffsetSeconds)
{
    public override IdsHistoryEventType EventType => IdsHistoryEventType.DataCorruption;
}

/// <summary>A placeholder that aligns sequence numbers with a manufacturer's own history.</summary>
public sealed record IdsPointerEvent(uint SequenceNumber, ushort RelativeOffsetSeconds)
    : IdsHistoryEvent(SequenceNumber, RelativeOffsetSeconds)
{
    public override IdsHistoryEventType EventType => IdsHistoryEventType.PointerEvent;
}

public sealed record IdsBolusTemplateChangedPart1Event(uint SequenceNumber, ushort RelativeOffsetSeconds, byte TemplateNumber, IdsBolusType BolusType, MedicalFloat FastAmount, MedicalFloat ExtendedAmount, ushort DurationMinutes)
    : IdsHistoryEvent(SequenceNumber, RelativeOffsetSeconds)
{
    public override IdsHistoryEventType EventType => IdsHistoryEventType.BolusTemplateChangedPart1;
}

public sealed record IdsBolusTemplateChangedPart2Event(uint SequenceNumber, ushort RelativeOffsetSeconds, ushort? DelayMinutes = null, bool ForCorrection = false, bool ForMeal = false)
    : IdsHistoryEvent(SequenceNumber, RelativeOffsetSeconds)
{
    public override IdsHistoryEventType EventType => IdsHistoryEventType.BolusTemplateChangedPart2;
}

public sealed record IdsTbrTemplateChangedEvent(uint SequenceNumber, ushort RelativeOffsetSeconds, byte TemplateNumber, IdsTbrType TbrType, MedicalFloat AdjustmentValue, ushort DurationMinutes)
    : IdsHistoryEvent(SequenceNumber, RelativeOffsetSeconds)
{
    public override IdsHistoryEventType EventType => IdsHistoryEventType.TbrTemplateChanged;
}

public sealed record IdsMaxBolusAmountChangedEvent(uint SequenceNumber, ushort RelativeOffsetSeconds, MedicalFloat OldAmount, MedicalFloat NewAmount)
    : IdsHistoryEvent(SequenceNumber, RelativeOffsetSeconds)
{
    public override IdsHistoryEventType EventType => IdsHistoryEventType.MaxBolusAmountChanged;
}
