using System.Buffers.Binary;
using PumpGateway.Protocol;

namespace PumpGateway.Devices.Cgms;

/// <summary>
/// When the session started, on the sensor's own clock: a local date-time, the time zone it was
/// in (15-minute steps) and the DST in effect. A year, month or day of 0 means "not known".
/// </summary>
public sealed record CgmSessionStartTime(ushort Year, byte Month, byte Day, byte Hours, byte Minutes, byte Seconds, sbyte TimeZone, CgmDstOffset DstOffset)
{
    public const sbyte UnknownTimeZone = -128;
    public const sbyte MinTimeZone = -48;
    public const sbyte MaxTimeZone = 56;
    public const ushort MinYear = 1582;
    public const ushort MaxYear = 9999;

    private static readonly TimeSpan TimeZoneStep = TimeSpan.FromMinutes(15);

    /// <summary>The start as the sensor's wall clock showed it; null when the date is not known.</summary>
    public DateTime? LocalTime => Year == 0 || Month == 0 || Day == 0
        ? null
        : new DateTime(Year, Month, Day, Hours, Minutes, Seconds, DateTimeKind.Unspecified);

    /// <summary>Local time minus UTC (time zone plus DST); null when either is unknown.</summary>
    public TimeSpan? UtcOffset => TimeZone == UnknownTimeZone || DstOffset == CgmDstOffset.Unknown
        ? null
        : (TimeZone * TimeZoneStep) + DstDuration(DstOffset);

    /// <summary>The start as a UTC instant; null when the date, time zone or DST is not known.</summary>
    public DateTimeOffset? ToUtc() => AtOffset(0);

    /// <summary>Where a reading falls: session start plus the record's time offset, in UTC.</summary>
    public DateTimeOffset? TimeOfMeasurement(ushort timeOffsetMinutes) => AtOffset(timeOffsetMinutes);

    public DateTimeOffset? TimeOf(CgmMeasurement measurement) => AtOffset(measurement.TimeOffsetMinutes);

    /// <summary>The value a sensor whose clock reads <paramref name="start"/> (with its UTC offset) writes, <paramref name="dstOffset"/> being part of that offset.</summary>
    public static CgmSessionStartTime From(DateTimeOffset start, CgmDstOffset dstOffset)
    {
        if (dstOffset == CgmDstOffset.Unknown || !Enum.IsDefined(dstOffset))
        {
            throw new ArgumentOutOfRangeException(nameof(dstOffset), dstOffset, "a known DST offset is needed to split the UTC offset");
        }

        var standard = start.Offset - DstDuration(dstOffset);
        if (standard.Ticks % TimeZoneStep.Ticks != 0 || standard / TimeZoneStep is < MinTimeZone or > MaxTimeZone)
        {
            throw new ArgumentOutOfRangeException(nameof(start), start.Offset, "the standard offset is not a time zone of 15-minute steps between -12 h and +14 h");
        }

        var local = start.DateTime;
        return new CgmSessionStartTime(
            (ushort)local.Year, (byte)local.Month, (byte)local.Day, (byte)local.Hour, (byte)local.Minute, (byte)local.Second, (sbyte)(standard / TimeZoneStep), dstOffset);
    }

    private DateTimeOffset? AtOffset(ushort minutes)
    {
        if (LocalTime is not { } local || UtcOffset is not { } offset)
        {
            return null;
        }

        // Near year 1 or 9999 the instant can fall outside DateTime: not knowable, not a crash.
        var ticks = local.Ticks - offset.Ticks + TimeSpan.FromMinutes(minutes).Ticks;
        return ticks >= DateTime.MinValue.Ticks && ticks <= DateTime.MaxValue.Ticks
            ? new DateTimeOffset(ticks, TimeSpan.Zero)
            : null;
    }

    private static TimeSpan DstDuration(CgmDstOffset dst) => dst switch
    {
        CgmDstOffset.HalfAnHourDaylightTime => TimeSpan.FromMinutes(30),
        CgmDstOffset.DaylightTime => TimeSpan.FromHours(1),
        CgmDstOffset.DoubleDaylightTime => TimeSpan.FromHours(2),
        _ => TimeSpan.Zero,
    };
}

/// <summary>
/// CGM Session Start Time (0x2AAA): Date Time (year u16, month, day, hours, minutes, seconds),
/// Time Zone (sint8), DST Offset (uint8), E2E-CRC if supported.
/// </summary>
public static class CgmSessionStartTimeCodec
{
    private const int PayloadSize = 9;

    public static CgmSessionStartTime Decode(ReadOnlySpan<byte> value, CgmsE2e e2e)
    {
        var payload = CgmsWire.Unseal(value, PayloadSize, e2e, "CGM Session Start Time");
        var start = new CgmSessionStartTime(
            BinaryPrimitives.ReadUInt16LittleEndian(payload),
            payload[2],
            payload[3],
            payload[4],
            payload[5],
            payload[6],
            (sbyte)payload[7],
            CgmsWire.Defined<CgmDstOffset>(payload[8], 8, "DST offset"));
        if (FindOutOfRange(start) is { } problem)
        {
            throw new ProtocolException(ProtocolErrorKind.OutOfRange, problem.Offset, problem.Message);
        }

        return start;
    }

    public static byte[] Encode(CgmSessionStartTime start, CgmsE2e e2e)
    {
        CgmsWire.RequireDefined(start.DstOffset, nameof(start));
        if (FindOutOfRange(start) is { } problem)
        {
            throw new ArgumentOutOfRangeException(nameof(start), start, problem.Message);
        }

        var value = CgmsWire.Allocate(PayloadSize, e2e);
        BinaryPrimitives.WriteUInt16LittleEndian(value, start.Year);
        value[2] = start.Month;
        value[3] = start.Day;
        value[4] = start.Hours;
        value[5] = start.Minutes;
        value[6] = start.Seconds;
        value[7] = (byte)start.TimeZone;
        value[8] = (byte)start.DstOffset;
        return CgmsWire.Seal(value, e2e);
    }

    private static (int Offset, string Message)? FindOutOfRange(CgmSessionStartTime t)
    {
        if (t.Year != 0 && t.Year is < CgmSessionStartTime.MinYear or > CgmSessionStartTime.MaxYear)
        {
            return (0, $"year {t.Year} is neither 0 (not known) nor within 1582..9999");
        }

        if (t.Month > 12)
        {
            return (2, $"month {t.Month} is beyond 12");
        }

        var longestDay = t.Year != 0 && t.Month != 0 ? DateTime.DaysInMonth(t.Year, t.Month) : 31;
        if (t.Day > longestDay)
        {
            return (3, $"day {t.Day} is beyond the {longestDay} days of that month");
        }

        if (t.Hours > 23 || t.Minutes > 59 || t.Seconds > 59)
        {
            var offset = t.Hours > 23 ? 4 : t.Minutes > 59 ? 5 : 6;
            return (offset, $"{t.Hours}:{t.Minutes}:{t.Seconds} is not a time of day");
        }

        if (t.TimeZone != CgmSessionStartTime.UnknownTimeZone && t.TimeZone is < CgmSessionStartTime.MinTimeZone or > CgmSessionStartTime.MaxTimeZone)
        {
            return (7, $"time zone {t.TimeZone} is neither -128 (not known) nor within -48..56 quarter hours");
        }

        return null;
    }
}
