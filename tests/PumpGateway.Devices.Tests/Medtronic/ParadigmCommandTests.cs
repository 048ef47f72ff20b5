using PumpGateway.Codecs;
using PumpGateway.Devices.Medtronic;
using PumpGateway.Protocol;
using PumpGateway.TestSupport;

namespace PumpGateway.Devices.Tests.Medtronic;

/// <summary>The TransmitPacket of each pump command: vectors M-3 to M-6 of shared/protocols/medtronic-paradigm.md and decocare's doctests.</summary>
public sealed class ParadigmCommandTests
{
    public static TheoryData<string, ParadigmCommand> PacketVectors => new()
    {
        // M-3: openaps/decocare decocare/commands.py ReadHistoryData._test_ok
        { "01 00 A7 01 20 88 50 80 01 00 02 02 00 80 9B 03 36", ParadigmCommands.ReadHistoryData("208850", 3) },
        // M-4: openaps/decocare decocare/commands.py PowerControl._test_ok
        { "01 00 A7 01 66 54 55 80 02 55 00 00 00 5D E6 01 0A A2", ParadigmCommands.PowerControl("665455", 10) },
        // M-5: captured, download.log lines 197, 1891, 2645, 3399, 4153
        { "01 00 A7 01 57 83 98 80 01 00 02 02 00 80 C1 00 00", ParadigmCommands.ReadHistoryData("578398", 0) },
        { "01 00 A7 01 57 83 98 80 01 00 02 02 00 80 C1 01 9B", ParadigmCommands.ReadHistoryData("578398", 1) },
        { "01 00 A7 01 57 83 98 80 01 00 02 02 00 80 C1 02 AD", ParadigmCommands.ReadHistoryData("578398", 2) },
        { "01 00 A7 01 57 83 98 80 01 00 02 02 00 80 C1 03 36", ParadigmCommands.ReadHistoryData("578398", 3) },
        { "01 00 A7 01 57 83 98 80 01 00 02 02 00 80 C1 04 C1", ParadigmCommands.ReadHistoryData("578398", 4) },
        // M-6: captured, download.log line 1023
        { "01 00 A7 01 57 83 98 80 00 00 02 01 00 9D AF 00", ParadigmCommands.Read("578398", ParadigmCommandCode.ReadCurPageNumber) },
        // openaps/decocare decocare/commands.py ReadPumpModel._test_ok and ReadErrorStatus._test_ok
        { "01 00 A7 01 66 54 55 80 00 00 02 01 00 8D 5B 00", ParadigmCommands.Read("665455", ParadigmCommandCode.ReadPumpModel) },
        { "01 00 A7 01 66 54 55 80 00 00 02 01 00 75 D7 00", ParadigmCommands.Read("665455", ParadigmCommandCode.ReadErrorStatus) },
        // openaps/decocare decocare/commands.py ReadGlucoseHistory doctest, pages 1 and 3
        { "01 00 A7 01 20 88 50 80 04 00 02 02 00 9A 22 00 00 00 01 9B", ParadigmCommands.ReadGlucoseHistory("208850", 1) },
        { "01 00 A7 01 20 88 50 80 04 00 02 02 00 9A 22 00 00 00 03 36", ParadigmCommands.ReadGlucoseHistory("208850", 3) },
    };

    [Theory]
    [MemberData(nameof(PacketVectors))]
    public void Published_and_captured_packets_encode_byte_for_byte_and_decode_back(string hex, ParadigmCommand command)
    {
        var bytes = Hex.Parse(hex);
        Assert.Equal(bytes, ParadigmCommands.Encode(command));
        Assert.Equal(command, ParadigmCommands.Decode(bytes));
        Assert.Equal(new CareLinkCommand(CareLinkOpcode.TransmitPacket) { Packet = command }, CareLinkStick.DecodeCommand(bytes));
    }

    [Fact]
    public void M3_and_m5_crcs_are_the_published_ones()
    {
        var m3 = Hex.Parse("01 00 A7 01 20 88 50 80 01 00 02 02 00 80 9B 03 36");
        Assert.Equal(0x9B, Crc8.Compute(m3.AsSpan(0, 14)));
        Assert.Equal(0x36, Crc8.Compute([0x03]));
        Assert.Equal([0x00, 0x9B, 0xAD, 0x36, 0xC1], Enumerable.Range(0, 5).Select(p => Crc8.Compute([(byte)p])));
    }

    public static TheoryData<ParadigmCommandCode, int, int> ReplyLengths => new()
    {
        { ParadigmCommandCode.PowerControl, 0, 0 },
        { ParadigmCommandCode.ReadPumpModel, 64, 1 },
        { ParadigmCommandCode.ReadRtc, 64, 1 },
        { ParadigmCommandCode.ReadPumpId, 64, 1 },
        { ParadigmCommandCode.ReadBatteryStatus, 64, 1 },
        { ParadigmCommandCode.ReadRemainingInsulin, 64, 1 },
        { ParadigmCommandCode.ReadFirmwareVersion, 64, 1 },
        { ParadigmCommandCode.ReadErrorStatus, 64, 1 },
        { ParadigmCommandCode.ReadCurPageNumber, 64, 1 },
        { ParadigmCommandCode.ReadCurGlucosePageNumber, 64, 1 },
        { ParadigmCommandCode.ReadHistoryData, 1024, 2 },
        { ParadigmCommandCode.ReadGlucoseHistory, 1024, 2 },
    };

    [Theory]
    [MemberData(nameof(ReplyLengths))]
    public void Every_command_round_trips_and_states_its_reply_length_and_frames_byte(ParadigmCommandCode code, int replyLength, int framesByte)
    {
        var command = code switch
        {
            ParadigmCommandCode.PowerControl => ParadigmCommands.PowerControl("123456", 3),
            ParadigmCommandCode.ReadHistoryData => ParadigmCommands.ReadHistoryData("123456", 35),
            ParadigmCommandCode.ReadGlucoseHistory => ParadigmCommands.ReadGlucoseHistory("123456", 0x01020304),
            _ => ParadigmCommands.Read("123456", code),
        };
        var bytes = ParadigmCommands.Encode(command);
        Assert.Equal(command, ParadigmCommands.Decode(bytes));
        Assert.Equal(bytes, ParadigmCommands.Encode(ParadigmCommands.Decode(bytes)));
        Assert.Equal((byte)code, bytes[13]);
        Assert.Equal(framesByte, bytes[11]);
        Assert.Equal(replyLength, ParadigmCommands.ExpectedReplyLength(code));
    }

    [Theory]
    [InlineData(66)] // Bolus
    [InlineData(76)] // TempBasal
    [InlineData(105)] // TempBasalPercent
    [InlineData(77)] // SetSuspend / resume
    [InlineData(64)] // SetRTC
    [InlineData(91)] // KeypadPush
    [InlineData(74)] // SelectBasalProfile
    [InlineData(78)] // SetAutoOff
    [InlineData(131)] // ReadPumpState: a read, but not one of a download
    public void A_command_outside_the_download_reads_is_an_unknown_command_even_with_good_crcs(byte code)
    {
        Assert.False(Enum.IsDefined((ParadigmCommandCode)code));
        foreach (var parameters in new byte[][] { [], [0x00, 0x32] })
        {
            var packet = Packet("578398", code, parameters);
            var error = Assert.Throws<ProtocolException>(() => ParadigmCommands.Decode(packet));
            Assert.Equal((ProtocolErrorKind.UnknownCommand, 13), (error.Kind, error.Offset));
            Assert.Equal(ProtocolErrorKind.UnknownCommand, Assert.Throws<ProtocolException>(() => CareLinkStick.DecodeCommand(packet)).Kind);
        }
    }

    [Fact]
    public void The_serial_is_written_as_its_digits_in_hex_nibbles()
    {
        var bytes = ParadigmCommands.Encode(ParadigmCommands.Read("578398", ParadigmCommandCode.ReadPumpModel));
        Assert.Equal(Hex.Parse("57 83 98"), bytes[4..7]);
        Assert.Equal("090909", ParadigmCommands.Decode(ParadigmCommands.Encode(ParadigmCommands.Read("090909", ParadigmCommandCode.ReadRtc))).PumpSerial);
    }

    [Theory]
    [InlineData(2, 0xA8, false, ProtocolErrorKind.BadMarker, 2)]
    [InlineData(5, 0x8A, false, ProtocolErrorKind.OutOfRange, 5)]
    [InlineData(7, 0x00, false, ProtocolErrorKind.BadMarker, 7)]
    [InlineData(14, 0xC2, false, ProtocolErrorKind.BadCrc, 14)]
    [InlineData(9, 0x55, true, ProtocolErrorKind.ReservedValue, 9)]
    [InlineData(11, 0x01, true, ProtocolErrorKind.OutOfRange, 11)]
    [InlineData(12, 0x01, true, ProtocolErrorKind.ReservedValue, 12)]
    [InlineData(8, 0x02, true, ProtocolErrorKind.BadLength, 7)]
    [InlineData(16, 0x9A, false, ProtocolErrorKind.BadCrc, 16)]
    public void History_read_corruption_is_named_with_its_offset(int index, byte value, bool fixHeaderCrc, ProtocolErrorKind kind, int offset)
    {
        var bytes = Hex.Parse("01 00 A7 01 57 83 98 80 01 00 02 02 00 80 C1 01 9B");
        bytes[index] = value;
        if (fixHeaderCrc)
        {
            bytes[14] = Crc8.Compute(bytes.AsSpan(0, 14));
        }

        var error = Assert.Throws<ProtocolException>(() => ParadigmCommands.Decode(bytes));
        Assert.Equal((kind, offset), (error.Kind, error.Offset));
    }

    [Theory]
    [InlineData("01 00 A7 01 57 83 98 80 01 00 02 02 00 80 C1 01", ProtocolErrorKind.Truncated, 16)]
    [InlineData("01 00 A7 01 57 83 98 80 01 00 02 02 00 80 C1 01 9B 00", ProtocolErrorKind.BadLength, 17)]
    [InlineData("01 00 A7 01 57 83 98 80 00 00 02 01 00 9D AF", ProtocolErrorKind.Truncated, 15)]
    public void Short_and_long_packets_are_rejected(string hex, ProtocolErrorKind kind, int offset)
    {
        var error = Assert.Throws<ProtocolException>(() => ParadigmCommands.Decode(Hex.Parse(hex)));
        Assert.Equal((kind, offset), (error.Kind, error.Offset));
    }

    [Fact]
    public void Power_control_only_turns_the_radio_on()
    {
        var off = Packet("665455", 93, [0x00, 0x00], button: 0x55, retries: 0, frames: 0);
        var error = Assert.Throws<ProtocolException>(() => ParadigmCommands.Decode(off));
        Assert.Equal((ProtocolErrorKind.OutOfRange, 15), (error.Kind, error.Offset));
    }

    [Fact]
    public void Encoders_refuse_parameters_that_do_not_belong_to_the_command()
    {
        Assert.Throws<ArgumentException>(() => ParadigmCommands.Read("578398", ParadigmCommandCode.ReadHistoryData));
        Assert.Throws<ArgumentException>(() => ParadigmCommands.Read("57839", ParadigmCommandCode.ReadRtc));
        Assert.Throws<ArgumentException>(() => ParadigmCommands.Read("57839A", ParadigmCommandCode.ReadRtc));
        Assert.Throws<ArgumentOutOfRangeException>(() => ParadigmCommands.Read("578398", (ParadigmCommandCode)66));
        Assert.Throws<ArgumentOutOfRangeException>(() => ParadigmCommands.Encode(ParadigmCommands.ReadHistoryData("578398", 1) with { Page = 256 }));
        Assert.Throws<ArgumentException>(() => ParadigmCommands.Encode(ParadigmCommands.Read("578398", ParadigmCommandCode.ReadRtc) with { Page = 1 }));
        Assert.Throws<ArgumentException>(() => ParadigmCommands.Encode(ParadigmCommands.Read("578398", ParadigmCommandCode.ReadRtc) with { RadioOnMinutes = 1 }));
    }

    /// <summary>A TransmitPacket built field by field, CRCs right, for codes the codec refuses to encode.</summary>
    private static byte[] Packet(string serial, byte code, byte[] parameters, byte button = 0, byte retries = 2, byte frames = 1)
    {
        byte[] head = [0x01, 0x00, 0xA7, 0x01, .. Hex.Parse(serial), (byte)(0x80 | (parameters.Length >> 8)), (byte)parameters.Length, button, retries, frames, 0x00, code];
        return [.. head, Crc8.Compute(head), .. parameters, Crc8.Compute(parameters)];
    }
}
