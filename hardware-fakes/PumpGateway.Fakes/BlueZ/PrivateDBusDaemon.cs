using System.ComponentModel;
using System.Diagnostics;

namespace PumpGateway.Fakes.BlueZ;

/// <summary>
/// A dbus-daemon of our own on a unix socket in a temporary folder, open to every local user of
/// it: the bus the BlueZ loopback, the emulated peripherals and the gateway meet on in tests and
/// in the demo. It needs the <c>dbus-daemon</c> program (Debian package <c>dbus-daemon</c>);
/// without it, starting fails with a message that says so.
/// </summary>
public sealed class PrivateDBusDaemon : IAsyncDisposable
{
    private readonly Process _process;
    private readonly string _folder;
    private int _disposed;

    private PrivateDBusDaemon(Process process, string folder, string address)
    {
        _process = process;
        _folder = folder;
        Address = address;
    }

    /// <summary>The bus address to connect to, e.g. <c>unix:path=/tmp/pumpgw-bus-x/bus,guid=…</c>.</summary>
    public string Address { get; }

    public int ProcessId => _process.Id;

    /// <param name="parentFolder">Where the bus's own folder (config and socket) is made; the temporary folder by default.</param>
    public static async Task<PrivateDBusDaemon> StartAsync(CancellationToken cancellationToken, string? parentFolder = null)
    {
        var folder = parentFolder is null
            ? Directory.CreateTempSubdirectory("pumpgw-bus-").FullName
            : Directory.CreateDirectory(Path.Combine(parentFolder, "pumpgw-bus-" + Guid.NewGuid().ToString("N")[..8])).FullName;
        var config = Path.Combine(folder, "bus.conf");
        await File.WriteAllTextAsync(config, $"""
            <!DOCTYPE busconfig PUBLIC "-//freedesktop//DTD D-Bus Bus Configuration 1.0//EN"
             "http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd">
            <busconfig>
              <type>session</type>
              <listen>unix:path={Path.Combine(folder, "bus")}</listen>
              <auth>EXTERNAL</auth>
              <policy context="default">
                <allow send_destination="*" eavesdrop="true"/>
                <allow eavesdrop="true"/>
                <allow own="*"/>
              </policy>
            </busconfig>
            """, cancellationToken);

        // In a session of its own (setsid execs in place, so the pid stays the daemon's): a Ctrl-C
        // at the terminal reaches the program that owns the bus, which takes it down in order,
        // instead of killing the bus under everything still using it.
        string[] arguments = ["--config-file=" + config, "--nofork", "--print-address"];
        var start = new ProcessStartInfo(File.Exists("/usr/bin/setsid") ? "/usr/bin/setsid" : "dbus-daemon", File.Exists("/usr/bin/setsid") ? ["dbus-daemon", .. arguments] : arguments)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        Process process;
        try
        {
            process = Process.Start(start) ?? throw new InvalidOperationException("dbus-daemon did not start.");
        }
        catch (Win32Exception ex)
        {
            Directory.Delete(folder, recursive: true);
            throw new InvalidOperationException("dbus-daemon is not installed: the Bluetooth loopback needs it (Debian: apt-get install dbus-daemon).", ex);
        }

        try
        {
            var address = await process.StandardOutput.ReadLineAsync(cancellationToken).AsTask().WaitAsync(TimeSpan.FromSeconds(15), cancellationToken);
            if (string.IsNullOrWhiteSpace(address))
            {
                var error = await process.StandardError.ReadToEndAsync(cancellationToken).WaitAsync(TimeSpan.FromSeconds(5), cancellationToken);
                throw new InvalidOperationException($"dbus-daemon exited without an address: {error.Trim()}");
            }

            return new PrivateDBusDaemon(process, folder, address.Trim());
        }
        catch
        {
            Stop(process, folder);
            throw;
        }
    }

    public ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 0)
        {
            Stop(_process, _folder);
        }

        return ValueTask.CompletedTask;
    }

    private static void Stop(Process process, string folder)
    {
        try
        {
            if (!process.HasExited)
            {
                process.Kill(entireProcessTree: true);
                process.WaitForExit(5000);
            }
        }
        catch (InvalidOperationException)
        {
            // Already gone.
        }

        process.Dispose();
        try
        {
            Directory.Delete(folder, recursive: true);
        }
        catch (IOException)
        {
            // A socket still held by a process that is going away: the temp folder is cleaned later.
        }
    }
}
