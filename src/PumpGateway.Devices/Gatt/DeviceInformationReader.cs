using PumpGateway.Ports;

namespace PumpGateway.Devices.Gatt;

/// <summary>What the Device Information service said: who the device is.</summary>
internal sealed record DeviceInformation(string? Manufacturer, string? Model, string SerialNumber, string? Firmware, string? Hardware, string? Software)
{
    public DeviceIdentity ToIdentity(string family, DeviceCategory category) =>
        new(family, category, Model ?? family, SerialNumber, Manufacturer is null ? Model : $"{Manufacturer} {Model}".Trim(), Firmware ?? Software);

    /// <summary>Reads the strings the device has; the serial number is required, it is what a device is known by.</summary>
    public static async Task<DeviceInformation> ReadAsync(GattSession gatt, CancellationToken cancellationToken)
    {
        async Task<string?> ReadStringAsync(Guid characteristic) =>
            await gatt.TryReadAsync(new GattCharacteristicId(DeviceInformationUuids.DeviceInformationService, characteristic), cancellationToken) is { } value
                ? DeviceInformationCodec.DecodeString(value)
                : null;

        var serial = await ReadStringAsync(DeviceInformationUuids.SerialNumberString);
        if (string.IsNullOrWhiteSpace(serial))
        {
            throw new DeviceSessionException($"{gatt.Transport.Endpoint} has no serial number in its Device Information service: it cannot be identified.");
        }

        return new DeviceInformation(
            await ReadStringAsync(DeviceInformationUuids.ManufacturerNameString),
            await ReadStringAsync(DeviceInformationUuids.ModelNumberString),
            serial,
            await ReadStringAsync(DeviceInformationUuids.FirmwareRevisionString),
            await ReadStringAsync(DeviceInformationUuids.HardwareRevisionString),
            await ReadStringAsync(DeviceInformationUuids.SoftwareRevisionString));
    }

    /// <summary>The Battery service's level, when the device has it.</summary>
    public static async Task<byte?> ReadBatteryLevelAsync(GattSession gatt, CancellationToken cancellationToken) =>
        await gatt.TryReadAsync(new GattCharacteristicId(DeviceInformationUuids.BatteryService, DeviceInformationUuids.BatteryLevel), cancellationToken) is { } value
            ? DeviceInformationCodec.DecodeBatteryLevel(value)
            : null;
}
