using FsCheck;
using FsCheck.Fluent;
using PumpGateway.Codecs;

namespace PumpGateway.Devices.Tests.Properties;

/// <summary>Generators of the building blocks the codecs share: defined enum values, flag sets within a mask, medical floats, integers.</summary>
internal static class ValidValues
{
    public static Gen<T> Defined<T>()
        where T : struct, Enum => Gen.Elements(Enum.GetValues<T>());

    public static Gen<T?> DefinedOrNull<T>()
        where T : struct, Enum => Gen.Frequency((1, Gen.Constant<T?>(null)), (3, Defined<T>().Select(v => (T?)v)));

    /// <summary>Any combination of the bits in <paramref name="mask"/>.</summary>
    public static Gen<T> Flags<T>(uint mask)
        where T : struct, Enum => AnyUInt32.Select(raw => (T)Enum.ToObject(typeof(T), raw & mask));

    public static Gen<byte> AnyByte { get; } = Gen.Choose(0, 255).Select(b => (byte)b);

    public static Gen<ushort> AnyUInt16 { get; } = Gen.Choose(0, ushort.MaxValue).Select(v => (ushort)v);

    public static Gen<uint> AnyUInt32 { get; } = Gen.Two(AnyUInt16).Select(p => (uint)p.Item1 | ((uint)p.Item2 << 16));

    public static Gen<int> AnyInt32 { get; } = AnyUInt32.Select(v => unchecked((int)v));

    public static Gen<T?> OrNull<T>(Gen<T> values)
        where T : struct => Gen.Frequency((1, Gen.Constant<T?>(null)), (3, values.Select(v => (T?)v)));

    public static Gen<bool> Bool { get; } = Gen.Elements(true, false);

    /// <summary>SFLOAT: specials, and numbers whose mantissa fits 12 bits (at exponent 0, clear of the special codes).</summary>
    public static Gen<MedicalFloat> SFloat { get; } = MedicalFloats(12, 4, 0x07FD);

    /// <summary>FLOAT: specials, and numbers whose mantissa fits 24 bits (at exponent 0, clear of the special codes).</summary>
    public static Gen<MedicalFloat> Float { get; } = MedicalFloats(24, 8, 0x007FFFFD);

    private static Gen<MedicalFloat> MedicalFloats(int mantissaBits, int exponentBits, int specialFreeMax)
    {
        var exponentMax = (1 << (exponentBits - 1)) - 1;
        var numbers = Gen.Choose(-exponentMax - 1, exponentMax).SelectMany(
            exponent => exponent == 0 ? Gen.Choose(-specialFreeMax, specialFreeMax) : Gen.Choose(-(1 << (mantissaBits - 1)), (1 << (mantissaBits - 1)) - 1),
            (exponent, mantissa) => new MedicalFloat(mantissa, exponent));
        var specials = Gen.Elements(
            MedicalFloatSpecial.NaN, MedicalFloatSpecial.NotAtThisResolution, MedicalFloatSpecial.PositiveInfinity, MedicalFloatSpecial.NegativeInfinity)
            .Select(special => new MedicalFloat(0, 0, special));
        return Gen.Frequency((9, numbers), (1, specials));
    }

    /// <summary>Text of the given characters, at most <paramref name="maxLength"/> long.</summary>
    public static Gen<string> Text(string alphabet, int minLength, int maxLength) =>
        Gen.Choose(minLength, maxLength).SelectMany(length => Gen.ArrayOf(Gen.Elements(alphabet.ToCharArray()), length)).Select(chars => new string(chars));
}
