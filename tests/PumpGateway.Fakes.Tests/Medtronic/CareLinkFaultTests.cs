using System.Diagnostics;
using PumpGateway.Devices.Medtronic;
using PumpGateway.Fakes.Medtronic;
using PumpGateway.Protocol;
using static PumpGateway.Fakes.Tests.Medtronic.CareLinkStickEmulatorTests;

namespace PumpGateway.Fakes.Tests.Medtronic;

/// <summary>Each fault switch of the emulated stick does what it says, and then stops.</summary>
public sealed class CareLinkFaultTests
{
    [Fact]
    public async Task Dropping_the_link_after_N_bytes_sends_exactly_N_and_hangs_up()
    {
        await using var pump = FixturePump();
        await using var stick = CareLinkStickEmulator.Start(pump);
        await using var client = await CareLinkTestClient.OpenAsync(stick.PortPath);
        stick.Faults.DropLinkAfterBytes = 64 + 10;

        await client.ProductInfoAsync();
        Assert.Equal(64, stick.BytesSent);
        await client.WriteAsync(CareLinkStick.ProductInfo());
        await stick.Completion.WaitAsync(TimeSpan.FromSeconds(5));
        Assert.Equal(64 + 10, stick.BytesSent);
        Assert.False(File.Exists(stick.PortPath));
        await Assert.ThrowsAnyAsync<IOException>(() => client.ReadAsync(64, TimeSpan.FromSeconds(5)));
    }

    [Fact]
    public async Task Corrupting_the_next_reply_flips_one_byte_a_reader_checks_and_only_that_reply()
    {
        await using var pump = FixturePump();
        await using var stick = CareLinkStickEmulator.Start(pump);
        await using var client = await CareLinkTestClient.OpenAsync(stick.PortPath);
        var clean = await client.ExchangeAsync(CareLinkStick.ProductInfo(), 64);

        stick.Faults.CorruptNext(2);
        for (var i = 0; i < 2; i++)
        {
            var corrupt = await client.ExchangeAsync(CareLinkStick.ProductInfo(), 64);
            var changed = Enumerable.Range(0, 64).Where(k => corrupt[k] != clean[k]).ToList();
            Assert.InRange(Assert.Single(changed), 0, 25);
        }

        Assert.Equal(clean, await client.ExchangeAsync(CareLinkStick.ProductInfo(), 64));

        // A radio read is corrupted anywhere in it: one of its CRC-8s or its markers catch it.
        await client.WakeAsync(Serial);
        CareLinkStick.DecodeAck(await client.TransmitAsync(ParadigmCommands.Encode(Read(ParadigmCommandCode.ReadPumpModel))));
        var waiting = await client.WaitForRadioAsync(TimeSpan.FromSeconds(1));
        stick.Faults.CorruptNext(1);
        var read = await client.ReadRadioAsync(waiting);
        Assert.Throws<ProtocolException>(() => CareLinkStick.DecodeRadioReply(read));
        Assert.Equal("522", ParadigmReplies.DecodePumpModel(await client.RequireAsync(Read(ParadigmCommandCode.ReadPumpModel))));
    }

    [Fact]
    public async Task Stalling_the_next_reply_holds_it_back_for_the_stall_duration()
    {
        await using var pump = FixturePump();
        await using var stick = CareLinkStickEmulator.Start(pump);
        await using var client = await CareLinkTestClient.OpenAsync(stick.PortPath);
        stick.Faults.StallDuration = TimeSpan.FromMilliseconds(800);
        stick.Faults.StallNext(1);

        var late = Stopwatch.StartNew();
        await Assert.ThrowsAsync<TimeoutException>(() => client.ExchangeAsync(CareLinkStick.SignalStrength(), 64, TimeSpan.FromMilliseconds(300)));
        var reply = await client.ReadAsync(64);
        Assert.Equal(196, CareLinkStick.DecodeSignalStrength(reply));
        Assert.InRange(late.Elapsed, TimeSpan.FromMilliseconds(790), TimeSpan.FromSeconds(3));

        var prompt = Stopwatch.StartNew();
        await client.ProductInfoAsync();
        Assert.True(prompt.Elapsed < TimeSpan.FromMilliseconds(700), $"the next reply took {prompt.Elapsed}");
    }

    [Fact]
    public async Task NAKing_the_next_TransmitPackets_sends_none_of_them_over_the_air()
    {
        await using var pump = FixturePump();
        await using var stick = CareLinkStickEmulator.Start(pump);
        await using var client = await CareLinkTestClient.OpenAsync(stick.PortPath);
        await client.WakeAsync(Serial);
        stick.Faults.NakNextTransmits(2);

        for (var i = 0; i < 2; i++)
        {
            var error = await Assert.ThrowsAsync<ProtocolException>(() => client.PumpAsync(Read(ParadigmCommandCode.ReadPumpModel)));
            Assert.Equal((ProtocolErrorKind.DeviceError, 1), (error.Kind, error.Offset));
            Assert.Equal(0, (await client.LinkStatusAsync()).BytesWaiting);
        }

        Assert.Equal("522", ParadigmReplies.DecodePumpModel(await client.RequireAsync(Read(ParadigmCommandCode.ReadPumpModel))));
        Assert.Equal((2u, (byte)2), (stick.RadioStatistics.PacketsTransmitted, stick.UsbStatistics.Naks));
        Assert.Empty(stick.RefusedCommands);
    }

    [Fact]
    public async Task A_radio_that_always_loses_the_command_gets_no_answer_and_counts_timeouts()
    {
        await using var pump = FixturePump();
        await using var stick = CareLinkStickEmulator.Start(pump);
        await using var client = await CareLinkTestClient.OpenAsync(stick.PortPath);
        await client.WakeAsync(Serial);
        stick.Faults.WeakRadio(1, 0);

        Assert.Null(await client.PumpAsync(Read(ParadigmCommandCode.ReadPumpModel), TimeSpan.FromMilliseconds(250)));
        Assert.Null(await client.PumpAsync(ParadigmCommands.ReadHistoryData(Serial, 0), TimeSpan.FromMilliseconds(250)));
        Assert.Equal(2, stick.RadioStatistics.Timeouts);

        stick.Faults.WeakRadio(0, 0);
        Assert.NotNull(await client.PumpAsync(Read(ParadigmCommandCode.ReadPumpModel)));
    }

    [Fact]
    public async Task A_radio_that_always_hits_the_frames_delivers_reads_with_a_bad_CRC_8()
    {
        await using var pump = FixturePump();
        await using var stick = CareLinkStickEmulator.Start(pump);
        await using var client = await CareLinkTestClient.OpenAsync(stick.PortPath);
        await client.WakeAsync(Serial);
        stick.Faults.WeakRadio(0, 1);

        var error = await Assert.ThrowsAsync<ProtocolException>(() => client.PumpAsync(Read(ParadigmCommandCode.ReadPumpId)));
        Assert.Equal((ProtocolErrorKind.BadCrc, 77), (error.Kind, error.Offset));
        Assert.Equal(1, stick.RadioStatistics.CrcErrors);

        // A page of ten reads loses all ten.
        await Assert.ThrowsAsync<ProtocolException>(() => client.PumpAsync(ParadigmCommands.ReadHistoryData(Serial, 1)));
        Assert.Equal(11, stick.RadioStatistics.CrcErrors);
    }

    [Fact]
    public async Task A_weak_radio_is_seeded_the_same_seed_loses_the_same_commands_and_the_counters_say_how_many()
    {
        async Task<List<bool>> RunAsync(int seed)
        {
            await using var pump = FixturePump();
            await using var stick = CareLinkStickEmulator.Start(pump, new CareLinkStickOptions { FaultSeed = seed });
            await using var client = await CareLinkTestClient.OpenAsync(stick.PortPath);
            await client.WakeAsync(Serial);
            stick.Faults.WeakRadio(0.4, 0.3);
            var outcomes = new List<bool>();
            for (var i = 0; i < 16; i++)
            {
                try
                {
                    // Long enough that an answer the stick gives is never taken for a lost one on a loaded machine.
                    outcomes.Add(await client.PumpAsync(Read(ParadigmCommandCode.ReadPumpModel), TimeSpan.FromMilliseconds(1500)) is not null);
                }
                catch (ProtocolException error) when (error.Kind == ProtocolErrorKind.BadCrc)
                {
                    outcomes.Add(false);
                }
            }

            var radio = stick.RadioStatistics;
            var lost = outcomes.Count(ok => !ok);
            Assert.Equal(lost, radio.Timeouts + radio.CrcErrors);
            Assert.InRange(lost, 1, 15);
            return outcomes;
        }

        var first = await RunAsync(11);
        Assert.Equal(first, await RunAsync(11));
    }
}
