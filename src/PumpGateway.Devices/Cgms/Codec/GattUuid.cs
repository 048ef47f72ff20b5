using System.Globalization;

namespace PumpGateway.Devices.Cgms;

/// <summary>
/// A Bluetooth SIG assigned 16-bit UUID and its 128-bit form on the Bluetooth base UUID
/// (0000xxxx-0000-1000-8000-00805f9b34fb), the lower-case string BlueZ reports.
/// </summary>
public readonly record struct GattUuid(ushort Short)
{
    private const string BaseSuffix = "-0000-1000-8000-00805f9b34fb";

    public Guid Full => Guid.ParseExact(ToString(), "D");

    public override string ToString() => $"0000{Short:x4}{BaseSuffix}";

    /// <summary>Accepts the 128-bit form (any case) of a base-UUID short UUID; anything else is not one of ours.</summary>
    public static bool TryParse(string? text, out GattUuid uuid)
    {
        uuid = default;
        if (text is null || text.Length != 36 || !text.StartsWith("0000", StringComparison.Ordinal)
            || !text.EndsWith(BaseSuffix, StringComparison.OrdinalIgnoreCase)
            || !ushort.TryParse(text.AsSpan(4, 4), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out var value))
        {
            return false;
        }

        uuid = new GattUuid(value);
        return true;
    }
}

/// <summary>The services and characteristics a CGM sensor exposes.</summary>
public static class CgmsUuids
{
    public static readonly GattUuid CgmService = new(0x181F);
    public static readonly GattUuid CgmMeasurement = new(0x2AA7);
    public static readonly GattUuid CgmFeature = new(0x2AA8);
    public static readonly GattUuid CgmStatus = new(0x2AA9);
    public static readonly GattUuid CgmSessionStartTime = new(0x2AAA);
    public static readonly GattUuid CgmSessionRunTime = new(0x2AAB);
    public static readonly GattUuid RecordAccessControlPoint = new(0x2A52);
    public static readonly GattUuid CgmSpecificOpsControlPoint = new(0x2AAC);

    public static readonly GattUuid DeviceInformationService = new(0x180A);
    public static readonly GattUuid ManufacturerNameString = new(0x2A29);
    public static readonly GattUuid ModelNumberString = new(0x2A24);
    public static readonly GattUuid SerialNumberString = new(0x2A25);
    public static readonly GattUuid FirmwareRevisionString = new(0x2A26);
    public static readonly GattUuid HardwareRevisionString = new(0x2A27);
    public static readonly GattUuid SoftwareRevisionString = new(0x2A28);
    public static readonly GattUuid SystemId = new(0x2A23);

    public static readonly GattUuid BatteryService = new(0x180F);
    public static readonly GattUuid BatteryLevel = new(0x2A19);
}
