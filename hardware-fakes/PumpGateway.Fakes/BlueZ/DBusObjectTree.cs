using System.Text;
using PumpGateway.Transports.Bluetooth;
using Tmds.DBus.Protocol;

namespace PumpGateway.Fakes.BlueZ;

/// <summary>Handles one method call. Answer through the context; for work that waits on the bus, use <see cref="DBusObjectTree.Defer"/>.</summary>
public delegate void DBusMethod(MethodContext context);

/// <summary>One interface of an exported object: its properties and its methods.</summary>
public sealed class DBusInterface(string name)
{
    public string Name { get; } = name;

    public DBusProperties Properties { get; } = new();

    public Dictionary<string, DBusMethod> Methods { get; } = new(StringComparer.Ordinal);

    /// <summary>Introspection XML of the interface's methods and signals, so that clients that introspect (dbus-python) marshal arguments right.</summary>
    public string? IntrospectionXml { get; init; }
}

/// <summary>
/// The objects a program exports on its bus connection, with the standard interfaces BlueZ
/// programs rely on: Properties (Get, GetAll, Set, PropertiesChanged), ObjectManager
/// (GetManagedObjects, InterfacesAdded, InterfacesRemoved) at the root, and Introspectable.
/// Both sides of the loopback use it: the BlueZ stand-in and the peripheral applications.
/// </summary>
public sealed class DBusObjectTree : IPathMethodHandler
{
    private readonly object _gate = new();
    private readonly SortedDictionary<string, Dictionary<string, DBusInterface>> _objects = new(StringComparer.Ordinal);
    private readonly DBusConnection _connection;

    public DBusObjectTree(DBusConnection connection, string rootPath)
    {
        _connection = connection;
        Path = rootPath;
    }

    /// <summary>The root: it carries the ObjectManager of everything below it.</summary>
    public string Path { get; }

    public bool HandlesChildPaths => true;

    public DBusConnection Connection => _connection;

    /// <summary>Runs <paramref name="work"/> off the connection's reader (which must not wait on the bus) and answers when it ends; an error reply is sent if it throws.</summary>
    public static void Defer(MethodContext context, Func<Task> work)
    {
        context.DisposesAsynchronously = true;
        _ = Task.Run(async () =>
        {
            try
            {
                await work();
            }
            catch (DBusErrorReplyException ex)
            {
                ReplyErrorOnce(context, ex.ErrorName, ex.ErrorMessage);
            }
            catch (Exception ex)
            {
                ReplyErrorOnce(context, BlueZNames.ErrorFailed, ex.Message);
            }
            finally
            {
                context.Dispose();
            }
        });
    }

    public static void ReplyEmpty(MethodContext context)
    {
        if (!context.NoReplyExpected)
        {
            using var writer = context.CreateReplyWriter(null);
            context.Reply(writer.CreateMessage());
        }
    }

    public static void ReplyBytes(MethodContext context, byte[] value)
    {
        using var writer = context.CreateReplyWriter("ay");
        writer.WriteArray(value);
        context.Reply(writer.CreateMessage());
    }

    public bool Contains(string path)
    {
        lock (_gate)
        {
            return _objects.ContainsKey(path);
        }
    }

    /// <summary>Exports an object and announces it (InterfacesAdded).</summary>
    public void Add(string path, params DBusInterface[] interfaces)
    {
        lock (_gate)
        {
            if (!_objects.TryAdd(path, interfaces.ToDictionary(i => i.Name, StringComparer.Ordinal)))
            {
                throw new InvalidOperationException($"{path} is already exported.");
            }

            EmitInterfacesAdded(path, interfaces);
        }
    }

    /// <summary>Removes an object and everything below it, children first, announcing each (InterfacesRemoved).</summary>
    public void Remove(string path)
    {
        lock (_gate)
        {
            var doomed = _objects.Keys.Where(p => p == path || p.StartsWith(path + "/", StringComparison.Ordinal)).Reverse().ToList();
            foreach (var victim in doomed)
            {
                var interfaces = _objects[victim];
                _objects.Remove(victim);
                EmitSignal(Path, BlueZNames.ObjectManager, "InterfacesRemoved", "oas", (ref MessageWriter w) =>
                {
                    w.WriteObjectPath(victim);
                    w.WriteArray(interfaces.Keys.ToArray());
                });
            }
        }
    }

    public VariantValue? GetProperty(string path, string iface, string name)
    {
        lock (_gate)
        {
            if (_objects.TryGetValue(path, out var interfaces) && interfaces.TryGetValue(iface, out var i) && i.Properties.TryGetValue(name, out var value))
            {
                return value;
            }

            return null;
        }
    }

    /// <summary>Sets properties of an exported object and announces them in one PropertiesChanged signal.</summary>
    public void SetProperties(string path, string iface, params (string Name, VariantValue Value)[] changes)
    {
        lock (_gate)
        {
            if (!_objects.TryGetValue(path, out var interfaces) || !interfaces.TryGetValue(iface, out var target))
            {
                return;
            }

            foreach (var (name, value) in changes)
            {
                target.Properties[name] = value;
            }

            EmitSignal(path, BlueZNames.Properties, "PropertiesChanged", "sa{sv}as", (ref MessageWriter w) =>
            {
                w.WriteString(iface);
                w.WriteDictionary(changes.Select(c => new KeyValuePair<string, VariantValue>(c.Name, c.Value)));
                w.WriteArray(Array.Empty<string>());
            });
        }
    }

    public void EmitSignal(string path, string iface, string member, string? signature, ArgumentWriter? body)
    {
        var writer = _connection.GetMessageWriter();
        try
        {
            writer.WriteSignalHeader(null, path, iface, member, signature);
            body?.Invoke(ref writer);
            _connection.TrySendMessage(writer.CreateMessage());
        }
        finally
        {
            writer.Dispose();
        }
    }

    public ValueTask HandleMethodAsync(MethodContext context)
    {
        var request = context.Request;
        var path = request.PathAsString ?? "";
        var iface = request.InterfaceAsString;
        var member = request.MemberAsString ?? "";
        DBusMethod? method = null;
        lock (_gate)
        {
            if (iface == BlueZNames.Introspectable && member == "Introspect")
            {
                ReplyIntrospection(context, path);
            }
            else if (iface == BlueZNames.ObjectManager && member == "GetManagedObjects" && path == Path)
            {
                ReplyManagedObjects(context);
            }
            else if (!_objects.TryGetValue(path, out var interfaces))
            {
                context.ReplyError("org.freedesktop.DBus.Error.UnknownObject", $"No object at {path}");
            }
            else if (iface == BlueZNames.Properties)
            {
                HandleProperties(context, interfaces, member);
            }
            else
            {
                method = interfaces.Values
                    .Where(i => iface is null || i.Name == iface)
                    .Select(i => i.Methods.GetValueOrDefault(member))
                    .FirstOrDefault(m => m is not null);
                if (method is null)
                {
                    context.ReplyUnknownMethodError();
                }
            }
        }

        // Outside the lock: a method may take its owner's locks, and its owner calls into the tree.
        method?.Invoke(context);
        return ValueTask.CompletedTask;
    }

    private static void ReplyErrorOnce(MethodContext context, string name, string message)
    {
        if (!context.ReplySent && !context.NoReplyExpected)
        {
            context.ReplyError(name, message);
        }
    }

    private void HandleProperties(MethodContext context, Dictionary<string, DBusInterface> interfaces, string member)
    {
        var reader = context.Request.GetBodyReader();
        var iface = reader.ReadString();
        if (!interfaces.TryGetValue(iface, out var target))
        {
            context.ReplyError("org.freedesktop.DBus.Error.UnknownInterface", $"No interface {iface}");
            return;
        }

        switch (member)
        {
            case "GetAll":
            {
                using var writer = context.CreateReplyWriter("a{sv}");
                writer.WriteDictionary(target.Properties);
                context.Reply(writer.CreateMessage());
                break;
            }

            case "Get":
            {
                var name = reader.ReadString();
                if (!target.Properties.TryGetValue(name, out var value))
                {
                    context.ReplyError("org.freedesktop.DBus.Error.UnknownProperty", $"No property {name}");
                    return;
                }

                using var writer = context.CreateReplyWriter("v");
                writer.WriteVariant(value);
                context.Reply(writer.CreateMessage());
                break;
            }

            case "Set":
            {
                var name = reader.ReadString();
                var value = reader.ReadVariantValue();
                if (!target.Properties.TryGetValue(name, out var current) || current.Type != value.Type)
                {
                    context.ReplyError("org.freedesktop.DBus.Error.PropertyReadOnly", $"{name} cannot be set to that");
                    return;
                }

                SetProperties(context.Request.PathAsString ?? "", iface, (name, value));
                ReplyEmpty(context);
                break;
            }

            default:
                context.ReplyUnknownMethodError();
                break;
        }
    }

    private void ReplyManagedObjects(MethodContext context)
    {
        var writer = context.CreateReplyWriter("a{oa{sa{sv}}}");
        try
        {
            var start = writer.WriteDictionaryStart();
            foreach (var (path, interfaces) in _objects.Where(o => o.Key.StartsWith(Path == "/" ? "/" : Path + "/", StringComparison.Ordinal)))
            {
                writer.WriteDictionaryEntryStart();
                writer.WriteObjectPath(path);
                DBusMessages.WriteInterfaces(ref writer, interfaces.Select(i => new KeyValuePair<string, DBusProperties>(i.Key, i.Value.Properties)));
            }

            writer.WriteDictionaryEnd(start);
            context.Reply(writer.CreateMessage());
        }
        finally
        {
            writer.Dispose();
        }
    }

    private void ReplyIntrospection(MethodContext context, string path)
    {
        var prefix = path == "/" ? "/" : path + "/";
        var children = _objects.Keys
            .Where(p => p.StartsWith(prefix, StringComparison.Ordinal) && p.Length > prefix.Length)
            .Select(p => p[prefix.Length..].Split('/')[0])
            .Distinct(StringComparer.Ordinal)
            .ToList();
        var xml = new List<ReadOnlyMemory<byte>> { IntrospectionXml.DBusProperties, IntrospectionXml.DBusIntrospectable };
        if (path == Path)
        {
            xml.Add(ObjectManagerXml);
        }

        if (_objects.TryGetValue(path, out var interfaces))
        {
            xml.AddRange(interfaces.Values.Select(i => (ReadOnlyMemory<byte>)Encoding.UTF8.GetBytes(i.IntrospectionXml ?? $"<interface name=\"{i.Name}\"/>")));
        }

        context.ReplyIntrospectXml(xml.ToArray(), children);
    }

    private void EmitInterfacesAdded(string path, DBusInterface[] interfaces) =>
        EmitSignal(Path, BlueZNames.ObjectManager, "InterfacesAdded", "oa{sa{sv}}", (ref MessageWriter w) =>
        {
            w.WriteObjectPath(path);
            DBusMessages.WriteInterfaces(ref w, interfaces.Select(i => new KeyValuePair<string, DBusProperties>(i.Name, i.Properties)));
        });

    private static readonly ReadOnlyMemory<byte> ObjectManagerXml = Encoding.UTF8.GetBytes(
        """
        <interface name="org.freedesktop.DBus.ObjectManager">
          <method name="GetManagedObjects"><arg name="objects" type="a{oa{sa{sv}}}" direction="out"/></method>
          <signal name="InterfacesAdded"><arg name="object" type="o"/><arg name="interfaces" type="a{sa{sv}}"/></signal>
          <signal name="InterfacesRemoved"><arg name="object" type="o"/><arg name="interfaces" type="as"/></signal>
        </interface>
        """);
}
