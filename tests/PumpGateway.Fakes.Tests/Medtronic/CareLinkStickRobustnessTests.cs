using Microsoft.Extensions.Time.Testing;
using PumpGateway.Devices.Medtronic;
using PumpGateway.Fakes.Medtronic;
using static PumpGateway.Fakes.Tests.Medtronic.CareLinkStickEmulatorTests;

namespace PumpGateway.Fakes.Tests.Medtronic;

/// <summary>Random bytes and mutated commands (seeded) never upset the stick: each is framed, answered or dropped, and it keeps serving.</summary>
public sealed class CareLinkStickRobustnessTests
{
    private static readonly byte[][] ValidCommands =
    [
        CareLinkStick.ProductInfo(),
        CareLinkStick.LinkStatus(),
        CareLinkStick.SignalStrength(),
        CareLinkStick.InterfaceStatistics(CareLinkInterface.Usb),
        CareLinkStick.ReadRadio(78),
        ParadigmCommands.Encode(ParadigmCommands.Read(Serial, ParadigmCommandCode.ReadPumpModel)),
        ParadigmCommands.Encode(ParadigmCommands.ReadHistoryData(Serial, 2)),
        ParadigmCommands.Encode(ParadigmCommands.ReadGlucoseHistory(Serial, 6)),
    ];

    [Fact]
    public void The_framer_cuts_random_bytes_into_commands_of_their_opcodes_length_or_says_why_not()
    {
        var random = new Random(1234);
        for (var i = 0; i < 20_000; i++)
        {
            var input = new byte[random.Next(0, 40)];
            random.NextBytes(input);
            if (i % 2 == 0 && input.Length > 0)
            {
                input[0] = (byte)random.GetItems<CareLinkOpcode>([.. Enum.GetValues<CareLinkOpcode>()], 1)[0];
            }

            var result = CareLinkCommandFramer.Frame(input, 64, out var length);
            switch (result)
            {
                case CareLinkFrameResult.Command:
                    Assert.InRange(length, 3, input.Length);
                    Assert.Equal(Expected(input), length);
                    break;
                case CareLinkFrameResult.Incomplete:
                    Assert.True(input.Length == 0 || input.Length < (Expected(input) ?? 9), $"{Convert.ToHexString(input)} is incomplete");
                    break;
                default:
                    Assert.Equal(CareLinkFrameResult.Invalid, result);
                    Assert.True(Expected(input) is null, $"{Convert.ToHexString(input)} is invalid");
                    break;
            }
        }

        static int? Expected(byte[] input) => input.Length == 0 ? null : (CareLinkOpcode)input[0] switch
        {
            CareLinkOpcode.LinkStatus or CareLinkOpcode.ProductInfo or CareLinkOpcode.InterfaceStatistics or CareLinkOpcode.SignalStrength => 3,
            CareLinkOpcode.ReadRadio => 5,
            CareLinkOpcode.TransmitPacket when input.Length < 9 => int.MaxValue,
            CareLinkOpcode.TransmitPacket when (input[7] & 0x80) != 0 && (((input[7] & 0x7F) << 8) | input[8]) <= 64 => 16 + (((input[7] & 0x7F) << 8) | input[8]),
            _ => null,
        };
    }

    [Fact]
    public async Task Random_bytes_and_mutated_commands_are_answered_or_dropped_and_the_stick_keeps_serving_reads_only()
    {
        await using var pump = FixturePump(new ParadigmPumpOptions { StartAwake = true });
        await using var stick = CareLinkStickEmulator.Start(pump, new CareLinkStickOptions { CommandTimeout = TimeSpan.FromMilliseconds(60) });
        await using var client = await CareLinkTestClient.OpenAsync(stick.PortPath);
        var pages = pump.HistoryPages.Select(p => p.Bytes).ToList();
        var random = new Random(99);
        long written = 0;

        for (var i = 0; i < 45; i++)
        {
            var valid = ValidCommands[random.Next(ValidCommands.Length)];
            byte[] input;
            switch (i % 3)
            {
                case 0:
                    input = new byte[random.Next(1, 48)];
                    random.NextBytes(input);
                    break;
                case 1:
                    input = [.. valid];
                    input[random.Next(input.Length)] ^= (byte)random.Next(1, 256);
                    break;
                default:
                    input = valid[..random.Next(1, valid.Length)];
                    break;
            }

            // The stick takes the input, answers it, and drops a piece left over once its command
            // timeout has passed, and its answers have come over; only then does the next command
            // go, however slow the machine.
            await client.WriteAsync(input);
            written += input.Length;
            using (var settle = new CancellationTokenSource(TimeSpan.FromSeconds(10)))
            {
                while (stick.BytesReceived < written || !stick.IsIdle || client.BytesReceived < stick.BytesSent)
                {
                    await Task.Delay(10, settle.Token);
                }
            }

            var info = await client.ProductInfoAsync();
            written += CareLinkStick.ProductInfo().Length;
            Assert.Equal("ComLink II", info.Description);
        }

        Assert.False(stick.Completion.IsCompleted);
        Assert.All(stick.Received, c => Assert.True(c.Opcode != CareLinkOpcode.TransmitPacket || Enum.IsDefined(c.Packet!.Code)));
        Assert.All(stick.RefusedCommands, r => Assert.Equal((byte)CareLinkOpcode.TransmitPacket, r.Bytes[0]));
        Assert.Equal(pages, pump.HistoryPages.Select(p => p.Bytes));
        var usb = stick.UsbStatistics;
        Assert.True(usb.Naks > 0 && usb.Timeouts > 0, $"{usb.Naks} NAKs and {usb.Timeouts} timeouts: the inputs did not reach the rejecting paths");
    }

    [Fact]
    public async Task A_command_sent_in_pieces_is_framed_whole_and_one_left_half_way_is_dropped()
    {
        await using var pump = FixturePump(new ParadigmPumpOptions { StartAwake = true });

        // The stick's clock only moves when the test says: a gap between pieces is no timeout, a
        // half command is dropped once the clock has passed the timeout, however loaded the machine.
        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var stick = CareLinkStickEmulator.Start(pump, new CareLinkStickOptions { CommandTimeout = TimeSpan.FromMilliseconds(200), Clock = clock });
        await using var client = await CareLinkTestClient.OpenAsync(stick.PortPath);

        var packet = ParadigmCommands.Encode(ParadigmCommands.Read(Serial, ParadigmCommandCode.ReadPumpId));
        await client.WriteAsync(packet[..5]);
        await Task.Delay(50);
        await client.WriteAsync(packet[5..]);
        CareLinkStick.DecodeAck(await client.ReadAsync(64));

        await client.WriteAsync(packet[..10]);
        using (var cancel = new CancellationTokenSource(TimeSpan.FromSeconds(10)))
        {
            while (stick.UsbStatistics.Timeouts == 0)
            {
                clock.Advance(TimeSpan.FromMilliseconds(250));
                await Task.Delay(20, cancel.Token);
            }
        }

        Assert.Equal("ComLink II", (await client.ProductInfoAsync()).Description);
        Assert.Equal((byte)1, stick.UsbStatistics.Timeouts);
    }
}
