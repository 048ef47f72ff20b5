namespace PumpGateway.Telemetry;

/// <summary>
/// The time as the device recorded it: its wall clock (as shown to the wearer) and, where the
/// protocol has one, the raw counter it came from. Kept verbatim beside the UTC time the gateway
/// derives, so that a wrong mapping can always be redone.
/// </summary>
/// <param name="Clock">The device's wall-clock reading, no time zone attached.</param>
/// <param name="Raw">The raw device counter (e.g. Dexcom system seconds since 2009-01-01), when there is one.</param>
public readonly record struct DeviceTimestamp(DateTime Clock, long? Raw)
{
    public static DeviceTimestamp FromClock(DateTime clock) => new(DateTime.SpecifyKind(clock, DateTimeKind.Unspecified), null);
}

/// <summary>How the UTC time of an event was derived from the device's time.</summary>
public enum TimeBasis
{
    /// <summary>The device's clock offset to the gateway clock was measured when it docked, and applied.</summary>
    DockClockOffset = 1,

    /// <summary>The device itself records UTC (or UTC plus a stated offset).</summary>
    DeviceUtc = 2,

    /// <summary>Derived through the device's own time-change events before applying the dock offset.</summary>
    DeviceTimeChange = 3,

    /// <summary>The device keeps local time only; the configured clinic time zone was applied.</summary>
    ClinicTimeZone = 4,

    /// <summary>Received live: the gateway's clock at receipt.</summary>
    GatewayReceipt = 5,
}
