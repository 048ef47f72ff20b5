using System.Collections.Concurrent;
using PumpGateway.Codecs;
using PumpGateway.Devices.Medtronic;
using PumpGateway.Fakes.Pty;
using PumpGateway.Protocol;

namespace PumpGateway.Fakes.Medtronic;

/// <summary>A TransmitPacket the stick did not send over the air because it is no read command of the codec (or no packet at all).</summary>
/// <param name="Bytes">The packet as the host wrote it.</param>
/// <param name="CommandCode">Byte 13, the pump command code, when the packet is that long.</param>
/// <param name="Reason">Why the codec refused it: UnknownCommand for a code that is not a read.</param>
public sealed record CareLinkRefusedCommand(byte[] Bytes, byte? CommandCode, ProtocolErrorKind Reason, string Message);

/// <summary>
/// A CareLink USB stick on a pseudo-terminal with a <see cref="ParadigmPumpEmulator"/> in radio
/// range. It frames the host's commands as the stick takes them and answers with the codec's
/// encoders, like the captured stick: 64-byte replies for ProductInfo, the interface statistics
/// (counting what really happened), SignalStrength, LinkStatus (the bytes waiting in the radio
/// buffer) and the TransmitPacket ACK or NAK; ReadRadio replies of exactly the size asked, cut from
/// the pump's answer in reads of 64 or 128 data bytes, end-of-data on the last. Only read commands
/// go over the air: any other TransmitPacket is NAKed and kept in <see cref="RefusedCommands"/>;
/// every command decoded is kept in <see cref="Received"/>.
/// </summary>
public sealed class CareLinkStickEmulator : IAsyncDisposable
{
    private const byte RadioStatusMultiRead = 4;
    private const byte RadioStatusSingleRead = 3;

    /// <summary>decocare's reading of radio status 2 (the pump NAKed) and 5 (the radio timed out); the codec refuses to encode them as data replies.</summary>
    private const byte RadioStatusNak = 2;
    private const byte RadioStatusTimeout = 5;

    private readonly PseudoTerminal _terminal;
    private readonly CancellationTokenSource _stopping = new();
    private readonly ConcurrentQueue<CareLinkCommand> _received = new();
    private readonly ConcurrentQueue<CareLinkRefusedCommand> _refused = new();
    private readonly Queue<RadioRead> _radioBuffer = new();
    private readonly InterfaceCounters _radio = new();
    private readonly InterfaceCounters _usb = new();
    private readonly Task _serving;
    private long _bytesReceived;
    private bool _idle;
    private long _bytesSent;
    private string _lastAddressed;

    private CareLinkStickEmulator(PseudoTerminal terminal, ParadigmPumpEmulator pump, CareLinkStickOptions options)
    {
        _terminal = terminal;
        Pump = pump;
        Options = options;
        Faults = new CareLinkFaults(options.FaultSeed);
        _lastAddressed = pump.Serial;
        _serving = Task.Run(ServeAsync);
    }

    public ParadigmPumpEmulator Pump { get; }

    public CareLinkStickOptions Options { get; }

    /// <summary>The path the gateway opens, e.g. /dev/pts/7.</summary>
    public string PortPath => _terminal.SlavePath;

    public CareLinkFaults Faults { get; }

    /// <summary>Every command the stick decoded, in order.</summary>
    public IReadOnlyList<CareLinkCommand> Received => [.. _received];

    /// <summary>Every TransmitPacket that was not a read command of the codec: what a gateway must never send.</summary>
    public IReadOnlyList<CareLinkRefusedCommand> RefusedCommands => [.. _refused];

    /// <summary>The radio side's counters: packets sent over the air and received from the pump, bad CRC-8s, pump NAKs, commands the pump did not answer.</summary>
    public CareLinkInterfaceStatistics RadioStatistics => _radio.Snapshot();

    /// <summary>The USB side's counters: commands received and replies sent, commands with a bad CRC-8, NAKs sent, commands that stopped half way.</summary>
    public CareLinkInterfaceStatistics UsbStatistics => _usb.Snapshot();

    /// <summary>Reply bytes written to the host so far (what <see cref="CareLinkFaults.DropLinkAfterBytes"/> counts).</summary>
    public long BytesSent => Interlocked.Read(ref _bytesSent);

    /// <summary>Bytes taken from the host so far.</summary>
    public long BytesReceived => Interlocked.Read(ref _bytesReceived);

    /// <summary>
    /// Whether the stick has answered everything it took and holds no part of a command: it waits
    /// for the host. A test that sent a piece of a command waits for this before the next one.
    /// </summary>
    public bool IsIdle => Volatile.Read(ref _idle);

    /// <summary>Completes when the stick stops serving (disposed, unplugged or its link dropped).</summary>
    public Task Completion => _serving;

    public static CareLinkStickEmulator Start(ParadigmPumpEmulator pump, CareLinkStickOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(pump);
        options ??= new CareLinkStickOptions();
        options.Validate();
        return new CareLinkStickEmulator(PseudoTerminal.Open(), pump, options);
    }

    /// <summary>The stick is pulled out: the port path disappears.</summary>
    public void Unplug() => _terminal.Hangup();

    public async ValueTask DisposeAsync()
    {
        await _stopping.CancelAsync();
        _terminal.Hangup();
        await _serving.WaitAsync(TimeSpan.FromSeconds(10)).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        _stopping.Dispose();
    }

    private async Task ServeAsync()
    {
        var pending = new List<byte>();
        var chunk = new byte[4096];
        try
        {
            while (!_stopping.IsCancellationRequested)
            {
                Volatile.Write(ref _idle, pending.Count == 0);
                var read = await ReadAsync(chunk, pending.Count > 0);
                Volatile.Write(ref _idle, false);
                if (read < 0)
                {
                    // Bytes stopped arriving in the middle of a command: the stick drops them.
                    _usb.Count(c => c.Timeouts++);
                    pending.Clear();
                    continue;
                }

                if (read == 0)
                {
                    return;
                }

                Interlocked.Add(ref _bytesReceived, read);
                pending.AddRange(chunk.AsSpan(0, read));
                while (pending.Count > 0)
                {
                    var input = pending.ToArray();
                    var result = CareLinkCommandFramer.Frame(input, Options.MaxTransmitParameters, out var length);
                    if (result == CareLinkFrameResult.Incomplete)
                    {
                        break;
                    }

                    pending.Clear();
                    if (result == CareLinkFrameResult.Invalid)
                    {
                        // What cannot start a command is dropped with everything buffered after it, and NAKed once.
                        _usb.Count(c => c.Received++);
                        var transmit = input[0] == (byte)CareLinkOpcode.TransmitPacket;
                        Reject(
                            input,
                            transmit ? ProtocolErrorKind.BadLength : ProtocolErrorKind.UnknownCommand,
                            transmit ? "a TransmitPacket whose parameter count is no length the stick takes" : $"0x{input[0]:x2} starts no stick command");
                        if (!await SendAsync(Nak(), 3))
                        {
                            return;
                        }

                        break;
                    }

                    pending.AddRange(input.AsSpan(length));
                    var (reply, significant) = Answer(input.AsSpan(0, length).ToArray());
                    if (!await SendAsync(reply, significant))
                    {
                        return;
                    }
                }
            }
        }
        catch (OperationCanceledException)
        {
        }
        catch (IOException)
        {
            // The link was dropped (a fault, or unplugged): the stick is gone.
        }
    }

    /// <summary>Reads from the host; -1 when a half-received command saw no byte for the command timeout.</summary>
    private async Task<int> ReadAsync(byte[] chunk, bool midCommand)
    {
        if (!midCommand)
        {
            return await _terminal.ReadAsync(chunk, _stopping.Token);
        }

        using var timeout = new CancellationTokenSource(Options.CommandTimeout, Options.Clock);
        using var idle = CancellationTokenSource.CreateLinkedTokenSource(_stopping.Token, timeout.Token);
        try
        {
            return await _terminal.ReadAsync(chunk, idle.Token);
        }
        catch (OperationCanceledException) when (!_stopping.IsCancellationRequested)
        {
            return -1;
        }
    }

    private (byte[] Reply, int Significant) Answer(byte[] bytes)
    {
        _usb.Count(c => c.Received++);
        CareLinkCommand command;
        try
        {
            command = CareLinkStick.DecodeCommand(bytes);
        }
        catch (ProtocolException error)
        {
            if (error.Kind == ProtocolErrorKind.BadCrc)
            {
                _usb.Count(c => c.CrcErrors++);
            }

            Reject(bytes, error.Kind, error.Message);
            return (Nak(), 3);
        }

        _received.Enqueue(command);
        return command.Opcode switch
        {
            CareLinkOpcode.ProductInfo => (CareLinkStick.EncodeProductInfo(Options.ProductInfo), 22 + (2 * Options.ProductInfo.Interfaces.Count)),
            CareLinkOpcode.InterfaceStatistics => (CareLinkStick.EncodeInterfaceStatistics(command.Interface == CareLinkInterface.Radio ? _radio.Snapshot() : _usb.Snapshot()), 15),
            CareLinkOpcode.SignalStrength => (CareLinkStick.EncodeSignalStrength(Options.SignalStrength), 4),
            CareLinkOpcode.LinkStatus => (CareLinkStick.EncodeLinkStatus(LinkStatus()), 8),
            CareLinkOpcode.ReadRadio => ReadRadio(command.ReadSize),
            _ => Transmit(command.Packet!),
        };
    }

    private void Reject(byte[] bytes, ProtocolErrorKind kind, string message)
    {
        if (bytes[0] == (byte)CareLinkOpcode.TransmitPacket)
        {
            _refused.Enqueue(new CareLinkRefusedCommand(bytes, bytes.Length > 13 ? bytes[13] : null, kind, message));
        }
    }

    /// <summary>A read command goes over the air; the pump's answer fills the radio buffer read by read.</summary>
    private (byte[], int) Transmit(ParadigmCommand packet)
    {
        if (Faults.TakeNakTransmit())
        {
            return (Nak(), 3);
        }

        _radioBuffer.Clear();
        _lastAddressed = packet.PumpSerial;
        _radio.Count(c => c.Transmitted++);
        var answer = Faults.PumpMissesCommand() ? ParadigmAnswer.None : Pump.Answer(packet);
        var first = Options.Clock.GetUtcNow() + Pump.Options.ResponseDelay;
        switch (answer.Kind)
        {
            case ParadigmAnswerKind.None:
                _radio.Count(c => c.Timeouts++);
                break;
            case ParadigmAnswerKind.Nak:
                _radio.Count(c => { c.Received++; c.Naks++; });
                _radioBuffer.Enqueue(new RadioRead(StatusOnly(RadioStatusNak, packet.PumpSerial), first));
                break;
            case ParadigmAnswerKind.Data when answer.Data.Length == 0:
                // The pump acknowledges a PowerControl; the host reads nothing for it.
                _radio.Count(c => c.Received++);
                break;
            default:
                QueueReads(packet.PumpSerial, answer.Data, first);
                break;
        }

        return (CareLinkStick.EncodeAck(), 3);
    }

    private void QueueReads(string serial, byte[] data, DateTimeOffset first)
    {
        var single = data.Length <= Options.RadioReadSizes[0];
        var sizes = Options.RadioReadSizes;
        for (int offset = 0, i = 0; offset < data.Length; i++)
        {
            var size = Math.Min(sizes[i % sizes.Count], data.Length - offset);
            var end = offset + size == data.Length;
            var read = CareLinkStick.EncodeRadioReply(new CareLinkRadioReply(
                single ? RadioStatusSingleRead : RadioStatusMultiRead, 0, Options.SignalStrength, end, serial, data[offset..(offset + size)]));
            if (Faults.FrameHitOnTheAir())
            {
                read[^1] ^= 0xFF;
                _radio.Count(c => c.CrcErrors++);
            }

            _radio.Count(c => c.Received++);
            _radioBuffer.Enqueue(new RadioRead(read, first + (Options.RadioReadInterval * i)));
            offset += size;
        }
    }

    private CareLinkLinkStatus LinkStatus()
    {
        var now = Options.Clock.GetUtcNow();
        var ready = _radioBuffer.TryPeek(out var next) && next.ReadyAt <= now;

        // Receiving: part of the pump's answer is still on the air (the capture shows 03 then).
        var receiving = _radioBuffer.Any(r => r.ReadyAt > now);
        return new CareLinkLinkStatus(
            CareLinkLinkFlags.Ok | (receiving ? CareLinkLinkFlags.ReceiveInProgress : CareLinkLinkFlags.None),
            ready ? (ushort)next!.Bytes.Length : (ushort)0);
    }

    /// <summary>Exactly <paramref name="size"/> bytes: the next read waiting, cut or zero-padded to the size asked, or a radio timeout when none waits.</summary>
    private (byte[], int) ReadRadio(int size)
    {
        var read = _radioBuffer.TryPeek(out var next) && next.ReadyAt <= Options.Clock.GetUtcNow()
            ? _radioBuffer.Dequeue().Bytes
            : StatusOnly(RadioStatusTimeout, _lastAddressed);
        var reply = new byte[size];
        read.AsSpan(0, Math.Min(size, read.Length)).CopyTo(reply);
        return (reply, size);
    }

    /// <summary>A radio reply without data whose status is one the codec will not encode as data: a NAK or a timeout.</summary>
    private byte[] StatusOnly(byte status, string serial)
    {
        var bytes = CareLinkStick.EncodeRadioReply(new CareLinkRadioReply(RadioStatusMultiRead, 0, Options.SignalStrength, true, serial, []));
        bytes[2] = status;
        bytes[CareLinkStick.RadioHeaderLength - 1] = Crc8.Compute(bytes.AsSpan(0, CareLinkStick.RadioHeaderLength - 1));
        return bytes;
    }

    private byte[] Nak()
    {
        _usb.Count(c => c.Naks++);
        return CareLinkStick.EncodeNak(0);
    }

    /// <summary>Sends a reply through the fault switches; false once the link has been dropped.</summary>
    private async Task<bool> SendAsync(byte[] reply, int significant)
    {
        if ((Faults.TakeStall() ?? Faults.TakeRandomStall()) is { } stall)
        {
            await Task.Delay(stall, Options.Clock, _stopping.Token);
        }

        if (Faults.TakeCorruption(Math.Min(significant, reply.Length)) is { } position)
        {
            reply = (byte[])reply.Clone();
            reply[position] ^= 0x5A;
        }

        reply = Faults.CorruptBytes(reply, significant);
        if (Faults.TakeDuplicate())
        {
            reply = [.. reply, .. reply];
        }

        if (Faults.DropLinkAfterBytes is { } limit && _bytesSent + reply.Length >= limit)
        {
            var allowed = (int)Math.Max(0, limit - _bytesSent);
            await _terminal.WriteAsync(reply.AsMemory(0, allowed), _stopping.Token);
            Interlocked.Add(ref _bytesSent, allowed);
            _terminal.Hangup();
            return false;
        }

        await _terminal.WriteAsync(reply, _stopping.Token);
        Interlocked.Add(ref _bytesSent, reply.Length);
        _usb.Count(c => c.Transmitted++);
        return true;
    }

    private sealed record RadioRead(byte[] Bytes, DateTimeOffset ReadyAt);

    /// <summary>One side's counters; the error counts are single bytes on the wire and wrap as the stick's would.</summary>
    private sealed class InterfaceCounters
    {
        private readonly Lock _gate = new();
        private readonly Counts _counts = new();

        public void Count(Action<Counts> change)
        {
            lock (_gate)
            {
                change(_counts);
            }
        }

        public CareLinkInterfaceStatistics Snapshot()
        {
            lock (_gate)
            {
                return new CareLinkInterfaceStatistics(
                    unchecked((byte)_counts.CrcErrors), 0, unchecked((byte)_counts.Naks), unchecked((byte)_counts.Timeouts), _counts.Received, _counts.Transmitted);
            }
        }
    }

    private sealed class Counts
    {
        public int CrcErrors { get; set; }

        public int Naks { get; set; }

        public int Timeouts { get; set; }

        public uint Received { get; set; }

        public uint Transmitted { get; set; }
    }
}
