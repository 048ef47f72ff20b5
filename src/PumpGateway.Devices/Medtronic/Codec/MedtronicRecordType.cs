namespace PumpGateway.Devices.Medtronic;

/// <summary>
/// History record opcodes (byte 0 of a record): the types of the protocol notes' table and every
/// other type that occurs in the real fixture pages. Names follow rileylink_ios PumpEventType,
/// Tidepool's RECORD_TYPES and CareLink's Raw-Type where they agree.
/// </summary>
public enum MedtronicRecordType : byte
{
    Bolus = 0x01,
    Prime = 0x03,
    AlarmPump = 0x06,
    ResultDailyTotal = 0x07,
    ChangeBasalProfilePattern = 0x08,
    ChangeBasalProfile = 0x09,
    CalBgForPh = 0x0A,
    AlarmSensor = 0x0B,
    ClearAlarm = 0x0C,
    TempBasalDuration = 0x16,
    ChangeTime = 0x17,
    NewTimeSet = 0x18,
    LowBattery = 0x19,
    Battery = 0x1A,
    PumpSuspend = 0x1E,
    PumpResume = 0x1F,
    Rewind = 0x21,
    EnableDisableRemote = 0x26,
    EnableBolusWizard = 0x2D,
    TempBasal = 0x33,
    LowReservoir = 0x34,
    ChangeParadigmLinkId = 0x3C,
    BgReceived = 0x3F,
    ChangeBolusWizardSetup = 0x4F,
    ChangeBolusScrollStepSize = 0x57,
    BolusWizardSetup = 0x5A,
    BolusWizard = 0x5B,
    UnabsorbedInsulin = 0x5C,
    ChangeAudioBolus = 0x5F,
    ChangeBgReminderEnable = 0x60,
    ChangeAlarmNotifyMode = 0x63,
    ChangeTimeFormat = 0x64,
    DailyTotal515 = 0x6C,
    DailyTotal522 = 0x6D,
    DailyTotal523 = 0x6E,
    BasalProfileStart = 0x7B,
}

/// <summary>
/// Record lengths per opcode and family. Sources: decocare history.py / records/*.py,
/// rileylink_ios PumpEvents/*.swift, Tidepool processData.js RECORD_TYPES; where they differ the
/// real pages decide (every fixture page parses to its zero padding, and the CareLink export
/// finds a partner for every record it lists).
/// </summary>
internal static class MedtronicRecordLayouts
{
    private static readonly MedtronicRecordLayout Plain = new(2, 5, 0);

    public static MedtronicRecordLayout? Of(MedtronicRecordType type, MedtronicModelFamily family)
    {
        var larger = family == MedtronicModelFamily.X23AndLater;
        return type switch
        {
            MedtronicRecordType.Bolus => new(larger ? 8 : 4, 5, 0),
            MedtronicRecordType.Prime => new(5, 5, 0),
            MedtronicRecordType.AlarmPump => new(4, 5, 0),
            MedtronicRecordType.ResultDailyTotal => new(5, 2, larger ? 3 : 0),
            MedtronicRecordType.ChangeBasalProfilePattern or MedtronicRecordType.ChangeBasalProfile => new(2, 5, 145),
            MedtronicRecordType.AlarmSensor => new(3, 5, 0),
            MedtronicRecordType.EnableDisableRemote or MedtronicRecordType.ChangeParadigmLinkId => new(2, 5, 14),
            MedtronicRecordType.TempBasal => new(2, 5, 1),
            MedtronicRecordType.BgReceived => new(2, 5, 3),

            // decocare reads 40 body bytes and swallows the AlarmSensor that follows on page 9 of
            // pump 578398; Tidepool's 32 leaves that record whole (CareLink lists it).
            MedtronicRecordType.ChangeBolusWizardSetup => new(2, 5, 32),
            MedtronicRecordType.BolusWizardSetup => new(2, 5, larger ? 137 : 117),
            MedtronicRecordType.BolusWizard => new(2, 5, larger ? 15 : 13),
            MedtronicRecordType.UnabsorbedInsulin => new(2, 0, 0, HeadLengthInSecondByte: true),
            MedtronicRecordType.DailyTotal515 => new(1, 2, 35),
            MedtronicRecordType.DailyTotal522 => new(1, 2, 41),
            MedtronicRecordType.DailyTotal523 => new(1, 2, 49),
            MedtronicRecordType.BasalProfileStart => new(2, 5, 3),
            _ when Enum.IsDefined(type) => Plain,
            _ => null,
        };
    }
}
