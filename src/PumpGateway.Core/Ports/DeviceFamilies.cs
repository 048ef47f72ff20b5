namespace PumpGateway.Ports;

/// <summary>How a family is recognized on a bus, so that discovery can pick the driver for a device.</summary>
/// <param name="Family">The family name, as <see cref="IDeviceDriver.Family"/>.</param>
/// <param name="UsbIds">USB vendor/product ids of the family's serial devices.</param>
public sealed record DeviceFamilyDescriptor(string Family, IReadOnlyList<UsbId> UsbIds)
{
    /// <summary>GATT services whose presence in a BLE device's advertisement marks it as this family's.</summary>
    public IReadOnlyList<Guid> BluetoothServices { get; init; } = [];
}

public readonly record struct UsbId(ushort VendorId, ushort ProductId)
{
    public override string ToString() => $"{VendorId:x4}:{ProductId:x4}";
}
