using System.Buffers.Binary;
using System.Threading.Channels;
using PumpGateway.Codecs;
using PumpGateway.Devices.Ids;
using PumpGateway.Fakes.Ids;
using PumpGateway.Fakes.Scenario;
using PumpGateway.Ports;

namespace PumpGateway.Fakes.Tests.Ids;

/// <summary>
/// A small IDS central for the tests, speaking through whatever carries its writes, reads and
/// notifications (the gateway's BlueZ transport, or the emulator's handler directly). It seals
/// every write with its E2E-Counter and CRC and checks those of every value the pump sends.
/// </summary>
internal sealed class IdsTestCentral(IdsDialect dialect, Func<GattCharacteristicId, byte[], Task> write, Func<GattCharacteristicId, Task<byte[]>> read, ChannelReader<GattNotification> notifications)
{
    public static readonly TimeSpan Timeout = TimeSpan.FromSeconds(20);

    private readonly IdsE2eCounter _sent = new();
    private readonly IdsE2eCounter _received = new();

    public IdsDialect Dialect => dialect;

    /// <summary>Every notification seen so far, in arrival order.</summary>
    public List<GattNotification> Received { get; } = [];

    public GattCharacteristicId Id(IdsCharacteristic characteristic) => IdsPumpEmulator.Characteristic(characteristic, dialect);

    /// <summary>A pump on the handler itself, every characteristic subscribed, its values going straight to the central.</summary>
    /// <param name="beforeNotify">Runs on the pump's side before each notification leaves it (a test may hold the pump there).</param>
    public static (IdsPumpEmulator Pump, IdsTestCentral Central) Detached(TherapyScenario scenario, IdsPumpOptions options, Action<GattCharacteristicId>? beforeNotify = null)
    {
        var channel = Channel.CreateUnbounded<GattNotification>();
        var pump = IdsPumpEmulator.StartDetached(scenario, options, (id, value) =>
        {
            beforeNotify?.Invoke(id);
            return channel.Writer.TryWrite(new GattNotification(id, value, DateTimeOffset.UtcNow));
        });
        foreach (var id in Subscribable(pump))
        {
            pump.OnNotifyingChanged(id, true);
        }

        return (pump, new IdsTestCentral(options.Dialect, (id, value) => pump.WriteAsync(id, value, CancellationToken.None).AsTask(), id => pump.ReadAsync(id, CancellationToken.None).AsTask(), channel.Reader));
    }

    public static IEnumerable<GattCharacteristicId> Subscribable(IdsPumpEmulator pump) =>
        pump.Definition().Services.SelectMany(s => s.Characteristics.Where(c => c.Flags.Contains("notify") || c.Flags.Contains("indicate")).Select(c => new GattCharacteristicId(s.Uuid, c.Uuid)));

    /// <summary>The counter the next write to <paramref name="characteristic"/> carries (null without E2E protection).</summary>
    public byte? Counter(IdsCharacteristic characteristic) => dialect.E2eProtection ? _sent.Next(characteristic) : null;

    /// <summary>The counter the next write would carry, not spent: for a write that is meant to be refused.</summary>
    public byte PeekCounter(IdsCharacteristic characteristic) => _sent.Expected(characteristic);

    public Task WriteAsync(IdsCharacteristic characteristic, byte[] value) => write(Id(characteristic), value);

    public Task<byte[]> ReadAsync(GattCharacteristicId characteristic) => read(characteristic);

    /// <summary>Reads a value, checking its E2E trailer as one more value of that characteristic.</summary>
    public async Task<T> ReadAsync<T>(IdsCharacteristic characteristic, Func<byte[], IdsDialect, T> decode)
    {
        var value = await read(Id(characteristic));
        CheckTrailer(characteristic, value);
        return decode(value, dialect);
    }

    /// <summary>The same central after it disconnected and connected again: its counters start from 1.</summary>
    public IdsTestCentral Reconnected() => new(dialect, write, read, notifications);

    /// <summary>A body with this central's E2E trailer: the next counter, then the CRC over everything before it.</summary>
    public byte[] Seal(IdsCharacteristic characteristic, ReadOnlySpan<byte> body) => Seal(body, Counter(characteristic));

    public byte[] Seal(ReadOnlySpan<byte> body, byte? counter)
    {
        if (!dialect.E2eProtection)
        {
            return body.ToArray();
        }

        var value = new byte[body.Length + 3];
        body.CopyTo(value);
        value[body.Length] = counter!.Value;
        BinaryPrimitives.WriteUInt16LittleEndian(value.AsSpan(body.Length + 1), E2eCrc.Compute(value.AsSpan(0, body.Length + 1), dialect.CrcVariant));
        return value;
    }

    /// <summary>Runs an IDD RACP request: the History Data records it brings, then its response.</summary>
    public async Task<(List<IdsHistoryEvent> Records, IdsRacpResponse Response)> RacpAsync(IdsRacpRequest request)
    {
        await WriteAsync(IdsCharacteristic.RecordAccessControlPoint, IdsRacpCodec.Encode(request with { E2eCounter = Counter(IdsCharacteristic.RecordAccessControlPoint) }, dialect));
        var records = new List<IdsHistoryEvent>();
        while (true)
        {
            var notification = await NextAsync(IdsCharacteristic.RecordAccessControlPoint, IdsCharacteristic.HistoryData);
            if (notification.Characteristic == Id(IdsCharacteristic.HistoryData))
            {
                records.Add(IdsHistoryCodec.Decode(notification.Value, dialect));
                continue;
            }

            return (records, IdsRacpCodec.DecodeResponse(notification.Value, dialect));
        }
    }

    public async Task<IdsStatusReaderResponse> StatusReaderAsync(IdsStatusReaderRequest request)
    {
        await WriteAsync(IdsCharacteristic.StatusReaderControlPoint, IdsStatusReaderCodec.Encode(request with { E2eCounter = Counter(IdsCharacteristic.StatusReaderControlPoint) }, dialect));
        var answer = await NextAsync(IdsCharacteristic.StatusReaderControlPoint);
        return IdsStatusReaderCodec.DecodeResponse(answer.Value, dialect);
    }

    /// <summary>Runs a Command CP read: the Command Data it brings, then its response.</summary>
    public async Task<(List<IdsCommandData> Data, IdsCommandResponse Response)> CommandAsync(IdsCommandRequest request)
    {
        await WriteAsync(IdsCharacteristic.CommandControlPoint, IdsCommandControlPointCodec.Encode(request with { E2eCounter = Counter(IdsCharacteristic.CommandControlPoint) }, dialect));
        var data = new List<IdsCommandData>();
        while (true)
        {
            var notification = await NextAsync(IdsCharacteristic.CommandControlPoint, IdsCharacteristic.CommandData);
            if (notification.Characteristic == Id(IdsCharacteristic.CommandData))
            {
                data.Add(IdsCommandDataCodec.Decode(notification.Value, dialect));
                continue;
            }

            return (data, IdsCommandControlPointCodec.DecodeResponse(notification.Value, dialect));
        }
    }

    /// <summary>Writes a sealed body and returns the control point's answer without its trailer.</summary>
    public async Task<byte[]> RawAsync(IdsCharacteristic controlPoint, byte[] body)
    {
        await WriteAsync(controlPoint, Seal(controlPoint, body));
        return Opened((await NextAsync(controlPoint)).Value);
    }

    /// <summary>The body of a value the pump sent (its trailer was checked when it arrived).</summary>
    public byte[] Opened(byte[] value) => dialect.E2eProtection ? value[..^3] : value;

    public async Task<GattNotification> NextAsync(params IdsCharacteristic[] characteristics)
    {
        var wanted = characteristics.Select(Id).ToHashSet();
        using var deadline = new CancellationTokenSource(Timeout);
        while (true)
        {
            var notification = Receive(await notifications.ReadAsync(deadline.Token));
            if (wanted.Contains(notification.Characteristic))
            {
                return notification;
            }
        }
    }

    /// <summary>Whatever arrived without being asked for within <paramref name="wait"/>.</summary>
    public async Task<List<GattNotification>> DrainAsync(TimeSpan wait)
    {
        var drained = new List<GattNotification>();
        using var deadline = new CancellationTokenSource(wait);
        try
        {
            while (true)
            {
                drained.Add(Receive(await notifications.ReadAsync(deadline.Token)));
            }
        }
        catch (OperationCanceledException)
        {
            return drained;
        }
    }

    /// <summary>
    /// Every value the pump sends on an IDS characteristic carries a valid CRC and, except History
    /// Data, the characteristic's next counter: checked here as it arrives, whoever asked for it.
    /// </summary>
    private GattNotification Receive(GattNotification notification)
    {
        Received.Add(notification);
        var characteristic = Enum.GetValues<IdsCharacteristic>().Where(c => Id(c) == notification.Characteristic).Cast<IdsCharacteristic?>().FirstOrDefault();
        if (characteristic is { } ids)
        {
            CheckTrailer(ids, notification.Value);
        }

        return notification;
    }

    private void CheckTrailer(IdsCharacteristic characteristic, byte[] value)
    {
        if (!dialect.E2eProtection)
        {
            return;
        }

        Assert.True(value.Length >= 3, $"{Convert.ToHexString(value)} has no E2E trailer");
        Assert.Equal(E2eCrc.Compute(value.AsSpan(0, value.Length - 2), dialect.CrcVariant), BinaryPrimitives.ReadUInt16LittleEndian(value.AsSpan(value.Length - 2)));
        if (characteristic != IdsCharacteristic.HistoryData)
        {
            _received.Check(characteristic, value[^3]);
        }
    }
}
