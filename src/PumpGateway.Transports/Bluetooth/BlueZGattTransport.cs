using System.Collections.Concurrent;
using System.Threading.Channels;
using Microsoft.Extensions.Logging;
using PumpGateway.Ports;
using Tmds.DBus.Protocol;

namespace PumpGateway.Transports.Bluetooth;

/// <summary>
/// One BLE device through BlueZ: Device1.Connect, wait for ServicesResolved, map the GATT objects,
/// then ReadValue / WriteValue / StartNotify on them. Characteristic values arrive as
/// PropertiesChanged signals, which the client routes here; only those of subscribed
/// characteristics become notifications. The link is declared dead on the device's
/// Connected=false, on its removal, or when the bus goes, and never silently: the notification
/// stream completes with a <see cref="TransportException"/>.
/// </summary>
public sealed partial class BlueZGattTransport : IGattTransport
{
    private readonly BlueZClient _client;
    private readonly ILogger<BlueZGattTransport> _logger;
    private readonly Channel<GattNotification> _notifications;
    private readonly TaskCompletionSource _servicesResolved = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource _disconnected = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly ConcurrentDictionary<string, GattCharacteristicId> _subscribed = new(StringComparer.Ordinal);
    private readonly CancellationTokenSource _closed = new();
    private Dictionary<GattCharacteristicId, string> _characteristicPaths = [];
    private volatile bool _open;
    private volatile bool _bonded;
    private int _disposed;

    internal BlueZGattTransport(BlueZClient client, string devicePath, string address, ILogger<BlueZGattTransport> logger)
    {
        _client = client;
        DevicePath = devicePath;
        Address = address;
        _logger = logger;
        _notifications = Channel.CreateBounded<GattNotification>(new BoundedChannelOptions(client.Options.NotificationBacklog)
        {
            SingleReader = true,
            SingleWriter = true,
            FullMode = BoundedChannelFullMode.Wait,
        });
    }

    public string DevicePath { get; }

    public string Address { get; }

    public string Endpoint => "ble:" + Address;

    public bool IsOpen => _open;

    public bool IsBonded => _bonded;

    public LinkStatistics Statistics { get; } = new();

    public IReadOnlyList<GattServiceInfo> Services { get; private set; } = [];

    public ChannelReader<GattNotification> Notifications => _notifications.Reader;

    public Task Disconnected => _disconnected.Task;

    public async ValueTask OpenAsync(CancellationToken cancellationToken)
    {
        ObjectDisposedException.ThrowIf(_disposed != 0, this);
        if (_open)
        {
            throw new InvalidOperationException($"{Endpoint} is already open.");
        }

        var known = _client.GetDeviceProperties(DevicePath) ?? throw new TransportException($"{Endpoint} is not known to the adapter (not discovered, or gone).");
        bool connected;
        lock (known)
        {
            connected = known.TryGetValue("Connected", out var c) && c.GetBool();
            _bonded = known.TryGetValue("Bonded", out var b) ? b.GetBool() : known.TryGetValue("Paired", out var p) && p.GetBool();
            if (known.TryGetValue("ServicesResolved", out var resolved) && resolved.GetBool())
            {
                _servicesResolved.TrySetResult();
            }
        }

        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, _closed.Token);
        timeout.CancelAfter(_client.Options.ConnectTimeout);
        try
        {
            if (!connected)
            {
                await _client.CallAsync(DevicePath, BlueZNames.Device, "Connect", timeout.Token, timeout: _client.Options.ConnectTimeout);
            }

            await _servicesResolved.Task.WaitAsync(timeout.Token);
            await MapGattDatabaseAsync(timeout.Token);
            _open = true;
            LogConnected(Endpoint, Services.Count, _bonded);
        }
        catch (Exception ex) when (IsTimeout(ex, timeout, cancellationToken))
        {
            Statistics.AddTimeout();
            throw new TransportException($"{Endpoint} did not connect and resolve its services within {_client.Options.ConnectTimeout.TotalSeconds} s.", ex) { IsTimeout = true };
        }
        catch (DBusErrorReplyException ex)
        {
            throw new TransportException($"{Endpoint} could not connect: {ex.ErrorName}: {ex.ErrorMessage}", ex);
        }
    }

    public async ValueTask<byte[]> ReadAsync(GattCharacteristicId characteristic, CancellationToken cancellationToken)
    {
        var path = PathOf(characteristic);
        var value = await RequestAsync(
            characteristic,
            "read",
            token => _client.CallAsync(path, BlueZNames.GattCharacteristic, "ReadValue", DBusMessages.ReadByteArray, token, "a{sv}", DBusMessages.Options([])),
            cancellationToken);
        Statistics.AddBytesIn(value.Length);
        return value;
    }

    public async ValueTask WriteAsync(GattCharacteristicId characteristic, ReadOnlyMemory<byte> value, GattWriteKind kind, CancellationToken cancellationToken)
    {
        var path = PathOf(characteristic);
        var bytes = value.ToArray();
        var type = kind == GattWriteKind.WithResponse ? "request" : "command";
        await RequestAsync(
            characteristic,
            "write",
            async token =>
            {
                await _client.CallAsync(path, BlueZNames.GattCharacteristic, "WriteValue", token, "aya{sv}", (ref MessageWriter w) =>
                {
                    w.WriteArray(bytes);
                    w.WriteDictionary([new KeyValuePair<string, VariantValue>("type", VariantValue.String(type))]);
                });
                return true;
            },
            cancellationToken);
        Statistics.AddBytesOut(bytes.Length);
    }

    public async ValueTask SubscribeAsync(GattCharacteristicId characteristic, CancellationToken cancellationToken)
    {
        var path = PathOf(characteristic);

        // Registered before StartNotify: a value sent the moment notifying starts is not lost.
        _subscribed[path] = characteristic;
        try
        {
            await RequestAsync(
                characteristic,
                "subscribe to",
                async token =>
                {
                    await _client.CallAsync(path, BlueZNames.GattCharacteristic, "StartNotify", token);
                    return true;
                },
                cancellationToken);
        }
        catch
        {
            _subscribed.TryRemove(path, out _);
            throw;
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        var wasOpen = _open;
        _open = false;
        await _closed.CancelAsync();
        _client.Release(this);
        if (wasOpen && !_disconnected.Task.IsCompleted)
        {
            try
            {
                // Releases the link and every notification session on it; bounded like any call.
                await _client.CallAsync(DevicePath, BlueZNames.Device, "Disconnect", CancellationToken.None);
            }
            catch (Exception ex) when (ex is DBusExceptionBase or TimeoutException)
            {
                LogDisconnectFailed(Endpoint, ex.Message);
            }
        }

        _notifications.Writer.TryComplete();
        _disconnected.TrySetResult();
        _closed.Dispose();
    }

    internal void OnPropertiesChanged(PropertiesChange change)
    {
        if (change.Path == DevicePath && change.Interface == BlueZNames.Device)
        {
            if (change.Changed.TryGetValue("ServicesResolved", out var resolved) && resolved.GetBool())
            {
                _servicesResolved.TrySetResult();
            }

            if (change.Changed.TryGetValue("Bonded", out var bonded) || change.Changed.TryGetValue("Paired", out bonded))
            {
                _bonded = bonded.GetBool();
            }

            if (change.Changed.TryGetValue("Connected", out var connected) && !connected.GetBool())
            {
                Fail("the device disconnected");
            }

            return;
        }

        if (change.Interface == BlueZNames.GattCharacteristic
            && change.Changed.TryGetValue("Value", out var value)
            && _subscribed.TryGetValue(change.Path, out var characteristic))
        {
            var bytes = value.GetArray<byte>();
            Statistics.AddBytesIn(bytes.Length);
            if (!_notifications.Writer.TryWrite(new GattNotification(characteristic, bytes, DateTimeOffset.UtcNow)) && _open)
            {
                // The driver fell this far behind: failing the link (the session resumes from its
                // cursor) is better than dropping a notification nobody would know was lost.
                Fail($"more than {_client.Options.NotificationBacklog} notifications were waiting");
            }
        }
    }

    internal void OnDeviceRemoved() => Fail("the device was removed from the adapter");

    internal void OnBusLost() => Fail("the bus connection to BlueZ was lost");

    private async Task MapGattDatabaseAsync(CancellationToken cancellationToken)
    {
        var objects = await _client.GetManagedObjectsAsync(cancellationToken);
        var prefix = DevicePath + "/";
        var services = objects
            .Where(o => o.Key.StartsWith(prefix, StringComparison.Ordinal) && o.Value.ContainsKey(BlueZNames.GattService))
            .ToDictionary(o => o.Key, o => Guid.Parse(o.Value[BlueZNames.GattService]["UUID"].GetString()), StringComparer.Ordinal);
        var paths = new Dictionary<GattCharacteristicId, string>();
        var characteristics = new Dictionary<string, List<GattCharacteristicInfo>>(StringComparer.Ordinal);
        foreach (var (path, interfaces) in objects.Where(o => o.Key.StartsWith(prefix, StringComparison.Ordinal)).OrderBy(o => o.Key, StringComparer.Ordinal))
        {
            if (!interfaces.TryGetValue(BlueZNames.GattCharacteristic, out var properties))
            {
                continue;
            }

            var servicePath = properties["Service"].GetObjectPathAsString();
            if (!services.TryGetValue(servicePath, out var serviceUuid))
            {
                continue;
            }

            var uuid = Guid.Parse(properties["UUID"].GetString());
            var flags = properties.TryGetValue("Flags", out var f) ? f.GetArray<string>() : [];

            // The first of a duplicated UUID within a service wins, as a central's lookup by UUID would.
            if (paths.TryAdd(new GattCharacteristicId(serviceUuid, uuid), path))
            {
                if (!characteristics.TryGetValue(servicePath, out var list))
                {
                    characteristics[servicePath] = list = [];
                }

                list.Add(new GattCharacteristicInfo(uuid, flags));
            }
        }

        _characteristicPaths = paths;
        Services = [.. services.OrderBy(s => s.Key, StringComparer.Ordinal).Select(s => new GattServiceInfo(s.Value, characteristics.TryGetValue(s.Key, out var list) ? list : []))];
    }

    private string PathOf(GattCharacteristicId characteristic)
    {
        if (!_open)
        {
            throw new TransportException($"{Endpoint} is not connected.");
        }

        return _characteristicPaths.TryGetValue(characteristic, out var path)
            ? path
            : throw new GattErrorException(BlueZNames.ErrorDoesNotExist, $"{Endpoint} has no characteristic {characteristic}.");
    }

    private async Task<T> RequestAsync<T>(GattCharacteristicId characteristic, string what, Func<CancellationToken, Task<T>> call, CancellationToken cancellationToken)
    {
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, _closed.Token);
        var link = _disconnected.Task;
        try
        {
            var request = call(linked.Token);

            // A request whose link drops gets no answer from some stacks: the drop answers it.
            var first = await Task.WhenAny(request, link);
            if (first == link)
            {
                _ = request.ContinueWith(t => _ = t.Exception, TaskScheduler.Default);
                throw new TransportException($"{Endpoint} disconnected while asked to {what} {characteristic}.");
            }

            return await request;
        }
        catch (TimeoutException ex)
        {
            Statistics.AddTimeout();
            throw new TransportException($"{Endpoint} did not answer a request to {what} {characteristic} within {_client.Options.CallTimeout.TotalSeconds} s.", ex) { IsTimeout = true };
        }
        catch (DBusErrorReplyException ex) when (ex.ErrorName == BlueZNames.ErrorNotConnected)
        {
            Fail("the device is not connected");
            throw new TransportException($"{Endpoint} is not connected.", ex);
        }
        catch (DBusErrorReplyException ex)
        {
            throw new GattErrorException(ex.ErrorName, $"{Endpoint} refused to {what} {characteristic}: {ex.ErrorName}: {ex.ErrorMessage}");
        }
        catch (DBusConnectionException ex)
        {
            Fail("the bus connection was lost");
            throw new TransportException($"{Endpoint}: the bus connection to BlueZ was lost.", ex);
        }
    }

    private void Fail(string reason)
    {
        if (_disconnected.Task.IsCompleted)
        {
            return;
        }

        _open = false;
        var error = new TransportException($"{Endpoint}: {reason}.");
        _notifications.Writer.TryComplete(error);
        _disconnected.TrySetException(error);
        LogLinkLost(Endpoint, reason);
    }

    private static bool IsTimeout(Exception ex, CancellationTokenSource timeout, CancellationToken caller) =>
        ex is TimeoutException || (ex is OperationCanceledException && timeout.IsCancellationRequested && !caller.IsCancellationRequested);

    [LoggerMessage(Level = LogLevel.Information, Message = "{Endpoint} connected: {Services} services, bonded {Bonded}")]
    private partial void LogConnected(string endpoint, int services, bool bonded);

    [LoggerMessage(Level = LogLevel.Warning, Message = "{Endpoint} link lost: {Reason}")]
    private partial void LogLinkLost(string endpoint, string reason);

    [LoggerMessage(Level = LogLevel.Debug, Message = "{Endpoint} did not take the disconnect request: {Reason}")]
    private partial void LogDisconnectFailed(string endpoint, string reason);
}
