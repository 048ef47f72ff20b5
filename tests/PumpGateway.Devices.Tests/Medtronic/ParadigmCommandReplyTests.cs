using PumpGateway.Devices.Medtronic;
using PumpGateway.Protocol;
using PumpGateway.TestSupport;

namespace PumpGateway.Devices.Tests.Medtronic;

/// <summary>
/// The pump's reply payloads and their reassembly from ReadRadio replies. The rileylink_ios / Loop
/// vectors are message bodies whose first byte the CareLink stick does not deliver: the stick's data is
/// the body from its second byte on, which is where decocare reads the same fields.
/// </summary>
public sealed class ParadigmCommandReplyTests
{
    private static readonly byte[] Page0 = File.ReadAllBytes(SharedFiles.Fixture("medtronic", "578398", "ReadHistoryData-page-0.data"));

    [Fact]
    public void Model_523_from_rileylink_and_522_both_ways()
    {
        // ps2/rileylink_ios MinimedKitTests/Messages/GetPumpModelCarelinkMessageBodyTests.swift: body 09 03 35 32 33 …
        var frame = Frame("03 35 32 33");
        Assert.Equal("523", ParadigmReplies.DecodePumpModel(frame));
        Assert.Equal(frame, ParadigmReplies.EncodePumpModel("523"));
        Assert.Equal(Frame("03 35 32 32"), ParadigmReplies.EncodePumpModel("522"));
        Assert.Equal("522", ParadigmReplies.DecodePumpModel(ParadigmReplies.EncodePumpModel("522")));
    }

    [Fact]
    public void Clock_2016_03_17_22_27_32_from_loop()
    {
        // LoopKit/Loop MinimedKitTests/ReadTimeCarelinkMessageBodyTests.swift: body 07 16 1B 20 07 E0 03 11
        var frame = Frame("16 1B 20 07 E0 03 11");
        var time = ParadigmReplies.DecodeRtc(frame);
        Assert.Equal(new DateTime(2016, 3, 17, 22, 27, 32), time);
        Assert.Equal(DateTimeKind.Unspecified, time.Kind);
        Assert.Equal(frame, ParadigmReplies.EncodeRtc(time));
    }

    [Theory]
    [InlineData("18 00 00 07 E0 03 11", 0)]
    [InlineData("16 3C 00 07 E0 03 11", 1)]
    [InlineData("16 1B 3C 07 E0 03 11", 2)]
    [InlineData("16 1B 20 00 00 03 11", 3)]
    [InlineData("16 1B 20 07 E0 0D 11", 5)]
    [InlineData("16 1B 20 07 E1 02 1D", 6)]
    public void An_impossible_clock_field_is_out_of_range_at_its_offset(string hex, int offset)
    {
        var error = Assert.Throws<ProtocolException>(() => ParadigmReplies.DecodeRtc(Frame(hex)));
        Assert.Equal((ProtocolErrorKind.OutOfRange, offset), (error.Kind, error.Offset));
    }

    [Fact]
    public void Battery_normal_1_40_volts_from_rileylink()
    {
        // ps2/rileylink_ios MinimedKitTests/Messages/GetBatteryCarelinkMessageBodyTests.swift: body 03 00 00 8C
        var frame = Frame("00 00 8C");
        var status = ParadigmReplies.DecodeBatteryStatus(frame);
        Assert.Equal(new ParadigmBatteryStatus(ParadigmBatteryIndicator.Normal, 1.40m), status);
        Assert.Equal(frame, ParadigmReplies.EncodeBatteryStatus(status));
        Assert.Equal(ParadigmBatteryIndicator.Low, ParadigmReplies.DecodeBatteryStatus(Frame("01 00 7D")).Indicator);
        var error = Assert.Throws<ProtocolException>(() => ParadigmReplies.DecodeBatteryStatus(Frame("02 00 8C")));
        Assert.Equal((ProtocolErrorKind.ReservedValue, 0), (error.Kind, error.Offset));
    }

    [Fact]
    public void Reservoir_80_875_units_on_a_723_from_rileylink()
    {
        // ps2/rileylink_ios MinimedKitTests/Messages/ReadRemainingInsulinMessageBodyTests.swift: body 04 00 00 0C A3, 40 strokes/U
        var frame = Frame("00 00 0C A3");
        Assert.Equal(80.875m, ParadigmReplies.DecodeRemainingInsulin(frame, ParadigmReplies.StrokesPerUnitX23));
        Assert.Equal(frame, ParadigmReplies.EncodeRemainingInsulin(80.875m, ParadigmReplies.StrokesPerUnitX23));
    }

    [Fact]
    public void Reservoir_on_an_x22_counts_tenths_in_the_first_two_bytes()
    {
        var frame = Frame("04 87");
        Assert.Equal(115.9m, ParadigmReplies.DecodeRemainingInsulin(frame, ParadigmReplies.StrokesPerUnitX22));
        Assert.Equal(frame, ParadigmReplies.EncodeRemainingInsulin(115.9m, ParadigmReplies.StrokesPerUnitX22));
        Assert.Throws<ArgumentOutOfRangeException>(() => ParadigmReplies.DecodeRemainingInsulin(frame, 20));
        Assert.Throws<ArgumentOutOfRangeException>(() => ParadigmReplies.EncodeRemainingInsulin(1.05m, ParadigmReplies.StrokesPerUnitX22));
    }

    [Fact]
    public void Glucose_page_3425_with_16_glucose_and_32_isig_pages_from_rileylink()
    {
        // ps2/rileylink_ios MinimedKitTests/Messages/ReadCurrentGlucosePageMessageBodyTests.swift: body 00 00 00 0D 61 00 10 00 20
        var frame = Frame("00 00 0D 61 00 10 00 20");
        var page = ParadigmReplies.DecodeCurrentGlucosePageNumber(frame);
        Assert.Equal(new ParadigmGlucosePageNumber(3425, 16, 32), page);
        Assert.Equal(frame, ParadigmReplies.EncodeCurrentGlucosePageNumber(page));
        var error = Assert.Throws<ProtocolException>(() => ParadigmReplies.DecodeCurrentGlucosePageNumber(Frame("00 00 0D 61 01 10 00 20")));
        Assert.Equal((ProtocolErrorKind.ReservedValue, 4), (error.Kind, error.Offset));
    }

    [Fact]
    public void Current_page_10_from_the_captured_download()
    {
        var frame = Frame("00 00 00 0A"); // download.log line 1078
        Assert.Equal(10u, ParadigmReplies.DecodeCurrentPageNumber(frame));
        Assert.Equal(frame, ParadigmReplies.EncodeCurrentPageNumber(10));
    }

    [Fact]
    public void Pump_id_firmware_and_error_status_round_trip()
    {
        // No public capture of these three replies: the layouts are decocare's (ASCII serial in bytes 0–5,
        // firmware text up to 0x0B or NUL) and the round trip is all these tests can claim.
        Assert.Equal("578398", ParadigmReplies.DecodePumpId(ParadigmReplies.EncodePumpId("578398")));
        Assert.Equal(Frame("35 37 38 33 39 38"), ParadigmReplies.EncodePumpId("578398"));
        Assert.Equal("VER 2.4A1.1", ParadigmReplies.DecodeFirmwareVersion(ParadigmReplies.EncodeFirmwareVersion("VER 2.4A1.1")));
        Assert.Equal("VER 1.6", ParadigmReplies.DecodeFirmwareVersion(Frame("56 45 52 20 31 2E 36 0B 45 4D 57 20")));
        Assert.Equal(0x21, ParadigmReplies.DecodeErrorStatus(ParadigmReplies.EncodeErrorStatus(0x21)));
        Assert.Equal(ProtocolErrorKind.OutOfRange, Assert.Throws<ProtocolException>(() => ParadigmReplies.DecodePumpId(Frame("35 37 38 33 39 41"))).Kind);
        Assert.Equal(ProtocolErrorKind.BadLength, Assert.Throws<ProtocolException>(() => ParadigmReplies.DecodeFirmwareVersion(Frame("0B 41"))).Kind);
    }

    [Theory]
    [InlineData(63, ProtocolErrorKind.Truncated, 63)]
    [InlineData(65, ProtocolErrorKind.BadLength, 64)]
    public void A_small_reply_is_exactly_one_frame(int length, ProtocolErrorKind kind, int offset)
    {
        var error = Assert.Throws<ProtocolException>(() => ParadigmReplies.DecodeCurrentPageNumber(new byte[length]));
        Assert.Equal((kind, offset), (error.Kind, error.Offset));
        Assert.Equal(ProtocolErrorKind.BadLength, Assert.Throws<ProtocolException>(() => ParadigmReplies.DecodePage(new byte[1025])).Kind);
    }

    [Fact]
    public void Model_length_byte_is_checked()
    {
        Assert.Equal((ProtocolErrorKind.BadLength, 0), Error(() => ParadigmReplies.DecodePumpModel(Frame("00 35"))));
        Assert.Equal((ProtocolErrorKind.BadLength, 0), Error(() => ParadigmReplies.DecodePumpModel(Frame("40 35"))));
        Assert.Equal((ProtocolErrorKind.OutOfRange, 3), Error(() => ParadigmReplies.DecodePumpModel(Frame("03 35 32 07"))));
    }

    [Fact]
    public void Page_0_reassembles_from_reads_shaped_like_the_capture()
    {
        var reads = Reads(Page0, "578398", [64, 128, 128, 64, 128, 128, 64, 128, 128, 64]);
        Assert.Equal(Hex.Parse(CareLinkStickTests.M7RadioReply)[13..77], CareLinkStick.DecodeRadioReply(reads[0]).Data);
        var command = ParadigmCommands.ReadHistoryData("578398", 0);
        var page = ParadigmReplyAssembler.Assemble(command, reads);
        Assert.Equal(Page0, page);
        Assert.Equal(Page0, ParadigmReplies.DecodePage(page));

        var assembler = new ParadigmReplyAssembler(command);
        Assert.Equal(1024, assembler.ExpectedLength);
        Assert.Equal(new[] { false, false, false, false, false, false, false, false, false, true }, reads.Select(r => assembler.Append(r)));
        Assert.Equal(1024, assembler.ReceivedLength);
    }

    [Fact]
    public void The_captured_one_frame_reply_assembles_to_page_number_10()
    {
        var reply = ParadigmReplyAssembler.Assemble(ParadigmCommands.Read("578398", ParadigmCommandCode.ReadCurPageNumber), [Hex.Parse(CareLinkStickTests.CurPageRadioReply)]);
        Assert.Equal(10u, ParadigmReplies.DecodeCurrentPageNumber(reply));
    }

    [Fact]
    public void End_of_data_before_the_page_is_full_is_a_short_reply()
    {
        var reads = Reads(Page0[..960], "578398", [64, 128, 128, 64, 128, 128, 64, 128, 128]);
        var error = Assert.Throws<ProtocolException>(() => ParadigmReplyAssembler.Assemble(ParadigmCommands.ReadHistoryData("578398", 0), reads));
        Assert.Equal((ProtocolErrorKind.BadLength, 960), (error.Kind, error.Offset));
    }

    [Fact]
    public void Reads_that_stop_without_end_of_data_are_a_short_reply()
    {
        var reads = Reads(Page0, "578398", [64, 128, 128, 64, 128, 128, 64, 128, 128, 64])[..9];
        var error = Assert.Throws<ProtocolException>(() => ParadigmReplyAssembler.Assemble(ParadigmCommands.ReadHistoryData("578398", 0), reads));
        Assert.Equal((ProtocolErrorKind.BadLength, 960), (error.Kind, error.Offset));
    }

    [Fact]
    public void More_bytes_than_the_command_expects_is_an_over_long_reply()
    {
        byte[] longer = [.. Page0, .. new byte[64]];
        var reads = Reads(longer, "578398", [64, 128, 128, 64, 128, 128, 64, 128, 128, 64, 64]);
        var error = Assert.Throws<ProtocolException>(() => ParadigmReplyAssembler.Assemble(ParadigmCommands.ReadHistoryData("578398", 0), reads));
        Assert.Equal((ProtocolErrorKind.BadLength, 1024), (error.Kind, error.Offset));

        var oneFrame = ParadigmCommands.Read("578398", ParadigmCommandCode.ReadCurPageNumber);
        var twoReads = Reads(new byte[128], "578398", [128]);
        Assert.Equal((ProtocolErrorKind.BadLength, 64), Error(() => ParadigmReplyAssembler.Assemble(oneFrame, twoReads)));
    }

    [Fact]
    public void A_read_after_end_of_data_is_rejected()
    {
        var reads = Reads(new byte[64], "578398", [64]);
        var error = Assert.Throws<ProtocolException>(() => ParadigmReplyAssembler.Assemble(ParadigmCommands.Read("578398", ParadigmCommandCode.ReadRtc), [reads[0], reads[0]]));
        Assert.Equal((ProtocolErrorKind.BadLength, 64), (error.Kind, error.Offset));
        Assert.Contains("read #1", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_bad_crc_inside_a_read_names_the_read_and_its_offset()
    {
        var reads = Reads(Page0, "578398", [64, 128, 128, 64, 128, 128, 64, 128, 128, 64]);
        reads[2][40] ^= 0x01;
        var error = Assert.Throws<ProtocolException>(() => ParadigmReplyAssembler.Assemble(ParadigmCommands.ReadHistoryData("578398", 0), reads));
        Assert.Equal((ProtocolErrorKind.BadCrc, 141), (error.Kind, error.Offset));
        Assert.Contains("read #2", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_read_from_another_pump_is_rejected()
    {
        var reads = Reads(new byte[64], "578399", [64]);
        var error = Assert.Throws<ProtocolException>(() => ParadigmReplyAssembler.Assemble(ParadigmCommands.Read("578398", ParadigmCommandCode.ReadRtc), reads));
        Assert.Equal((ProtocolErrorKind.BadMarker, 9), (error.Kind, error.Offset));
    }

    [Fact]
    public void The_radio_wake_up_has_no_radio_reply()
    {
        var command = ParadigmCommands.PowerControl("578398", 10);
        Assert.Empty(ParadigmReplyAssembler.Assemble(command, []));
        Assert.True(new ParadigmReplyAssembler(command).IsComplete);
        Assert.Equal((ProtocolErrorKind.BadLength, 0), Error(() => ParadigmReplyAssembler.Assemble(command, Reads(new byte[64], "578398", [64]))));
    }

    /// <summary>The stick's ReadRadio replies for <paramref name="data"/>, cut in reads of the given sizes, end of data on the last.</summary>
    internal static byte[][] Reads(byte[] data, string serial, int[] sizes)
    {
        var reads = new byte[sizes.Length][];
        var offset = 0;
        for (var i = 0; i < sizes.Length; i++)
        {
            reads[i] = CareLinkStick.EncodeRadioReply(new CareLinkRadioReply(4, 0, 0xCE, i == sizes.Length - 1, serial, data[offset..(offset + sizes[i])]));
            offset += sizes[i];
        }

        return reads;
    }

    private static byte[] Frame(string hex)
    {
        var frame = new byte[64];
        Hex.Parse(hex).CopyTo(frame, 0);
        return frame;
    }

    private static (ProtocolErrorKind Kind, int Offset) Error(Action decode)
    {
        var error = Assert.Throws<ProtocolException>(decode);
        return (error.Kind, error.Offset);
    }
}
