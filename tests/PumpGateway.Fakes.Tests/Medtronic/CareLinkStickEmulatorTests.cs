using PumpGateway.Codecs;
using PumpGateway.Devices.Medtronic;
using PumpGateway.Fakes.Medtronic;
using PumpGateway.Protocol;
using PumpGateway.TestSupport;

namespace PumpGateway.Fakes.Tests.Medtronic;

/// <summary>
/// The emulated stick on its pty with the real pages of pump 578398 behind it (shared/fixtures/
/// medtronic/578398, from openaps/decocare analysis/578398), read by a host written with the codecs.
/// Captured bytes come from the same folder's download.log (decocare's USB trace of that pump).
/// </summary>
public sealed class CareLinkStickEmulatorTests
{
    internal const string Serial = "578398";

    /// <summary>download.log line 11: the stick's ProductInfo reply (the rest of the 64 bytes is zero).</summary>
    private const string CapturedProductInfo = "01 55 00 08 0e 00 00 00 00 43 6f 6d 4c 69 6e 6b 20 49 49 01 10 02 00 01 01 03";

    /// <summary>download.log line 253: the first ReadRadio(78) of page 0, signal strength 0xCE; vector M-7 of the protocol notes.</summary>
    private const string CapturedFirstRead =
        "02 00 04 00 ce 00 40 a7 01 57 83 98 3d 5c 2c 06 cc 04 06 d6 04 06 e0 04 68 ea 04 06 f4 04 06 fe " +
        "04 08 08 14 06 12 14 06 1c 14 08 26 14 06 30 14 06 3a 14 a2 44 14 48 d0 14 01 1e 1e 00 60 03 51 " +
        "1d 0f 0b 65 2a 51 1c 31 bd 8f 0a d8 78 03";

    internal static ParadigmPumpEmulator FixturePump(ParadigmPumpOptions? options = null) =>
        ParadigmPumpEmulator.FromCapture(SharedFiles.Fixture("medtronic", Serial), MedtronicModel.Paradigm522, (options ?? new ParadigmPumpOptions()) with { Serial = Serial });

    internal static byte[] FixturePage(int page) => File.ReadAllBytes(SharedFiles.Fixture("medtronic", Serial, $"ReadHistoryData-page-{page}.data"));

    internal static ParadigmCommand Read(ParadigmCommandCode code, string serial = Serial) => ParadigmCommands.Read(serial, code);

    [Fact]
    public async Task Every_fixture_page_of_pump_578398_reads_through_the_stick_byte_identical()
    {
        await using var pump = FixturePump();
        await using var stick = CareLinkStickEmulator.Start(pump);
        await using var client = await CareLinkTestClient.OpenAsync(stick.PortPath);

        Assert.Equal("ComLink II", (await client.ProductInfoAsync()).Description);
        await client.WakeAsync(Serial);
        Assert.Equal("522", ParadigmReplies.DecodePumpModel(await client.RequireAsync(Read(ParadigmCommandCode.ReadPumpModel))));
        Assert.Equal(10u, ParadigmReplies.DecodeCurrentPageNumber(await client.RequireAsync(Read(ParadigmCommandCode.ReadCurPageNumber))));
        for (byte page = 0; page <= 10; page++)
        {
            var reply = await client.RequireAsync(ParadigmCommands.ReadHistoryData(Serial, page));
            Assert.True(FixturePage(page).AsSpan().SequenceEqual(ParadigmReplies.DecodePage(reply)), $"page {page} differs from its fixture");
        }

        var glucose = ParadigmReplies.DecodeCurrentGlucosePageNumber(await client.RequireAsync(Read(ParadigmCommandCode.ReadCurGlucosePageNumber)));
        Assert.Equal(new ParadigmGlucosePageNumber(6, 1, 0), glucose);
        var glucosePage = await client.RequireAsync(ParadigmCommands.ReadGlucoseHistory(Serial, glucose.CurrentPage));
        Assert.Equal(File.ReadAllBytes(SharedFiles.Fixture("medtronic", Serial, "ReadGlucoseHistory-page-6.data")), glucosePage);

        // The ground truth is the fixture decoded: 11 pages whose records re-encode to the served bytes.
        Assert.Equal(11, pump.HistoryPages.Count);
        Assert.All(pump.HistoryPages, p => Assert.Equal(p.Bytes, MedtronicPageCodec.Encode(new MedtronicHistoryPage(MedtronicModel.Paradigm522, [.. p.Entries!.Select(e => e.Record)]))));
        Assert.Equal(169, pump.GlucosePages.Single().Entries!.Count(e => e.Record is MedtronicSensorGlucose));

        Assert.Empty(stick.RefusedCommands);
        var packets = stick.Received.Where(c => c.Opcode == CareLinkOpcode.TransmitPacket).Select(c => c.Packet!.Code).ToList();
        Assert.Equal(16, packets.Count);
        Assert.All(packets, code => Assert.True(Enum.IsDefined(code)));
    }

    [Fact]
    public async Task A_page_comes_in_ten_radio_reads_of_64_and_128_bytes_like_the_capture_and_the_first_is_the_captured_one()
    {
        await using var pump = FixturePump();
        await using var stick = CareLinkStickEmulator.Start(pump, new CareLinkStickOptions { SignalStrength = 0xCE });
        await using var client = await CareLinkTestClient.OpenAsync(stick.PortPath);
        await client.WakeAsync(Serial);

        var command = ParadigmCommands.ReadHistoryData(Serial, 0);
        var ack = await client.TransmitAsync(ParadigmCommands.Encode(command));
        CareLinkStick.DecodeAck(ack);
        Assert.Equal(78, await client.WaitForRadioAsync(TimeSpan.FromSeconds(1)));
        var first = await client.ReadRadioAsync(78);
        Assert.Equal(Hex.Parse(CapturedFirstRead), first);

        var reply = new ParadigmReplyAssembler(command);
        reply.Append(first);
        var sizes = new List<int> { 78 };
        while (!reply.IsComplete)
        {
            var waiting = await client.WaitForRadioAsync(TimeSpan.FromSeconds(1));
            sizes.Add(waiting);
            reply.Append(await client.ReadRadioAsync(waiting));
        }

        Assert.Equal([78, 142, 142, 78, 142, 142, 78, 142, 142, 78], sizes);
        Assert.Equal(FixturePage(0), reply.ToArray());

        // A small read is one frame: status 3 and end-of-data, as the capture's ReadCurPageNumber.
        client.RadioReads.Clear();
        await client.RequireAsync(Read(ParadigmCommandCode.ReadCurPageNumber));
        Assert.Equal([(78, true)], client.RadioReads);
        Assert.Equal(0, (await client.LinkStatusAsync()).BytesWaiting);
    }

    [Fact]
    public async Task The_stick_replies_ProductInfo_as_captured_and_the_signal_strength_it_is_given()
    {
        await using var pump = FixturePump();
        await using var stick = CareLinkStickEmulator.Start(pump, new CareLinkStickOptions { SignalStrength = 190 });
        await using var client = await CareLinkTestClient.OpenAsync(stick.PortPath);

        var productInfo = await client.ExchangeAsync(CareLinkStick.ProductInfo(), 64);
        Assert.Equal([.. Hex.Parse(CapturedProductInfo), .. new byte[64 - 26]], productInfo);
        var info = CareLinkStick.DecodeProductInfo(productInfo);
        Assert.Equal(("080e00", "1.16", 916.5m), (info.Serial, info.SoftwareVersion.ToString(), info.FrequencyMHz));
        Assert.Equal(190, await client.SignalStrengthAsync());
        Assert.Equal(new CareLinkLinkStatus(CareLinkLinkFlags.Ok, 0), await client.LinkStatusAsync());
    }

    [Fact]
    public async Task The_small_reads_answer_the_pump_model_clock_id_battery_reservoir_firmware_and_error_status()
    {
        var offset = TimeSpan.FromMinutes(-37);
        await using var pump = FixturePump(new ParadigmPumpOptions
        {
            ClockOffset = offset,
            Battery = new ParadigmBatteryStatus(ParadigmBatteryIndicator.Low, 1.21m),
            RemainingInsulin = 42.37m,
            ErrorStatus = 4,
            FirmwareVersion = "VER 2.4A1.1",
        });
        await using var stick = CareLinkStickEmulator.Start(pump);
        await using var client = await CareLinkTestClient.OpenAsync(stick.PortPath);
        await client.WakeAsync(Serial);

        var before = DateTime.UtcNow + offset;
        var clock = ParadigmReplies.DecodeRtc(await client.RequireAsync(Read(ParadigmCommandCode.ReadRtc)));
        var after = DateTime.UtcNow + offset;
        Assert.InRange(clock, before.AddSeconds(-1), after);
        Assert.Equal(Serial, ParadigmReplies.DecodePumpId(await client.RequireAsync(Read(ParadigmCommandCode.ReadPumpId))));
        Assert.Equal(new ParadigmBatteryStatus(ParadigmBatteryIndicator.Low, 1.21m), ParadigmReplies.DecodeBatteryStatus(await client.RequireAsync(Read(ParadigmCommandCode.ReadBatteryStatus))));

        // A 522 counts 10 strokes per unit: 42.37 U left reads as the 423 whole strokes.
        Assert.Equal(42.3m, ParadigmReplies.DecodeRemainingInsulin(await client.RequireAsync(Read(ParadigmCommandCode.ReadRemainingInsulin)), 10));
        Assert.Equal("VER 2.4A1.1", ParadigmReplies.DecodeFirmwareVersion(await client.RequireAsync(Read(ParadigmCommandCode.ReadFirmwareVersion))));
        Assert.Equal(4, ParadigmReplies.DecodeErrorStatus(await client.RequireAsync(Read(ParadigmCommandCode.ReadErrorStatus))));
    }

    [Fact]
    public async Task A_sleeping_pump_does_not_answer_and_PowerControl_keeps_its_radio_on_for_its_minutes()
    {
        var clock = new ManualClock(new DateTimeOffset(2026, 11, 1, 8, 0, 0, TimeSpan.Zero));
        await using var pump = FixturePump(new ParadigmPumpOptions { Clock = clock });
        await using var stick = CareLinkStickEmulator.Start(pump);
        await using var client = await CareLinkTestClient.OpenAsync(stick.PortPath);

        Assert.False(pump.IsAwake);
        Assert.Null(await client.PumpAsync(Read(ParadigmCommandCode.ReadPumpModel), TimeSpan.FromMilliseconds(300)));
        Assert.Equal(1, stick.RadioStatistics.Timeouts);

        await client.WakeAsync(Serial, minutes: 2);
        Assert.True(pump.IsAwake);
        Assert.Equal("522", ParadigmReplies.DecodePumpModel(await client.RequireAsync(Read(ParadigmCommandCode.ReadPumpModel))));
        Assert.Equal(new DateTime(2026, 11, 1, 8, 0, 0), ParadigmReplies.DecodeRtc(await client.RequireAsync(Read(ParadigmCommandCode.ReadRtc))));

        clock.Advance(TimeSpan.FromMinutes(2) - TimeSpan.FromSeconds(1));
        Assert.NotNull(await client.PumpAsync(Read(ParadigmCommandCode.ReadPumpModel)));
        clock.Advance(TimeSpan.FromSeconds(1));
        Assert.False(pump.IsAwake);
        Assert.Null(await client.PumpAsync(Read(ParadigmCommandCode.ReadPumpModel), TimeSpan.FromMilliseconds(300)));
        Assert.Equal(2, stick.RadioStatistics.Timeouts);
    }

    [Fact]
    public async Task A_command_for_another_serial_gets_no_answer_over_the_air_and_does_not_wake_the_pump()
    {
        await using var pump = FixturePump();
        await using var stick = CareLinkStickEmulator.Start(pump);
        await using var client = await CareLinkTestClient.OpenAsync(stick.PortPath);

        await client.WakeAsync("123456");
        Assert.False(pump.IsAwake);
        await client.WakeAsync(Serial);
        Assert.Null(await client.PumpAsync(Read(ParadigmCommandCode.ReadPumpModel, "578399"), TimeSpan.FromMilliseconds(300)));
        Assert.Equal("522", ParadigmReplies.DecodePumpModel(await client.RequireAsync(Read(ParadigmCommandCode.ReadPumpModel))));

        // The stick sent all four; the pump acknowledged its own wake-up and answered its own read.
        var radio = stick.RadioStatistics;
        Assert.Equal((4u, 2u, (byte)2), (radio.PacketsTransmitted, radio.PacketsReceived, radio.Timeouts));
    }

    /// <summary>
    /// Command codes of the pump that change therapy or settings (the codec's ParadigmCommandCode
    /// names them as absent; decocare commands.py: Bolus 66, SetRTC 64, TempBasal 76, PumpSuspend 77,
    /// PushButton 91, TempBasalPercent 105), each hand-built into a well-formed TransmitPacket.
    /// </summary>
    [Theory]
    [InlineData(66, "00 28")]
    [InlineData(76, "00 14 02")]
    [InlineData(105, "32 02")]
    [InlineData(77, "01")]
    [InlineData(64, "08 00 00 07 E6 0B 01")]
    [InlineData(91, "04")]
    public async Task A_command_that_is_not_a_read_is_NAKed_never_sent_and_kept_in_RefusedCommands(byte code, string parameters)
    {
        await using var pump = FixturePump();
        await using var stick = CareLinkStickEmulator.Start(pump);
        await using var client = await CareLinkTestClient.OpenAsync(stick.PortPath);
        await client.WakeAsync(Serial);
        var pages = pump.HistoryPages.Select(p => p.Bytes).ToList();
        var transmitted = stick.RadioStatistics.PacketsTransmitted;

        var packet = Packet(Serial, code, Hex.Parse(parameters));
        var reply = await client.TransmitAsync(packet);
        Assert.Equal(new byte[] { 0x01, 0x66 }, reply[..2]);
        Assert.Equal(ProtocolErrorKind.DeviceError, Assert.Throws<ProtocolException>(() => CareLinkStick.DecodeAck(reply)).Kind);

        var refused = Assert.Single(stick.RefusedCommands);
        Assert.Equal(packet, refused.Bytes);
        Assert.Equal(((byte?)code, ProtocolErrorKind.UnknownCommand), (refused.CommandCode, refused.Reason));
        Assert.Equal(transmitted, stick.RadioStatistics.PacketsTransmitted);
        Assert.Equal(0, (await client.LinkStatusAsync()).BytesWaiting);
        Assert.DoesNotContain(stick.Received, c => c.Opcode == CareLinkOpcode.TransmitPacket && c.Packet!.Code != ParadigmCommandCode.PowerControl);
        Assert.Equal(pages, pump.HistoryPages.Select(p => p.Bytes));
        Assert.Equal(1, stick.UsbStatistics.Naks);
    }

    [Fact]
    public async Task A_page_the_pump_does_not_hold_is_NAKed_over_the_air()
    {
        await using var pump = FixturePump();
        await using var stick = CareLinkStickEmulator.Start(pump);
        await using var client = await CareLinkTestClient.OpenAsync(stick.PortPath);
        await client.WakeAsync(Serial);

        var error = await Assert.ThrowsAsync<ProtocolException>(() => client.PumpAsync(ParadigmCommands.ReadHistoryData(Serial, 11)));
        Assert.Equal((ProtocolErrorKind.DeviceError, 2), (error.Kind, error.Offset));
        await Assert.ThrowsAsync<ProtocolException>(() => client.PumpAsync(ParadigmCommands.ReadGlucoseHistory(Serial, 5)));
        Assert.Equal(2, stick.RadioStatistics.Naks);
    }

    [Fact]
    public async Task A_ReadRadio_gets_exactly_the_bytes_it_asks_for_and_a_radio_timeout_when_nothing_waits()
    {
        await using var pump = FixturePump();
        await using var stick = CareLinkStickEmulator.Start(pump);
        await using var client = await CareLinkTestClient.OpenAsync(stick.PortPath);
        await client.WakeAsync(Serial);

        var nothing = await client.ReadRadioAsync(64);
        Assert.Equal(64, nothing.Length);
        Assert.Equal((ProtocolErrorKind.DeviceError, 2), Assert.Throws<ProtocolException>(() => CareLinkStick.DecodeRadioReply(nothing)) is var e ? (e.Kind, e.Offset) : default);

        CareLinkStick.DecodeAck(await client.TransmitAsync(ParadigmCommands.Encode(Read(ParadigmCommandCode.ReadPumpId))));
        Assert.Equal(78, await client.WaitForRadioAsync(TimeSpan.FromSeconds(1)));
        var longer = await client.ReadRadioAsync(100);
        Assert.Equal(100, longer.Length);
        Assert.Equal(Serial, ParadigmReplies.DecodePumpId(CareLinkStick.DecodeRadioReply(longer.AsSpan(0, 78)).Data));
        Assert.All(longer[78..], b => Assert.Equal(0, b));
    }

    [Fact]
    public async Task The_statistics_count_what_happened_on_both_sides()
    {
        await using var pump = FixturePump();
        await using var stick = CareLinkStickEmulator.Start(pump);
        await using var client = await CareLinkTestClient.OpenAsync(stick.PortPath);
        await client.ProductInfoAsync();
        await client.WakeAsync(Serial);
        await client.RequireAsync(ParadigmCommands.ReadHistoryData(Serial, 3));
        Assert.Null(await client.PumpAsync(Read(ParadigmCommandCode.ReadPumpModel, "111111"), TimeSpan.FromMilliseconds(200)));
        await client.TransmitAsync(Packet(Serial, 66, [0x00, 0x28]));
        var badCrc = CareLinkStick.ReadRadio(64);
        badCrc[4] ^= 0x01;
        Assert.Equal(0x66, (await client.ExchangeAsync(badCrc, 64))[1]);

        var radio = await client.StatisticsAsync(CareLinkInterface.Radio);
        Assert.Equal(new CareLinkInterfaceStatistics(0, 0, 0, 1, 1 + 10, 3), radio);
        var usb = await client.StatisticsAsync(CareLinkInterface.Usb);
        Assert.Equal((byte)0, usb.SequenceErrors);
        Assert.Equal((1, 2, 0), (usb.CrcErrors, usb.Naks, usb.Timeouts));

        // Everything the host sent was counted, the bolus and the bad ReadRadio too; the reply to the statistics itself is not out yet.
        Assert.Equal((uint)(stick.Received.Count + 2), usb.PacketsReceived);
        Assert.Equal(usb.PacketsReceived - 1, usb.PacketsTransmitted);
    }

    internal static byte[] Packet(string serial, byte code, byte[] parameters)
    {
        var packet = new List<byte> { 0x01, 0x00, 0xA7, 0x01 };
        packet.AddRange(Convert.FromHexString(serial));
        packet.AddRange([(byte)(0x80 | (parameters.Length >> 8)), (byte)parameters.Length, 0x00, 0x02, 0x01, 0x00, code]);
        packet.Add(Crc8.Compute([.. packet]));
        packet.AddRange(parameters);
        packet.Add(Crc8.Compute(parameters));
        return [.. packet];
    }
}

/// <summary>A clock the test moves by hand.</summary>
internal sealed class ManualClock(DateTimeOffset start) : TimeProvider
{
    private DateTimeOffset _now = start;

    public override DateTimeOffset GetUtcNow() => _now;

    public void Advance(TimeSpan by) => _now += by;
}
