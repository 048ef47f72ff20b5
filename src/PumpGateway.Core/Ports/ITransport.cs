using System.IO.Pipelines;

namespace PumpGateway.Ports;

/// <summary>
/// A link to one device, as a driver sees it: opened, used, closed. Drivers only ever see
/// transport interfaces, never a concrete transport (ARCHITECTURE.md, "Dependency rule").
/// </summary>
public interface ITransport : IAsyncDisposable
{
    /// <summary>Where the device is, e.g. <c>serial:/dev/ttyACM0</c>. Carries no serial number.</summary>
    string Endpoint { get; }

    bool IsOpen { get; }

    LinkStatistics Statistics { get; }

    /// <summary>
    /// Completes when the link is gone: with the reason (a <see cref="TransportException"/>), or
    /// normally once disposed. A session idle between polls learns of a vanished device from it.
    /// </summary>
    Task Disconnected { get; }

    ValueTask OpenAsync(CancellationToken cancellationToken);
}

/// <summary>
/// A byte-stream link (serial, USB CDC). One reader task per port feeds <see cref="Input"/>;
/// when the far end vanishes <see cref="Input"/> completes with a <see cref="TransportException"/>.
/// </summary>
public interface IStreamTransport : ITransport
{
    /// <summary>Bytes received from the device. The consumer advances it (read-decode-advance loop).</summary>
    PipeReader Input { get; }

    /// <summary>Writes all of <paramref name="data"/>; fails with <see cref="TransportException"/> on timeout or a dead link.</summary>
    ValueTask WriteAsync(ReadOnlyMemory<byte> data, CancellationToken cancellationToken);

    /// <summary>Drops whatever has been received and not yet consumed (used before a retry, to resynchronize).</summary>
    void DiscardInput();
}

/// <summary>The link failed: timed out, or the far end went away.</summary>
public sealed class TransportException : IOException
{
    public TransportException(string message)
        : base(message)
    {
    }

    public TransportException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    public TransportException()
    {
    }

    public bool IsTimeout { get; init; }
}

/// <summary>Counters a technician reads to diagnose a link. Thread-safe.</summary>
public sealed class LinkStatistics
{
    private long _bytesIn;
    private long _bytesOut;
    private long _reopens;
    private long _timeouts;
    private long _crcErrors;
    private long _retries;
    private long _framingErrors;

    public long BytesIn => Interlocked.Read(ref _bytesIn);

    public long BytesOut => Interlocked.Read(ref _bytesOut);

    public long Reopens => Interlocked.Read(ref _reopens);

    public long Timeouts => Interlocked.Read(ref _timeouts);

    public long CrcErrors => Interlocked.Read(ref _crcErrors);

    public long Retries => Interlocked.Read(ref _retries);

    /// <summary>Bytes discarded while hunting for a frame start, and frames with impossible lengths.</summary>
    public long FramingErrors => Interlocked.Read(ref _framingErrors);

    public void AddBytesIn(long count) => Interlocked.Add(ref _bytesIn, count);

    public void AddBytesOut(long count) => Interlocked.Add(ref _bytesOut, count);

    public void AddReopen() => Interlocked.Increment(ref _reopens);

    public void AddTimeout() => Interlocked.Increment(ref _timeouts);

    public void AddCrcError() => Interlocked.Increment(ref _crcErrors);

    public void AddRetry() => Interlocked.Increment(ref _retries);

    public void AddFramingError() => Interlocked.Increment(ref _framingErrors);

    /// <summary>The last signal strength the device or its radio reported (RSSI as the device words it), if any.</summary>
    public int? SignalStrength
    {
        get
        {
            lock (_deviceCounters)
            {
                return _signalStrength;
            }
        }
    }

    /// <summary>Counters the far end keeps of the link (a radio modem's CRC errors, NAKs, packets), as last read.</summary>
    public IReadOnlyDictionary<string, long> DeviceCounters
    {
        get
        {
            lock (_deviceCounters)
            {
                return new Dictionary<string, long>(_deviceCounters, StringComparer.Ordinal);
            }
        }
    }

    public void ReportSignalStrength(int value)
    {
        lock (_deviceCounters)
        {
            _signalStrength = value;
        }
    }

    public void ReportDeviceCounter(string name, long value)
    {
        lock (_deviceCounters)
        {
            _deviceCounters[name] = value;
        }
    }

    private readonly Dictionary<string, long> _deviceCounters = new(StringComparer.Ordinal);
    private int? _signalStrength;
}
