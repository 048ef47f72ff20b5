namespace PumpGateway.Devices.Ids;

// The IDS codes its enumerations with large Hamming distance (0x0F, 0x33, 0x3C, 0x55 …) so that a
// flipped bit never turns one valid value into another: anything not listed here is rejected.

/// <summary>The characteristics of the service; E2E counters are kept per characteristic.</summary>
public enum IdsCharacteristic
{
    StatusChanged = 1,
    Status = 2,
    AnnunciationStatus = 3,
    Features = 4,
    StatusReaderControlPoint = 5,
    CommandControlPoint = 6,
    CommandData = 7,
    RecordAccessControlPoint = 8,
    HistoryData = 9,
}

public enum IdsTherapyControlState : byte
{
    Undetermined = 0x0F,
    Stop = 0x33,
    Pause = 0x3C,
    Run = 0x55,
}

public enum IdsOperationalState : byte
{
    Undetermined = 0x0F,
    Off = 0x33,
    Standby = 0x3C,
    Preparing = 0x55,
    Priming = 0x5A,
    Waiting = 0x66,
    Ready = 0x96,
}

[Flags]
public enum IdsStatusChangedFlags : ushort
{
    None = 0,
    TherapyControlStateChanged = 1 << 0,
    OperationalStateChanged = 1 << 1,
    ReservoirStatusChanged = 1 << 2,
    AnnunciationStatusChanged = 1 << 3,
    TotalDailyInsulinStatusChanged = 1 << 4,
    ActiveBasalRateStatusChanged = 1 << 5,
    ActiveBolusStatusChanged = 1 << 6,
    HistoryEventRecorded = 1 << 7,
}

/// <summary>The 24 standard bits of IDD Features; bits 16–22 are reserved, bit 23 announces another octet.</summary>
[Flags]
public enum IdsFeatureFlags : uint
{
    None = 0,
    E2eProtectionSupported = 1u << 0,
    BasalRateSupported = 1u << 1,
    TbrAbsoluteSupported = 1u << 2,
    TbrRelativeSupported = 1u << 3,
    TbrTemplateSupported = 1u << 4,
    FastBolusSupported = 1u << 5,
    ExtendedBolusSupported = 1u << 6,
    MultiwaveBolusSupported = 1u << 7,
    BolusDelayTimeSupported = 1u << 8,
    BolusTemplateSupported = 1u << 9,
    BolusActivationTypeSupported = 1u << 10,
    MultipleBondSupported = 1u << 11,
    IsfProfileTemplateSupported = 1u << 12,
    I2ChoRatioProfileTemplateSupported = 1u << 13,
    TargetGlucoseRangeProfileTemplateSupported = 1u << 14,
    InsulinOnBoardSupported = 1u << 15,
    FeatureExtension = 1u << 23,
}

public enum IdsAnnunciationType : ushort
{
    SystemIssue = 0x000F,
    MechanicalIssue = 0x0033,
    OcclusionDetected = 0x003C,
    ReservoirIssue = 0x0055,
    ReservoirEmpty = 0x005A,
    ReservoirLow = 0x0066,
    PrimingIssue = 0x0069,
    InfusionSetIncomplete = 0x0096,
    InfusionSetDetached = 0x0099,
    PowerSourceInsufficient = 0x00A5,
    BatteryEmpty = 0x00AA,
    BatteryLow = 0x00C3,
    BatteryMedium = 0x00CC,
    BatteryFull = 0x00F0,
    TemperatureOutOfRange = 0x00FF,
    AirPressureOutOfRange = 0x0303,
    BolusCanceled = 0x030C,
    TbrOver = 0x0330,
    TbrCanceled = 0x033F,
    MaxDelivery = 0x0356,
    DateTimeIssue = 0x0359,
    Temperature = 0x0365,
}

/// <summary>The specification's "Annunciation Status" field: where the wearer is with an annunciation.</summary>
public enum IdsAnnunciationState : byte
{
    Undetermined = 0x0F,
    Pending = 0x33,
    Snoozed = 0x3C,
    Confirmed = 0x55,
}

public enum IdsBolusType : byte
{
    Undetermined = 0x0F,
    Fast = 0x33,
    Extended = 0x3C,
    Multiwave = 0x55,
}

public enum IdsBolusValueSelection : byte
{
    Programmed = 0x0F,
    Remaining = 0x33,
    Delivered = 0x3C,
}

public enum IdsBolusActivationType : byte
{
    Undetermined = 0x0F,
    Manual = 0x33,
    Recommended = 0x3C,
    ManuallyChangedRecommended = 0x55,
    Commanded = 0x5A,
}

public enum IdsBolusEndReason : byte
{
    Undetermined = 0x0F,
    ProgrammedAmountDelivered = 0x33,
    Canceled = 0x3C,
    ErrorAbort = 0x55,
}

public enum IdsTbrType : byte
{
    Undetermined = 0x0F,
    Absolute = 0x33,
    Relative = 0x3C,
}

public enum IdsTbrEndReason : byte
{
    Undetermined = 0x0F,
    ProgrammedDurationOver = 0x33,
    Canceled = 0x3C,
    ErrorAbort = 0x55,
}

/// <summary>Who set the current basal rate or TBR (basal delivery context / TBR delivery context).</summary>
public enum IdsDeliveryContext : byte
{
    Undetermined = 0x0F,
    DeviceBased = 0x33,
    RemoteControl = 0x3C,
    ApController = 0x55,
}

public enum IdsCounterType : byte
{
    Lifetime = 0x0F,
    WarrantyTime = 0x33,
    LoanerTime = 0x3C,
    ReservoirInsulinOperationTime = 0x55,
}

public enum IdsCounterValueSelection : byte
{
    Remaining = 0x0F,
    Elapsed = 0x33,
}

/// <summary>
/// IDD Status Reader Control Point op codes. Reset Status (0x030C) is deliberately absent: it
/// changes the device's status flags, and this codec neither writes nor accepts it.
/// </summary>
public enum IdsStatusReaderOpCode : ushort
{
    ResponseCode = 0x0303,
    GetActiveBolusIds = 0x0330,
    GetActiveBolusIdsResponse = 0x033F,
    GetActiveBolusDelivery = 0x0356,
    GetActiveBolusDeliveryResponse = 0x0359,
    GetActiveBasalRateDelivery = 0x0365,
    GetActiveBasalRateDeliveryResponse = 0x036A,
    GetTotalDailyInsulinStatus = 0x0395,
    GetTotalDailyInsulinStatusResponse = 0x039A,
    GetCounter = 0x03A6,
    GetCounterResponse = 0x03A9,
    GetDeliveredInsulin = 0x03C0,
    GetDeliveredInsulinResponse = 0x03CF,
    GetInsulinOnBoard = 0x03F3,
    GetInsulinOnBoardResponse = 0x03FC,
}

public enum IdsStatusReaderResponseCode : byte
{
    Success = 0x0F,
    OpCodeNotSupported = 0x70,
    InvalidOperand = 0x71,
    ProcedureNotCompleted = 0x72,
    ParameterOutOfRange = 0x73,
    ProcedureNotApplicable = 0x74,
}

/// <summary>
/// The read-type op codes of the IDD Command Control Point and their responses — nothing else.
/// Every op code that changes the pump (therapy state, boluses, TBRs, templates, priming …) is
/// absent by design, so it can be neither encoded nor accepted.
/// </summary>
public enum IdsCommandOpCode : ushort
{
    ResponseCode = 0x0F55,
    ReadBasalRateProfileTemplate = 0x0FAA,
    ReadBasalRateProfileTemplateResponse = 0x0FC3,
    GetTbrTemplate = 0x111E,
    GetTbrTemplateResponse = 0x1122,
    GetAvailableBoluses = 0x1188,
    GetAvailableBolusesResponse = 0x11B4,
    GetBolusTemplate = 0x11BB,
    GetBolusTemplateResponse = 0x11D2,
    GetTemplateStatusAndDetails = 0x11EE,
    GetTemplateStatusAndDetailsResponse = 0x1212,
    GetActivatedProfileTemplates = 0x1248,
    GetActivatedProfileTemplatesResponse = 0x1274,
    ReadIsfProfileTemplate = 0x12B8,
    ReadIsfProfileTemplateResponse = 0x12D1,
    ReadI2ChoRatioProfileTemplate = 0x12ED,
    ReadI2ChoRatioProfileTemplateResponse = 0x1414,
    ReadTargetGlucoseRangeProfileTemplate = 0x1428,
    ReadTargetGlucoseRangeProfileTemplateResponse = 0x1441,
    GetMaxBolusAmount = 0x147D,
    GetMaxBolusAmountResponse = 0x1482,
}

public enum IdsCommandResponseCode : byte
{
    Success = 0x0F,
    OpCodeNotSupported = 0x70,
    InvalidOperand = 0x71,
    ProcedureNotCompleted = 0x72,
    ParameterOutOfRange = 0x73,
    ProcedureNotApplicable = 0x74,
    PlausibilityCheckFailed = 0x75,
    MaximumBolusNumberReached = 0x76,
}

public enum IdsTemplateType : byte
{
    Undetermined = 0x0F,
    BasalRateProfile = 0x33,
    Tbr = 0x3C,
    Bolus = 0x55,
    IsfProfile = 0x5A,
    I2ChoRatioProfile = 0x66,
    TargetGlucoseRangeProfile = 0x96,
}

/// <summary>The profile template types of the Profile Template Activated history event (a different coding from <see cref="IdsTemplateType"/>).</summary>
public enum IdsProfileTemplateType : byte
{
    Undetermined = 0x0F,
    BasalRate = 0x33,
    Isf = 0x3C,
    I2ChoRatio = 0x55,
    TargetGlucoseRange = 0x5A,
}

/// <summary>The three single-value profiles (not a wire value): which template a read or a time block belongs to.</summary>
public enum IdsProfile
{
    BasalRate = 1,
    Isf = 2,
    I2ChoRatio = 3,
}

/// <summary>IDD RACP op codes; Delete Stored Records (0x3C) is absent: the gateway never deletes history.</summary>
public enum IdsRacpOpCode : byte
{
    ResponseCode = 0x0F,
    ReportStoredRecords = 0x33,
    AbortOperation = 0x55,
    ReportNumberOfStoredRecords = 0x5A,
    NumberOfStoredRecordsResponse = 0x66,
}

public enum IdsRacpOperator : byte
{
    Null = 0x0F,
    AllRecords = 0x33,
    LessThanOrEqualTo = 0x3C,
    GreaterThanOrEqualTo = 0x55,
    WithinRangeOf = 0x5A,
    FirstRecord = 0x66,
    LastRecord = 0x69,
}

public enum IdsRacpFilterType : byte
{
    SequenceNumber = 0x0F,
    SequenceNumberOfReferenceTimeEvents = 0x33,
    SequenceNumberOfNonReferenceTimeEvents = 0x3C,
}

/// <summary>The generic RACP response codes, except success, which the IDS recodes as 0xF0.</summary>
public enum IdsRacpResponseCode : byte
{
    OpCodeNotSupported = 0x02,
    InvalidOperator = 0x03,
    OperatorNotSupported = 0x04,
    InvalidOperand = 0x05,
    NoRecordsFound = 0x06,
    AbortUnsuccessful = 0x07,
    ProcedureNotCompleted = 0x08,
    OperandNotSupported = 0x09,
    ProcedureNotApplicable = 0x0A,
    Success = 0xF0,
}

public enum IdsHistoryEventType : ushort
{
    ReferenceTime = 0x000F,
    ReferenceTimeBaseOffset = 0x0033,
    BolusCalculatedPart1 = 0x003C,
    BolusCalculatedPart2 = 0x0055,
    BolusProgrammedPart1 = 0x005A,
    BolusProgrammedPart2 = 0x0066,
    BolusDeliveredPart1 = 0x0069,
    BolusDeliveredPart2 = 0x0096,
    DeliveredBasalRateChanged = 0x0099,
    TbrAdjustmentStarted = 0x00A5,
    TbrAdjustmentEnded = 0x00AA,
    TbrAdjustmentChanged = 0x00C3,
    ProfileTemplateActivated = 0x00CC,
    BasalRateProfileTemplateTimeBlockChanged = 0x00F0,
    TotalDailyInsulinDelivery = 0x00FF,
    TherapyControlStateChanged = 0x0303,
    OperationalStateChanged = 0x030C,
    ReservoirRemainingAmountChanged = 0x0330,
    AnnunciationStatusChangedPart1 = 0x033F,
    AnnunciationStatusChangedPart2 = 0x0356,
    IsfProfileTemplateTimeBlockChanged = 0x0359,
    I2ChoRatioProfileTemplateTimeBlockChanged = 0x0365,
    TargetGlucoseRangeProfileTemplateTimeBlockChanged = 0x036A,
    PrimingStarted = 0x0395,
    PrimingDone = 0x039A,
    DataCorruption = 0x03A6,
    PointerEvent = 0x03A9,
    BolusTemplateChangedPart1 = 0x03C0,
    BolusTemplateChangedPart2 = 0x03CF,
    TbrTemplateChanged = 0x03F3,
    MaxBolusAmountChanged = 0x03FC,
}

public enum IdsRecordingReason : byte
{
    Undetermined = 0x0F,
    SetDateTime = 0x33,
    PeriodicRecording = 0x3C,
    DateTimeLoss = 0x55,
}

public enum IdsPrimingTerminationReason : byte
{
    Undetermined = 0x0F,
    AbortedByUser = 0x33,
    ProgrammedAmountReached = 0x3C,
    ErrorAbort = 0x55,
}

/// <summary>GATT DST Offset: the daylight-saving shift in effect, in quarter hours.</summary>
public enum IdsDstOffset : byte
{
    StandardTime = 0,
    HalfAnHourDaylightTime = 2,
    DaylightTime = 4,
    DoubleDaylightTime = 8,
    Unknown = 255,
}
