using System.ComponentModel.DataAnnotations;
using PumpGateway.Clinical;

namespace PumpGateway.Service.Hosting;

/// <summary>The gateway's configuration (section <c>Gateway</c> of appsettings.json or environment).</summary>
public sealed class GatewayOptions
{
    public const string SectionName = "Gateway";

    /// <summary>Where gRPC listens. Loopback by default: a clinic network is opened deliberately, not by accident.</summary>
    [Required]
    public string Listen { get; set; } = "127.0.0.1:50051";

    public StorageOptions Storage { get; set; } = new();

    /// <summary>How often serial ports and Bluetooth devices are looked for.</summary>
    public TimeSpan ScanInterval { get; set; } = TimeSpan.FromSeconds(2);

    public ReconnectOptions Reconnect { get; set; } = new();

    public SerialOptions Serial { get; set; } = new();

    public BluetoothOptions Bluetooth { get; set; } = new();

    public StreamingOptions Streaming { get; set; } = new();

    public DriverOptions Drivers { get; set; } = new();

    /// <summary>
    /// The clinic's time zone (IANA id, e.g. <c>Europe/Paris</c>): the local time devices that keep
    /// local time should show, and the day and time of day of reports. Empty: this machine's zone.
    /// </summary>
    public string ClinicTimeZone { get; set; } = "";

    /// <summary>The thresholds of the findings (delivery interruptions, set age, clock error …); the defaults are the clinical facts.</summary>
    public FindingOptions Findings { get; set; } = new();

    /// <summary>
    /// Devices worn by one person, where a pump and its CGM are separate devices (an IDS pump and a CGMS
    /// sensor): the pump's summary and findings read the CGM's glucose. The gateway cannot tell who wears what.
    /// </summary>
    public List<WearerOptions> Wearers { get; set; } = [];
}

public sealed class WearerOptions
{
    /// <summary>Device ids as <c>pumpgw devices</c> lists them, e.g. <c>ids-1a2b…</c> and <c>cgms-3c4d…</c>.</summary>
    public List<string> Devices { get; set; } = [];
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
}

public sealed class ReconnectOptions
{
    /// <summary>Wait before a failed session is started again; doubled for each failure before the device identifies itself.</summary>
    public TimeSpan Delay { get; set; } = TimeSpan.FromSeconds(3);

    public TimeSpan MaxDelay { get; set; } = TimeSpan.FromMinutes(1);
}

public sealed class BluetoothOptions
{
    /// <summary>Look for BLE pumps and CGMs through BlueZ. Without BlueZ the gateway says so once and keeps trying.</summary>
    public bool Enabled { get; set; } = true;

    /// <summary>The D-Bus address of bluetoothd's bus: null for the system bus, or a private bus (the BlueZ loopback).</summary>
    public string? BusAddress { get; set; }

    /// <summary>The adapter, e.g. <c>hci0</c>; null for the first.</summary>
    public string? Adapter { get; set; }

    public TimeSpan ConnectTimeout { get; set; } = TimeSpan.FromSeconds(30);

    public TimeSpan CallTimeout { get; set; } = TimeSpan.FromSeconds(10);
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

    /// <summary>
    /// How long one write to a subscriber (Subscribe, WatchAlarms, WatchDevices) may wait for the client to read
    /// (HTTP/2 flow control) before the call is ended with RESOURCE_EXHAUSTED and the sequence to resume after.
    /// </summary>
    public TimeSpan WriteTimeout { get; set; } = TimeSpan.FromSeconds(30);
}

public sealed class DriverOptions
{
    /// <summary>How often a docked device is read again for new records after its first download.</summary>
    public TimeSpan PollInterval { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>Bound on each request's answer (a serial reply, a BLE read or control-point indication).</summary>
    public TimeSpan ResponseTimeout { get; set; } = TimeSpan.FromSeconds(5);

    public int Retries { get; set; } = 3;

    public MedtronicOptions Medtronic { get; set; } = new();
}

public sealed class MedtronicOptions
{
    /// <summary>Serial numbers of the Paradigm pumps to read through CareLink sticks (the stick reaches a pump by its serial).</summary>
    public List<string> PumpSerials { get; set; } = [];

    /// <summary>Bound on a pump's answer over the air.</summary>
    public TimeSpan RadioTimeout { get; set; } = TimeSpan.FromSeconds(10);
}
