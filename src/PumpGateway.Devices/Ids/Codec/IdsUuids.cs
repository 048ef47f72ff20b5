using System.Globalization;

namespace PumpGateway.Devices.Ids;

/// <summary>
/// The assigned numbers an insulin pump is found and identified by: the Insulin Delivery Service
/// and its characteristics, plus Device Information and Battery. BlueZ names attributes by the
/// full 128-bit UUID in the Bluetooth base form, lower case.
/// </summary>
public static class IdsUuids
{
    public const ushort InsulinDeliveryService = 0x183A;
    public const ushort StatusChanged = 0x2B20;
    public const ushort Status = 0x2B21;
    public const ushort AnnunciationStatus = 0x2B22;
    public const ushort Features = 0x2B23;
    public const ushort StatusReaderControlPoint = 0x2B24;
    public const ushort CommandControlPoint = 0x2B25;
    public const ushort CommandData = 0x2B26;
    public const ushort RecordAccessControlPoint = 0x2B27;
    public const ushort HistoryData = 0x2B28;

    /// <summary>The generic Record Access Control Point, which some pumps use in place of the IDD RACP.</summary>
    public const ushort GenericRecordAccessControlPoint = 0x2A52;

    public const ushort DeviceInformationService = 0x180A;
    public const ushort SystemId = 0x2A23;
    public const ushort ModelNumber = 0x2A24;
    public const ushort SerialNumber = 0x2A25;
    public const ushort FirmwareRevision = 0x2A26;
    public const ushort HardwareRevision = 0x2A27;
    public const ushort SoftwareRevision = 0x2A28;
    public const ushort ManufacturerName = 0x2A29;

    public const ushort BatteryService = 0x180F;
    public const ushort BatteryLevel = 0x2A19;

    private static readonly Guid BluetoothBase = new("00000000-0000-1000-8000-00805f9b34fb");

    /// <summary>The 128-bit form of a 16-bit assigned number: 0000xxxx-0000-1000-8000-00805f9b34fb.</summary>
    public static Guid Full(ushort shortUuid)
    {
        Span<byte> bytes = stackalloc byte[16];
        BluetoothBase.TryWriteBytes(bytes, bigEndian: true, out _);
        bytes[2] = (byte)(shortUuid >> 8);
        bytes[3] = (byte)shortUuid;
        return new Guid(bytes, bigEndian: true);
    }

    /// <summary>The text BlueZ uses for the attribute, e.g. "0000183a-0000-1000-8000-00805f9b34fb".</summary>
    public static string Text(ushort shortUuid) => Full(shortUuid).ToString("D", CultureInfo.InvariantCulture);

    /// <summary>The 16-bit number of a UUID in the Bluetooth base form, or null for any other UUID (vendor services).</summary>
    public static ushort? ShortOf(Guid uuid)
    {
        Span<byte> bytes = stackalloc byte[16];
        uuid.TryWriteBytes(bytes, bigEndian: true, out _);
        var shortUuid = (ushort)((bytes[2] << 8) | bytes[3]);
        return bytes[0] == 0 && bytes[1] == 0 && Full(shortUuid) == uuid ? shortUuid : null;
    }

    public static ushort Of(IdsCharacteristic characteristic, IdsDialect dialect) => characteristic switch
    {
        IdsCharacteristic.StatusChanged => StatusChanged,
        IdsCharacteristic.Status => Status,
        IdsCharacteristic.AnnunciationStatus => AnnunciationStatus,
        IdsCharacteristic.Features => Features,
        IdsCharacteristic.StatusReaderControlPoint => StatusReaderControlPoint,
        IdsCharacteristic.CommandControlPoint => CommandControlPoint,
        IdsCharacteristic.CommandData => CommandData,
        IdsCharacteristic.RecordAccessControlPoint => dialect.HistoryOnGenericRacp ? GenericRecordAccessControlPoint : RecordAccessControlPoint,
        IdsCharacteristic.HistoryData => HistoryData,
        _ => throw new ArgumentOutOfRangeException(nameof(characteristic), characteristic, "not an IDS characteristic"),
    };
}
