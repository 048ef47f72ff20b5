using PumpGateway.Ports;

namespace PumpGateway.Devices.Ids;

/// <summary>The Insulin Delivery Service and its characteristics (Device Information and Battery are in <see cref="Gatt.DeviceInformationUuids"/>).</summary>
public static class IdsUuids
{
    public static readonly Guid InsulinDeliveryService = GattUuid.FromShort(0x183A);
    public static readonly Guid StatusChanged = GattUuid.FromShort(0x2B20);
    public static readonly Guid Status = GattUuid.FromShort(0x2B21);
    public static readonly Guid AnnunciationStatus = GattUuid.FromShort(0x2B22);
    public static readonly Guid Features = GattUuid.FromShort(0x2B23);
    public static readonly Guid StatusReaderControlPoint = GattUuid.FromShort(0x2B24);
    public static readonly Guid CommandControlPoint = GattUuid.FromShort(0x2B25);
    public static readonly Guid CommandData = GattUuid.FromShort(0x2B26);
    public static readonly Guid RecordAccessControlPoint = GattUuid.FromShort(0x2B27);
    public static readonly Guid HistoryData = GattUuid.FromShort(0x2B28);

    /// <summary>The generic Record Access Control Point, which some pumps use in place of the IDD RACP.</summary>
    public static readonly Guid GenericRecordAccessControlPoint = GattUuid.FromShort(0x2A52);

    public static Guid Of(IdsCharacteristic characteristic, IdsDialect dialect) => characteristic switch
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
