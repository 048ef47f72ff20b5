namespace PumpGateway.Codecs;

/// <summary>
/// CRC-16/CCITT-FALSE (IBM-3740): polynomial 0x1021, initial value 0xFFFF, no reflection, no
/// final xor; check("123456789") = 0x29B1. Medtronic history pages carry it big-endian in their
/// last two bytes; some BLE pumps use it as their E2E-CRC.
/// </summary>
public static class Crc16CcittFalse
{
    public static ushort Compute(ReadOnlySpan<byte> data) => Crc16Xmodem.Update(0xFFFF, data);
}
