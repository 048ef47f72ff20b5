using Microsoft.Extensions.Options;
using PumpGateway.Ports;
using PumpGateway.Service.Hosting;
using PumpGateway.Transports.Bluetooth;
using PumpGateway.Transports.Serial;

namespace PumpGateway.Service.DeviceManagement;

/// <summary>A device present now, the family whose driver speaks to it, and how to reach it.</summary>
internal sealed record DeviceCandidate(string Endpoint, string Family, Func<ITransport> CreateTransport);

/// <summary>One kind of bus the device manager looks on for devices.</summary>
internal interface IDeviceLocator : IAsyncDisposable
{
    /// <summary>The devices present now. A bus that cannot be reached yields none (and says why in the log), it does not throw.</summary>
    ValueTask<IReadOnlyList<DeviceCandidate>> ScanAsync(CancellationToken cancellationToken);
}

/// <summary>Docked serial devices: configured ports and USB ids in sysfs.</summary>
internal sealed class SerialDeviceLocator : IDeviceLocator
{
    private readonly SerialDeviceDiscovery _discovery;
    private readonly SerialOptions _options;
    private readonly ILoggerFactory _loggerFactory;

    public SerialDeviceLocator(IEnumerable<DeviceFamilyRegistration> families, IOptions<GatewayOptions> options, ILoggerFactory loggerFactory)
    {
        _options = options.Value.Serial;
        _loggerFactory = loggerFactory;
        var known = families.Select(f => f.Descriptor).ToList();
        foreach (var port in _options.Ports.Where(p => !known.Any(f => f.Family == p.Family)))
        {
            throw new OptionsValidationException(GatewayOptions.SectionName, typeof(GatewayOptions), [$"Serial port {port.Path}: unknown device family '{port.Family}' (known: {string.Join(", ", known.Select(f => f.Family))})."]);
        }

        _discovery = new SerialDeviceDiscovery(
            _options.ScanUsb ? _options.SysfsRoot : null,
            known,
            [.. _options.Ports.Select(p => new ConfiguredPort(p.Path, p.Family))]);
    }

    public ValueTask<IReadOnlyList<DeviceCandidate>> ScanAsync(CancellationToken cancellationToken)
    {
        var candidates = _discovery.Scan().Select(found =>
        {
            var settings = _options.Ports.FirstOrDefault(p => p.Path == found.PortPath) ?? new SerialPortOptions { Path = found.PortPath, Family = found.Family };
            return new DeviceCandidate("serial:" + found.PortPath, found.Family, () => new SerialTransport(
                new SerialPortSettings(found.PortPath)
                {
                    BaudRate = settings.BaudRate,
                    WriteTimeout = settings.WriteTimeout,
                    DtrEnable = settings.DtrEnable,
                    RtsEnable = settings.RtsEnable,
                },
                _loggerFactory.CreateLogger<SerialTransport>()));
        });
        return ValueTask.FromResult<IReadOnlyList<DeviceCandidate>>([.. candidates]);
    }

    public ValueTask DisposeAsync() => ValueTask.CompletedTask;
}

/// <summary>
/// BLE devices through BlueZ: keeps one client connection and discovery filtered by the GATT
/// services of the known families running; a device advertising one of them is a candidate. A
/// bus or bluetoothd that goes away is connected to again on a later scan.
/// </summary>
internal sealed partial class BluetoothDeviceLocator : IDeviceLocator
{
    private readonly IReadOnlyList<DeviceFamilyDescriptor> _families;
    private readonly BluetoothOptions _options;
    private readonly ILoggerFactory _loggerFactory;
    private readonly ILogger<BluetoothDeviceLocator> _logger;
    private BlueZClient? _client;
    private bool _unreachableLogged;

    public BluetoothDeviceLocator(IEnumerable<DeviceFamilyRegistration> families, IOptions<GatewayOptions> options, ILoggerFactory loggerFactory)
    {
        _families = [.. families.Select(f => f.Descriptor).Where(f => f.BluetoothServices.Count > 0)];
        _options = options.Value.Bluetooth;
        _loggerFactory = loggerFactory;
        _logger = loggerFactory.CreateLogger<BluetoothDeviceLocator>();
    }

    public async ValueTask<IReadOnlyList<DeviceCandidate>> ScanAsync(CancellationToken cancellationToken)
    {
        if (!_options.Enabled || _families.Count == 0)
        {
            return [];
        }

        var client = await ConnectAsync(cancellationToken);
        if (client is null)
        {
            return [];
        }

        var candidates = new List<DeviceCandidate>();
        foreach (var device in client.Devices)
        {
            if (_families.FirstOrDefault(f => f.BluetoothServices.Any(device.ServiceUuids.Contains)) is { } family)
            {
                candidates.Add(new DeviceCandidate("ble:" + device.Address, family.Family, () => client.CreateTransport(device)));
            }
        }

        return candidates;
    }

    public async ValueTask DisposeAsync()
    {
        if (_client is not null)
        {
            await _client.DisposeAsync();
        }
    }

    private async Task<BlueZClient?> ConnectAsync(CancellationToken cancellationToken)
    {
        if (_client is { Disconnected.IsCompleted: false })
        {
            return _client;
        }

        if (_client is not null)
        {
            await _client.DisposeAsync();
            _client = null;
        }

        try
        {
            var client = await BlueZClient.ConnectAsync(
                new BlueZClientOptions
                {
                    BusAddress = _options.BusAddress,
                    Adapter = _options.Adapter,
                    CallTimeout = _options.CallTimeout,
                    ConnectTimeout = _options.ConnectTimeout,
                },
                _loggerFactory,
                cancellationToken);
            await client.StartDiscoveryAsync([.. _families.SelectMany(f => f.BluetoothServices).Distinct()], cancellationToken);
            _client = client;
            _unreachableLogged = false;
            LogDiscovering(client.AdapterPath, string.Join(", ", _families.Select(f => f.Family)));
            return client;
        }
        catch (TransportException ex)
        {
            if (!_unreachableLogged)
            {
                LogUnreachable(ex.Message);
                _unreachableLogged = true;
            }

            return null;
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Bluetooth: discovering on {Adapter} for {Families}")]
    private partial void LogDiscovering(string adapter, string families);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Bluetooth is not available, tried again at every scan: {Reason}")]
    private partial void LogUnreachable(string reason);
}
