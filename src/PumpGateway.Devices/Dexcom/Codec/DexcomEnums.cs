namespace PumpGateway.Devices.Dexcom;

/// <summary>
/// The receiver commands the gateway sends: reads only. WRITE_DISPLAY_TIME_OFFSET (0x1E) exists
/// on the receiver and is deliberately absent: the gateway never writes to a device.
/// </summary>
public enum DexcomCommand : byte
{
    Ping = 0x0A,
    ReadFirmwareHeader = 0x0B,
    ReadDatabasePartitionInfo = 0x0F,
    ReadDatabasePageRange = 0x10,
    ReadDatabasePages = 0x11,
    ReadDatabasePageHeader = 0x12,
    ReadTransmitterId = 0x19,
    ReadLanguage = 0x1B,
    ReadDisplayTimeOffset = 0x1D,
    ReadRtc = 0x1F,
    ReadBatteryLevel = 0x21,
    ReadSystemTime = 0x22,
    ReadSystemTimeOffset = 0x23,
    ReadGlucoseUnit = 0x25,
    ReadClockMode = 0x29,
    ReadBatteryState = 0x30,
}

/// <summary>The status byte of a receiver's reply.</summary>
public enum DexcomStatus : byte
{
    Ack = 1,
    Nak = 2,
    InvalidCommand = 3,
    InvalidParam = 4,
    IncompletePacketReceived = 5,
    ReceiverError = 6,
    InvalidMode = 7,
}

/// <summary>Database partitions, by the index the page commands use.</summary>
public enum DexcomRecordType : byte
{
    ManufacturingData = 0,
    FirmwareParameterData = 1,
    PcSoftwareParameter = 2,
    SensorData = 3,
    EgvData = 4,
    CalSet = 5,
    Deviation = 6,
    InsertionTime = 7,
    ReceiverLogData = 8,
    ReceiverErrorData = 9,
    MeterData = 10,
    UserEventData = 11,
    UserSettingData = 12,
    BackfilledEgvData = 18,
}

public enum DexcomGlucoseUnit : byte
{
    MgDl = 1,
    MmolL = 2,
}

public enum DexcomClockMode : byte
{
    TwentyFourHour = 0,
    TwelveHour = 1,
}

public enum DexcomBatteryState : byte
{
    Charging = 1,
    NotCharging = 2,
    NtcFault = 3,
    BadBattery = 4,
}
