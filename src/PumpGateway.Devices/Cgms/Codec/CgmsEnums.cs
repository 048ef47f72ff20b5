namespace PumpGateway.Devices.Cgms;

/// <summary>The Status octet of the Sensor Status Annunciation (first on the wire); bits 6 and 7 are reserved.</summary>
[Flags]
public enum CgmStatusAnnunciation : byte
{
    None = 0,
    SessionStopped = 1 << 0,
    DeviceBatteryLow = 1 << 1,
    SensorTypeIncorrectForDevice = 1 << 2,
    SensorMalfunction = 1 << 3,
    DeviceSpecificAlert = 1 << 4,
    GeneralDeviceFault = 1 << 5,
}

/// <summary>The Cal/Temp octet of the Sensor Status Annunciation (second on the wire); bit 7 is reserved.</summary>
[Flags]
public enum CgmCalTempAnnunciation : byte
{
    None = 0,
    TimeSynchronizationRequired = 1 << 0,
    CalibrationNotAllowed = 1 << 1,
    CalibrationRecommended = 1 << 2,
    CalibrationRequired = 1 << 3,
    SensorTemperatureTooHigh = 1 << 4,
    SensorTemperatureTooLow = 1 << 5,

    /// <summary>Added by the current GATT Specification Supplement; CGMS 1.0.1-era parsers stop at bit 5.</summary>
    CalibrationProcessPending = 1 << 6,
}

/// <summary>The Warning octet of the Sensor Status Annunciation (last on the wire); every bit is defined.</summary>
[Flags]
public enum CgmWarningAnnunciation : byte
{
    None = 0,
    ResultLowerThanPatientLowLevel = 1 << 0,
    ResultHigherThanPatientHighLevel = 1 << 1,
    ResultLowerThanHypoLevel = 1 << 2,
    ResultHigherThanHyperLevel = 1 << 3,
    RateOfDecreaseExceeded = 1 << 4,
    RateOfIncreaseExceeded = 1 << 5,
    ResultLowerThanDeviceCanProcess = 1 << 6,
    ResultHigherThanDeviceCanProcess = 1 << 7,
}

/// <summary>CGM Measurement flags: which optional fields a record carries. Bits 2 to 4 are reserved.</summary>
[Flags]
public enum CgmMeasurementFlags : byte
{
    None = 0,
    TrendPresent = 1 << 0,
    QualityPresent = 1 << 1,
    WarningOctetPresent = 1 << 5,
    CalTempOctetPresent = 1 << 6,
    StatusOctetPresent = 1 << 7,
}

/// <summary>The 24 feature bits of CGM Feature; bits 17 to 23 are reserved.</summary>
[Flags]
public enum CgmFeatures : uint
{
    None = 0,
    CalibrationSupported = 1 << 0,
    PatientHighLowAlertsSupported = 1 << 1,
    HypoAlertsSupported = 1 << 2,
    HyperAlertsSupported = 1 << 3,
    RateOfIncreaseDecreaseAlertsSupported = 1 << 4,
    DeviceSpecificAlertSupported = 1 << 5,
    SensorMalfunctionDetectionSupported = 1 << 6,
    SensorTemperatureHighLowDetectionSupported = 1 << 7,
    SensorResultHighLowDetectionSupported = 1 << 8,
    LowBatteryDetectionSupported = 1 << 9,
    SensorTypeErrorDetectionSupported = 1 << 10,
    GeneralDeviceFaultSupported = 1 << 11,
    E2eCrcSupported = 1 << 12,
    MultipleBondSupported = 1 << 13,
    MultipleSessionsSupported = 1 << 14,
    CgmTrendInformationSupported = 1 << 15,
    CgmQualitySupported = 1 << 16,
}

/// <summary>The sample type nibble (low nibble of the Type-Sample Location octet); 0 and 11 to 15 are reserved.</summary>
public enum CgmType : byte
{
    CapillaryWholeBlood = 1,
    CapillaryPlasma = 2,
    VenousWholeBlood = 3,
    VenousPlasma = 4,
    ArterialWholeBlood = 5,
    ArterialPlasma = 6,
    UndeterminedWholeBlood = 7,
    UndeterminedPlasma = 8,
    InterstitialFluid = 9,
    ControlSolution = 10,
}

/// <summary>The sample location nibble (high nibble of the Type-Sample Location octet); 0 and 6 to 14 are reserved.</summary>
public enum CgmSampleLocation : byte
{
    Finger = 1,
    AlternateSiteTest = 2,
    Earlobe = 3,
    ControlSolution = 4,
    SubcutaneousTissue = 5,
    NotAvailable = 15,
}

/// <summary>DST Offset of the session start time; every other value is reserved.</summary>
public enum CgmDstOffset : byte
{
    StandardTime = 0,
    HalfAnHourDaylightTime = 2,
    DaylightTime = 4,
    DoubleDaylightTime = 8,
    Unknown = 255,
}

/// <summary>Calibration Status of a calibration record; bits 3 to 7 are reserved.</summary>
[Flags]
public enum CgmCalibrationStatus : byte
{
    None = 0,
    CalibrationDataRejected = 1 << 0,
    CalibrationDataOutOfRange = 1 << 1,
    CalibrationProcessPending = 1 << 2,
}

/// <summary>
/// Every op code of the CGM Specific Ops Control Point, as the Response Code echoes them. The
/// set, reset and start/stop op codes are named only so that a refusal can be read: the codec
/// never encodes them as requests (<see cref="CgmSpecificOpsQuery"/> holds what it sends).
/// </summary>
public enum CgmSpecificOpsOpCode : byte
{
    SetCommunicationInterval = 1,
    GetCommunicationInterval = 2,
    CommunicationIntervalResponse = 3,
    SetGlucoseCalibrationValue = 4,
    GetGlucoseCalibrationValue = 5,
    GlucoseCalibrationValueResponse = 6,
    SetPatientHighAlertLevel = 7,
    GetPatientHighAlertLevel = 8,
    PatientHighAlertLevelResponse = 9,
    SetPatientLowAlertLevel = 10,
    GetPatientLowAlertLevel = 11,
    PatientLowAlertLevelResponse = 12,
    SetHypoAlertLevel = 13,
    GetHypoAlertLevel = 14,
    HypoAlertLevelResponse = 15,
    SetHyperAlertLevel = 16,
    GetHyperAlertLevel = 17,
    HyperAlertLevelResponse = 18,
    SetRateOfDecreaseAlertLevel = 19,
    GetRateOfDecreaseAlertLevel = 20,
    RateOfDecreaseAlertLevelResponse = 21,
    SetRateOfIncreaseAlertLevel = 22,
    GetRateOfIncreaseAlertLevel = 23,
    RateOfIncreaseAlertLevelResponse = 24,
    ResetDeviceSpecificAlert = 25,
    StartTheSession = 26,
    StopTheSession = 27,
    ResponseCode = 28,
}

/// <summary>The CGM Specific Ops requests the gateway sends: reads only, by their op code.</summary>
public enum CgmSpecificOpsQuery : byte
{
    GetCommunicationInterval = (byte)CgmSpecificOpsOpCode.GetCommunicationInterval,
    GetGlucoseCalibrationValue = (byte)CgmSpecificOpsOpCode.GetGlucoseCalibrationValue,
    GetPatientHighAlertLevel = (byte)CgmSpecificOpsOpCode.GetPatientHighAlertLevel,
    GetPatientLowAlertLevel = (byte)CgmSpecificOpsOpCode.GetPatientLowAlertLevel,
    GetHypoAlertLevel = (byte)CgmSpecificOpsOpCode.GetHypoAlertLevel,
    GetHyperAlertLevel = (byte)CgmSpecificOpsOpCode.GetHyperAlertLevel,
    GetRateOfDecreaseAlertLevel = (byte)CgmSpecificOpsOpCode.GetRateOfDecreaseAlertLevel,
    GetRateOfIncreaseAlertLevel = (byte)CgmSpecificOpsOpCode.GetRateOfIncreaseAlertLevel,
}

/// <summary>Response Code values of the CGM Specific Ops Control Point.</summary>
public enum CgmSpecificOpsResult : byte
{
    Success = 1,
    OpCodeNotSupported = 2,
    InvalidOperand = 3,
    ProcedureNotCompleted = 4,
    ParameterOutOfRange = 5,
}

/// <summary>The alert levels a sensor reports: glucose levels in mg/dL, rates in mg/dL/min.</summary>
public enum CgmAlertLevel : byte
{
    PatientHigh = 1,
    PatientLow = 2,
    Hypo = 3,
    Hyper = 4,
    RateOfDecrease = 5,
    RateOfIncrease = 6,
}

/// <summary>Record Access Control Point op codes, as the Response Code echoes them.</summary>
public enum CgmRacpOpCode : byte
{
    ReportStoredRecords = 1,
    DeleteStoredRecords = 2,
    AbortOperation = 3,
    ReportNumberOfStoredRecords = 4,
    NumberOfStoredRecordsResponse = 5,
    ResponseCode = 6,
}

/// <summary>
/// What the gateway asks of the Record Access Control Point, by op code. Delete stored records is
/// not one of them: the gateway never deletes records on a device.
/// </summary>
public enum CgmRacpProcedure : byte
{
    ReportStoredRecords = (byte)CgmRacpOpCode.ReportStoredRecords,
    AbortOperation = (byte)CgmRacpOpCode.AbortOperation,
    ReportNumberOfStoredRecords = (byte)CgmRacpOpCode.ReportNumberOfStoredRecords,
}

public enum CgmRacpOperator : byte
{
    Null = 0,
    AllRecords = 1,
    LessThanOrEqualTo = 2,
    GreaterThanOrEqualTo = 3,
    WithinRangeOf = 4,
    FirstRecord = 5,
    LastRecord = 6,
}

/// <summary>Filter types of a CGMS RACP operand: time offset is the only one.</summary>
public enum CgmRacpFilterType : byte
{
    TimeOffset = 1,
}

public enum CgmRacpResult : byte
{
    Success = 1,
    OpCodeNotSupported = 2,
    InvalidOperator = 3,
    OperatorNotSupported = 4,
    InvalidOperand = 5,
    NoRecordsFound = 6,
    AbortUnsuccessful = 7,
    ProcedureNotCompleted = 8,
    OperandNotSupported = 9,
}
