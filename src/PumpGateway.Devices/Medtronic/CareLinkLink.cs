using System.Buffers;
using Microsoft.Extensions.Logging;
using PumpGateway.Ports;
using PumpGateway.Protocol;

namespace PumpGateway.Devices.Medtronic;

/// <summary>
/// The CareLink stick over a serial byte stream. Each stick command has a reply of known length
/// (64 bytes, or what a ReadRadio asked for), so framing is reading exactly that many bytes in
/// time, after dropping anything stale. A pump command is a TransmitPacket acknowledged by the
/// stick, then LinkStatus polls until the pump's answer waits in the radio buffer, then ReadRadio
/// until the reply is whole; a NAK, a bad CRC-8, a short or foreign reply or a pump that does not
/// answer sends the whole command again, up to the retries.
/// </summary>
internal sealed partial class CareLinkLink
{
    private readonly IStreamTransport _transport;
    private readonly TimeSpan _responseTimeout;
    private readonly TimeSpan _radioTimeout;
    private readonly int _retries;
    private readonly ILogger _logger;

    /// <param name="radioTimeout">How long a pump may take to answer over the air, polled every 50 ms.</param>
    public CareLinkLink(IStreamTransport transport, TimeSpan responseTimeout, TimeSpan radioTimeout, int retries, ILogger logger)
    {
        _transport = transport;
        _responseTimeout = responseTimeout;
        _radioTimeout = radioTimeout;
        _retries = retries;
        _logger = logger;
    }

    /// <summary>One stick command and its reply of <paramref name="replyLength"/> bytes.</summary>
    public async Task<byte[]> ExchangeAsync(byte[] command, int replyLength, CancellationToken cancellationToken)
    {
        _transport.DiscardInput();
        await _transport.WriteAsync(command, cancellationToken);
        return await ReadExactlyAsync(replyLength, cancellationToken);
    }

    /// <summary>A stick command whose reply is decoded by <paramref name="decode"/>, retried on a timeout or a reply that does not decode.</summary>
    public async Task<T> StickAsync<T>(byte[] command, Func<byte[], T> decode, CancellationToken cancellationToken)
    {
        for (var attempt = 0; ; attempt++)
        {
            try
            {
                return decode(await ExchangeAsync(command, CareLinkStick.ReplyLength, cancellationToken));
            }
            catch (Exception ex) when (Retriable(ex) && attempt < _retries)
            {
                _transport.Statistics.AddRetry();
                LogRetry(((CareLinkOpcode)command[0]).ToString(), attempt + 1, _retries, ex.Message);
            }
            catch (Exception ex) when (Retriable(ex))
            {
                throw new DeviceSessionException($"The CareLink stick did not answer {(CareLinkOpcode)command[0]} after {attempt + 1} tries: {ex.Message}", ex);
            }
        }
    }

    /// <summary>A pump command through the stick: its whole reply (empty for PowerControl).</summary>
    public async Task<byte[]> PumpAsync(ParadigmCommand command, CancellationToken cancellationToken)
    {
        for (var attempt = 0; ; attempt++)
        {
            try
            {
                CareLinkStick.DecodeAck(await ExchangeAsync(ParadigmCommands.Encode(command), CareLinkStick.ReplyLength, cancellationToken));
                if (ParadigmCommands.ExpectedReplyLength(command.Code) == 0)
                {
                    return [];
                }

                var reply = new ParadigmReplyAssembler(command);
                while (!reply.IsComplete)
                {
                    var waiting = await WaitForRadioAsync(cancellationToken);
                    reply.Append(await ExchangeAsync(CareLinkStick.ReadRadio(waiting), waiting, cancellationToken));
                }

                return reply.ToArray();
            }
            catch (Exception ex) when (Retriable(ex) && attempt < _retries)
            {
                _transport.Statistics.AddRetry();
                LogRetry(command.Code.ToString(), attempt + 1, _retries, ex.Message);
            }
            catch (Exception ex) when (Retriable(ex))
            {
                throw new DeviceSessionException($"The pump did not answer {command.Code} after {attempt + 1} tries: {ex.Message}", ex);
            }
        }
    }

    private bool Retriable(Exception ex)
    {
        if (ex is ProtocolException protocol)
        {
            if (protocol.Kind == ProtocolErrorKind.BadCrc)
            {
                _transport.Statistics.AddCrcError();
            }

            return true;
        }

        return ex is TransportException { IsTimeout: true };
    }

    /// <summary>Polls LinkStatus until the pump's answer waits in the stick's radio buffer.</summary>
    private async Task<int> WaitForRadioAsync(CancellationToken cancellationToken)
    {
        var deadline = DateTime.UtcNow + _radioTimeout;
        while (true)
        {
            var status = CareLinkStick.DecodeLinkStatus(await ExchangeAsync(CareLinkStick.LinkStatus(), CareLinkStick.ReplyLength, cancellationToken));
            if (status.BytesWaiting > 0)
            {
                return status.BytesWaiting;
            }

            if (status.Flags.HasFlag(CareLinkLinkFlags.InterfaceError))
            {
                throw new ProtocolException(ProtocolErrorKind.DeviceError, 3, $"the stick reports an interface error ({status.Flags})");
            }

            if (DateTime.UtcNow >= deadline)
            {
                _transport.Statistics.AddTimeout();
                throw new TransportException($"The pump did not answer over the air within {_radioTimeout.TotalSeconds} s.") { IsTimeout = true };
            }

            await Task.Delay(50, cancellationToken);
        }
    }

    private async Task<byte[]> ReadExactlyAsync(int length, CancellationToken cancellationToken)
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
                if (buffer.Length >= length)
                {
                    var reply = buffer.Slice(0, length).ToArray();
                    input.AdvanceTo(buffer.GetPosition(length));
                    return reply;
                }

                if (read.IsCompleted)
                {
                    input.AdvanceTo(buffer.Start, buffer.End);
                    throw new TransportException("The link closed in the middle of a reply.");
                }

                input.AdvanceTo(buffer.Start, buffer.End);
            }
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            _transport.Statistics.AddTimeout();
            throw new TransportException($"No {length}-byte reply within {_responseTimeout.TotalMilliseconds} ms.") { IsTimeout = true };
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "{Command} attempt {Attempt} of {Retries} retried: {Failure}")]
    private partial void LogRetry(string command, int attempt, int retries, string failure);
}
