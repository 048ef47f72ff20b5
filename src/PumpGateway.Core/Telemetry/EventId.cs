using PumpGateway.Devices;

namespace PumpGateway.Telemetry;

/// <summary>
/// The stable identity of one device record: the device plus the device's own identity of the
/// record (for example a receiver's record type and system time). Re-reading the same record
/// yields the same id, which is what makes downloads idempotent.
/// </summary>
public readonly record struct EventId(string Value)
{
    public static EventId For(DeviceId device, string recordType, string recordKey) =>
        new($"{device.Value}/{recordType}/{recordKey}");

    public override string ToString() => Value;
}
