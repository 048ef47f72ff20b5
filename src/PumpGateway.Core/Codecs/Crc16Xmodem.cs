namespace PumpGateway.Codecs;

/// <summary>
/// CRC-16/XMODEM: polynomial 0x1021, initial value 0, no reflection, no final xor;
/// check("123456789") = 0x31C3. Dexcom receivers use it for frames, page headers and records.
/// </summary>
public static class Crc16Xmodem
{
    private static readonly ushort[] Table = BuildTable();

    public static ushort Compute(ReadOnlySpan<byte> data) => Update(0, data);

    /// <summary>Continues an MSB-first 0x1021 CRC from <paramref name="crc"/>: the XMODEM and CCITT-FALSE variants differ only in the seed.</summary>
    internal static ushort Update(ushort crc, ReadOnlySpan<byte> data)
    {
        foreach (var b in data)
        {
            crc = (ushort)((crc << 8) ^ Table[(crc >> 8) ^ b]);
        }

        return crc;
    }

    private static ushort[] BuildTable()
    {
        var table = new ushort[256];
        for (var i = 0; i < 256; i++)
        {
            var crc = (ushort)(i << 8);
            for (var bit = 0; bit < 8; bit++)
            {
                crc = (crc & 0x8000) != 0 ? (ushort)((crc << 1) ^ 0x1021) : (ushort)(crc << 1);
            }

            table[i] = crc;
        }

        return table;
    }
}
