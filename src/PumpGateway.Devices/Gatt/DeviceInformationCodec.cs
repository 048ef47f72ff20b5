using System.Buffers.Binary;
using System.Text;
using PumpGateway.Ports;
using PumpGateway.Protocol;

namespace PumpGateway.Devices.Gatt;

/// <summary>The Device Information (0x180A) and Battery (0x180F) services every health device has beside its profile.</summary>
public static class DeviceInformationUuids
{
    public static readonly Guid DeviceInformationService = GattUuid.FromShort(0x180A);
    public static readonly Guid ManufacturerNameString = GattUuid.FromShort(0x2A29);
    public static readonly Guid ModelNumberString = GattUuid.FromShort(0x2A24);
    public static readonly Guid SerialNumberString = GattUuid.FromShort(0x2A25);
    public static readonly Guid FirmwareRevisionString = GattUuid.FromShort(0x2A26);
    public static readonly Guid HardwareRevisionString = GattUuid.FromShort(0x2A27);
    public static readonly Guid SoftwareRevisionString = GattUuid.FromShort(0x2A28);
    public static readonly Guid SystemId = GattUuid.FromShort(0x2A23);

    public static readonly Guid BatteryService = GattUuid.FromShort(0x180F);
    public static readonly Guid BatteryLevel = GattUuid.FromShort(0x2A19);
}

/// <summary>System ID (0x2A23): a 40-bit manufacturer-defined identifier and the 24-bit OUI, little-endian.</summary>
public sealed record GattSystemId(ulong ManufacturerIdentifier, uint OrganizationallyUniqueIdentifier);

/// <summary>The Device Information strings, System ID and the Battery Level that pumps and sensors expose beside their profile.</summary>
public static class DeviceInformationCodec
{
    private const int SystemIdSize = 8;
    private const byte MaxBatteryLevel = 100;
    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    /// <summary>A UTF-8 string characteristic; the NUL padding some devices append is not part of the text.</summary>
    public static string DecodeString(ReadOnlySpan<byte> value)
    {
        var text = value.TrimEnd((byte)0);
        try
        {
            return StrictUtf8.GetString(text);
        }
        catch (DecoderFallbackException ex)
        {
            throw new ProtocolException(ProtocolErrorKind.Malformed, ex.Index < 0 ? 0 : ex.Index, "the string is not UTF-8");
        }
    }

    /// <summary>Refuses a text ending in NUL: decoding takes trailing NULs for padding, so it would not read back.</summary>
    public static byte[] EncodeString(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        return text.EndsWith('\0') ? throw new ArgumentException("A string characteristic cannot end in NUL, which reads as padding.", nameof(text)) : StrictUtf8.GetBytes(text);
    }

    public static GattSystemId DecodeSystemId(ReadOnlySpan<byte> value)
    {
        RequireLength(value, SystemIdSize, "System ID");
        var raw = BinaryPrimitives.ReadUInt64LittleEndian(value);
        return new GattSystemId(raw & 0xFF_FFFF_FFFF, (uint)(raw >> 40));
    }

    public static byte[] EncodeSystemId(GattSystemId id)
    {
        ArgumentOutOfRangeException.ThrowIfGreaterThan(id.ManufacturerIdentifier, 0xFF_FFFF_FFFFUL, nameof(id));
        ArgumentOutOfRangeException.ThrowIfGreaterThan(id.OrganizationallyUniqueIdentifier, 0xFF_FFFFU, nameof(id));
        var value = new byte[SystemIdSize];
        BinaryPrimitives.WriteUInt64LittleEndian(value, id.ManufacturerIdentifier | ((ulong)id.OrganizationallyUniqueIdentifier << 40));
        return value;
    }

    /// <summary>Battery Level (0x2A19): percent, 0 to 100.</summary>
    public static byte DecodeBatteryLevel(ReadOnlySpan<byte> value)
    {
        RequireLength(value, 1, "Battery Level");
        return value[0] <= MaxBatteryLevel
            ? value[0]
            : throw new ProtocolException(ProtocolErrorKind.OutOfRange, 0, $"battery level {value[0]} % is above 100 %");
    }

    public static byte[] EncodeBatteryLevel(byte percent)
    {
        ArgumentOutOfRangeException.ThrowIfGreaterThan(percent, MaxBatteryLevel);
        return [percent];
    }

    private static void RequireLength(ReadOnlySpan<byte> value, int length, string what)
    {
        if (value.Length != length)
        {
            throw new ProtocolException(value.Length < length ? ProtocolErrorKind.Truncated : ProtocolErrorKind.BadLength, Math.Min(value.Length, length), $"{what} is {length} bytes, got {value.Length}");
        }
    }
}
