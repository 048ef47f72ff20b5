using System.Buffers;
using System.IO.Pipelines;
using System.Runtime.InteropServices;

namespace PumpGateway.Fakes.Pty;

/// <summary>
/// A pseudo-terminal pair: the emulator holds the master side, the gateway opens
/// <see cref="SlavePath"/> as if it were a USB serial port. Raw mode, so every byte passes
/// unchanged. What the gateway writes is read by one dedicated thread into a pipe, so a waiting
/// emulator holds no thread-pool thread (on two cores a few blocked pool threads delay every timer
/// of the process); master I/O waits in poll(2) with a short timeout, so nothing blocks forever
/// and cancellation is honoured.
/// </summary>
public sealed partial class PseudoTerminal : IAsyncDisposable
{
    private const int PollInterval = 50;
    private const short PollIn = 0x001;
    private const short PollOut = 0x004;
    private const int EAgain = 11;
    private const int EIntr = 4;

    private readonly Lock _gate = new();
    private readonly Pipe _received = new(new PipeOptions(useSynchronizationContext: false));
    private readonly Thread _receiver;
    private int _master;

    // The emulator keeps a slave descriptor open: without one, the master's reads fail with EIO
    // whenever the gateway closes its side (e.g. between sessions), which is not a device leaving.
    private int _slave;

    private PseudoTerminal(int master, int slave, string slavePath)
    {
        _master = master;
        _slave = slave;
        SlavePath = slavePath;
        _receiver = new Thread(ReceiveLoop) { IsBackground = true, Name = $"pty {slavePath}" };
        _receiver.Start();
    }

    public string SlavePath { get; }

    public bool IsOpen => Volatile.Read(ref _master) >= 0;

    public static PseudoTerminal Open()
    {
        if (!OperatingSystem.IsLinux())
        {
            throw new PlatformNotSupportedException("Emulated serial devices sit on Linux pseudo-terminals (openpty).");
        }

        if (openpty(out var master, out var slave, IntPtr.Zero, IntPtr.Zero, IntPtr.Zero) != 0)
        {
            throw new IOException($"openpty failed: errno {Marshal.GetLastPInvokeError()}");
        }

        var termios = new byte[256];
        if (tcgetattr(slave, termios) != 0)
        {
            throw new IOException($"tcgetattr failed: errno {Marshal.GetLastPInvokeError()}");
        }

        cfmakeraw(termios);
        if (tcsetattr(slave, 0, termios) != 0)
        {
            throw new IOException($"tcsetattr failed: errno {Marshal.GetLastPInvokeError()}");
        }

        var name = new byte[256];
        if (ttyname_r(slave, name, name.Length) != 0)
        {
            throw new IOException($"ttyname_r failed: errno {Marshal.GetLastPInvokeError()}");
        }

        return new PseudoTerminal(master, slave, System.Text.Encoding.ASCII.GetString(name, 0, Array.IndexOf(name, (byte)0)));
    }

    /// <summary>Reads what the gateway wrote: at least one byte, or 0 once the terminal is hung up.</summary>
    public async Task<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken)
    {
        var result = await _received.Reader.ReadAsync(cancellationToken);
        var available = result.Buffer;
        if (available.IsEmpty)
        {
            _received.Reader.AdvanceTo(available.End);
            return 0;
        }

        var count = (int)Math.Min(available.Length, buffer.Length);
        available.Slice(0, count).CopyTo(buffer.Span);
        _received.Reader.AdvanceTo(available.GetPosition(count));
        return count;
    }

    /// <summary>Sends bytes to the gateway; waits (cancellably) while the terminal's buffer is full.</summary>
    public Task WriteAsync(ReadOnlyMemory<byte> data, CancellationToken cancellationToken) =>
        Task.Run(
            () =>
            {
                var remaining = data;
                while (!remaining.IsEmpty)
                {
                    cancellationToken.ThrowIfCancellationRequested();
                    var fd = Volatile.Read(ref _master);
                    if (fd < 0)
                    {
                        throw new IOException("The pseudo-terminal is hung up.");
                    }

                    if (!Poll(fd, PollOut))
                    {
                        continue;
                    }

                    using var pin = remaining.Pin();
                    long n;
                    unsafe
                    {
                        n = write(fd, (IntPtr)pin.Pointer, (nuint)remaining.Length);
                    }

                    if (n < 0)
                    {
                        var errno = Marshal.GetLastPInvokeError();
                        if (errno is EAgain or EIntr)
                        {
                            continue;
                        }

                        throw new IOException($"write to the pseudo-terminal failed: errno {errno}");
                    }

                    remaining = remaining[(int)n..];
                }
            },
            cancellationToken);

    /// <summary>The device vanishes: both sides close, the slave path disappears, the gateway's reads fail.</summary>
    public void Hangup()
    {
        int master;
        lock (_gate)
        {
            master = Interlocked.Exchange(ref _master, -1);
            var slave = Interlocked.Exchange(ref _slave, -1);
            if (slave >= 0)
            {
                _ = close(slave);
            }
        }

        if (master >= 0)
        {
            // The receiving thread may be inside poll(2) on the master, which keeps the terminal
            // (and its path) alive until it returns: it sees the hang-up within one poll interval.
            _receiver.Join(TimeSpan.FromSeconds(1));
            _ = close(master);
        }
    }

    public ValueTask DisposeAsync()
    {
        Hangup();
        return ValueTask.CompletedTask;
    }

    /// <summary>Moves what the gateway writes into the pipe until the terminal is hung up.</summary>
    private void ReceiveLoop()
    {
        var writer = _received.Writer;
        try
        {
            while (Volatile.Read(ref _master) is var fd && fd >= 0)
            {
                if (!Poll(fd, PollIn))
                {
                    continue;
                }

                var memory = writer.GetMemory(4096);
                using var pin = memory.Pin();
                long n;
                unsafe
                {
                    n = read(fd, (IntPtr)pin.Pointer, (nuint)memory.Length);
                }

                if (n > 0)
                {
                    writer.Advance((int)n);
                    writer.FlushAsync().AsTask().GetAwaiter().GetResult();
                }
                else if (n == 0 || Marshal.GetLastPInvokeError() is not (EAgain or EIntr))
                {
                    break;
                }
            }
        }
        finally
        {
            writer.Complete();
        }
    }

    private static bool Poll(int fd, short events)
    {
        var pfd = new PollFd { Fd = fd, Events = events };
        var ready = poll(ref pfd, 1, PollInterval);
        return ready > 0 && (pfd.Revents & (events | 0x008 | 0x010)) != 0;
    }

    [StructLayout(LayoutKind.Sequential)]
    private struct PollFd
    {
        public int Fd;
        public short Events;
        public short Revents;
    }

    [LibraryImport("libc.so.6", SetLastError = true)]
    private static partial int openpty(out int master, out int slave, IntPtr name, IntPtr termios, IntPtr winsize);

    [LibraryImport("libc.so.6", SetLastError = true)]
    private static partial int tcgetattr(int fd, [Out] byte[] termios);

    [LibraryImport("libc.so.6", SetLastError = true)]
    private static partial int tcsetattr(int fd, int optionalActions, byte[] termios);

    [LibraryImport("libc.so.6")]
    private static partial void cfmakeraw(byte[] termios);

    [LibraryImport("libc.so.6", SetLastError = true)]
    private static partial int ttyname_r(int fd, [Out] byte[] buffer, nint length);

    [LibraryImport("libc.so.6", SetLastError = true)]
    private static partial long read(int fd, IntPtr buffer, nuint count);

    [LibraryImport("libc.so.6", SetLastError = true)]
    private static partial long write(int fd, IntPtr buffer, nuint count);

    [LibraryImport("libc.so.6", SetLastError = true)]
    private static partial int close(int fd);

    [LibraryImport("libc.so.6", SetLastError = true)]
    private static partial int poll(ref PollFd fds, nuint count, int timeout);
}
