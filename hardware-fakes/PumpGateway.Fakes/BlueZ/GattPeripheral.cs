using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using PumpGateway.Ports;
using PumpGateway.Transports.Bluetooth;
using Tmds.DBus.Protocol;

namespace PumpGateway.Fakes.BlueZ;

/// <param name="Flags">BlueZ's characteristic flags: <c>read</c>, <c>write</c>, <c>write-without-response</c>, <c>notify</c>, <c>indicate</c>, …</param>
public sealed record GattCharacteristicDefinition(Guid Uuid, params string[] Flags);

public sealed record GattServiceDefinition(Guid Uuid, IReadOnlyList<GattCharacteristicDefinition> Characteristics);

/// <param name="LocalName">The advertised name; the loopback derives the device's address from it.</param>
/// <param name="AdvertisedServices">Service UUIDs in the advertisement (what centrals filter discovery by).</param>
public sealed record GattPeripheralDefinition(string LocalName, IReadOnlyList<Guid> AdvertisedServices, IReadOnlyList<GattServiceDefinition> Services)
{
    /// <summary>GAP appearance, e.g. 0x0D40 insulin pump, 0x0D80 continuous glucose monitor.</summary>
    public ushort? Appearance { get; init; }
}

/// <summary>What an emulated device does with the requests that reach it.</summary>
public interface IGattPeripheralHandler
{
    ValueTask<byte[]> ReadAsync(GattCharacteristicId characteristic, CancellationToken cancellationToken);

    /// <summary>Throw <see cref="GattErrorException"/> to refuse the write with that BlueZ error name.</summary>
    ValueTask WriteAsync(GattCharacteristicId characteristic, byte[] value, CancellationToken cancellationToken);

    /// <summary>A central started or stopped notifications or indications (all stop when a central disconnects).</summary>
    void OnNotifyingChanged(GattCharacteristicId characteristic, bool notifying);
}

/// <summary>One write as the device received it, kept so that tests can prove what a central sent.</summary>
public sealed record GattWriteRecord(GattCharacteristicId Characteristic, byte[] Value, DateTimeOffset ReceivedAt, bool Accepted);

/// <summary>
/// An emulated BLE peripheral, built the way a BlueZ peripheral application is: a GATT
/// application (ObjectManager, GattService1, GattCharacteristic1) and an LEAdvertisement1 on its
/// own bus connection, registered with the adapter's GattManager1 and LEAdvertisingManager1.
/// The same code runs against the BlueZ loopback and against a real bluetoothd with a radio.
/// Values are notified the BlueZ way: by changing the characteristic's Value property.
/// </summary>
public sealed partial class GattPeripheral : IAsyncDisposable
{
    private static readonly TimeSpan CallTimeout = TimeSpan.FromSeconds(10);

    private readonly DBusConnection _connection;
    private readonly DBusObjectTree _tree;
    private readonly IGattPeripheralHandler _handler;
    private readonly ILogger _logger;
    private readonly Dictionary<GattCharacteristicId, string> _paths = [];
    private readonly Dictionary<string, GattCharacteristicId> _characteristics = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<GattCharacteristicId, bool> _notifying = new();
    private readonly ConcurrentQueue<GattWriteRecord> _writes = new();
    private readonly string _root;
    private string? _adapterPath;
    private int _disposed;

    private GattPeripheral(DBusConnection connection, GattPeripheralDefinition definition, IGattPeripheralHandler handler, ILogger logger)
    {
        _connection = connection;
        Definition = definition;
        _handler = handler;
        _logger = logger;
        _root = "/org/pumpgateway/peripheral/" + new string([.. definition.LocalName.Select(c => char.IsAsciiLetterOrDigit(c) ? c : '_')]);
        _tree = new DBusObjectTree(connection, _root);
    }

    public GattPeripheralDefinition Definition { get; }

    /// <summary>Every write received, accepted or refused, in order.</summary>
    public IReadOnlyList<GattWriteRecord> Writes => [.. _writes];

    /// <summary>Registers the application and its advertisement with the first adapter on the bus (<paramref name="busAddress"/>, or the system bus).</summary>
    public static async Task<GattPeripheral> StartAsync(string? busAddress, GattPeripheralDefinition definition, IGattPeripheralHandler handler, ILogger? logger = null, CancellationToken cancellationToken = default)
    {
        var address = busAddress ?? DBusAddress.System ?? throw new InvalidOperationException("No D-Bus system bus on this machine.");
        var connection = new DBusConnection(address);
        var peripheral = new GattPeripheral(connection, definition, handler, logger ?? NullLogger.Instance);
        try
        {
            await connection.ConnectAsync().AsTask().WaitAsync(CallTimeout, cancellationToken);
            connection.AddMethodHandler(peripheral._tree);
            peripheral.Export();
            await peripheral.RegisterAsync(cancellationToken);
            return peripheral;
        }
        catch
        {
            await peripheral.DisposeAsync();
            throw;
        }
    }

    public bool IsNotifying(GattCharacteristicId characteristic) => _notifying.TryGetValue(characteristic, out var on) && on;

    /// <summary>Notifies (or indicates) a value to the subscribed central; false when none is subscribed, as the value would go nowhere.</summary>
    public bool Notify(GattCharacteristicId characteristic, byte[] value)
    {
        if (!IsNotifying(characteristic))
        {
            return false;
        }

        _tree.SetProperties(_paths[characteristic], BlueZNames.GattCharacteristic, ("Value", VariantValue.Array(value)));
        return true;
    }

    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        if (_adapterPath is not null)
        {
            try
            {
                await DBusMessages.CallAsync(_connection, BlueZNames.Service, _adapterPath, BlueZNames.AdvertisingManager, "UnregisterAdvertisement", CallTimeout, CancellationToken.None, "o", (ref MessageWriter w) => w.WriteObjectPath(_root + "/advertisement"));
                await DBusMessages.CallAsync(_connection, BlueZNames.Service, _adapterPath, BlueZNames.GattManager, "UnregisterApplication", CallTimeout, CancellationToken.None, "o", (ref MessageWriter w) => w.WriteObjectPath(_root));
            }
            catch (Exception ex) when (ex is DBusExceptionBase or TimeoutException)
            {
                // The adapter is gone already; leaving the bus unregisters everything anyway.
            }
        }

        _connection.Dispose();
    }

    private void Export()
    {
        for (var s = 0; s < Definition.Services.Count; s++)
        {
            var service = Definition.Services[s];
            var servicePath = $"{_root}/service{s}";
            var serviceInterface = new DBusInterface(BlueZNames.GattService) { IntrospectionXml = BlueZIntrospection.GattService };
            serviceInterface.Properties["UUID"] = VariantValue.String(service.Uuid.ToString("D"));
            serviceInterface.Properties["Primary"] = VariantValue.Bool(true);
            serviceInterface.Properties["Includes"] = VariantValue.Array(Array.Empty<ObjectPath>());
            _tree.Add(servicePath, serviceInterface);
            for (var c = 0; c < service.Characteristics.Count; c++)
            {
                var characteristic = service.Characteristics[c];
                var id = new GattCharacteristicId(service.Uuid, characteristic.Uuid);
                var path = $"{servicePath}/char{c}";
                _paths[id] = path;
                _characteristics[path] = id;
                var characteristicInterface = new DBusInterface(BlueZNames.GattCharacteristic) { IntrospectionXml = BlueZIntrospection.GattCharacteristic };
                characteristicInterface.Properties["UUID"] = VariantValue.String(characteristic.Uuid.ToString("D"));
                characteristicInterface.Properties["Service"] = VariantValue.ObjectPath(new ObjectPath(servicePath));
                characteristicInterface.Properties["Flags"] = VariantValue.Array(characteristic.Flags);
                characteristicInterface.Properties["Value"] = VariantValue.Array(Array.Empty<byte>());
                characteristicInterface.Properties["Notifying"] = VariantValue.Bool(false);
                characteristicInterface.Methods["ReadValue"] = context => OnRead(context, id);
                characteristicInterface.Methods["WriteValue"] = context => OnWrite(context, id);
                characteristicInterface.Methods["StartNotify"] = context => OnNotifying(context, id, path, true);
                characteristicInterface.Methods["StopNotify"] = context => OnNotifying(context, id, path, false);
                characteristicInterface.Methods["Confirm"] = _ => { };
                _tree.Add(path, characteristicInterface);
            }
        }

        var advertisement = new DBusInterface(BlueZNames.Advertisement) { IntrospectionXml = BlueZIntrospection.Advertisement };
        advertisement.Properties["Type"] = VariantValue.String("peripheral");
        advertisement.Properties["ServiceUUIDs"] = VariantValue.Array(Definition.AdvertisedServices.Select(u => u.ToString("D")).ToArray());
        advertisement.Properties["LocalName"] = VariantValue.String(Definition.LocalName);
        advertisement.Properties["Includes"] = VariantValue.Array(new[] { "tx-power" });
        if (Definition.Appearance is { } appearance)
        {
            advertisement.Properties["Appearance"] = VariantValue.UInt16(appearance);
        }

        advertisement.Methods["Release"] = DBusObjectTree.ReplyEmpty;
        _tree.Add(_root + "/advertisement", advertisement);
    }

    private async Task RegisterAsync(CancellationToken cancellationToken)
    {
        var objects = await DBusMessages.GetManagedObjectsAsync(_connection, BlueZNames.Service, "/", CallTimeout, cancellationToken);
        _adapterPath = objects
            .Where(o => o.Value.ContainsKey(BlueZNames.GattManager) && o.Value.ContainsKey(BlueZNames.AdvertisingManager))
            .Select(o => o.Key)
            .Order(StringComparer.Ordinal)
            .FirstOrDefault() ?? throw new InvalidOperationException("BlueZ on this bus has no adapter that can host a GATT application and advertise.");
        await DBusMessages.CallAsync(_connection, BlueZNames.Service, _adapterPath, BlueZNames.GattManager, "RegisterApplication", CallTimeout, cancellationToken, "oa{sv}", (ref MessageWriter w) =>
        {
            w.WriteObjectPath(_root);
            w.WriteDictionary(Array.Empty<KeyValuePair<string, VariantValue>>());
        });
        await DBusMessages.CallAsync(_connection, BlueZNames.Service, _adapterPath, BlueZNames.AdvertisingManager, "RegisterAdvertisement", CallTimeout, cancellationToken, "oa{sv}", (ref MessageWriter w) =>
        {
            w.WriteObjectPath(_root + "/advertisement");
            w.WriteDictionary(Array.Empty<KeyValuePair<string, VariantValue>>());
        });
        LogRegistered(Definition.LocalName, _adapterPath);
    }

    private void OnRead(MethodContext context, GattCharacteristicId characteristic) =>
        DBusObjectTree.Defer(context, async () =>
        {
            try
            {
                DBusObjectTree.ReplyBytes(context, await _handler.ReadAsync(characteristic, context.RequestAborted));
            }
            catch (GattErrorException ex)
            {
                context.ReplyError(ex.ErrorName, ex.Message);
            }
        });

    private void OnWrite(MethodContext context, GattCharacteristicId characteristic)
    {
        var value = context.Request.GetBodyReader().ReadArrayOfByte();
        DBusObjectTree.Defer(context, async () =>
        {
            try
            {
                await _handler.WriteAsync(characteristic, value, context.RequestAborted);
                _writes.Enqueue(new GattWriteRecord(characteristic, value, DateTimeOffset.UtcNow, Accepted: true));
                DBusObjectTree.ReplyEmpty(context);
            }
            catch (GattErrorException ex)
            {
                _writes.Enqueue(new GattWriteRecord(characteristic, value, DateTimeOffset.UtcNow, Accepted: false));
                LogWriteRefused(Definition.LocalName, characteristic.ToString(), ex.Message);
                context.ReplyError(ex.ErrorName, ex.Message);
            }
        });
    }

    private void OnNotifying(MethodContext context, GattCharacteristicId characteristic, string path, bool notifying)
    {
        _notifying[characteristic] = notifying;
        _tree.SetProperties(path, BlueZNames.GattCharacteristic, ("Notifying", VariantValue.Bool(notifying)));
        _handler.OnNotifyingChanged(characteristic, notifying);
        DBusObjectTree.ReplyEmpty(context);
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Peripheral {Name} registered with {Adapter}")]
    private partial void LogRegistered(string name, string adapter);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Peripheral {Name} refused a write to {Characteristic}: {Reason}")]
    private partial void LogWriteRefused(string name, string characteristic, string reason);
}
