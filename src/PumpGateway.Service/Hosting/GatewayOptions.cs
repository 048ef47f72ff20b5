using System.ComponentModel.DataAnnotations;

namespace PumpGateway.Service.Hosting;

/// <summary>The gateway's configuration (section <c>Gateway</c> of appsettings.json or environment).</summary>
public sealed class GatewayOptions
{
    public const string SectionName = "Gateway";

    /// <summary>Where gRPC listens. Loopback by default: a clinic network is opened deliberately, not by accident.</summary>
    [Required]
    public string Listen { get; set; } = "127.0.0.1:50051";

    public StorageOptions Storage { get; set; } = new();

    public SerialOptions Serial { get; set; } = new();

    public StreamingOptions Streaming { get; set; } = new();

    public DriverOptions Drivers { get; set; } = new();
}

public sealed class StorageOptions
{
    /// <summary><c>sqlite</c> (embedded default).</summary>
    public string Provider { get; set; } = "sqlite";

    /// <summary>The SQLite database file. Relative paths are under the gateway's data folder.</summary>
    public string SqlitePath { get; set; } = "pumpgateway.db";
}

public sealed class SerialOptions
{
    /// <summary>Ports to watch whatever is on them (pseudo-terminals, adapters without USB ids).</summary>
    public List<SerialPortOptions> Ports { get; set; } = [];

    /// <summary>Also find docked devices by their USB vendor/product ids in sysfs.</summary>
    public bool ScanUsb { get; set; } = true;

    public string SysfsRoot { get; set; } = "/sys";

    /// <summary>How often the ports are looked for. sysfs has no change signal without udev.</summary>
    public TimeSpan ScanInterval { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>Wait before a session is started again on a port whose session failed.</summary>
    public TimeSpan RetryDelay { get; set; } = TimeSpan.FromSeconds(3);
}

public sealed class SerialPortOptions
{
    [Required]
    public string Path { get; set; } = "";

    [Required]
    public string Family { get; set; } = "";

    public int BaudRate { get; set; } = 115200;

    public TimeSpan WriteTimeout { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>Null leaves the line alone: on a pseudo-terminal the ioctl fails.</summary>
    public bool? DtrEnable { get; set; }

    public bool? RtsEnable { get; set; }
}

public sealed class StreamingOptions
{
    /// <summary>Events a subscriber may have queued before it is switched to catching up from the store.</summary>
    public int SubscriberQueueCapacity { get; set; } = 4096;

    public TimeSpan HeartbeatInterval { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>Events read from the store per round while a subscriber catches up.</summary>
    public int CatchUpBatchSize { get; set; } = 1000;
}

public sealed class DriverOptions
{
    /// <summary>How often a docked device is read again for new records after its first download.</summary>
    public TimeSpan PollInterval { get; set; } = TimeSpan.FromSeconds(60);

    public TimeSpan ResponseTimeout { get; set; } = TimeSpan.FromSeconds(2);

    public int Retries { get; set; } = 3;
}
