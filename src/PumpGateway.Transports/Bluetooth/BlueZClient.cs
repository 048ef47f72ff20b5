using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;
using PumpGateway.Ports;
using Tmds.DBus.Protocol;

namespace PumpGateway.Transports.Bluetooth;

public sealed class BlueZClientOptions
{
    /// <summary>The D-Bus address of the bus bluetoothd is on; null for the system bus.</summary>
    public string? BusAddress { get; init; }

    /// <summary>The adapter to use, e.g. <c>hci0</c>; null for the first one found.</summary>
    public string? Adapter { get; init; }

    /// <summary>Bound on every D-Bus call but connecting.</summary>
    public TimeSpan CallTimeout { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>Bound on connecting to a device and resolving its services.</summary>
    public TimeSpan ConnectTimeout { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>Notifications a session may have waiting before its link is failed rather than lose one.</summary>
    public int NotificationBacklog { get; init; } = 10_000;
}

/// <summary>A device the adapter knows of (seen while discovering, or bonded before).</summary>
/// <param name="ServiceUuids">What it advertises, and after a connection what it resolved.</param>
public sealed record BluetoothDevice(
    string Path,
    string Address,
    string? Name,
    IReadOnlyList<Guid> ServiceUuids,
    short? Rssi,
    bool Connected,
    bool ServicesResolved,
    bool Paired,
    bool Bonded);

/// <summary>
/// The gateway's one connection to bluetoothd (or to the BlueZ loopback): it keeps the adapter's
/// object tree current from ObjectManager and PropertiesChanged signals (never by polling), runs
/// discovery filtered by service UUID, and hands out a <see cref="BlueZGattTransport"/> per
/// device, routing each device's signals to it.
/// </summary>
public sealed partial class BlueZClient : IAsyncDisposable
{
    private readonly DBusConnection _connection;
    private readonly BlueZClientOptions _options;
    private readonly ILoggerFactory _loggerFactory;
    private readonly ILogger<BlueZClient> _logger;
    private readonly ConcurrentDictionary<string, DBusProperties> _devices = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, BlueZGattTransport> _transports = new(StringComparer.Ordinal);
    private readonly List<IDisposable> _subscriptions = [];

    private BlueZClient(DBusConnection connection, BlueZClientOptions options, ILoggerFactory loggerFactory)
    {
        _connection = connection;
        _options = options;
        _loggerFactory = loggerFactory;
        _logger = loggerFactory.CreateLogger<BlueZClient>();
    }

    /// <summary>The adapter's object path, e.g. <c>/org/bluez/hci0</c>.</summary>
    public string AdapterPath { get; private set; } = "";

    public BlueZClientOptions Options => _options;

    internal DBusConnection Connection => _connection;

    /// <summary>The devices the adapter knows of now.</summary>
    public IReadOnlyList<BluetoothDevice> Devices => [.. _devices.Select(d => ToDevice(d.Key, d.Value)).OfType<BluetoothDevice>()];

    /// <summary>Completes when the bus connection is lost (bluetoothd or the bus went away).</summary>
    public Task Disconnected => _connection.DisconnectedAsync();

    public static async Task<BlueZClient> ConnectAsync(BlueZClientOptions options, ILoggerFactory loggerFactory, CancellationToken cancellationToken)
    {
        var address = options.BusAddress ?? DBusAddress.System
            ?? throw new TransportException("No D-Bus system bus address is known on this machine: set the BlueZ bus address.");
        var connection = new DBusConnection(address);
        var client = new BlueZClient(connection, options, loggerFactory);
        try
        {
            await connection.ConnectAsync().AsTask().WaitAsync(options.CallTimeout, cancellationToken);
            await client.InitializeAsync(cancellationToken);
            return client;
        }
        catch (Exception ex) when (ex is DBusExceptionBase or TimeoutException)
        {
            await client.DisposeAsync();
            throw new TransportException($"BlueZ on {address} could not be reached: {ex.Message}", ex) { IsTimeout = ex is TimeoutException };
        }
        catch
        {
            await client.DisposeAsync();
            throw;
        }
    }

    /// <summary>Discovers LE devices that advertise any of <paramref name="serviceUuids"/>; they show in <see cref="Devices"/>.</summary>
    public async Task StartDiscoveryAsync(IReadOnlyCollection<Guid> serviceUuids, CancellationToken cancellationToken)
    {
        var filter = new Dictionary<string, VariantValue>(StringComparer.Ordinal)
        {
            ["UUIDs"] = VariantValue.Array(serviceUuids.Select(u => u.ToString("D")).ToArray()),
            ["Transport"] = VariantValue.String("le"),
        };
        try
        {
            await CallAsync(AdapterPath, BlueZNames.Adapter, "SetDiscoveryFilter", cancellationToken, "a{sv}", DBusMessages.Options(filter));
            await CallAsync(AdapterPath, BlueZNames.Adapter, "StartDiscovery", cancellationToken);
        }
        catch (DBusErrorReplyException ex) when (ex.ErrorName == BlueZNames.ErrorInProgress)
        {
            // Already discovering (for this client or another): the filter still applies.
        }
        catch (Exception ex) when (ex is DBusExceptionBase or TimeoutException)
        {
            throw new TransportException($"Discovery on {AdapterPath} could not start: {ex.Message}", ex) { IsTimeout = ex is TimeoutException };
        }
    }

    public async Task StopDiscoveryAsync(CancellationToken cancellationToken)
    {
        try
        {
            await CallAsync(AdapterPath, BlueZNames.Adapter, "StopDiscovery", cancellationToken);
        }
        catch (DBusErrorReplyException ex) when (ex.ErrorName is BlueZNames.ErrorFailed or "org.bluez.Error.NotReady")
        {
            // Not discovering: nothing to stop.
        }
    }

    /// <summary>A transport for one device. It connects when opened; one transport per device at a time.</summary>
    public BlueZGattTransport CreateTransport(BluetoothDevice device)
    {
        var transport = new BlueZGattTransport(this, device.Path, device.Address, _loggerFactory.CreateLogger<BlueZGattTransport>());
        if (!_transports.TryAdd(device.Path, transport))
        {
            throw new InvalidOperationException($"{device.Address} already has a transport.");
        }

        return transport;
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var subscription in _subscriptions)
        {
            subscription.Dispose();
        }

        foreach (var transport in _transports.Values)
        {
            await transport.DisposeAsync();
        }

        _connection.Dispose();
    }

    internal void Release(BlueZGattTransport transport) => _transports.TryRemove(new KeyValuePair<string, BlueZGattTransport>(transport.DevicePath, transport));

    internal DBusProperties? GetDeviceProperties(string devicePath) => _devices.TryGetValue(devicePath, out var properties) ? properties : null;

    internal Task CallAsync(string path, string iface, string member, CancellationToken cancellationToken, string? signature = null, ArgumentWriter? arguments = null, TimeSpan? timeout = null) =>
        DBusMessages.CallAsync(_connection, BlueZNames.Service, path, iface, member, timeout ?? _options.CallTimeout, cancellationToken, signature, arguments);

    internal Task<T> CallAsync<T>(string path, string iface, string member, MessageValueReader<T> reply, CancellationToken cancellationToken, string? signature = null, ArgumentWriter? arguments = null) =>
        DBusMessages.CallAsync(_connection, BlueZNames.Service, path, iface, member, reply, _options.CallTimeout, cancellationToken, signature, arguments);

    internal Task<Dictionary<string, DBusInterfaces>> GetManagedObjectsAsync(CancellationToken cancellationToken) =>
        DBusMessages.GetManagedObjectsAsync(_connection, BlueZNames.Service, "/", _options.CallTimeout, cancellationToken);

    private async Task InitializeAsync(CancellationToken cancellationToken)
    {
        // Signals first, then the tree: an object that appears in between is seen twice, never missed.
        _subscriptions.Add(await DBusMessages.WatchAsync(
            _connection,
            new MatchRule { Type = MessageType.Signal, Sender = BlueZNames.Service, Interface = BlueZNames.ObjectManager, Member = "InterfacesAdded" },
            DBusMessages.ReadInterfacesAdded,
            added => OnInterfacesAdded(added.Path, added.Interfaces)));
        _subscriptions.Add(await DBusMessages.WatchAsync(
            _connection,
            new MatchRule { Type = MessageType.Signal, Sender = BlueZNames.Service, Interface = BlueZNames.ObjectManager, Member = "InterfacesRemoved" },
            DBusMessages.ReadInterfacesRemoved,
            removed => OnInterfacesRemoved(removed.Path, removed.Interfaces)));
        _subscriptions.Add(await DBusMessages.WatchAsync(
            _connection,
            new MatchRule { Type = MessageType.Signal, Sender = BlueZNames.Service, Interface = BlueZNames.Properties, Member = "PropertiesChanged", PathNamespace = "/org/bluez" },
            DBusMessages.ReadPropertiesChanged,
            OnPropertiesChanged));
        _ = _connection.DisconnectedAsync().ContinueWith(
            _ =>
            {
                foreach (var transport in _transports.Values)
                {
                    transport.OnBusLost();
                }
            },
            CancellationToken.None,
            TaskContinuationOptions.ExecuteSynchronously,
            TaskScheduler.Default);

        var objects = await GetManagedObjectsAsync(cancellationToken);
        var adapters = objects.Where(o => o.Value.ContainsKey(BlueZNames.Adapter)).Select(o => o.Key).Order(StringComparer.Ordinal).ToList();
        AdapterPath = _options.Adapter is { } name
            ? adapters.FirstOrDefault(a => a.EndsWith("/" + name, StringComparison.Ordinal)) ?? throw new TransportException($"BlueZ has no adapter {name} (it has: {string.Join(", ", adapters)}).")
            : adapters.FirstOrDefault() ?? throw new TransportException("BlueZ has no Bluetooth adapter.");

        var adapter = objects[AdapterPath][BlueZNames.Adapter];
        if (adapter.TryGetValue("Powered", out var powered) && !powered.GetBool())
        {
            LogPoweringAdapter(AdapterPath);
            await CallAsync(AdapterPath, BlueZNames.Properties, "Set", cancellationToken, "ssv", (ref MessageWriter w) =>
            {
                w.WriteString(BlueZNames.Adapter);
                w.WriteString("Powered");
                w.WriteVariantBool(true);
            });
        }

        foreach (var (path, interfaces) in objects)
        {
            OnInterfacesAdded(path, interfaces);
        }
    }

    private void OnInterfacesAdded(string path, DBusInterfaces interfaces)
    {
        if (interfaces.TryGetValue(BlueZNames.Device, out var device) && path.StartsWith(AdapterPath + "/", StringComparison.Ordinal))
        {
            _devices.AddOrUpdate(path, device, (_, known) =>
            {
                lock (known)
                {
                    foreach (var (name, value) in device)
                    {
                        known[name] = value;
                    }
                }

                return known;
            });
        }
    }

    private void OnInterfacesRemoved(string path, string[] interfaces)
    {
        if (interfaces.Contains(BlueZNames.Device))
        {
            _devices.TryRemove(path, out _);
            if (_transports.TryGetValue(path, out var transport))
            {
                transport.OnDeviceRemoved();
            }
        }
    }

    private void OnPropertiesChanged(PropertiesChange change)
    {
        if (change.Interface == BlueZNames.Device && _devices.TryGetValue(change.Path, out var device))
        {
            lock (device)
            {
                foreach (var (name, value) in change.Changed)
                {
                    device[name] = value;
                }

                foreach (var name in change.Invalidated)
                {
                    device.Remove(name);
                }
            }
        }

        // A device's own changes and its characteristics' values go to its transport.
        var devicePath = DevicePathOf(change.Path);
        if (devicePath is not null && _transports.TryGetValue(devicePath, out var transport))
        {
            transport.OnPropertiesChanged(change);
        }
    }

    private string? DevicePathOf(string path)
    {
        if (!path.StartsWith(AdapterPath + "/dev_", StringComparison.Ordinal))
        {
            return null;
        }

        var end = path.IndexOf('/', AdapterPath.Length + 1);
        return end < 0 ? path : path[..end];
    }

    private static BluetoothDevice? ToDevice(string path, DBusProperties properties)
    {
        lock (properties)
        {
            if (!properties.TryGetValue("Address", out var address))
            {
                return null;
            }

            return new BluetoothDevice(
                path,
                address.GetString(),
                properties.TryGetValue("Alias", out var alias) ? alias.GetString() : properties.TryGetValue("Name", out var name) ? name.GetString() : null,
                properties.TryGetValue("UUIDs", out var uuids) ? [.. uuids.GetArray<string>().Select(Guid.Parse)] : [],
                properties.TryGetValue("RSSI", out var rssi) ? rssi.GetInt16() : null,
                Flag(properties, "Connected"),
                Flag(properties, "ServicesResolved"),
                Flag(properties, "Paired"),
                Flag(properties, "Bonded"));
        }
    }

    private static bool Flag(DBusProperties properties, string name) => properties.TryGetValue(name, out var value) && value.GetBool();

    [LoggerMessage(Level = LogLevel.Information, Message = "Bluetooth adapter {Adapter} is off: powering it on")]
    private partial void LogPoweringAdapter(string adapter);
}
