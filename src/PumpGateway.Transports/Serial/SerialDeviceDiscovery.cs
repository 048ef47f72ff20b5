using PumpGateway.Ports;

namespace PumpGateway.Transports.Serial;

/// <summary>A port configured by path, and the family of the device expected on it.</summary>
public sealed record ConfiguredPort(string Path, string Family);

/// <summary>A port with a device on it that a family's driver can read.</summary>
public sealed record SerialCandidate(string PortPath, string Family, UsbId? UsbId, string Source);

/// <summary>
/// Finds docked devices: configured ports whose path exists, and USB serial ports (ttyACM*,
/// ttyUSB*) whose USB vendor/product ids in sysfs belong to a known family. sysfs has no change
/// signal short of udev's netlink socket, so the device manager calls this periodically.
/// </summary>
public sealed class SerialDeviceDiscovery
{
    private readonly string? _sysfsRoot;
    private readonly IReadOnlyList<DeviceFamilyDescriptor> _families;
    private readonly IReadOnlyList<ConfiguredPort> _configured;

    /// <param name="sysfsRoot">Usually <c>/sys</c>; null to look only at configured ports.</param>
    public SerialDeviceDiscovery(string? sysfsRoot, IReadOnlyList<DeviceFamilyDescriptor> families, IReadOnlyList<ConfiguredPort> configured)
    {
        _sysfsRoot = sysfsRoot;
        _families = families;
        _configured = configured;
    }

    public IReadOnlyList<SerialCandidate> Scan()
    {
        var found = new List<SerialCandidate>();
        foreach (var port in _configured)
        {
            if (File.Exists(port.Path))
            {
                found.Add(new SerialCandidate(port.Path, port.Family, null, "configured"));
            }
        }

        if (_sysfsRoot is null)
        {
            return found;
        }

        var ttyClass = Path.Combine(_sysfsRoot, "class", "tty");
        if (!Directory.Exists(ttyClass))
        {
            return found;
        }

        foreach (var tty in Directory.EnumerateFileSystemEntries(ttyClass).Order(StringComparer.Ordinal))
        {
            var name = Path.GetFileName(tty);
            if (!(name.StartsWith("ttyACM", StringComparison.Ordinal) || name.StartsWith("ttyUSB", StringComparison.Ordinal)))
            {
                continue;
            }

            var devicePath = "/dev/" + name;
            if (found.Any(f => f.PortPath == devicePath) || FindUsbId(Path.Combine(tty, "device")) is not { } usbId)
            {
                continue;
            }

            var family = _families.FirstOrDefault(f => f.UsbIds.Contains(usbId));
            if (family is not null)
            {
                found.Add(new SerialCandidate(devicePath, family.Family, usbId, "usb"));
            }
        }

        return found;
    }

    /// <summary>Walks up from the tty's device directory to the USB device that has idVendor and idProduct.</summary>
    private static UsbId? FindUsbId(string deviceLink)
    {
        DirectoryInfo? directory;
        try
        {
            var info = new DirectoryInfo(deviceLink);
            directory = info.LinkTarget is null ? info : new DirectoryInfo(info.ResolveLinkTarget(returnFinalTarget: true)!.FullName);
        }
        catch (IOException)
        {
            return null;
        }

        for (var depth = 0; directory is not null && depth < 6; depth++, directory = directory.Parent)
        {
            var vendor = Path.Combine(directory.FullName, "idVendor");
            var product = Path.Combine(directory.FullName, "idProduct");
            if (File.Exists(vendor) && File.Exists(product)
                && ushort.TryParse(File.ReadAllText(vendor).Trim(), System.Globalization.NumberStyles.HexNumber, null, out var v)
                && ushort.TryParse(File.ReadAllText(product).Trim(), System.Globalization.NumberStyles.HexNumber, null, out var p))
            {
                return new UsbId(v, p);
            }
        }

        return null;
    }
}
