using System.IO.Pipelines;
using System.IO.Ports;
using Microsoft.Extensions.Logging;
using PumpGateway.Ports;

namespace PumpGateway.Transports.Serial;

/// <summary>
/// A serial port (USB CDC-ACM, FTDI, or a pseudo-terminal) as a byte stream: one reader task
/// feeds a pipe, writes are bounded by the write timeout, and a port whose reads fail is reopened
/// while its device path exists. When the device is gone the pipe completes with a
/// <see cref="TransportException"/>, which is what the driver's read sees.
/// </summary>
public sealed partial class SerialTransport : IStreamTransport
{
    private readonly SerialPortSettings _settings;
    private readonly ILogger<SerialTransport> _logger;
    private readonly Pipe _pipe = new(new PipeOptions(pauseWriterThreshold: 1024 * 1024, resumeWriterThreshold: 512 * 1024, useSynchronizationContext: false));
    private readonly CancellationTokenSource _stopping = new();
    private readonly SemaphoreSlim _writeLock = new(1, 1);
    private SerialPort? _port;
    private readonly TaskCompletionSource _disconnected = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private Task? _reader;

    public SerialTransport(SerialPortSettings settings, ILogger<SerialTransport> logger)
    {
        _settings = settings;
        _logger = logger;
    }

    public string Endpoint => "serial:" + _settings.PortName;

    public bool IsOpen => _port?.IsOpen == true && _reader is { IsCompleted: false };

    public LinkStatistics Statistics { get; } = new();

    public Task Disconnected => _disconnected.Task;

    public PipeReader Input => _pipe.Reader;

    public ValueTask OpenAsync(CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        if (_reader is not null)
        {
            throw new InvalidOperationException($"{Endpoint} is already open.");
        }

        _port = OpenPort();
        _reader = Task.Run(ReadLoopAsync, CancellationToken.None);
        return ValueTask.CompletedTask;
    }

    public async ValueTask WriteAsync(ReadOnlyMemory<byte> data, CancellationToken cancellationToken)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, _stopping.Token);
        timeout.CancelAfter(_settings.WriteTimeout);
        try
        {
            await _writeLock.WaitAsync(timeout.Token);
            try
            {
                var port = _port ?? throw new TransportException($"{Endpoint} is not open.");
                await port.BaseStream.WriteAsync(data, timeout.Token);
                await port.BaseStream.FlushAsync(timeout.Token);
                Statistics.AddBytesOut(data.Length);
            }
            finally
            {
                _writeLock.Release();
            }
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested && !_stopping.IsCancellationRequested)
        {
            Statistics.AddTimeout();
            throw new TransportException($"Writing {data.Length} bytes to {Endpoint} took longer than {_settings.WriteTimeout.TotalMilliseconds} ms.") { IsTimeout = true };
        }
        catch (Exception ex) when (ex is IOException or InvalidOperationException or UnauthorizedAccessException && ex is not TransportException)
        {
            throw new TransportException($"Writing to {Endpoint} failed: {ex.Message}", ex);
        }
    }

    /// <summary>Called by the consumer between reads: drops what it has not consumed yet.</summary>
    public void DiscardInput()
    {
        if (_pipe.Reader.TryRead(out var result))
        {
            _pipe.Reader.AdvanceTo(result.Buffer.End);
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stopping.CancelAsync();
        ClosePort();
        if (_reader is not null)
        {
            await _reader.WaitAsync(TimeSpan.FromSeconds(5)).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        }

        _stopping.Dispose();
        _writeLock.Dispose();
    }

    private SerialPort OpenPort()
    {
        var port = new SerialPort(_settings.PortName, _settings.BaudRate)
        {
            WriteTimeout = (int)_settings.WriteTimeout.TotalMilliseconds,
            ReadTimeout = SerialPort.InfiniteTimeout,
        };
        try
        {
            port.Open();
            if (_settings.DtrEnable is { } dtr)
            {
                port.DtrEnable = dtr;
            }

            if (_settings.RtsEnable is { } rts)
            {
                port.RtsEnable = rts;
            }
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or InvalidOperationException or ArgumentException)
        {
            port.Dispose();
            throw new TransportException($"Cannot open {Endpoint}: {ex.Message}", ex);
        }

        return port;
    }

    private void ClosePort()
    {
        var port = Interlocked.Exchange(ref _port, null);
        try
        {
            port?.Dispose();
        }
        catch (IOException)
        {
            // Closing a port whose device is gone may fail; it is closed either way.
        }
    }

    private async Task ReadLoopAsync()
    {
        var writer = _pipe.Writer;
        var reopens = 0;
        Exception? failure = null;
        while (!_stopping.IsCancellationRequested)
        {
            try
            {
                var port = _port ?? throw new IOException("The port is closed.");
                var memory = writer.GetMemory(4096);
                var read = await port.BaseStream.ReadAsync(memory, _stopping.Token);
                if (read == 0)
                {
                    throw new IOException("The port reported end of stream.");
                }

                Statistics.AddBytesIn(read);
                writer.Advance(read);
                var flush = await writer.FlushAsync(_stopping.Token);
                if (flush.IsCompleted)
                {
                    break;
                }

                reopens = 0;
            }
            catch (OperationCanceledException) when (_stopping.IsCancellationRequested)
            {
                break;
            }
            catch (Exception ex) when (ex is IOException or InvalidOperationException or UnauthorizedAccessException or ObjectDisposedException)
            {
                if (_stopping.IsCancellationRequested)
                {
                    break;
                }

                if (!await TryReopenAsync(++reopens, ex))
                {
                    failure = new TransportException($"{Endpoint} vanished: {ex.Message}", ex);
                    break;
                }
            }
        }

        await writer.CompleteAsync(failure);
        if (failure is null)
        {
            _disconnected.TrySetResult();
        }
        else
        {
            _disconnected.TrySetException(failure);
        }
    }

    private async Task<bool> TryReopenAsync(int attempt, Exception cause)
    {
        ClosePort();
        if (attempt > _settings.MaxReopenAttempts || !File.Exists(_settings.PortName))
        {
            LogVanished(Endpoint, cause.Message);
            return false;
        }

        LogReopening(Endpoint, attempt, _settings.MaxReopenAttempts, cause.Message);
        try
        {
            await Task.Delay(_settings.ReopenDelay * attempt, _stopping.Token);
            _port = OpenPort();
            Statistics.AddReopen();
            return true;
        }
        catch (OperationCanceledException)
        {
            return false;
        }
        catch (TransportException ex)
        {
            return File.Exists(_settings.PortName) && await TryReopenAsync(attempt + 1, ex);
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "{Endpoint} read failed ({Cause}); reopening, attempt {Attempt} of {MaxAttempts}")]
    private partial void LogReopening(string endpoint, int attempt, int maxAttempts, string cause);

    [LoggerMessage(Level = LogLevel.Warning, Message = "{Endpoint} vanished: {Cause}")]
    private partial void LogVanished(string endpoint, string cause);
}
