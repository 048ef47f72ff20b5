namespace PumpGateway.Codecs;

/// <summary>
/// The two CRC-16 variants the Bluetooth health profiles meet on the air. Both use the generator
/// x^16 + x^12 + x^5 + 1 seeded with 0xFFFF; they differ in bit order.
/// </summary>
public enum E2eCrcVariant
{
    /// <summary>What the IDS and CGMS specifications define: LSB first (CRC-16/MCRF4XX), check("123456789") = 0x6F91.</summary>
    Specification = 0,

    /// <summary>The dialect of some real devices (Medtronic Guardian 4 / 780G): MSB first (CRC-16/CCITT-FALSE), check = 0x29B1.</summary>
    CcittFalse = 1,
}

/// <summary>The E2E-CRC of the Bluetooth SIG health profiles, in either bit order.</summary>
public static class E2eCrc
{
    private static readonly ushort[] ReflectedTable = BuildReflectedTable();

    public static ushort Compute(ReadOnlySpan<byte> data, E2eCrcVariant variant = E2eCrcVariant.Specification)
    {
        if (variant == E2eCrcVariant.CcittFalse)
        {
            return Crc16CcittFalse.Compute(data);
        }

        ushort crc = 0xFFFF;
        foreach (var b in data)
        {
            crc = (ushort)((crc >> 8) ^ ReflectedTable[(crc ^ b) & 0xFF]);
        }

        return crc;
    }

    private static ushort[] BuildReflectedTable()
    {
        var table = new ushort[256];
        for (var i = 0; i < 256; i++)
        {
            var crc = (ushort)i;
            for (var bit = 0; bit < 8; bit++)
            {
                crc = (crc & 1) != 0 ? (ushort)((crc >> 1) ^ 0x8408) : (ushort)(crc >> 1);
            }

            table[i] = crc;
        }

        return table;
    }
}
