namespace PumpGateway.Devices;

/// <summary>What a device says it is, read during the identify step of a session.</summary>
/// <param name="Family">The device family folder that speaks to it, e.g. <c>dexcom</c>.</param>
/// <param name="Model">Product model as the device names it, e.g. <c>G4Receiver</c>.</param>
/// <param name="SerialNumber">The manufacturer's serial number. Never logged in clear.</param>
public sealed record DeviceIdentity(
    string Family,
    DeviceCategory Category,
    string Model,
    string SerialNumber,
    string? ProductName,
    string? FirmwareVersion)
{
    public DeviceId Id { get; } = DeviceId.FromSerial(Family, SerialNumber);
}

public enum DeviceCategory
{
    Unknown = 0,
    InsulinPump = 1,
    ContinuousGlucoseMonitor = 2,
    CgmReceiver = 3,
}

/// <summary>A device as the gateway knows it between sessions.</summary>
public sealed record DeviceRecord(
    DeviceIdentity Identity,
    string TransportEndpoint,
    DateTimeOffset FirstSeen,
    DateTimeOffset LastSeen,
    TimeSpan? LastClockOffset)
{
    public DeviceId Id => Identity.Id;
}
