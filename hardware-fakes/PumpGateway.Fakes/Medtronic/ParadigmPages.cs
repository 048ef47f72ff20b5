using PumpGateway.Devices.Medtronic;
using PumpGateway.Fakes.Scenario;

namespace PumpGateway.Fakes.Medtronic;

/// <summary>
/// One history record of the emulated pump and the scenario event it records: null for a real
/// page served verbatim. A bolus record is written when the bolus is programmed and its delivered
/// amount filled in when it ends, as the pump rewrites it in place; its source stays the
/// <see cref="BolusProgrammed"/>.
/// </summary>
public sealed record ParadigmHistoryEntry(MedtronicHistoryRecord Record, TherapyEvent? Source);

/// <summary>
/// A history page as the pump serves it now: <see cref="Number"/> 0 is the newest, <see cref="Bytes"/>
/// the 1024 bytes ReadHistoryData returns, <see cref="Entries"/> its records oldest first (null for a
/// real page that does not decode, such as the model-554 pages with a bad CRC).
/// </summary>
public sealed record ParadigmHistoryPage(uint Number, IReadOnlyList<ParadigmHistoryEntry>? Entries, byte[] Bytes);

/// <summary>One glucose-page record and the sensor sample it carries (null for timestamps and for real pages).</summary>
public sealed record ParadigmGlucoseEntry(MedtronicGlucoseRecord Record, GlucoseSample? Source);

/// <summary>A glucose page as the pump serves it now; <see cref="Number"/> is the pump's own page number (the newest is the highest).</summary>
public sealed record ParadigmGlucosePage(uint Number, IReadOnlyList<ParadigmGlucoseEntry>? Entries, byte[] Bytes);

/// <summary>What the pump does with a command that reached it over the air.</summary>
public enum ParadigmAnswerKind
{
    /// <summary>Asleep, addressed to another serial, or lost: nothing comes back over the air.</summary>
    None = 0,

    /// <summary>The answer's bytes (none for PowerControl).</summary>
    Data = 1,

    /// <summary>The pump refuses the read (a page it does not hold): a NAK over the air.</summary>
    Nak = 2,
}

/// <summary>The pump's answer to one command.</summary>
public sealed record ParadigmAnswer(ParadigmAnswerKind Kind, byte[] Data)
{
    public static ParadigmAnswer None { get; } = new(ParadigmAnswerKind.None, []);

    public static ParadigmAnswer Nak { get; } = new(ParadigmAnswerKind.Nak, []);

    public static ParadigmAnswer Of(byte[] data) => new(ParadigmAnswerKind.Data, data);
}
