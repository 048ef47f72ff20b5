using System.Buffers;
using System.IO.Pipelines;
using Microsoft.Extensions.Logging;
using PumpGateway.Ports;
using PumpGateway.Protocol;

namespace PumpGateway.Devices.Dexcom;

/// <summary>
/// Request/response over a byte stream, one exchange at a time as the receiver requires: send a
/// frame, read until one whole frame with a good CRC arrives (skipping garbage), check its status,
/// and retry on NAK, bad CRC, a payload that does not decode, or silence.
/// </summary>
internal sealed partial class DexcomLink
{
    private readonly IStreamTransport _transport;
    private readonly TimeSpan _responseTimeout;
    private readonly int _retries;
    private readonly ILogger _logger;

    public DexcomLink(IStreamTransport transport, TimeSpan responseTimeout, int retries, ILogger logger)
    {
        _transport = transport;
        _responseTimeout = responseTimeout;
        _retries = retries;
        _logger = logger;
    }

    /// <summary>
    /// Sends <paramref name="request"/> and decodes the ACK's payload with <paramref name="decode"/>.
    /// A decode failure counts as a corrupt reply and is retried like one.
    /// </summary>
    public async Task<T> ExchangeAsync<T>(byte[] request, Func<ReadOnlyMemory<byte>, T> decode, CancellationToken cancellationToken)
    {
        var command = (DexcomCommand)request[3];
        for (var attempt = 0; ; attempt++)
        {
            if (attempt > 0)
            {
                _transport.Statistics.AddRetry();
                _transport.DiscardInput();
            }

            string failure;
            try
            {
                await _transport.WriteAsync(request, cancellationToken);
                var reply = await ReadFrameAsync(cancellationToken);
                if (reply.Code != (byte)DexcomStatus.Ack)
                {
                    failure = Enum.IsDefined((DexcomStatus)reply.Code) ? ((DexcomStatus)reply.Code).ToString() : $"status {reply.Code}";
                }
                else
                {
                    return decode(reply.Payload);
                }
            }
            catch (ProtocolException ex)
            {
                if (ex.Kind == ProtocolErrorKind.BadCrc)
                {
                    _transport.Statistics.AddCrcError();
                }

                failure = ex.Message;
            }
            catch (TransportException ex) when (ex.IsTimeout)
            {
                failure = "no reply in time";
            }

            if (attempt >= _retries)
            {
                throw new DeviceSessionException($"{command} failed {attempt + 1} times; last: {failure}");
            }

            LogRetry(command, attempt + 1, _retries, failure);
        }
    }

    private async Task<DexcomFrame> ReadFrameAsync(CancellationToken cancellationToken)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(_responseTimeout);
        var input = _transport.Input;
        try
        {
            while (true)
            {
                var read = await input.ReadAsync(timeout.Token);
                var buffer = read.Buffer;
                var result = DexcomFraming.TryReadFrame(buffer, out var frame, out var consumed, out var skipped);
                if (skipped > 0)
                {
                    _transport.Statistics.AddFramingError();
                    LogGarbage(skipped);
                }

                switch (result)
                {
                    case FrameScanResult.Frame:
                        input.AdvanceTo(consumed);
                        return frame;
                    case FrameScanResult.BadCrc:
                        input.AdvanceTo(consumed);
                        throw new ProtocolException(ProtocolErrorKind.BadCrc, 0, "reply frame CRC mismatch");
                    case FrameScanResult.BadLength:
                        input.AdvanceTo(consumed);
                        _transport.Statistics.AddFramingError();
                        throw new ProtocolException(ProtocolErrorKind.BadLength, 1, "reply frame length out of range");
                    default:
                        if (read.IsCompleted)
                        {
                            input.AdvanceTo(consumed, buffer.End);
                            throw new TransportException("The link closed in the middle of a reply.");
                        }

                        input.AdvanceTo(consumed, buffer.End);
                        break;
                }
            }
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            _transport.Statistics.AddTimeout();
            throw new TransportException($"No whole reply within {_responseTimeout.TotalMilliseconds} ms.") { IsTimeout = true };
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "{Command} attempt {Attempt} of {Retries} retried: {Failure}")]
    private partial void LogRetry(DexcomCommand command, int attempt, int retries, string failure);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Skipped {Bytes} bytes of garbage before a frame")]
    private partial void LogGarbage(long bytes);
}
