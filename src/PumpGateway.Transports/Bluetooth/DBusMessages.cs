using Tmds.DBus.Protocol;

namespace PumpGateway.Transports.Bluetooth;

/// <summary>Properties of one interface: <c>a{sv}</c>.</summary>
public sealed class DBusProperties : Dictionary<string, VariantValue>
{
    public DBusProperties()
        : base(StringComparer.Ordinal)
    {
    }

    public DBusProperties(IDictionary<string, VariantValue> properties)
        : base(properties, StringComparer.Ordinal)
    {
    }
}

/// <summary>Interfaces of one object with their properties: <c>a{sa{sv}}</c>.</summary>
public sealed class DBusInterfaces : Dictionary<string, DBusProperties>
{
    public DBusInterfaces()
        : base(StringComparer.Ordinal)
    {
    }
}

/// <summary>A PropertiesChanged signal: <c>sa{sv}as</c> from the object at <paramref name="Path"/>.</summary>
public sealed record PropertiesChange(string Path, string Interface, DBusProperties Changed, IReadOnlyList<string> Invalidated);

/// <summary>Writes a method call's arguments after its header.</summary>
public delegate void ArgumentWriter(ref MessageWriter writer);

/// <summary>
/// Reading and writing the few D-Bus shapes the BlueZ API is made of (object trees, property
/// sets, the PropertiesChanged and ObjectManager signals), and method calls that never wait
/// forever: the library's calls take no cancellation token, so every call here is bounded.
/// </summary>
public static class DBusMessages
{
    public static Dictionary<string, DBusInterfaces> ReadManagedObjects(Message message, object? state)
    {
        var reader = message.GetBodyReader();
        var objects = new Dictionary<string, DBusInterfaces>(StringComparer.Ordinal);
        var end = reader.ReadDictionaryStart();
        while (reader.HasNext(end))
        {
            var path = reader.ReadObjectPathAsString();
            objects[path] = ReadInterfaces(ref reader);
        }

        return objects;
    }

    public static (string Path, DBusInterfaces Interfaces) ReadInterfacesAdded(Message message, object? state)
    {
        var reader = message.GetBodyReader();
        var path = reader.ReadObjectPathAsString();
        return (path, ReadInterfaces(ref reader));
    }

    public static (string Path, string[] Interfaces) ReadInterfacesRemoved(Message message, object? state)
    {
        var reader = message.GetBodyReader();
        return (reader.ReadObjectPathAsString(), reader.ReadArrayOfString());
    }

    public static PropertiesChange ReadPropertiesChanged(Message message, object? state)
    {
        var reader = message.GetBodyReader();
        var iface = reader.ReadString();
        var changed = new DBusProperties(reader.ReadDictionaryOfStringToVariantValue());
        var invalidated = reader.ReadArrayOfString();
        return new PropertiesChange(message.PathAsString ?? "", iface, changed, invalidated);
    }

    public static DBusProperties ReadProperties(Message message, object? state) =>
        new(message.GetBodyReader().ReadDictionaryOfStringToVariantValue());

    public static byte[] ReadByteArray(Message message, object? state) => message.GetBodyReader().ReadArrayOfByte();

    public static void WriteInterfaces(ref MessageWriter writer, IEnumerable<KeyValuePair<string, DBusProperties>> interfaces)
    {
        var start = writer.WriteDictionaryStart();
        foreach (var (name, properties) in interfaces)
        {
            writer.WriteDictionaryEntryStart();
            writer.WriteString(name);
            writer.WriteDictionary(properties);
        }

        writer.WriteDictionaryEnd(start);
    }

    /// <summary>Calls a method that returns nothing, failing with <see cref="TimeoutException"/> after <paramref name="timeout"/>.</summary>
    public static Task CallAsync(
        DBusConnection connection,
        string destination,
        string path,
        string iface,
        string member,
        TimeSpan timeout,
        CancellationToken cancellationToken,
        string? signature = null,
        ArgumentWriter? arguments = null) =>
        connection.CallMethodAsync(CreateCall(connection, destination, path, iface, member, signature, arguments)).WaitAsync(timeout, cancellationToken);

    /// <summary>Calls a method and reads its reply, failing with <see cref="TimeoutException"/> after <paramref name="timeout"/>.</summary>
    public static Task<T> CallAsync<T>(
        DBusConnection connection,
        string destination,
        string path,
        string iface,
        string member,
        MessageValueReader<T> reply,
        TimeSpan timeout,
        CancellationToken cancellationToken,
        string? signature = null,
        ArgumentWriter? arguments = null) =>
        connection.CallMethodAsync(CreateCall(connection, destination, path, iface, member, signature, arguments), reply).WaitAsync(timeout, cancellationToken);

    public static Task<Dictionary<string, DBusInterfaces>> GetManagedObjectsAsync(DBusConnection connection, string destination, string rootPath, TimeSpan timeout, CancellationToken cancellationToken) =>
        CallAsync(connection, destination, rootPath, BlueZNames.ObjectManager, "GetManagedObjects", ReadManagedObjects, timeout, cancellationToken);

    public static Task<DBusProperties> GetAllPropertiesAsync(DBusConnection connection, string destination, string path, string iface, TimeSpan timeout, CancellationToken cancellationToken) =>
        CallAsync(
            connection,
            destination,
            path,
            BlueZNames.Properties,
            "GetAll",
            ReadProperties,
            timeout,
            cancellationToken,
            "s",
            (ref MessageWriter w) => w.WriteString(iface));

    /// <summary>Subscribes to the signals matching <paramref name="rule"/>; <paramref name="onSignal"/> runs on the connection's reader and must return at once.</summary>
    public static async Task<IDisposable> WatchAsync<T>(DBusConnection connection, MatchRule rule, MessageValueReader<T> reader, Action<T> onSignal) =>
        await connection.AddMatchAsync(
            rule,
            reader,
            (Notification<T> notification) =>
            {
                if (notification.HasValue)
                {
                    onSignal(notification.Value);
                }
            },
            emitOnCapturedContext: false);

    /// <summary>An <c>a{sv}</c> argument.</summary>
    public static ArgumentWriter Options(IEnumerable<KeyValuePair<string, VariantValue>> options) =>
        (ref MessageWriter w) => w.WriteDictionary(options);

    private static DBusInterfaces ReadInterfaces(ref Reader reader)
    {
        var interfaces = new DBusInterfaces();
        var end = reader.ReadDictionaryStart();
        while (reader.HasNext(end))
        {
            var name = reader.ReadString();
            interfaces[name] = new DBusProperties(reader.ReadDictionaryOfStringToVariantValue());
        }

        return interfaces;
    }

    private static MessageBuffer CreateCall(DBusConnection connection, string destination, string path, string iface, string member, string? signature, ArgumentWriter? arguments)
    {
        var writer = connection.GetMessageWriter();
        try
        {
            writer.WriteMethodCallHeader(destination, path, iface, member, signature, MessageFlags.None);
            arguments?.Invoke(ref writer);
            return writer.CreateMessage();
        }
        finally
        {
            writer.Dispose();
        }
    }
}
