using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Threading.Channels;

namespace PumpGateway.Cli.Tests;

/// <summary>
/// The built pumpgw (<c>dotnet pumpgw.dll</c>) as a child process, run as a user runs it: its
/// standard output read line by line, its standard error kept, stopped by a signal. Every wait is
/// bounded; a process a test leaves running is killed with its children (the dbus-daemon).
/// </summary>
internal sealed class PumpgwProcess : IAsyncDisposable
{
    public static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);

    private readonly Process _process;
    private readonly Channel<string> _lines = Channel.CreateUnbounded<string>();
    private readonly StringBuilder _error = new();
    private readonly List<int> _daemons = [];

    private PumpgwProcess(Process process) => _process = process;

    public int Id => _process.Id;

    /// <summary>Standard error so far.</summary>
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

    public static PumpgwProcess Start(params string[] args)
    {
        var start = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "pumpgw.dll"));
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        var child = new PumpgwProcess(new Process { StartInfo = start });
        child._process.OutputDataReceived += (_, e) =>
        {
            if (e.Data is null)
            {
                child._lines.Writer.TryComplete();
            }
            else
            {
                child._lines.Writer.TryWrite(e.Data);
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

    /// <summary>The first line of standard output, from here on, that <paramref name="match"/> accepts.</summary>
    public async Task<string> ReadLineAsync(Func<string, bool> match)
    {
        using var deadline = new CancellationTokenSource(Timeout);
        try
        {
            await foreach (var line in _lines.Reader.ReadAllAsync(deadline.Token))
            {
                if (match(line))
                {
                    return line;
                }
            }
        }
        catch (OperationCanceledException)
        {
            throw new TimeoutException($"pumpgw printed no such line within {Timeout.TotalSeconds} s. Standard error:\n{Error}");
        }

        throw new InvalidOperationException($"pumpgw closed its output without such a line. Standard error:\n{Error}");
    }

    /// <summary>Waits until standard error holds <paramref name="text"/>.</summary>
    public async Task<string> WaitForErrorAsync(string text)
    {
        using var deadline = new CancellationTokenSource(Timeout);
        while (!Error.Contains(text, StringComparison.Ordinal))
        {
            try
            {
                await Task.Delay(20, deadline.Token);
            }
            catch (OperationCanceledException)
            {
                throw new TimeoutException($"pumpgw did not write \"{text}\" within {Timeout.TotalSeconds} s. Standard error:\n{Error}");
            }
        }

        return Error;
    }

    /// <summary>
    /// A dbus-daemon this pumpgw started: killed on dispose if still there, as one left behind by a
    /// pumpgw that died without stopping it is no longer in its process tree.
    /// </summary>
    public void OwnsDaemon(int processId) => _daemons.Add(processId);

    /// <summary>Sends SIGINT (what Ctrl-C sends) or SIGTERM (what a service manager sends) and waits for the exit code.</summary>
    public async Task<int> StopAsync(string signal)
    {
        using (var kill = Process.Start("kill", ["-" + signal, Id.ToString(CultureInfo.InvariantCulture)]))
        {
            await kill.WaitForExitAsync().WaitAsync(Timeout);
        }

        await _process.WaitForExitAsync().WaitAsync(Timeout);
        return _process.ExitCode;
    }

    /// <summary>Whether a process is alive: present in /proc and not a zombie waiting to be reaped.</summary>
    public static bool Runs(int processId)
    {
        try
        {
            return !File.ReadLines($"/proc/{processId}/status").Any(line => line.StartsWith("State:", StringComparison.Ordinal) && line["State:".Length..].TrimStart().StartsWith('Z'));
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return false;
        }
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            if (!_process.HasExited)
            {
                _process.Kill(entireProcessTree: true);
                await _process.WaitForExitAsync().WaitAsync(Timeout);
            }
        }
        catch (InvalidOperationException)
        {
            // It had not started, or has just gone.
        }

        foreach (var daemon in _daemons.Where(d => Runs(d) && File.ReadAllText($"/proc/{d}/cmdline").StartsWith("dbus-daemon", StringComparison.Ordinal)))
        {
            using var orphan = Process.GetProcessById(daemon);
            orphan.Kill();
        }

        _process.Dispose();
    }
}
