using System.Buffers.Binary;
using PumpGateway.Codecs;
using PumpGateway.Devices.Ids;

namespace PumpGateway.Fakes.Ids;

/// <summary>
/// Amounts as the pump puts them on the wire, and the few responses the codec cannot write.
/// An SFLOAT holds about four digits: 0.025 IU steps are exact below 2 IU, 0.05 IU below 20 IU,
/// and larger amounts (a full reservoir, a day's total) go to the nearest value the field can
/// hold, as on a real pump; FLOAT holds every amount the scenario produces exactly.
/// </summary>
internal static class IdsPumpValues
{
    private const int SFloatMantissaMax = 0x07FD;
    private const int FloatMantissaMax = 0x007FFFFD;
    private const int FinestExponent = -3;
    private const int CoarsestExponent = 7;

    public static MedicalFloat Insulin(decimal units, IdsDialect dialect) => dialect.InsulinAsFloat ? Float(units) : SFloat(units);

    public static MedicalFloat SFloat(decimal value) => Nearest(value, SFloatMantissaMax, MedicalFloat.SFloatOf);

    public static MedicalFloat Float(decimal value) => Nearest(value, FloatMantissaMax, MedicalFloat.FloatOf);

    /// <summary>
    /// The value of a Response Code for an op code the codec does not know (a delivery-changing
    /// command, Reset Status, Delete Stored Records): the codec has no record for such op codes,
    /// which is the point, so these few bytes are written here, E2E trailer included.
    /// </summary>
    public static byte[] Seal(ReadOnlySpan<byte> body, IdsDialect dialect, byte? counter)
    {
        if (!dialect.E2eProtection)
        {
            return body.ToArray();
        }

        var value = new byte[body.Length + 3];
        body.CopyTo(value);
        value[body.Length] = counter ?? throw new ArgumentException("E2E protection is on: the value needs its E2E-Counter.", nameof(counter));
        BinaryPrimitives.WriteUInt16LittleEndian(value.AsSpan(body.Length + 1), E2eCrc.Compute(value.AsSpan(0, body.Length + 1), dialect.CrcVariant));
        return value;
    }

    /// <summary>Whole minutes, as the IDS counts durations, clamped to its uint16.</summary>
    public static ushort Minutes(TimeSpan span) => (ushort)Math.Clamp(Math.Round(span.TotalMinutes, MidpointRounding.AwayFromZero), 0, ushort.MaxValue);

    private static MedicalFloat Nearest(decimal value, int mantissaMax, Func<decimal, int, MedicalFloat> create)
    {
        var scale = 0.001m;
        for (var exponent = FinestExponent; exponent <= CoarsestExponent; exponent++, scale *= 10)
        {
            var mantissa = Math.Round(value / scale, MidpointRounding.AwayFromZero);
            if (Math.Abs(mantissa) <= mantissaMax)
            {
                return create(mantissa * scale, exponent);
            }
        }

        throw new ArgumentOutOfRangeException(nameof(value), value, "too large for a medical float");
    }
}
