using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace PumpGateway.EndToEnd.Tests.CrashSafety;

/// <summary>
/// <c>pumpgw demo</c> as a child process on a database file that outlives it: the gateway with its
/// four emulated devices (two serial, two BlueZ on a private bus), ingesting and streaming, killed
/// with SIGKILL when the campaign says. Every wait is bounded; a child a test leaves running is
/// killed, and so is the dbus-daemon it started (orphaned, it is no longer in its tree).
/// </summary>
internal sealed class GatewayChild : IAsyncDisposable
{
    public static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);

    private const string StreamingLine = "Streaming new telemetry";

    private readonly Process _process;
    private readonly TaskCompletionSource _streaming = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly StringBuilder _error = new();
    private IReadOnlyList<int> _descendants = [];
    private int _killed;

    private GatewayChild(Process process, Uri address)
    {
        _process = process;
        Address = address;
    }

    public Uri Address { get; }

    /// <summary>Completes once the demo has finished the first download of all four devices and streams live telemetry.</summary>
    public Task Streaming => _streaming.Task;

    public bool Killed => Volatile.Read(ref _killed) != 0;

    /// <summary>Standard error so far (the gateway logs warnings and errors there).</summary>
    public string Error
    {
        get
        {
            lock (_error)
            {
                return _error.ToString();
            }
        }
    }

    /// <param name="database">The SQLite file, the same across restarts.</param>
    /// <param name="wearer">The emulated wearers' seed: a new one brings new devices, so a full download to kill into.</param>
    private static GatewayChild Start(string database, int wearer)
    {
        var port = FreePort();
        var start = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        string[] args =
        [
            Path.Combine(AppContext.BaseDirectory, "pumpgw.dll"), "demo",
            "--db", database,
            "--listen", $"127.0.0.1:{port}",
            "--days", "1",
            "--seed", wearer.ToString(CultureInfo.InvariantCulture),
            "--live-interval", "200ms",
            "--poll-interval", "300ms",
            "--alarm-every", "1s",
        ];
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        var child = new GatewayChild(new Process { StartInfo = start }, new Uri($"http://127.0.0.1:{port}"));
        child._process.OutputDataReceived += (_, e) =>
        {
            if (e.Data is not null && e.Data.Contains(StreamingLine, StringComparison.Ordinal))
            {
                child._streaming.TrySetResult();
            }
        };
        child._process.ErrorDataReceived += (_, e) =>
        {
            lock (child._error)
            {
                child._error.AppendLine(e.Data);
            }
        };
        child._process.Start();
        child._process.BeginOutputReadLine();
        child._process.BeginErrorReadLine();
        return child;
    }

    /// <summary>
    /// Starts the gateway and waits until it listens; started again on another port if the free
    /// port it was given was taken in between (another test's process can bind it first).
    /// </summary>
    public static async Task<GatewayChild> StartListeningAsync(string database, int wearer)
    {
        for (var attempt = 1; ; attempt++)
        {
            var child = Start(database, wearer);
            try
            {
                await child.WaitListeningAsync();
                return child;
            }
            catch (InvalidOperationException) when (attempt < 3 && child.Error.Contains("address already in use", StringComparison.OrdinalIgnoreCase))
            {
                await child.DisposeAsync();
            }
            catch
            {
                await child.DisposeAsync();
                throw;
            }
        }
    }

    /// <summary>
    /// Waits until the gRPC endpoint accepts connections (the gateway has started, its devices are
    /// being found) and notes the processes the demo started, to end them after a kill.
    /// </summary>
    private async Task WaitListeningAsync()
    {
        using var deadline = new CancellationTokenSource(Timeout);
        while (true)
        {
            if (_process.HasExited)
            {
                throw new InvalidOperationException($"pumpgw demo exited with {_process.ExitCode} before listening. Standard error:\n{Error}");
            }

            try
            {
                using var probe = new TcpClient();
                await probe.ConnectAsync(Address.Host, Address.Port, deadline.Token);
                break;
            }
            catch (SocketException)
            {
                await Task.Delay(50, deadline.Token);
            }
            catch (OperationCanceledException)
            {
                throw new TimeoutException($"pumpgw demo did not listen on {Address} within {Timeout.TotalSeconds} s. Standard error:\n{Error}");
            }
        }

        _descendants = Descendants(_process.Id);
    }

    /// <summary>SIGKILL to the gateway process alone, at once: no shutdown, no flush, no disposal.</summary>
    public void Kill()
    {
        if (Interlocked.Exchange(ref _killed, 1) == 0)
        {
            // Process.Kill without the tree is kill(pid, SIGKILL) on Unix.
            _process.Kill();
        }
    }

    /// <summary>Waits for the killed gateway to be gone, then ends what it had started (the dbus-daemon).</summary>
    public async Task WaitGoneAsync()
    {
        await _process.WaitForExitAsync().WaitAsync(Timeout);
        foreach (var orphan in _descendants)
        {
            try
            {
                using var process = Process.GetProcessById(orphan);
                process.Kill();
            }
            catch (Exception ex) when (ex is ArgumentException or InvalidOperationException)
            {
                // Already gone with its parent.
            }
        }
    }

    /// <summary>How the gateway ended, for a violation's text: its exit code (or the kill) and the end of its standard error.</summary>
    public async Task<string> EndAsync()
    {
        try
        {
            await _process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(2));
        }
        catch (TimeoutException)
        {
            return "still running";
        }

        var error = Error;
        return $"exited with {_process.ExitCode}; standard error: {error[Math.Max(0, error.Length - 2000)..]}";
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            if (!_process.HasExited)
            {
                if (_descendants.Count == 0)
                {
                    _descendants = Descendants(_process.Id);
                }

                Kill();
            }

            await WaitGoneAsync();
        }
        catch (InvalidOperationException)
        {
            // It had not started.
        }
        finally
        {
            _process.Dispose();
        }
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    /// <summary>Every process below <paramref name="root"/>, read from /proc.</summary>
    private static List<int> Descendants(int root)
    {
        var children = new Dictionary<int, List<int>>();
        foreach (var folder in Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(folder), NumberStyles.None, CultureInfo.InvariantCulture, out var pid))
            {
                continue;
            }

            string stat;
            try
            {
                stat = File.ReadAllText(Path.Combine(folder, "stat"));
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                continue;
            }

            // "pid (comm) state ppid ...": comm may hold spaces and parentheses, so read after the last one.
            var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
            if (fields.Length > 1 && int.TryParse(fields[1], NumberStyles.None, CultureInfo.InvariantCulture, out var parent))
            {
                if (!children.TryGetValue(parent, out var list))
                {
                    children[parent] = list = [];
                }

                list.Add(pid);
            }
        }

        var found = new List<int>();
        var pending = new Queue<int>([root]);
        while (pending.TryDequeue(out var pid))
        {
            foreach (var child in children.GetValueOrDefault(pid, []))
            {
                found.Add(child);
                pending.Enqueue(child);
            }
        }

        return found;
    }
}
