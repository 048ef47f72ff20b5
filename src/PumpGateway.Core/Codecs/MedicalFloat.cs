using System.Buffers.Binary;
using PumpGateway.Protocol;

namespace PumpGateway.Codecs;

/// <summary>The non-numbers of IEEE 11073-20601 floats.</summary>
public enum MedicalFloatSpecial
{
    None = 0,
    NaN = 1,

    /// <summary>"Not at this resolution": the value exists but cannot be represented.</summary>
    NotAtThisResolution = 2,
    PositiveInfinity = 3,
    NegativeInfinity = 4,
}

/// <summary>
/// An IEEE 11073-20601 float as the Bluetooth health profiles carry it: mantissa × 10^exponent,
/// kept as the integers sent so that a device's resolution (0.05 IU, 1 mg/dL) is never rounded
/// through binary floating point. SFLOAT is 16 bits (4-bit exponent, 12-bit mantissa), FLOAT 32
/// bits (8-bit exponent, 24-bit mantissa); both reserve mantissas around the positive maximum for
/// NaN, NRes and ±infinity, and one more value that is reserved outright and rejected.
/// </summary>
public readonly record struct MedicalFloat(int Mantissa, int Exponent, MedicalFloatSpecial Special = MedicalFloatSpecial.None)
{
    public const int SFloatSize = 2;
    public const int FloatSize = 4;

    private const int SFloatMantissaMax = 0x07FD;
    private const int FloatMantissaMax = 0x007FFFFD;

    public static MedicalFloat NaN { get; } = new(0, 0, MedicalFloatSpecial.NaN);

    public bool IsFinite => Special == MedicalFloatSpecial.None;

    /// <summary>The exact value; null for a special value or one beyond what a decimal holds (its ±28 digits, its 7.9 × 10^28).</summary>
    public decimal? ToDecimal()
    {
        if (!IsFinite || Math.Abs(Exponent) > 28)
        {
            return null;
        }

        try
        {
            return Mantissa * Pow10(Exponent);
        }
        catch (OverflowException)
        {
            return null;
        }
    }

    public double ToDouble() => Special switch
    {
        MedicalFloatSpecial.None => ToDecimal() is { } exact ? (double)exact : Mantissa * Math.Pow(10, Exponent),
        MedicalFloatSpecial.PositiveInfinity => double.PositiveInfinity,
        MedicalFloatSpecial.NegativeInfinity => double.NegativeInfinity,
        _ => double.NaN,
    };

    /// <summary>The value at <paramref name="exponent"/> (e.g. -2 for 0.01 IU), exactly; it must fit in an SFLOAT mantissa.</summary>
    public static MedicalFloat SFloatOf(decimal value, int exponent) => Of(value, exponent, SFloatMantissaMax);

    /// <summary>The value at <paramref name="exponent"/>, exactly; it must fit in a FLOAT mantissa.</summary>
    public static MedicalFloat FloatOf(decimal value, int exponent) => Of(value, exponent, FloatMantissaMax);

    /// <param name="offset">Offset of <paramref name="source"/> in the whole value, for the error message.</param>
    public static MedicalFloat ReadSFloat(ReadOnlySpan<byte> source, int offset = 0)
    {
        if (source.Length < SFloatSize)
        {
            throw new ProtocolException(ProtocolErrorKind.Truncated, offset, "an SFLOAT needs 2 bytes");
        }

        var raw = BinaryPrimitives.ReadUInt16LittleEndian(source);
        var mantissa = raw & 0x0FFF;
        var exponent = raw >> 12;
        if (exponent == 0)
        {
            switch (mantissa)
            {
                case 0x07FF: return new(0, 0, MedicalFloatSpecial.NaN);
                case 0x0800: return new(0, 0, MedicalFloatSpecial.NotAtThisResolution);
                case 0x07FE: return new(0, 0, MedicalFloatSpecial.PositiveInfinity);
                case 0x0802: return new(0, 0, MedicalFloatSpecial.NegativeInfinity);
                case 0x0801: throw new ProtocolException(ProtocolErrorKind.ReservedValue, offset, "SFLOAT 0x0801 is reserved");
            }
        }

        return new(SignExtend(mantissa, 12), SignExtend(exponent, 4));
    }

    public static MedicalFloat ReadFloat(ReadOnlySpan<byte> source, int offset = 0)
    {
        if (source.Length < FloatSize)
        {
            throw new ProtocolException(ProtocolErrorKind.Truncated, offset, "a FLOAT needs 4 bytes");
        }

        var raw = BinaryPrimitives.ReadUInt32LittleEndian(source);
        var mantissa = (int)(raw & 0x00FFFFFF);
        var exponent = (sbyte)(raw >> 24);
        if (exponent == 0)
        {
            switch (mantissa)
            {
                case 0x007FFFFF: return new(0, 0, MedicalFloatSpecial.NaN);
                case 0x00800000: return new(0, 0, MedicalFloatSpecial.NotAtThisResolution);
                case 0x007FFFFE: return new(0, 0, MedicalFloatSpecial.PositiveInfinity);
                case 0x00800002: return new(0, 0, MedicalFloatSpecial.NegativeInfinity);
                case 0x00800001: throw new ProtocolException(ProtocolErrorKind.ReservedValue, offset, "FLOAT 0x00800001 is reserved");
            }
        }

        return new(SignExtend(mantissa, 24), exponent);
    }

    public void WriteSFloat(Span<byte> destination)
    {
        var raw = Special switch
        {
            MedicalFloatSpecial.NaN => 0x07FF,
            MedicalFloatSpecial.NotAtThisResolution => 0x0800,
            MedicalFloatSpecial.PositiveInfinity => 0x07FE,
            MedicalFloatSpecial.NegativeInfinity => 0x0802,
            _ => Pack(Mantissa, Exponent, 12, 4, SFloatMantissaMax),
        };
        BinaryPrimitives.WriteUInt16LittleEndian(destination, (ushort)raw);
    }

    public void WriteFloat(Span<byte> destination)
    {
        var raw = Special switch
        {
            MedicalFloatSpecial.NaN => 0x007FFFFF,
            MedicalFloatSpecial.NotAtThisResolution => 0x00800000,
            MedicalFloatSpecial.PositiveInfinity => 0x007FFFFE,
            MedicalFloatSpecial.NegativeInfinity => 0x00800002,
            _ => Pack(Mantissa, Exponent, 24, 8, FloatMantissaMax),
        };
        BinaryPrimitives.WriteUInt32LittleEndian(destination, (uint)raw);
    }

    public override string ToString() => IsFinite
        ? ToDecimal()?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? $"{Mantissa}e{Exponent}"
        : Special.ToString();

    private static MedicalFloat Of(decimal value, int exponent, int mantissaMax)
    {
        ArgumentOutOfRangeException.ThrowIfGreaterThan(Math.Abs(exponent), 28, nameof(exponent));
        var scaled = value / Pow10(exponent);
        if (scaled != decimal.Truncate(scaled) || Math.Abs(scaled) > mantissaMax)
        {
            throw new ArgumentOutOfRangeException(nameof(value), value, $"not representable as a mantissa of at most {mantissaMax} at exponent {exponent}");
        }

        return new((int)scaled, exponent);
    }

    /// <summary>Specials live at exponent 0 only: elsewhere the whole two's-complement mantissa range is a number.</summary>
    private static int Pack(int mantissa, int exponent, int mantissaBits, int exponentBits, int specialFreeMax)
    {
        var exponentMax = (1 << (exponentBits - 1)) - 1;
        var mantissaFits = exponent == 0
            ? Math.Abs(mantissa) <= specialFreeMax
            : mantissa >= -(1 << (mantissaBits - 1)) && mantissa < (1 << (mantissaBits - 1));
        if (!mantissaFits || exponent > exponentMax || exponent < -exponentMax - 1)
        {
            throw new ArgumentOutOfRangeException(nameof(mantissa), $"{mantissa}e{exponent} does not fit a {mantissaBits + exponentBits}-bit medical float");
        }

        return ((exponent & ((1 << exponentBits) - 1)) << mantissaBits) | (mantissa & ((1 << mantissaBits) - 1));
    }

    private static int SignExtend(int value, int bits) => (value << (32 - bits)) >> (32 - bits);

    private static decimal Pow10(int exponent)
    {
        decimal result = 1;
        for (var i = 0; i < Math.Abs(exponent); i++)
        {
            result *= 10;
        }

        return exponent < 0 ? 1 / result : result;
    }
}
