namespace PumpGateway.Ports;

/// <summary>How a family is recognized on a bus, so that discovery can pick the driver for a port.</summary>
/// <param name="Family">The family name, as <see cref="IDeviceDriver.Family"/>.</param>
/// <param name="UsbIds">USB vendor/product ids of the family's serial devices.</param>
public sealed record DeviceFamilyDescriptor(string Family, IReadOnlyList<UsbId> UsbIds);

public readonly record struct UsbId(ushort VendorId, ushort ProductId)
{
    public override string ToString() => $"{VendorId:x4}:{ProductId:x4}";
}
