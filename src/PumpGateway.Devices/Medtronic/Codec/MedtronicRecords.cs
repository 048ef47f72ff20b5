namespace PumpGateway.Devices.Medtronic;

/// <summary>One record of a ReadHistoryData page.</summary>
public abstract record MedtronicHistoryRecord
{
    public abstract MedtronicRecordType Type { get; }
}

/// <summary>A history record stamped with the 5-byte pump-local timestamp.</summary>
public abstract record MedtronicTimedRecord(MedtronicTimestamp Timestamp) : MedtronicHistoryRecord
{
    /// <summary>Pump-local time, no zone.</summary>
    public DateTime Time => Timestamp.Time;
}

/// <summary>Bolus kinds of timestamp byte 2 bits 5-7 (Tidepool processData.js BOLUS_TYPES).</summary>
public enum MedtronicBolusKind : byte
{
    Normal = 1,

    /// <summary>What a 522 writes for every plain normal bolus (CareLink: BolusNormal, not dual).</summary>
    NormalVariable = 2,
    Square = 3,
    DualNormal = 4,
    DualSquare = 5,
}

/// <summary>
/// 0x01 Bolus. Up to the x22: programmed = h1/10 U, delivered = h2/10 U, duration = h3 x 30 min.
/// From the x23: programmed, delivered and unabsorbed insulin are u16 big-endian /40 U, duration
/// = h7 x 30 min. A duration makes it a square wave; a dual wave is a DualSquare record and a
/// DualNormal record. A square wave cancelled early keeps its programmed amount and duration.
/// </summary>
public sealed record MedtronicBolus(MedtronicTimestamp Timestamp, decimal Programmed, decimal Delivered, TimeSpan Duration, decimal? Unabsorbed = null)
    : MedtronicTimedRecord(Timestamp)
{
    public override MedtronicRecordType Type => MedtronicRecordType.Bolus;

    public MedtronicBolusKind Kind => (MedtronicBolusKind)Timestamp.HourHighBits;

    public bool IsSquareWave => Duration > TimeSpan.Zero;

    public bool IsDualWavePart => Kind is MedtronicBolusKind.DualNormal or MedtronicBolusKind.DualSquare;
}

/// <summary>
/// 0x5B BolusWizard (bolus wizard estimate). The layout differs by family (13 or 15 body bytes),
/// so the raw body is kept and the values are read from it: x22 per rileylink_ios
/// BolusWizardEstimatePumpEvent (checked against the CareLink export of pump 578398 on all 94
/// records), x23 per rileylink_ios and Tidepool (not checked on a real page here).
/// </summary>
public sealed record MedtronicBolusWizard(MedtronicTimestamp Timestamp, byte BgLowByte, MedtronicRecordList<byte> Body)
    : MedtronicTimedRecord(Timestamp)
{
    public const int BodyLengthUpToX22 = 13;
    public const int BodyLengthX23AndLater = 15;

    public override MedtronicRecordType Type => MedtronicRecordType.BolusWizard;

    private bool Larger => Body.Count == BodyLengthX23AndLater;

    /// <summary>Meter BG entered into the wizard, 0 when none (10 bits).</summary>
    public int Bg => ((Body[1] & 0x03) << 8) | BgLowByte;

    public int CarbGrams => Larger ? ((Body[1] & 0x0C) << 6) | Body[0] : Body[0];

    public decimal CarbRatio => Larger ? (((Body[2] & 0x07) << 8) | Body[3]) / 10m : Body[2];

    public int InsulinSensitivity => Larger ? Body[4] : Body[3];

    public int BgTargetLow => Larger ? Body[5] : Body[4];

    public int BgTargetHigh => Larger ? Body[14] : Body[12];

    public decimal FoodEstimate => Larger ? ((Body[7] << 8) | Body[8]) / 40m : Body[6] / 10m;

    public decimal CorrectionEstimate => Larger ? (((Body[9] & 0x38) << 5) | Body[6]) / 40m : ((Body[7] << 8) | Body[5]) / 10m;

    public decimal ActiveInsulin => Larger ? ((Body[10] << 8) | Body[11]) / 40m : Body[9] / 10m;

    public decimal BolusEstimate => Larger ? ((Body[12] << 8) | Body[13]) / 40m : Body[11] / 10m;

    /// <summary>Packs a wizard record for the emulator; bits no source explains are left 0.</summary>
    public static MedtronicBolusWizard Create(
        MedtronicModelFamily family, MedtronicTimestamp timestamp, int bg, int carbGrams, decimal carbRatio, int sensitivity,
        int targetLow, int targetHigh, decimal food, decimal correction, decimal activeInsulin, decimal estimate)
    {
        ArgumentOutOfRangeException.ThrowIfGreaterThan(bg, 0x3FF);
        ArgumentOutOfRangeException.ThrowIfNegative(bg);
        var body = new byte[family == MedtronicModelFamily.X23AndLater ? BodyLengthX23AndLater : BodyLengthUpToX22];
        if (family == MedtronicModelFamily.X23AndLater)
        {
            var ratio = MedtronicUnits.Scaled(carbRatio, 10, 0x7FF, nameof(carbRatio));
            var corr = MedtronicUnits.Scaled(correction, 40, 0x7FF, nameof(correction));
            var foodStrokes = MedtronicUnits.Scaled(food, 40, 0xFFFF, nameof(food));
            var iob = MedtronicUnits.Scaled(activeInsulin, 40, 0xFFFF, nameof(activeInsulin));
            var total = MedtronicUnits.Scaled(estimate, 40, 0xFFFF, nameof(estimate));
            ArgumentOutOfRangeException.ThrowIfGreaterThan(carbGrams, 0x3FF);
            body[0] = (byte)carbGrams;
            body[1] = (byte)(((carbGrams >> 8) << 2) | (bg >> 8));
            body[2] = (byte)(ratio >> 8);
            body[3] = (byte)ratio;
            body[4] = checked((byte)sensitivity);
            body[5] = checked((byte)targetLow);
            body[6] = (byte)corr;
            body[7] = (byte)(foodStrokes >> 8);
            body[8] = (byte)foodStrokes;
            body[9] = (byte)((corr >> 8) << 3);
            body[10] = (byte)(iob >> 8);
            body[11] = (byte)iob;
            body[12] = (byte)(total >> 8);
            body[13] = (byte)total;
            body[14] = checked((byte)targetHigh);
        }
        else
        {
            var corr = MedtronicUnits.Scaled(correction, 10, 0xFFFF, nameof(correction));
            body[0] = checked((byte)carbGrams);
            body[1] = (byte)(bg >> 8);
            body[2] = checked((byte)MedtronicUnits.Scaled(carbRatio, 1, 0xFF, nameof(carbRatio)));
            body[3] = checked((byte)sensitivity);
            body[4] = checked((byte)targetLow);
            body[5] = (byte)corr;
            body[6] = (byte)MedtronicUnits.Scaled(food, 10, 0xFF, nameof(food));
            body[7] = (byte)(corr >> 8);
            body[9] = (byte)MedtronicUnits.Scaled(activeInsulin, 10, 0xFF, nameof(activeInsulin));
            body[11] = (byte)MedtronicUnits.Scaled(estimate, 10, 0xFF, nameof(estimate));
            body[12] = checked((byte)targetHigh);
        }

        return new MedtronicBolusWizard(timestamp, (byte)bg, [.. body]);
    }
}

/// <summary>One bolus still acting: amount in 1/40 U, age in minutes (10 bits).</summary>
/// <param name="OtherBits">Bits of the third byte outside the age's two high bits (4 in the captures; CareLink shows an action curve of 240 min then).</param>
public readonly record struct MedtronicUnabsorbedDose(decimal Amount, int AgeMinutes, byte OtherBits = 0);

/// <summary>
/// 0x5C UnabsorbedInsulin: no timestamp; h1 is the record's whole length (2 + 3 per dose). It
/// precedes the BolusWizard record it was computed for (decocare appends it to that record).
/// </summary>
public sealed record MedtronicUnabsorbedInsulin(MedtronicRecordList<MedtronicUnabsorbedDose> Doses) : MedtronicHistoryRecord
{
    public override MedtronicRecordType Type => MedtronicRecordType.UnabsorbedInsulin;
}

public enum MedtronicTempBasalType : byte
{
    Absolute = 0,
    Percent = 1,
}

/// <summary>
/// 0x33 TempBasal: body0 bit 3 = type; absolute rate = ((body0 &amp; 7) &lt;&lt; 8 | h1) / 40 U/h,
/// percent = h1. Its duration is the TempBasalDuration record with the same timestamp.
/// </summary>
public sealed record MedtronicTempBasal(MedtronicTimestamp Timestamp, MedtronicTempBasalType RateType, decimal? Rate, int? Percent)
    : MedtronicTimedRecord(Timestamp)
{
    public override MedtronicRecordType Type => MedtronicRecordType.TempBasal;

    public static MedtronicTempBasal Absolute(MedtronicTimestamp timestamp, decimal rate) => new(timestamp, MedtronicTempBasalType.Absolute, rate, null);

    public static MedtronicTempBasal OfPercent(MedtronicTimestamp timestamp, int percent) => new(timestamp, MedtronicTempBasalType.Percent, null, percent);
}

/// <summary>0x16 TempBasalDuration: h1 x 30 min; 0 cancels the temp basal.</summary>
public sealed record MedtronicTempBasalDuration(MedtronicTimestamp Timestamp, TimeSpan Duration) : MedtronicTimedRecord(Timestamp)
{
    public override MedtronicRecordType Type => MedtronicRecordType.TempBasalDuration;

    public bool IsCancel => Duration == TimeSpan.Zero;
}

public enum MedtronicBasalPattern : byte
{
    Standard = 0,
    A = 1,
    B = 2,
}

/// <summary>
/// 0x7B BasalProfileStart (x23 and later write it): h1 = segment index; body0 = start x 30 min,
/// body1 = rate / 40 U/h, body2 not explained by any source (0 in captures, kept). The pattern is
/// timestamp byte 2 bits 5-7 (Tidepool).
/// </summary>
public sealed record MedtronicBasalProfileStart(MedtronicTimestamp Timestamp, int SegmentIndex, TimeSpan Start, decimal Rate, byte Trailer = 0)
    : MedtronicTimedRecord(Timestamp)
{
    public override MedtronicRecordType Type => MedtronicRecordType.BasalProfileStart;

    public MedtronicBasalPattern Pattern => (MedtronicBasalPattern)Timestamp.HourHighBits;
}

/// <summary>Suspend / resume reasons, h1 bits 0-4 (Tidepool SUSPEND_REASONS). A 522 writes 0.</summary>
public enum MedtronicSuspendReason : byte
{
    Unspecified = 0,
    User = 1,
    Alarm = 2,
    LowGlucoseSuspend = 3,
    NoResponse = 4,
    UserSelected = 5,
    ResumeUser = 6,
    AutoResumeAfterUserSuspend = 7,
    AutoResumeAfterNoResponse = 8,
}

/// <summary>0x1E PumpSuspend / 0x1F PumpResume; h1 bits 5-7 are masked off by Tidepool and kept here.</summary>
public sealed record MedtronicSuspendResume(MedtronicRecordType SuspendOrResume, MedtronicTimestamp Timestamp, MedtronicSuspendReason Reason, byte ReasonHighBits = 0)
    : MedtronicTimedRecord(Timestamp)
{
    public override MedtronicRecordType Type => SuspendOrResume;

    public bool IsSuspend => SuspendOrResume == MedtronicRecordType.PumpSuspend;
}

/// <summary>Pump alarm codes of 0x06 h1 known to Tidepool processData.js or rileylink_ios.</summary>
public enum MedtronicPumpAlarmType : byte
{
    BatteryOutLimitExceeded = 3,
    NoDelivery = 4,
    BatteryDepleted = 5,
    AutoOff = 6,
    DeviceReset = 16,
    DeviceResetBatteryIssue17 = 17,
    DeviceResetBatteryIssue21 = 21,
    ButtonError = 59,
    ReprogramError = 61,
    EmptyReservoir = 62,
    LowGlucoseSuspend = 103,
}

/// <summary>
/// 0x06 AlarmPump: h1 = alarm code, h2-h3 = firmware line number (CareLink LINE_NUM). The code is
/// kept as a number: real pages carry codes no source names (54 and 47 after a battery reset).
/// </summary>
public sealed record MedtronicAlarmPump(MedtronicTimestamp Timestamp, byte AlarmCode, ushort FirmwareLine) : MedtronicTimedRecord(Timestamp)
{
    public override MedtronicRecordType Type => MedtronicRecordType.AlarmPump;

    public MedtronicPumpAlarmType? KnownType => Enum.IsDefined((MedtronicPumpAlarmType)AlarmCode) ? (MedtronicPumpAlarmType)AlarmCode : null;
}

/// <summary>
/// 0x0B AlarmSensor: h1 = sensor alarm code (101 high, 102 low, 104 meter BG now, 105 cal
/// reminder, 106 calibration error, 107 sensor end, 112 weak signal, 113 lost sensor, 115 low
/// predicted, per decocare), h2 = its argument; for 101/102 the glucose is h2 with timestamp
/// byte 4 bit 7 as bit 8.
/// </summary>
public sealed record MedtronicAlarmSensor(MedtronicTimestamp Timestamp, byte AlarmCode, byte Argument) : MedtronicTimedRecord(Timestamp)
{
    public override MedtronicRecordType Type => MedtronicRecordType.AlarmSensor;

    public int? GlucoseMgDl => AlarmCode is 101 or 102 ? ((Timestamp.YearHighBit ? 1 : 0) << 8) | Argument : null;
}

/// <summary>0x0C ClearAlarm: h1 = the code of the alarm cleared (CareLink ALARM_TYPE).</summary>
public sealed record MedtronicClearAlarm(MedtronicTimestamp Timestamp, byte AlarmCode) : MedtronicTimedRecord(Timestamp)
{
    public override MedtronicRecordType Type => MedtronicRecordType.ClearAlarm;
}

/// <summary>0x34 LowReservoir: h1 / 10 U remaining (decocare; CareLink agrees on the 522).</summary>
public sealed record MedtronicLowReservoir(MedtronicTimestamp Timestamp, decimal Remaining) : MedtronicTimedRecord(Timestamp)
{
    public override MedtronicRecordType Type => MedtronicRecordType.LowReservoir;
}

public enum MedtronicPrimeKind
{
    Manual = 0,
    Fixed = 1,
}

/// <summary>
/// 0x03 Prime: h2 = programmed (fixed) amount / 10 U, 0 for a manual prime; h4 = amount primed
/// / 10 U (decocare, rileylink_ios, Tidepool alike). h1 and h3 are kept as they are (0 in captures).
/// </summary>
public sealed record MedtronicPrime(MedtronicTimestamp Timestamp, decimal Programmed, decimal Amount, byte Head1 = 0, byte Head3 = 0) : MedtronicTimedRecord(Timestamp)
{
    public override MedtronicRecordType Type => MedtronicRecordType.Prime;

    public MedtronicPrimeKind Kind => Programmed == 0 ? MedtronicPrimeKind.Manual : MedtronicPrimeKind.Fixed;
}

/// <summary>
/// 0x0A CalBGForPH: a meter BG the pump took in. Value = h1 + (timestamp byte 4 bit 7) x 256 +
/// (timestamp byte 2 bit 7) x 512 (decocare and Tidepool agree).
/// </summary>
public sealed record MedtronicCalBgForPh(MedtronicTimestamp Timestamp, byte LowByte) : MedtronicTimedRecord(Timestamp)
{
    public override MedtronicRecordType Type => MedtronicRecordType.CalBgForPh;

    public int Bg => LowByte | (Timestamp.YearHighBit ? 0x100 : 0) | ((Timestamp.HourHighBits & 0x4) != 0 ? 0x200 : 0);
}

/// <summary>
/// 0x3F BGReceived: a BG sent by a linked meter; value = h1 x 8 + timestamp byte 2 bits 5-7
/// (Tidepool, decocare), body = the meter's link id (3 bytes, shown as 6 hex digits).
/// </summary>
public sealed record MedtronicBgReceived(MedtronicTimestamp Timestamp, byte HighByte, MedtronicRecordList<byte> MeterLinkId) : MedtronicTimedRecord(Timestamp)
{
    public override MedtronicRecordType Type => MedtronicRecordType.BgReceived;

    public int Bg => (HighByte << 3) | Timestamp.HourHighBits;

    public string LinkIdText => Convert.ToHexString(MeterLinkId.AsSpan());
}

/// <summary>
/// 0x07 ResultDailyTotal: h3-h4 = the day's insulin total, u16 big-endian / 40 U (CareLink
/// AMOUNT on all 16 days of pump 578398); h1-h2 and the x23's 3 body bytes are kept as they are.
/// </summary>
/// <param name="Body">Empty up to the x22, 3 bytes from the x23 on.</param>
public sealed record MedtronicResultDailyTotal(MedtronicDate Date, decimal Total, byte Head1, byte Head2, MedtronicRecordList<byte> Body)
    : MedtronicHistoryRecord
{
    public override MedtronicRecordType Type => MedtronicRecordType.ResultDailyTotal;
}

/// <summary>0x6C / 0x6D / 0x6E daily total details: a 2-byte date and a body no source decodes (kept whole).</summary>
public sealed record MedtronicDailyTotals(MedtronicRecordType TotalsType, MedtronicDate Date, MedtronicRecordList<byte> Body) : MedtronicHistoryRecord
{
    public override MedtronicRecordType Type => TotalsType;
}

/// <summary>
/// Records whose only content is their time and one argument byte no source explains:
/// LowBattery 0x19, Battery 0x1A, Rewind 0x21, ChangeTime 0x17 (time before the change) and
/// NewTimeSet 0x18 (time after it).
/// </summary>
public sealed record MedtronicPumpEvent(MedtronicRecordType EventType, MedtronicTimestamp Timestamp, byte Argument = 0) : MedtronicTimedRecord(Timestamp)
{
    public override MedtronicRecordType Type => EventType;
}

/// <summary>
/// A record whose length is known but whose content is not decoded (settings changes, wizard
/// setup, basal profiles …): its head arguments, timestamp and body are kept as they are.
/// </summary>
public sealed record MedtronicUninterpretedRecord(MedtronicRecordType RecordType, MedtronicRecordList<byte> HeadArguments, MedtronicTimestamp Timestamp, MedtronicRecordList<byte> Body)
    : MedtronicTimedRecord(Timestamp)
{
    public override MedtronicRecordType Type => RecordType;
}
