using PumpGateway.Protocol;

namespace PumpGateway.Devices.Ids;

/// <summary>
/// The GATT Date Time the IDS history uses: the device's local wall-clock time, as it was set.
/// Year, month or day 0 means "not known"; every other field is range-checked.
/// </summary>
public readonly record struct IdsDateTime(ushort Year, byte Month, byte Day, byte Hours, byte Minutes, byte Seconds)
{
    public const int Size = 7;

    /// <summary>The wall-clock time, or null when the device does not know the date (or it is not a calendar date).</summary>
    public DateTime? ToDateTime() =>
        Problem() is not null || Year == 0 || Month == 0 || Day == 0 || Day > DateTime.DaysInMonth(Year, Month)
            ? null
            : new DateTime(Year, Month, Day, Hours, Minutes, Seconds, DateTimeKind.Unspecified);

    public static IdsDateTime From(DateTime time) =>
        new((ushort)time.Year, (byte)time.Month, (byte)time.Day, (byte)time.Hour, (byte)time.Minute, (byte)time.Second);

    internal static IdsDateTime Read(ref IdsReader reader)
    {
        var offset = reader.Offset;
        var time = new IdsDateTime(reader.U16("year"), reader.U8("month"), reader.U8("day"), reader.U8("hours"), reader.U8("minutes"), reader.U8("seconds"));
        if (time.Problem() is { } problem)
        {
            throw new ProtocolException(ProtocolErrorKind.OutOfRange, offset + problem.FieldOffset, problem.Message);
        }

        return time;
    }

    internal void Write(IdsWriter writer)
    {
        if (Problem() is { } problem)
        {
            throw new ArgumentException(problem.Message, nameof(writer));
        }

        writer.U16(Year).U8(Month).U8(Day).U8(Hours).U8(Minutes).U8(Seconds);
    }

    private (int FieldOffset, string Message)? Problem() =>
        Year != 0 && Year is < 1582 or > 9999 ? (0, $"year {Year} is outside 1582-9999")
        : Month > 12 ? (2, $"month {Month}")
        : Day > 31 ? (3, $"day {Day}")
        : Hours > 23 ? (4, $"hours {Hours}")
        : Minutes > 59 ? (5, $"minutes {Minutes}")
        : Seconds > 59 ? (6, $"seconds {Seconds}")
        : null;
}
