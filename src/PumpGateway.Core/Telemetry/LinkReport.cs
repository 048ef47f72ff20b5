namespace PumpGateway.Telemetry;

/// <summary>
/// How the link to a device fared over one session, recorded when the session ends: what a
/// technician reads to tell a failing radio, cable or stick from a failing device. The gateway's
/// own counts, the signal strength the device last reported, and the counters the far end keeps.
/// </summary>
public sealed record LinkReport : TelemetryEvent
{
    public override TelemetryKind Kind => TelemetryKind.LinkReport;

    /// <summary>Where the device was, e.g. <c>serial:/dev/ttyUSB0</c>.</summary>
    public required string Endpoint { get; init; }

    public required TimeSpan SessionLength { get; init; }

    /// <summary>The end reason of a session that ran until the device or the session was done.</summary>
    public const string SessionEnded = "the session ended";

    /// <summary>The end reason of a session the gateway's shutdown ended.</summary>
    public const string GatewayStopping = "the gateway is stopping";

    /// <summary>Why the session ended, in words a technician can act on.</summary>
    public string? EndReason { get; init; }

    public long BytesIn { get; init; }

    public long BytesOut { get; init; }

    public long Timeouts { get; init; }

    public long CrcErrors { get; init; }

    public long Retries { get; init; }

    public long FramingErrors { get; init; }

    public long Reopens { get; init; }

    public int? SignalStrength { get; init; }

    /// <summary>What the far end counts, e.g. a CareLink stick's <c>radio.crcErrors</c>, <c>radio.naks</c>.</summary>
    public IReadOnlyDictionary<string, long> DeviceCounters { get; init; } = new Dictionary<string, long>();

    /// <summary>The session ended by a failure (the link, the device, its protocol), not by finishing or the gateway stopping.</summary>
    [System.Text.Json.Serialization.JsonIgnore]
    public bool EndedByFailure =>
        !string.IsNullOrWhiteSpace(EndReason) && !EndReason.Trim().Equals(SessionEnded, StringComparison.OrdinalIgnoreCase) && !EndReason.Trim().Equals(GatewayStopping, StringComparison.OrdinalIgnoreCase);

    /// <summary>The device clock minus the gateway's UTC clock, measured when it docked (see <see cref="Ports.DeviceClockCheck"/>).</summary>
    public TimeSpan? ClockOffset { get; init; }

    /// <summary>The device clock minus what it should read, measured when it docked.</summary>
    public TimeSpan? ClockError { get; init; }
}
