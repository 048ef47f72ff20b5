using System.Buffers;
using System.Collections.Concurrent;
using PumpGateway.Devices.Dexcom;
using PumpGateway.Fakes.Pty;
using PumpGateway.Fakes.Scenario;
using PumpGateway.Protocol;

namespace PumpGateway.Fakes.Dexcom;

/// <summary>What the emulated receiver says about itself, and how its clock relates to true time.</summary>
public sealed record DexcomEmulatorOptions
{
    public string ProductId { get; init; } = "G4Receiver";

    public string ProductName { get; init; } = "Dexcom G4 Receiver";

    public string FirmwareVersion { get; init; } = "2.0.1.104";

    /// <summary>Receiver system clock minus true UTC: a drifted receiver clock.</summary>
    public TimeSpan ClockOffset { get; init; }

    /// <summary>The wearer's display offset (display time = system time + this).</summary>
    public TimeSpan DisplayOffset { get; init; } = TimeSpan.FromHours(-6);

    public TimeProvider Clock { get; init; } = TimeProvider.System;

    /// <summary>Seeds every random choice of <see cref="DexcomReceiverEmulator.Faults"/>: the same seed, the same faults.</summary>
    public int FaultSeed { get; init; } = 7;
}

/// <summary>
/// A Dexcom G4 receiver on a pseudo-terminal: it answers the gateway's read commands from a
/// <see cref="DexcomReceiverDatabase"/> through the same codec the gateway decodes with, and can
/// be told to misbehave (<see cref="Faults"/>). Every request it receives is recorded, so tests
/// can prove the gateway only ever reads.
/// </summary>
public sealed class DexcomReceiverEmulator : IAsyncDisposable
{
    private readonly PseudoTerminal _terminal;
    private readonly DexcomEmulatorOptions _options;
    private readonly CancellationTokenSource _stopping = new();
    private readonly ConcurrentQueue<DexcomRequest> _requests = new();
    private readonly Task _serving;
    private Task _live = Task.CompletedTask;
    private long _bytesSent;

    private DexcomReceiverEmulator(PseudoTerminal terminal, DexcomReceiverDatabase database, DexcomEmulatorOptions options)
    {
        _terminal = terminal;
        Database = database;
        _options = options;
        Faults = new DexcomFaults(options.FaultSeed);
        _serving = Task.Run(ServeAsync);
    }

    public DexcomReceiverDatabase Database { get; }

    /// <summary>The path the gateway opens, e.g. /dev/pts/7.</summary>
    public string PortPath => _terminal.SlavePath;

    public DexcomFaults Faults { get; }

    /// <summary>Every request received, in order.</summary>
    public IReadOnlyList<DexcomRequest> Requests => [.. _requests];

    /// <summary>Frames that did not decode as a request (garbage, bad CRC): the emulator NAKs them.</summary>
    public int RejectedFrames { get; private set; }

    /// <summary>Completes when the emulator stops serving (disposed or its link dropped).</summary>
    public Task Completion => _serving;

    public static DexcomReceiverEmulator Start(DexcomReceiverDatabase database, DexcomEmulatorOptions? options = null) =>
        new(PseudoTerminal.Open(), database, options ?? new DexcomEmulatorOptions());

    /// <summary>
    /// Records a new reading every <paramref name="interval"/> of real time, continuing the
    /// scenario's wearer, stamped with the receiver's clock at that moment.
    /// </summary>
    public void StartLive(GlucoseScenario scenario, TimeSpan interval)
    {
        _live = Task.Run(async () =>
        {
            using var timer = new PeriodicTimer(interval, _options.Clock);
            try
            {
                while (await timer.WaitForNextTickAsync(_stopping.Token))
                {
                    var sample = scenario.NextSample() with { Time = SystemNow() };
                    Database.AppendSamples([sample], _options.DisplayOffset);
                }
            }
            catch (OperationCanceledException)
            {
            }
        });
    }

    /// <summary>The receiver's system clock now.</summary>
    public DateTime SystemNow()
    {
        var now = _options.Clock.GetUtcNow().UtcDateTime + _options.ClockOffset;
        return DateTime.SpecifyKind(new DateTime(now.Ticks - (now.Ticks % TimeSpan.TicksPerSecond)), DateTimeKind.Unspecified);
    }

    /// <summary>The receiver is unplugged: the port path disappears.</summary>
    public void Unplug() => _terminal.Hangup();

    public async ValueTask DisposeAsync()
    {
        await _stopping.CancelAsync();
        _terminal.Hangup();
        await Task.WhenAll(_serving, _live).WaitAsync(TimeSpan.FromSeconds(10)).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        _stopping.Dispose();
    }

    private async Task ServeAsync()
    {
        var buffer = new ArrayBufferWriter<byte>();
        var chunk = new byte[4096];
        try
        {
            while (!_stopping.IsCancellationRequested)
            {
                var read = await _terminal.ReadAsync(chunk, _stopping.Token);
                if (read == 0)
                {
                    return;
                }

                buffer.Write(chunk.AsSpan(0, read));
                var sequence = new ReadOnlySequence<byte>(buffer.WrittenMemory);
                var consumed = 0L;
                while (true)
                {
                    var result = DexcomFraming.TryReadFrame(sequence.Slice(consumed), out _, out var position, out _);
                    var frameStart = consumed;
                    consumed = sequence.Slice(consumed).Slice(0, position).Length + consumed;
                    if (result == FrameScanResult.Incomplete)
                    {
                        break;
                    }

                    var reply = result == FrameScanResult.Frame
                        ? Answer(sequence.Slice(frameStart, consumed - frameStart))
                        : Reject();
                    if (!await SendAsync(reply))
                    {
                        return;
                    }
                }

                var rest = buffer.WrittenSpan[(int)consumed..].ToArray();
                buffer.Clear();
                buffer.Write(rest);
            }
        }
        catch (OperationCanceledException)
        {
        }
        catch (IOException)
        {
            // The link was dropped (a fault, or unplugged): the emulator stops like a receiver would.
        }
    }

    private byte[] Reject()
    {
        RejectedFrames++;
        return DexcomResponses.Encode(DexcomStatus.Nak, []);
    }

    private byte[] Answer(ReadOnlySequence<byte> frameBytes)
    {
        // The scanner found a whole frame with a good CRC; skip any garbage before its start byte.
        var frame = frameBytes.ToArray().AsSpan();
        frame = frame[frame.IndexOf(DexcomFraming.StartOfFrame)..];
        DexcomRequest request;
        try
        {
            request = DexcomRequests.DecodeRequest(frame);
        }
        catch (ProtocolException)
        {
            RejectedFrames++;
            return DexcomResponses.Encode(frame.Length > 3 && frame[3] is 0x1E ? DexcomStatus.InvalidCommand : DexcomStatus.InvalidParam, []);
        }

        _requests.Enqueue(request);
        if (Faults.TakeNak())
        {
            return DexcomResponses.Encode(DexcomStatus.Nak, []);
        }

        return request.Command switch
        {
            DexcomCommand.Ping => Ack([]),
            DexcomCommand.ReadFirmwareHeader => Ack(DexcomResponses.WriteFirmwareHeader(
            [
                new("SchemaVersion", "1"), new("ApiVersion", "2.2.0.0"), new("TestApiVersion", "2.4.0.0"),
                new("ProductId", _options.ProductId), new("ProductName", _options.ProductName), new("SoftwareNumber", "SW10050"),
                new("FirmwareVersion", _options.FirmwareVersion), new("PortVersion", "4.6.4.45"), new("RFVersion", "1.0.0.27"), new("DexBootVersion", "3"),
            ])),
            DexcomCommand.ReadDatabasePartitionInfo => Ack(DexcomResponses.WritePartitionInfo(Database.Partitions())),
            DexcomCommand.ReadDatabasePageRange => Ack(DexcomResponses.WritePageRange(Database.PageRange(request.RecordType!.Value))),
            DexcomCommand.ReadDatabasePages => ReadPages(request.RecordType!.Value, request.FirstPage!.Value, request.PageCount!.Value),
            DexcomCommand.ReadDatabasePageHeader => Database.Page(request.RecordType!.Value, request.FirstPage!.Value) is { } page
                ? Ack(DexcomPageCodec.Encode(page).AsSpan(0, DexcomPageCodec.HeaderSize))
                : DexcomResponses.Encode(DexcomStatus.InvalidParam, []),
            DexcomCommand.ReadTransmitterId => Ack(DexcomResponses.WriteAscii("6ABC12")),
            DexcomCommand.ReadLanguage => Ack(DexcomResponses.WriteLanguage(0x0409)),
            DexcomCommand.ReadDisplayTimeOffset => Ack(DexcomResponses.WriteInt32((int)_options.DisplayOffset.TotalSeconds)),
            DexcomCommand.ReadRtc or DexcomCommand.ReadSystemTime => Ack(DexcomResponses.WriteUInt32(DexcomTime.ToSeconds(SystemNow()))),
            DexcomCommand.ReadSystemTimeOffset => Ack(DexcomResponses.WriteInt32(0)),
            DexcomCommand.ReadBatteryLevel => Ack(DexcomResponses.WriteUInt32(87)),
            DexcomCommand.ReadGlucoseUnit => Ack([(byte)DexcomGlucoseUnit.MgDl]),
            DexcomCommand.ReadClockMode => Ack([(byte)DexcomClockMode.TwentyFourHour]),
            DexcomCommand.ReadBatteryState => Ack([(byte)DexcomBatteryState.NotCharging]),
            _ => DexcomResponses.Encode(DexcomStatus.InvalidCommand, []),
        };
    }

    private byte[] ReadPages(DexcomRecordType type, uint first, byte count)
    {
        if (count * DexcomPageCodec.PageSize > DexcomFraming.MaxPayload)
        {
            return DexcomResponses.Encode(DexcomStatus.InvalidParam, []);
        }

        var payload = new byte[count * DexcomPageCodec.PageSize];
        for (var i = 0; i < count; i++)
        {
            if (Database.Page(type, first + (uint)i) is not { } page)
            {
                return DexcomResponses.Encode(DexcomStatus.InvalidParam, []);
            }

            DexcomPageCodec.Encode(page, payload.AsSpan(i * DexcomPageCodec.PageSize));
        }

        return Ack(payload);
    }

    private static byte[] Ack(ReadOnlySpan<byte> payload) => DexcomResponses.Encode(DexcomStatus.Ack, payload);

    /// <summary>Sends a reply through the fault switches; false once the link has been dropped.</summary>
    private async Task<bool> SendAsync(byte[] reply)
    {
        if ((Faults.TakeStall() ?? Faults.TakeRandomStall()) is { } stall)
        {
            await Task.Delay(stall, _stopping.Token);
        }

        if (Faults.TakeGarbage() is { } garbage)
        {
            await _terminal.WriteAsync(garbage, _stopping.Token);
        }

        if (Faults.TakeCorruption(reply.Length) is { } position)
        {
            reply = (byte[])reply.Clone();
            reply[position] ^= 0x5A;
        }

        reply = Faults.CorruptBytes(reply);
        if (Faults.TakeDuplicate())
        {
            reply = [.. reply, .. reply];
        }

        if (Faults.DropLinkAfterBytes is { } limit && _bytesSent + reply.Length >= limit)
        {
            var allowed = (int)Math.Max(0, limit - _bytesSent);
            await _terminal.WriteAsync(reply.AsMemory(0, allowed), _stopping.Token);
            _bytesSent += allowed;
            _terminal.Hangup();
            return false;
        }

        await _terminal.WriteAsync(reply, _stopping.Token);
        _bytesSent += reply.Length;
        return true;
    }
}
