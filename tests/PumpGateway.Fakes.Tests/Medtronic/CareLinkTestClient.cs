using System.Buffers;
using Microsoft.Extensions.Logging.Abstractions;
using PumpGateway.Devices.Medtronic;
using PumpGateway.Transports.Serial;

namespace PumpGateway.Fakes.Tests.Medtronic;

/// <summary>
/// A small host for the emulated stick, written with the codecs only: it opens the pty slave with
/// System.IO.Ports (through the gateway's serial transport, which is nothing but a port and a
/// pipe), sends stick commands and reads their replies of known length. A pump command is a
/// TransmitPacket, its ACK, LinkStatus polls until bytes wait, and ReadRadio until the reply is whole.
/// </summary>
internal sealed class CareLinkTestClient : IAsyncDisposable
{
    public static readonly TimeSpan ReplyTimeout = TimeSpan.FromSeconds(3);

    private readonly SerialTransport _transport;

    private CareLinkTestClient(SerialTransport transport) => _transport = transport;

    /// <summary>The size of every ReadRadio sent and whether its reply carried end-of-data, in order.</summary>
    public List<(int Size, bool EndOfData)> RadioReads { get; } = [];

    public static async Task<CareLinkTestClient> OpenAsync(string port)
    {
        var transport = new SerialTransport(new SerialPortSettings(port) { BaudRate = 9600 }, NullLogger<SerialTransport>.Instance);
        await transport.OpenAsync(CancellationToken.None);
        return new CareLinkTestClient(transport);
    }

    public async Task WriteAsync(byte[] bytes)
    {
        _transport.DiscardInput();
        await _transport.WriteAsync(bytes, CancellationToken.None);
    }

    /// <summary>Bytes that have come from the stick so far, read or not.</summary>
    public long BytesReceived => _transport.Statistics.BytesIn;

    /// <summary>Exactly <paramref name="length"/> bytes, or a TimeoutException; an IOException when the link closes.</summary>
    public async Task<byte[]> ReadAsync(int length, TimeSpan? timeout = null)
    {
        using var expiry = new CancellationTokenSource(timeout ?? ReplyTimeout);
        var input = _transport.Input;
        try
        {
            while (true)
            {
                var read = await input.ReadAsync(expiry.Token);
                var buffer = read.Buffer;
                if (buffer.Length >= length)
                {
                    var reply = buffer.Slice(0, length).ToArray();
                    input.AdvanceTo(buffer.GetPosition(length));
                    return reply;
                }

                input.AdvanceTo(buffer.Start, buffer.End);
                if (read.IsCompleted)
                {
                    throw new IOException($"The link closed after {buffer.Length} of {length} bytes.");
                }
            }
        }
        catch (OperationCanceledException)
        {
            throw new TimeoutException($"No {length}-byte reply in time.");
        }
    }

    public async Task<byte[]> ExchangeAsync(byte[] command, int replyLength, TimeSpan? timeout = null)
    {
        await WriteAsync(command);
        return await ReadAsync(replyLength, timeout);
    }

    public async Task<CareLinkProductInfo> ProductInfoAsync() => CareLinkStick.DecodeProductInfo(await ExchangeAsync(CareLinkStick.ProductInfo(), CareLinkStick.ReplyLength));

    public async Task<byte> SignalStrengthAsync() => CareLinkStick.DecodeSignalStrength(await ExchangeAsync(CareLinkStick.SignalStrength(), CareLinkStick.ReplyLength));

    public async Task<CareLinkInterfaceStatistics> StatisticsAsync(CareLinkInterface side) =>
        CareLinkStick.DecodeInterfaceStatistics(await ExchangeAsync(CareLinkStick.InterfaceStatistics(side), CareLinkStick.ReplyLength));

    public async Task<CareLinkLinkStatus> LinkStatusAsync() => CareLinkStick.DecodeLinkStatus(await ExchangeAsync(CareLinkStick.LinkStatus(), CareLinkStick.ReplyLength));

    /// <summary>Sends a pump command and returns the stick's 64-byte answer to the TransmitPacket (ACK or NAK), undecoded.</summary>
    public Task<byte[]> TransmitAsync(byte[] packet) => ExchangeAsync(packet, CareLinkStick.ReplyLength);

    /// <summary>Polls LinkStatus until bytes wait in the radio buffer; 0 when nothing came within <paramref name="radioTimeout"/>.</summary>
    public async Task<int> WaitForRadioAsync(TimeSpan radioTimeout)
    {
        var deadline = DateTime.UtcNow + radioTimeout;
        while (true)
        {
            var status = await LinkStatusAsync();
            if (status.BytesWaiting > 0 || DateTime.UtcNow >= deadline)
            {
                return status.BytesWaiting;
            }

            await Task.Delay(5);
        }
    }

    /// <summary>One ReadRadio of <paramref name="size"/> bytes, raw.</summary>
    public Task<byte[]> ReadRadioAsync(int size) => ExchangeAsync(CareLinkStick.ReadRadio(size), size);

    /// <summary>
    /// A whole pump command: its reply (empty for PowerControl), or null when the pump did not
    /// answer within <paramref name="radioTimeout"/>. A NAK from the stick, or a radio read that
    /// does not decode, throws the codec's ProtocolException.
    /// </summary>
    public async Task<byte[]?> PumpAsync(ParadigmCommand command, TimeSpan? radioTimeout = null)
    {
        CareLinkStick.DecodeAck(await TransmitAsync(ParadigmCommands.Encode(command)));
        var reply = new ParadigmReplyAssembler(command);
        while (!reply.IsComplete)
        {
            var waiting = await WaitForRadioAsync(radioTimeout ?? TimeSpan.FromSeconds(3));
            if (waiting == 0)
            {
                return null;
            }

            var read = await ReadRadioAsync(waiting);
            RadioReads.Add((waiting, (read[5] & 0x80) != 0));
            reply.Append(read);
        }

        return reply.ToArray();
    }

    public async Task<byte[]> RequireAsync(ParadigmCommand command) =>
        await PumpAsync(command) ?? throw new TimeoutException($"The pump did not answer {command.Code}.");

    public Task WakeAsync(string serial, byte minutes = 10) => RequireAsync(ParadigmCommands.PowerControl(serial, minutes));

    public ValueTask DisposeAsync() => _transport.DisposeAsync();
}
