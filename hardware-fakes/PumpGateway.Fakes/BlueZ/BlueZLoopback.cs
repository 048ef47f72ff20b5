using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using PumpGateway.Transports.Bluetooth;
using Tmds.DBus.Protocol;

namespace PumpGateway.Fakes.BlueZ;

/// <summary>
/// A stand-in for bluetoothd on a private bus. Peripheral applications register exactly as with
/// BlueZ (GattManager1.RegisterApplication, LEAdvertisingManager1.RegisterAdvertisement on
/// <c>/org/bluez/hci0</c>); each bus connection that advertises is one remote device, shown to
/// centrals as Device1 while they discover, and on Connect its GATT application appears as
/// GattService1 / GattCharacteristic1 / GattDescriptor1 objects. Reads, writes, StartNotify and
/// StopNotify are relayed to the application; its PropertiesChanged "Value" signals come back
/// as notifications (and the application's Confirm is called for indications), through each
/// device's ordered link with its fault switches.
/// </summary>
public sealed partial class BlueZLoopback : IAsyncDisposable
{
    public const string AdapterPath = "/org/bluez/hci0";
    public const string ControlPath = "/org/pumpgateway/loopback";
    public const string ControlInterface = "org.pumpgateway.LoopbackControl1";

    private const ushort Mtu = 247;
    private static readonly TimeSpan CallTimeout = TimeSpan.FromSeconds(10);

    private readonly object _gate = new();
    private readonly Dictionary<string, Peripheral> _peripherals = new(StringComparer.Ordinal);
    private readonly DBusConnection _connection;
    private readonly DBusObjectTree _tree;
    private readonly ILogger _logger;
    private readonly List<IDisposable> _watches = [];
    private HashSet<Guid> _discoveryFilter = [];
    private bool _discovering;

    private BlueZLoopback(DBusConnection connection, string busAddress, ILogger logger)
    {
        _connection = connection;
        BusAddress = busAddress;
        _logger = logger;
        _tree = new DBusObjectTree(connection, "/");
    }

    public string BusAddress { get; }

    /// <summary>The emulated devices that advertise (a central sees them once it discovers).</summary>
    public IReadOnlyList<LoopbackDevice> Devices
    {
        get
        {
            lock (_gate)
            {
                return [.. _peripherals.Values.Select(p => p.Device).OfType<LoopbackDevice>()];
            }
        }
    }

    public static async Task<BlueZLoopback> StartAsync(string busAddress, ILogger? logger = null, CancellationToken cancellationToken = default)
    {
        var connection = new DBusConnection(busAddress);
        var loopback = new BlueZLoopback(connection, busAddress, logger ?? NullLogger.Instance);
        try
        {
            await connection.ConnectAsync().AsTask().WaitAsync(CallTimeout, cancellationToken);
            connection.AddMethodHandler(loopback._tree);
            loopback.ExportAdapter();
            loopback._watches.Add(await DBusMessages.WatchAsync(
                connection,
                new MatchRule { Type = MessageType.Signal, Sender = "org.freedesktop.DBus", Interface = "org.freedesktop.DBus", Member = "NameOwnerChanged" },
                (message, _) =>
                {
                    var reader = message.GetBodyReader();
                    return (Name: reader.ReadString(), Old: reader.ReadString(), New: reader.ReadString());
                },
                change =>
                {
                    if (change.New.Length == 0 && change.Name.StartsWith(':'))
                    {
                        loopback.OnPeripheralGone(change.Name);
                    }
                }));

            // Last: a client that finds org.bluez finds it complete.
            await connection.RequestNameAsync(BlueZNames.Service, RequestNameOptions.None).WaitAsync(CallTimeout, cancellationToken);
            return loopback;
        }
        catch
        {
            await loopback.DisposeAsync();
            throw;
        }
    }

    /// <summary>The device advertising <paramref name="nameOrAddress"/> as its local name, or with that address.</summary>
    public LoopbackDevice? FindDevice(string nameOrAddress)
    {
        lock (_gate)
        {
            return _peripherals.Values
                .Select(p => p.Device)
                .OfType<LoopbackDevice>()
                .FirstOrDefault(d => d.Name == nameOrAddress || string.Equals(d.Address, nameOrAddress, StringComparison.OrdinalIgnoreCase));
        }
    }

    /// <summary>Waits until a device with that local name or address has registered and advertises.</summary>
    public async Task<LoopbackDevice> WaitForDeviceAsync(string nameOrAddress, TimeSpan timeout, CancellationToken cancellationToken = default)
    {
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(timeout);
        while (true)
        {
            if (FindDevice(nameOrAddress) is { } device)
            {
                return device;
            }

            try
            {
                await Task.Delay(20, deadline.Token);
            }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                throw new TimeoutException($"No emulated device '{nameOrAddress}' advertised within {timeout.TotalSeconds} s.");
            }
        }
    }

    public ValueTask DisposeAsync()
    {
        foreach (var watch in _watches)
        {
            watch.Dispose();
        }

        lock (_gate)
        {
            foreach (var peripheral in _peripherals.Values)
            {
                peripheral.Device?.Close();
                peripheral.ValueWatch?.Dispose();
            }

            _peripherals.Clear();
        }

        _connection.Dispose();
        return ValueTask.CompletedTask;
    }

    private void ExportAdapter()
    {
        var adapter = new DBusInterface(BlueZNames.Adapter) { IntrospectionXml = BlueZIntrospection.Adapter };
        adapter.Properties["Address"] = VariantValue.String("00:1A:7D:DA:71:13");
        adapter.Properties["AddressType"] = VariantValue.String("public");
        adapter.Properties["Name"] = VariantValue.String("pumpgateway-loopback");
        adapter.Properties["Alias"] = VariantValue.String("pumpgateway-loopback");
        adapter.Properties["Class"] = VariantValue.UInt32(0);
        adapter.Properties["Powered"] = VariantValue.Bool(true);
        adapter.Properties["Discoverable"] = VariantValue.Bool(false);
        adapter.Properties["Pairable"] = VariantValue.Bool(true);
        adapter.Properties["Discovering"] = VariantValue.Bool(false);
        adapter.Properties["UUIDs"] = VariantValue.Array(Array.Empty<string>());
        adapter.Properties["Modalias"] = VariantValue.String("usb:v1D6Bp0246d0540");
        adapter.Methods["StartDiscovery"] = StartDiscovery;
        adapter.Methods["StopDiscovery"] = StopDiscovery;
        adapter.Methods["SetDiscoveryFilter"] = SetDiscoveryFilter;
        adapter.Methods["GetDiscoveryFilters"] = context =>
        {
            using var writer = context.CreateReplyWriter("as");
            writer.WriteArray(new[] { "UUIDs", "RSSI", "Pathloss", "Transport", "DuplicateData", "Discoverable", "Pattern" });
            context.Reply(writer.CreateMessage());
        };
        adapter.Methods["RemoveDevice"] = RemoveDevice;

        var gattManager = new DBusInterface(BlueZNames.GattManager) { IntrospectionXml = BlueZIntrospection.GattManager };
        gattManager.Methods["RegisterApplication"] = RegisterApplication;
        gattManager.Methods["UnregisterApplication"] = UnregisterApplication;

        var advertising = new DBusInterface(BlueZNames.AdvertisingManager) { IntrospectionXml = BlueZIntrospection.AdvertisingManager };
        advertising.Properties["ActiveInstances"] = VariantValue.Byte(0);
        advertising.Properties["SupportedInstances"] = VariantValue.Byte(255);
        advertising.Properties["SupportedIncludes"] = VariantValue.Array(new[] { "tx-power", "appearance", "local-name" });
        advertising.Methods["RegisterAdvertisement"] = RegisterAdvertisement;
        advertising.Methods["UnregisterAdvertisement"] = UnregisterAdvertisement;

        _tree.Add("/org/bluez", new DBusInterface("org.bluez.AgentManager1"));
        _tree.Add(AdapterPath, adapter, gattManager, advertising);
        _tree.Add(ControlPath, CreateControlInterface());
    }

    private void StartDiscovery(MethodContext context)
    {
        lock (_gate)
        {
            _discovering = true;
            _tree.SetProperties(AdapterPath, BlueZNames.Adapter, ("Discovering", VariantValue.Bool(true)));
            foreach (var peripheral in _peripherals.Values)
            {
                ShowIfDiscoverable(peripheral);
            }
        }

        DBusObjectTree.ReplyEmpty(context);
    }

    private void StopDiscovery(MethodContext context)
    {
        lock (_gate)
        {
            if (!_discovering)
            {
                context.ReplyError(BlueZNames.ErrorFailed, "No discovery started");
                return;
            }

            _discovering = false;
            _tree.SetProperties(AdapterPath, BlueZNames.Adapter, ("Discovering", VariantValue.Bool(false)));
        }

        DBusObjectTree.ReplyEmpty(context);
    }

    private void SetDiscoveryFilter(MethodContext context)
    {
        var filter = context.Request.GetBodyReader().ReadDictionaryOfStringToVariantValue();
        lock (_gate)
        {
            _discoveryFilter = filter.TryGetValue("UUIDs", out var uuids) ? [.. uuids.GetArray<string>().Select(Guid.Parse)] : [];
        }

        DBusObjectTree.ReplyEmpty(context);
    }

    private void RemoveDevice(MethodContext context)
    {
        var path = context.Request.GetBodyReader().ReadObjectPathAsString();
        Peripheral? peripheral;
        lock (_gate)
        {
            peripheral = _peripherals.Values.FirstOrDefault(p => p.Exported && p.Device?.Path == path);
        }

        if (peripheral?.Device is not { } device)
        {
            context.ReplyError(BlueZNames.ErrorDoesNotExist, $"No device {path}");
            return;
        }

        DBusObjectTree.Defer(context, async () =>
        {
            await device.RunAsync(() => DisconnectAsync(peripheral, device, notifyApplication: true));
            Hide(peripheral, forget: false);
            DBusObjectTree.ReplyEmpty(context);
        });
    }

    private void RegisterApplication(MethodContext context)
    {
        var owner = context.Request.SenderAsString ?? "";
        var root = context.Request.GetBodyReader().ReadObjectPathAsString();
        DBusObjectTree.Defer(context, async () =>
        {
            lock (_gate)
            {
                if (_peripherals.TryGetValue(owner, out var known) && known.ApplicationPath is not null)
                {
                    throw new DBusErrorReplyException(BlueZNames.ErrorAlreadyExists, "This connection has an application registered already");
                }
            }

            var objects = await DBusMessages.GetManagedObjectsAsync(_connection, owner, root, CallTimeout, CancellationToken.None);
            var services = ReadApplication(objects);
            if (services.Count == 0)
            {
                throw new DBusErrorReplyException(BlueZNames.ErrorInvalidArguments, $"No GattService1 object under {root}");
            }

            var valueWatch = await DBusMessages.WatchAsync(
                _connection,
                new MatchRule { Type = MessageType.Signal, Sender = owner, Interface = BlueZNames.Properties, Member = "PropertiesChanged", PathNamespace = root },
                DBusMessages.ReadPropertiesChanged,
                change => OnPeripheralValueChanged(owner, change));
            lock (_gate)
            {
                var peripheral = GetOrAddPeripheral(owner);
                peripheral.ApplicationPath = root;
                peripheral.Services = services;
                peripheral.ValueWatch = valueWatch;
            }

            LogApplicationRegistered(owner, root, services.Count);
            DBusObjectTree.ReplyEmpty(context);
        });
    }

    private void UnregisterApplication(MethodContext context)
    {
        var owner = context.Request.SenderAsString ?? "";
        var root = context.Request.GetBodyReader().ReadObjectPathAsString();
        Peripheral? peripheral;
        lock (_gate)
        {
            peripheral = _peripherals.GetValueOrDefault(owner);
        }

        if (peripheral is null || peripheral.ApplicationPath != root)
        {
            context.ReplyError(BlueZNames.ErrorDoesNotExist, $"No application {root}");
            return;
        }

        DBusObjectTree.Defer(context, async () =>
        {
            if (peripheral.Device is { } device)
            {
                await device.RunAsync(() => DisconnectAsync(peripheral, device, notifyApplication: false));
            }

            lock (_gate)
            {
                peripheral.ValueWatch?.Dispose();
                peripheral.ValueWatch = null;
                peripheral.ApplicationPath = null;
                peripheral.Services = [];
            }

            DBusObjectTree.ReplyEmpty(context);
        });
    }

    private void RegisterAdvertisement(MethodContext context)
    {
        var owner = context.Request.SenderAsString ?? "";
        var path = context.Request.GetBodyReader().ReadObjectPathAsString();
        DBusObjectTree.Defer(context, async () =>
        {
            var properties = await DBusMessages.GetAllPropertiesAsync(_connection, owner, path, BlueZNames.Advertisement, CallTimeout, CancellationToken.None);
            lock (_gate)
            {
                var peripheral = GetOrAddPeripheral(owner);
                if (peripheral.AdvertisementPath is not null)
                {
                    throw new DBusErrorReplyException(BlueZNames.ErrorAlreadyExists, "This connection advertises already");
                }

                peripheral.AdvertisementPath = path;
                peripheral.LocalName = properties.TryGetValue("LocalName", out var name) ? name.GetString() : null;
                peripheral.AdvertisedServices = properties.TryGetValue("ServiceUUIDs", out var uuids) ? [.. uuids.GetArray<string>().Select(Guid.Parse)] : [];
                peripheral.Appearance = properties.TryGetValue("Appearance", out var appearance) ? appearance.GetUInt16() : null;
                peripheral.ManufacturerData = properties.TryGetValue("ManufacturerData", out var data) ? data : (VariantValue?)null;
                if (peripheral.Device is null)
                {
                    var address = AddressFor(peripheral.LocalName ?? peripheral.Owner);
                    peripheral.Device = new LoopbackDevice(address, BlueZNames.DevicePath(AdapterPath, address), peripheral.LocalName, d => DisconnectAsync(peripheral, d, notifyApplication: true, dropped: true), OnLinkError);
                }

                ShowIfDiscoverable(peripheral);
            }

            LogAdvertising(owner, properties.TryGetValue("LocalName", out var n) ? n.GetString() : null);
            DBusObjectTree.ReplyEmpty(context);
        });
    }

    private void UnregisterAdvertisement(MethodContext context)
    {
        var owner = context.Request.SenderAsString ?? "";
        var path = context.Request.GetBodyReader().ReadObjectPathAsString();
        lock (_gate)
        {
            if (!_peripherals.TryGetValue(owner, out var peripheral) || peripheral.AdvertisementPath != path)
            {
                context.ReplyError(BlueZNames.ErrorDoesNotExist, $"No advertisement {path}");
                return;
            }

            // A connected device stays connected: advertising only matters to centrals looking.
            peripheral.AdvertisementPath = null;
        }

        DBusObjectTree.ReplyEmpty(context);
    }

    private Peripheral GetOrAddPeripheral(string owner)
    {
        if (!_peripherals.TryGetValue(owner, out var peripheral))
        {
            _peripherals[owner] = peripheral = new Peripheral(owner);
        }

        return peripheral;
    }

    /// <summary>Under the lock: a peripheral that advertises a service the discovery filter wants becomes a Device1.</summary>
    private void ShowIfDiscoverable(Peripheral peripheral)
    {
        if (!_discovering
            || peripheral.Exported
            || peripheral.Device is not { } device
            || peripheral.AdvertisementPath is null
            || (_discoveryFilter.Count > 0 && !peripheral.AdvertisedServices.Any(_discoveryFilter.Contains)))
        {
            return;
        }

        var address = device.Address;
        peripheral.Exported = true;

        var properties = new DBusInterface(BlueZNames.Device) { IntrospectionXml = BlueZIntrospection.Device };
        properties.Properties["Address"] = VariantValue.String(address);
        properties.Properties["AddressType"] = VariantValue.String("random");
        if (peripheral.LocalName is { } name)
        {
            properties.Properties["Name"] = VariantValue.String(name);
        }

        properties.Properties["Alias"] = VariantValue.String(peripheral.LocalName ?? address.Replace(':', '-'));
        properties.Properties["Paired"] = VariantValue.Bool(false);
        properties.Properties["Bonded"] = VariantValue.Bool(false);
        properties.Properties["Trusted"] = VariantValue.Bool(false);
        properties.Properties["Blocked"] = VariantValue.Bool(false);
        properties.Properties["LegacyPairing"] = VariantValue.Bool(false);
        properties.Properties["Connected"] = VariantValue.Bool(false);
        properties.Properties["ServicesResolved"] = VariantValue.Bool(false);
        properties.Properties["UUIDs"] = VariantValue.Array(peripheral.AdvertisedServices.Select(u => u.ToString("D")).ToArray());
        properties.Properties["Adapter"] = VariantValue.ObjectPath(new ObjectPath(AdapterPath));
        properties.Properties["RSSI"] = VariantValue.Int16(-55);
        if (peripheral.Appearance is { } appearance)
        {
            properties.Properties["Appearance"] = VariantValue.UInt16(appearance);
        }

        if (peripheral.ManufacturerData is { } manufacturerData)
        {
            properties.Properties["ManufacturerData"] = manufacturerData;
        }

        properties.Methods["Connect"] = context => Connect(context, peripheral, device);
        properties.Methods["Disconnect"] = context => DBusObjectTree.Defer(context, async () =>
        {
            await device.RunAsync(() => DisconnectAsync(peripheral, device, notifyApplication: true));
            DBusObjectTree.ReplyEmpty(context);
        });
        properties.Methods["Pair"] = context => DBusObjectTree.Defer(context, async () =>
        {
            await device.RunAsync(async () =>
            {
                await device.Faults.DelayAsync(device.Closed);
                _tree.SetProperties(device.Path, BlueZNames.Device, ("Paired", VariantValue.Bool(true)), ("Bonded", VariantValue.Bool(true)));
            });
            DBusObjectTree.ReplyEmpty(context);
        });
        properties.Methods["CancelPairing"] = DBusObjectTree.ReplyEmpty;
        properties.Methods["ConnectProfile"] = context => context.ReplyError(BlueZNames.ErrorNotSupported, "No profiles on an LE-only device");
        properties.Methods["DisconnectProfile"] = context => context.ReplyError(BlueZNames.ErrorNotSupported, "No profiles on an LE-only device");
        _tree.Add(device.Path, properties);
    }

    /// <summary>Takes the Device1 object away; <paramref name="forget"/> when the peripheral itself is gone.</summary>
    private void Hide(Peripheral peripheral, bool forget)
    {
        LoopbackDevice? device;
        bool exported;
        lock (_gate)
        {
            device = peripheral.Device;
            exported = peripheral.Exported;
            peripheral.Exported = false;
            if (forget)
            {
                peripheral.Device = null;
            }
        }

        if (device is not null && exported)
        {
            _tree.Remove(device.Path);
        }

        if (forget)
        {
            device?.Close();
        }
    }

    private void Connect(MethodContext context, Peripheral peripheral, LoopbackDevice device) =>
        DBusObjectTree.Defer(context, async () =>
        {
            await device.RunAsync(async () =>
            {
                if (device.IsConnected)
                {
                    return;
                }

                await device.Faults.DelayAsync(device.Closed);
                if (peripheral.ApplicationPath is null)
                {
                    throw new DBusErrorReplyException(BlueZNames.ErrorFailed, "le-connection-abort-by-local");
                }

                device.IsConnected = true;
                device.Counters.AddConnect();
                _tree.SetProperties(device.Path, BlueZNames.Device, ("Connected", VariantValue.Bool(true)));
                ExportGattDatabase(peripheral, device);
                var uuids = peripheral.AdvertisedServices.Concat(peripheral.Services.Select(s => s.Uuid)).Distinct().Select(u => u.ToString("D")).ToArray();
                _tree.SetProperties(device.Path, BlueZNames.Device, ("UUIDs", VariantValue.Array(uuids)), ("ServicesResolved", VariantValue.Bool(true)));
                LogConnected(device.Address, device.Name);
            });
            DBusObjectTree.ReplyEmpty(context);
        });

    /// <summary>Runs in link order. The peripheral is told its subscriptions ended, as BlueZ does on a disconnection.</summary>
    private async Task DisconnectAsync(Peripheral peripheral, LoopbackDevice device, bool notifyApplication, bool dropped = false)
    {
        if (!device.IsConnected)
        {
            return;
        }

        device.IsConnected = false;
        if (dropped)
        {
            device.Counters.AddLinkDropped();
        }

        _tree.SetProperties(device.Path, BlueZNames.Device, ("ServicesResolved", VariantValue.Bool(false)), ("Connected", VariantValue.Bool(false)));
        var notifying = device.Notifying.ToList();
        device.Notifying.Clear();
        foreach (var path in device.Attributes.Keys.Where(p => p.Count(c => c == '/') == device.Path.Count(c => c == '/') + 1).ToList())
        {
            _tree.Remove(path);
        }

        var attributes = device.Attributes.Values.ToList();
        device.Attributes.Clear();
        if (notifyApplication)
        {
            foreach (var attribute in attributes.Where(a => notifying.Contains(a.CentralPath)))
            {
                try
                {
                    await DBusMessages.CallAsync(_connection, peripheral.Owner, attribute.PeripheralPath, BlueZNames.GattCharacteristic, "StopNotify", CallTimeout, CancellationToken.None);
                }
                catch (Exception ex) when (ex is DBusExceptionBase or TimeoutException)
                {
                    // The application is going away too, or does not care.
                }
            }
        }

        LogDisconnected(device.Address, dropped ? "the link was dropped" : "disconnected");
    }

    /// <summary>Under the device's link order: the peripheral's application becomes the device's GATT objects.</summary>
    private void ExportGattDatabase(Peripheral peripheral, LoopbackDevice device)
    {
        ushort handle = 0;
        foreach (var service in peripheral.Services)
        {
            var servicePath = $"{device.Path}/service{++handle:x4}";
            var serviceInterface = new DBusInterface(BlueZNames.GattService) { IntrospectionXml = BlueZIntrospection.GattService };
            serviceInterface.Properties["UUID"] = VariantValue.String(service.Uuid.ToString("D"));
            serviceInterface.Properties["Device"] = VariantValue.ObjectPath(new ObjectPath(device.Path));
            serviceInterface.Properties["Primary"] = VariantValue.Bool(service.Primary);
            serviceInterface.Properties["Includes"] = VariantValue.Array(Array.Empty<ObjectPath>());
            _tree.Add(servicePath, serviceInterface);
            device.Attributes[servicePath] = new LoopbackAttribute(servicePath, service.Path, BlueZNames.GattService, []);

            foreach (var characteristic in service.Characteristics)
            {
                var path = $"{servicePath}/char{++handle:x4}";
                handle++;
                var attribute = new LoopbackAttribute(path, characteristic.Path, BlueZNames.GattCharacteristic, characteristic.Flags);
                device.Attributes[path] = attribute;
                var characteristicInterface = new DBusInterface(BlueZNames.GattCharacteristic) { IntrospectionXml = BlueZIntrospection.GattCharacteristic };
                characteristicInterface.Properties["UUID"] = VariantValue.String(characteristic.Uuid.ToString("D"));
                characteristicInterface.Properties["Service"] = VariantValue.ObjectPath(new ObjectPath(servicePath));
                characteristicInterface.Properties["Value"] = VariantValue.Array(Array.Empty<byte>());
                characteristicInterface.Properties["Notifying"] = VariantValue.Bool(false);
                characteristicInterface.Properties["Flags"] = VariantValue.Array(characteristic.Flags.ToArray());
                characteristicInterface.Properties["MTU"] = VariantValue.UInt16(Mtu);
                characteristicInterface.Methods["ReadValue"] = context => Relay(context, peripheral, device, attribute, "ReadValue");
                characteristicInterface.Methods["WriteValue"] = context => Relay(context, peripheral, device, attribute, "WriteValue");
                characteristicInterface.Methods["StartNotify"] = context => SetNotifying(context, peripheral, device, attribute, true);
                characteristicInterface.Methods["StopNotify"] = context => SetNotifying(context, peripheral, device, attribute, false);
                characteristicInterface.Methods["AcquireWrite"] = context => context.ReplyError(BlueZNames.ErrorNotSupported, "Not supported by the loopback");
                characteristicInterface.Methods["AcquireNotify"] = context => context.ReplyError(BlueZNames.ErrorNotSupported, "Not supported by the loopback");
                _tree.Add(path, characteristicInterface);

                foreach (var descriptor in characteristic.Descriptors)
                {
                    var descriptorPath = $"{path}/desc{++handle:x4}";
                    var descriptorAttribute = new LoopbackAttribute(descriptorPath, descriptor.Path, BlueZNames.GattDescriptor, descriptor.Flags);
                    device.Attributes[descriptorPath] = descriptorAttribute;
                    var descriptorInterface = new DBusInterface(BlueZNames.GattDescriptor) { IntrospectionXml = BlueZIntrospection.GattDescriptor };
                    descriptorInterface.Properties["UUID"] = VariantValue.String(descriptor.Uuid.ToString("D"));
                    descriptorInterface.Properties["Characteristic"] = VariantValue.ObjectPath(new ObjectPath(path));
                    descriptorInterface.Properties["Value"] = VariantValue.Array(Array.Empty<byte>());
                    descriptorInterface.Properties["Flags"] = VariantValue.Array(descriptor.Flags.ToArray());
                    descriptorInterface.Methods["ReadValue"] = context => Relay(context, peripheral, device, descriptorAttribute, "ReadValue");
                    descriptorInterface.Methods["WriteValue"] = context => Relay(context, peripheral, device, descriptorAttribute, "WriteValue");
                    _tree.Add(descriptorPath, descriptorInterface);
                }
            }
        }
    }

    /// <summary>A central's ReadValue or WriteValue, carried to the peripheral's object in link order.</summary>
    private void Relay(MethodContext context, Peripheral peripheral, LoopbackDevice device, LoopbackAttribute attribute, string member)
    {
        var reader = context.Request.GetBodyReader();
        var value = member == "WriteValue" ? reader.ReadArrayOfByte() : null;
        var options = reader.ReadDictionaryOfStringToVariantValue();
        DBusObjectTree.Defer(context, async () =>
        {
            byte[]? read = null;
            await device.RunAsync(async () =>
            {
                if (!device.IsConnected)
                {
                    throw new DBusErrorReplyException(BlueZNames.ErrorNotConnected, "Not connected");
                }

                await device.Faults.DelayAsync(device.Closed);
                var forwarded = new Dictionary<string, VariantValue>(StringComparer.Ordinal)
                {
                    ["device"] = VariantValue.ObjectPath(new ObjectPath(device.Path)),
                    ["link"] = VariantValue.String("LE"),
                    ["mtu"] = VariantValue.UInt16(Mtu),
                };
                if (options.TryGetValue("offset", out var offset))
                {
                    forwarded["offset"] = offset;
                }

                if (value is null)
                {
                    device.Counters.AddRead();
                    read = await DBusMessages.CallAsync(_connection, peripheral.Owner, attribute.PeripheralPath, attribute.Interface, "ReadValue", DBusMessages.ReadByteArray, CallTimeout, CancellationToken.None, "a{sv}", DBusMessages.Options(forwarded));

                    // BlueZ caches what it read in Value, and says so.
                    _tree.SetProperties(attribute.CentralPath, attribute.Interface, ("Value", VariantValue.Array(read)));
                    return;
                }

                if (device.Faults.TakeWriteRefusal())
                {
                    device.Counters.AddWriteRefused();
                    throw new DBusErrorReplyException(BlueZNames.ErrorFailed, "Operation failed with ATT error: 0x0e (refused by the loopback's fault switch)");
                }

                device.Counters.AddWrite();
                forwarded["type"] = options.TryGetValue("type", out var type) ? type : VariantValue.String("request");
                await DBusMessages.CallAsync(_connection, peripheral.Owner, attribute.PeripheralPath, attribute.Interface, "WriteValue", CallTimeout, CancellationToken.None, "aya{sv}", (ref MessageWriter w) =>
                {
                    w.WriteArray(value);
                    w.WriteDictionary(forwarded);
                });
            });

            if (read is null)
            {
                DBusObjectTree.ReplyEmpty(context);
            }
            else
            {
                DBusObjectTree.ReplyBytes(context, read);
            }
        });
    }

    private void SetNotifying(MethodContext context, Peripheral peripheral, LoopbackDevice device, LoopbackAttribute attribute, bool notifying) =>
        DBusObjectTree.Defer(context, async () =>
        {
            await device.RunAsync(async () =>
            {
                if (!device.IsConnected)
                {
                    throw new DBusErrorReplyException(BlueZNames.ErrorNotConnected, "Not connected");
                }

                if (notifying && !attribute.Flags.Contains("notify") && !attribute.Flags.Contains("indicate"))
                {
                    throw new DBusErrorReplyException(BlueZNames.ErrorNotSupported, "The characteristic neither notifies nor indicates");
                }

                if (device.Notifying.Contains(attribute.CentralPath) == notifying)
                {
                    return;
                }

                await DBusMessages.CallAsync(_connection, peripheral.Owner, attribute.PeripheralPath, BlueZNames.GattCharacteristic, notifying ? "StartNotify" : "StopNotify", CallTimeout, CancellationToken.None);
                if (notifying)
                {
                    device.Notifying.Add(attribute.CentralPath);
                }
                else
                {
                    device.Notifying.Remove(attribute.CentralPath);
                }

                _tree.SetProperties(attribute.CentralPath, BlueZNames.GattCharacteristic, ("Notifying", VariantValue.Bool(notifying)));
            });
            DBusObjectTree.ReplyEmpty(context);
        });

    /// <summary>On the bus reader: a peripheral changed a characteristic's value, which is how a BlueZ application notifies.</summary>
    private void OnPeripheralValueChanged(string owner, PropertiesChange change)
    {
        if (change.Interface != BlueZNames.GattCharacteristic || !change.Changed.TryGetValue("Value", out var variant))
        {
            return;
        }

        Peripheral? peripheral;
        lock (_gate)
        {
            peripheral = _peripherals.GetValueOrDefault(owner);
        }

        if (peripheral?.Device is not { } device)
        {
            return;
        }

        var value = variant.GetArray<byte>();
        device.Post(async () =>
        {
            var attribute = device.Attributes.Values.FirstOrDefault(a => a.PeripheralPath == change.Path && a.Interface == BlueZNames.GattCharacteristic);
            if (!device.IsConnected || attribute is null || !device.Notifying.Contains(attribute.CentralPath))
            {
                return;
            }

            if (device.Faults.TakeNotificationLoss())
            {
                device.Counters.AddNotificationLost();
                return;
            }

            await device.Faults.DelayAsync(device.Closed);
            if (device.Faults.TakeStall() is { } stall)
            {
                await Task.Delay(stall, device.Closed);
            }

            var delivered = device.Faults.CorruptBytes(value);
            _tree.SetProperties(attribute.CentralPath, BlueZNames.GattCharacteristic, ("Value", VariantValue.Array(delivered)));
            if (device.Faults.TakeDuplicate())
            {
                _tree.SetProperties(attribute.CentralPath, BlueZNames.GattCharacteristic, ("Value", VariantValue.Array(delivered)));
            }

            device.Counters.AddNotification();
            if (attribute.IndicateOnly)
            {
                SendConfirm(owner, attribute.PeripheralPath);
            }

            if (device.Faults.CountTowardsDrop())
            {
                await DisconnectAsync(peripheral, device, notifyApplication: true, dropped: true);
            }
        });
    }

    /// <summary>The central confirmed an indication: BlueZ tells the application with a Confirm call that expects no reply.</summary>
    private void SendConfirm(string owner, string path)
    {
        var writer = _connection.GetMessageWriter();
        try
        {
            writer.WriteMethodCallHeader(owner, path, BlueZNames.GattCharacteristic, "Confirm", null, MessageFlags.NoReplyExpected);
            _connection.TrySendMessage(writer.CreateMessage());
        }
        finally
        {
            writer.Dispose();
        }
    }

    private void OnPeripheralGone(string owner)
    {
        Peripheral? peripheral;
        lock (_gate)
        {
            if (!_peripherals.Remove(owner, out peripheral))
            {
                return;
            }

            peripheral.ValueWatch?.Dispose();
        }

        LogPeripheralGone(owner, peripheral.LocalName);
        if (peripheral.Device is { } device)
        {
            _ = device.RunAsync(async () =>
            {
                await DisconnectAsync(peripheral, device, notifyApplication: false, dropped: true);
                Hide(peripheral, forget: true);
            });
        }
    }

    private void OnLinkError(LoopbackDevice device, Exception exception) => LogLinkError(exception, device.Address);

    private DBusInterface CreateControlInterface()
    {
        var control = new DBusInterface(ControlInterface)
        {
            IntrospectionXml = """
                <interface name="org.pumpgateway.LoopbackControl1">
                  <method name="SetFaults"><arg name="device" type="s" direction="in"/><arg name="faults" type="a{sv}" direction="in"/></method>
                  <method name="DropLink"><arg name="device" type="s" direction="in"/></method>
                </interface>
                """,
        };
        control.Methods["SetFaults"] = context =>
        {
            var reader = context.Request.GetBodyReader();
            var device = FindDevice(reader.ReadString());
            var faults = reader.ReadDictionaryOfStringToVariantValue();
            if (device is null)
            {
                context.ReplyError(BlueZNames.ErrorDoesNotExist, "No such emulated device");
                return;
            }

            foreach (var (name, value) in faults)
            {
                var count = (int)value.GetUInt32();
                switch (name)
                {
                    case "delay_ms": device.Faults.Delay = TimeSpan.FromMilliseconds(count); break;
                    case "refuse_writes": device.Faults.RefuseNextWrites(count); break;
                    case "lose_notifications": device.Faults.LoseNextNotifications(count); break;
                    case "drop_after_notifications": device.Faults.DropLinkAfterNotifications(count); break;
                    default:
                        context.ReplyError(BlueZNames.ErrorInvalidArguments, $"Unknown fault {name} (delay_ms, refuse_writes, lose_notifications, drop_after_notifications: u)");
                        return;
                }
            }

            DBusObjectTree.ReplyEmpty(context);
        };
        control.Methods["DropLink"] = context =>
        {
            var device = FindDevice(context.Request.GetBodyReader().ReadString());
            if (device is null)
            {
                context.ReplyError(BlueZNames.ErrorDoesNotExist, "No such emulated device");
                return;
            }

            DBusObjectTree.Defer(context, async () =>
            {
                await device.DropLinkAsync();
                DBusObjectTree.ReplyEmpty(context);
            });
        };
        return control;
    }

    private static List<PeripheralService> ReadApplication(Dictionary<string, DBusInterfaces> objects)
    {
        var services = objects
            .Where(o => o.Value.ContainsKey(BlueZNames.GattService))
            .OrderBy(o => o.Key, StringComparer.Ordinal)
            .Select(o => new PeripheralService(o.Key, Guid.Parse(o.Value[BlueZNames.GattService]["UUID"].GetString()), !o.Value[BlueZNames.GattService].TryGetValue("Primary", out var primary) || primary.GetBool(), []))
            .ToList();
        foreach (var (path, interfaces) in objects.Where(o => o.Value.ContainsKey(BlueZNames.GattCharacteristic)).OrderBy(o => o.Key, StringComparer.Ordinal))
        {
            var properties = interfaces[BlueZNames.GattCharacteristic];
            var service = services.FirstOrDefault(s => s.Path == properties["Service"].GetObjectPathAsString());
            service?.Characteristics.Add(new PeripheralCharacteristic(path, Guid.Parse(properties["UUID"].GetString()), properties["Flags"].GetArray<string>(), []));
        }

        foreach (var (path, interfaces) in objects.Where(o => o.Value.ContainsKey(BlueZNames.GattDescriptor)).OrderBy(o => o.Key, StringComparer.Ordinal))
        {
            var properties = interfaces[BlueZNames.GattDescriptor];
            var owner = properties["Characteristic"].GetObjectPathAsString();
            var characteristic = services.SelectMany(s => s.Characteristics).FirstOrDefault(c => c.Path == owner);
            characteristic?.Descriptors.Add(new PeripheralDescriptor(path, Guid.Parse(properties["UUID"].GetString()), properties.TryGetValue("Flags", out var flags) ? flags.GetArray<string>() : []));
        }

        return services;
    }

    /// <summary>A random static address (top bits 11) from the local name: the same emulator gets the same address each run.</summary>
    private string AddressFor(string seed)
    {
        var hash = SHA256.HashData(Encoding.UTF8.GetBytes(seed));
        hash[0] |= 0xC0;
        while (true)
        {
            var address = string.Join(':', hash.Take(6).Select(b => b.ToString("X2", System.Globalization.CultureInfo.InvariantCulture)));
            if (!_peripherals.Values.Any(p => p.Device?.Address == address))
            {
                return address;
            }

            hash[5]++;
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Loopback: {Owner} registered a GATT application at {Path} with {Services} services")]
    private partial void LogApplicationRegistered(string owner, string path, int services);

    [LoggerMessage(Level = LogLevel.Information, Message = "Loopback: {Owner} advertises as {Name}")]
    private partial void LogAdvertising(string owner, string? name);

    [LoggerMessage(Level = LogLevel.Information, Message = "Loopback: {Address} ({Name}) connected")]
    private partial void LogConnected(string address, string? name);

    [LoggerMessage(Level = LogLevel.Information, Message = "Loopback: {Address} {How}")]
    private partial void LogDisconnected(string address, string how);

    [LoggerMessage(Level = LogLevel.Information, Message = "Loopback: {Owner} ({Name}) left the bus; its registrations are gone")]
    private partial void LogPeripheralGone(string owner, string? name);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Loopback: relaying on {Address} failed")]
    private partial void LogLinkError(Exception exception, string address);

    private sealed class Peripheral(string owner)
    {
        public string Owner { get; } = owner;

        public string? ApplicationPath { get; set; }

        public List<PeripheralService> Services { get; set; } = [];

        public IDisposable? ValueWatch { get; set; }

        public string? AdvertisementPath { get; set; }

        public string? LocalName { get; set; }

        public List<Guid> AdvertisedServices { get; set; } = [];

        public ushort? Appearance { get; set; }

        public VariantValue? ManufacturerData { get; set; }

        /// <summary>Exists while the peripheral advertises (or once did): its address, faults and link.</summary>
        public LoopbackDevice? Device { get; set; }

        /// <summary>Its Device1 object is on the bus (a central discovered it).</summary>
        public bool Exported { get; set; }
    }

    private sealed record PeripheralService(string Path, Guid Uuid, bool Primary, List<PeripheralCharacteristic> Characteristics);

    private sealed record PeripheralCharacteristic(string Path, Guid Uuid, string[] Flags, List<PeripheralDescriptor> Descriptors);

    private sealed record PeripheralDescriptor(string Path, Guid Uuid, string[] Flags);
}
