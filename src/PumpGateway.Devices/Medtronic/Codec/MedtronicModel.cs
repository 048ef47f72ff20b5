using PumpGateway.Protocol;

namespace PumpGateway.Devices.Medtronic;

/// <summary>
/// The two history formats of the Paradigm line. The x23 generation ("larger" in decocare and
/// rileylink_ios) counts insulin in 40 strokes per unit and widened several records to carry it.
/// </summary>
public enum MedtronicModelFamily
{
    /// <summary>508 to x22: 10 strokes per unit, one-byte bolus amounts.</summary>
    UpToX22 = 1,

    /// <summary>x23 to x54: 40 strokes per unit, two-byte bolus amounts, longer wizard and total records.</summary>
    X23AndLater = 2,
}

/// <summary>Head, timestamp and body lengths of one history record type for one model family.</summary>
/// <param name="HeadLength">Opcode and arguments before the timestamp; for UnabsorbedInsulin the minimum, the real one is in byte 1.</param>
/// <param name="DateLength">5 (timestamp), 2 (daily totals' date) or 0.</param>
/// <param name="BodyLength">Bytes after the timestamp.</param>
/// <param name="HeadLengthInSecondByte">The head's length is carried by the record's second byte.</param>
public readonly record struct MedtronicRecordLayout(int HeadLength, int DateLength, int BodyLength, bool HeadLengthInSecondByte = false)
{
    public int Length => HeadLength + DateLength + BodyLength;
}

/// <summary>
/// A Paradigm pump model as ReadPumpModel names it ("522", "554", "723" …) and what follows from
/// it. Unknown numbers are rejected: guessing the family would misparse every history page.
/// </summary>
public sealed record MedtronicModel
{
    // decocare models/__init__.py and rileylink_ios PumpModel.swift list the same nineteen.
    private static readonly HashSet<string> KnownNumbers =
        ["508", "511", "512", "515", "522", "523", "530", "540", "551", "554", "711", "712", "715", "722", "723", "730", "740", "751", "754"];

    private MedtronicModel(string number)
    {
        Number = number;
        Family = int.Parse(number.AsSpan(1), System.Globalization.CultureInfo.InvariantCulture) >= 23 ? MedtronicModelFamily.X23AndLater : MedtronicModelFamily.UpToX22;
    }

    public string Number { get; }

    public MedtronicModelFamily Family { get; }

    /// <summary>Bolus resolution: 10 strokes per unit up to the x22, 40 from the x23 on.</summary>
    public int StrokesPerUnit => Family == MedtronicModelFamily.X23AndLater ? 40 : 10;

    /// <summary>Basal rates, daily totals and unabsorbed insulin are in 1/40 U on every model.</summary>
    public static int BasalStrokesPerUnit => 40;

    public static MedtronicModel Paradigm522 { get; } = new("522");

    public static MedtronicModel Paradigm554 { get; } = new("554");

    public static MedtronicModel Parse(string number)
    {
        ArgumentNullException.ThrowIfNull(number);
        return TryParse(number, out var model)
            ? model
            : throw new ProtocolException(ProtocolErrorKind.UnsupportedRevision, 0, $"pump model \"{number}\" is not a known Paradigm model");
    }

    public static bool TryParse(string? number, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out MedtronicModel? model)
    {
        model = number is not null && KnownNumbers.Contains(number) ? new MedtronicModel(number) : null;
        return model is not null;
    }

    /// <summary>The layout of a history record type on this model; null for a type this codec does not know.</summary>
    public MedtronicRecordLayout? LayoutOf(MedtronicRecordType type) => MedtronicRecordLayouts.Of(type, Family);

    public override string ToString() => $"Paradigm {Number}";
}
