using PumpGateway.Codecs;
using PumpGateway.Devices.Medtronic;
using PumpGateway.Protocol;
using PumpGateway.TestSupport;

namespace PumpGateway.Devices.Tests.Medtronic;

/// <summary>
/// The stick's command set against shared/protocols/medtronic-paradigm.md (M-2, M-6, M-7) and the replies
/// captured in shared/fixtures/medtronic/578398/download.log (decocare's trace, openaps/decocare
/// analysis/578398/logs/download.log; line numbers are the fixture's).
/// </summary>
public sealed class CareLinkStickTests
{
    /// <summary>M-7, download.log line 253: the first ReadRadio reply of ReadHistoryData page 0.</summary>
    internal const string M7RadioReply =
        "02 00 04 00 CE 00 40 A7 01 57 83 98 3D 5C 2C 06 CC 04 06 D6 04 06 E0 04 68 EA 04 06 F4 04 06 FE 04 08 08 14 06 12 14 06 1C 14 08 " +
        "26 14 06 30 14 06 3A 14 A2 44 14 48 D0 14 01 1E 1E 00 60 03 51 1D 0F 0B 65 2A 51 1C 31 BD 8F 0A D8 78 03";

    /// <summary>download.log line 1078: the one read of ReadCurPageNumber, end of data set, page 10.</summary>
    internal const string CurPageRadioReply =
        "02 00 03 00 CF 80 40 A7 01 57 83 98 F5 00 00 00 0A" + " 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00" +
        " 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 56";

    /// <summary>download.log line 11.</summary>
    private const string ProductInfoReply =
        "01 55 00 08 0E 00 00 00 00 43 6F 6D 4C 69 6E 6B 20 49 49 01 10 02 00 01 01 03 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00";

    /// <summary>download.log line 97: radio statistics; decocare logged timeouts 30, received 320, transmitted 367.</summary>
    private const string RadioStatisticsReply =
        "01 55 00 00 00 00 1E 00 00 01 40 00 00 01 6F 00 00 00 58 00 1E 01 00 01 22 00 17 00 00 00 00 00 00 01 00 60 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00";

    /// <summary>download.log line 228: LinkStatus with 78 bytes waiting; from byte 11 on, the stale tail of the ProductInfo reply.</summary>
    private const string LinkStatusReply =
        "01 55 00 00 02 01 00 4E 05 04 00 6D 4C 69 6E 6B 20 49 49 01 10 02 00 01 01 03 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00";

    [Theory]
    [InlineData("00 FF 00", 177)] // M-2: openaps/decocare decocare/lib.py CRC8 doctest
    [InlineData("0C 00 00 4E", 0x95)] // M-6: the CRC byte of ReadRadio(78) on the wire
    [InlineData("0C 00 00 8E", 0x56)] // M-6: ReadRadio(142)
    public void M2_and_M6_crc8_values_are_the_stick_crc(string hex, byte crc) => Assert.Equal(crc, Crc8.Compute(Hex.Parse(hex)));

    [Theory]
    [InlineData("02 09 00 05 0D 02 03", 29146)] // M-2: openaps/decocare decocare/lib.py CRC16CCITT doctest
    [InlineData("02 06 08 03", 0x62C2)] // M-2
    public void M2_crc16_values_are_the_page_crc(string hex, int crc) => Assert.Equal(crc, Crc16CcittFalse.Compute(Hex.Parse(hex)));

    public static TheoryData<string, CareLinkCommand> CommandVectors => new()
    {
        { "04 00 00", new CareLinkCommand(CareLinkOpcode.ProductInfo) }, // download.log line 9
        { "05 00 00", new CareLinkCommand(CareLinkOpcode.InterfaceStatistics) { Interface = CareLinkInterface.Radio } }, // line 95
        { "05 01 00", new CareLinkCommand(CareLinkOpcode.InterfaceStatistics) { Interface = CareLinkInterface.Usb } }, // line 75
        { "06 00 00", new CareLinkCommand(CareLinkOpcode.SignalStrength) }, // line 52
        { "03 00 00", new CareLinkCommand(CareLinkOpcode.LinkStatus) }, // line 226
        { "0C 00 00 4E 95", new CareLinkCommand(CareLinkOpcode.ReadRadio) { ReadSize = 78 } }, // M-6, line 251
        { "0C 00 00 8E 56", new CareLinkCommand(CareLinkOpcode.ReadRadio) { ReadSize = 142 } }, // M-6, line 305
    };

    [Theory]
    [MemberData(nameof(CommandVectors))]
    public void Stick_commands_decode_and_encode_byte_for_byte(string hex, CareLinkCommand expected)
    {
        var bytes = Hex.Parse(hex);
        Assert.Equal(expected, CareLinkStick.DecodeCommand(bytes));
        Assert.Equal(bytes, CareLinkStick.Encode(expected));
    }

    [Fact]
    public void Stick_command_factories_write_the_captured_bytes()
    {
        Assert.Equal(Hex.Parse("04 00 00"), CareLinkStick.ProductInfo());
        Assert.Equal(Hex.Parse("05 01 00"), CareLinkStick.InterfaceStatistics(CareLinkInterface.Usb));
        Assert.Equal(Hex.Parse("06 00 00"), CareLinkStick.SignalStrength());
        Assert.Equal(Hex.Parse("03 00 00"), CareLinkStick.LinkStatus());
        Assert.Equal(Hex.Parse("0C 00 00 4E 95"), CareLinkStick.ReadRadio(78));
    }

    [Fact]
    public void M7_radio_reply_decodes_to_the_first_64_bytes_of_page_0_and_re_encodes()
    {
        var bytes = Hex.Parse(M7RadioReply);
        var reply = CareLinkStick.DecodeRadioReply(bytes);
        Assert.Equal(78, bytes.Length);
        Assert.Equal((4, 0, 0xCE, false, "578398"), (reply.RadioStatus, reply.Retries, reply.SignalStrength, reply.EndOfData, reply.PumpSerial));
        Assert.Equal(64, reply.Data.Length);
        Assert.Equal(0x03, Crc8.Compute(reply.Data));
        Assert.Equal(File.ReadAllBytes(SharedFiles.Fixture("medtronic", "578398", "ReadHistoryData-page-0.data"))[..64], reply.Data);
        Assert.Equal(bytes, CareLinkStick.EncodeRadioReply(reply));
    }

    [Fact]
    public void The_radio_header_byte_12_is_a_crc8_of_bytes_0_to_11()
    {
        Assert.Equal(0x3D, Crc8.Compute(Hex.Parse(M7RadioReply).AsSpan(0, 12)));
        Assert.Equal(0xF5, Crc8.Compute(Hex.Parse(CurPageRadioReply).AsSpan(0, 12)));
    }

    [Fact]
    public void The_end_of_data_bit_and_length_share_byte_5()
    {
        var bytes = Hex.Parse(CurPageRadioReply);
        var reply = CareLinkStick.DecodeRadioReply(bytes);
        Assert.True(reply.EndOfData);
        Assert.Equal(3, reply.RadioStatus);
        Assert.Equal(10u, ParadigmReplies.DecodeCurrentPageNumber(reply.Data));
        Assert.Equal(bytes, CareLinkStick.EncodeRadioReply(reply));
    }

    [Theory]
    [InlineData(0, 0x01, ProtocolErrorKind.BadMarker, 0)]
    [InlineData(12, 0x3C, ProtocolErrorKind.BadCrc, 12)]
    [InlineData(77, 0x04, ProtocolErrorKind.BadCrc, 77)]
    [InlineData(20, 0x00, ProtocolErrorKind.BadCrc, 77)]
    public void Radio_reply_corruption_is_named_with_its_offset(int index, byte value, ProtocolErrorKind kind, int offset)
    {
        var bytes = Hex.Parse(M7RadioReply);
        bytes[index] = value;
        var error = Assert.Throws<ProtocolException>(() => CareLinkStick.DecodeRadioReply(bytes));
        Assert.Equal((kind, offset), (error.Kind, error.Offset));
    }

    [Theory]
    [InlineData(1, 0x01, ProtocolErrorKind.ReservedValue, 1)]
    [InlineData(2, 0x02, ProtocolErrorKind.DeviceError, 2)]
    [InlineData(2, 0x05, ProtocolErrorKind.DeviceError, 2)]
    [InlineData(2, 0x06, ProtocolErrorKind.OutOfRange, 2)]
    [InlineData(7, 0xA8, ProtocolErrorKind.BadMarker, 7)]
    [InlineData(8, 0x02, ProtocolErrorKind.BadMarker, 8)]
    [InlineData(9, 0x5A, ProtocolErrorKind.OutOfRange, 9)]
    [InlineData(6, 0x41, ProtocolErrorKind.Truncated, 78)]
    [InlineData(6, 0x3F, ProtocolErrorKind.BadLength, 5)]
    public void Radio_header_fields_are_validated_even_under_a_good_header_crc(int index, byte value, ProtocolErrorKind kind, int offset)
    {
        var bytes = Hex.Parse(M7RadioReply);
        bytes[index] = value;
        bytes[12] = Crc8.Compute(bytes.AsSpan(0, 12));
        var error = Assert.Throws<ProtocolException>(() => CareLinkStick.DecodeRadioReply(bytes));
        Assert.Equal((kind, offset), (error.Kind, error.Offset));
    }

    [Fact]
    public void Product_info_reads_like_decocare_logged_it_and_re_encodes()
    {
        var bytes = Hex.Parse(ProductInfoReply);
        var info = CareLinkStick.DecodeProductInfo(bytes);
        Assert.Equal("080e00", info.Serial);
        Assert.Equal("0.0", info.ProductVersion.ToString());
        Assert.Equal(CareLinkRfBand.Mhz916_5, info.RfBand);
        Assert.Equal(916.5m, info.FrequencyMHz);
        Assert.Equal("ComLink II", info.Description);
        Assert.Equal("1.16", info.SoftwareVersion.ToString());
        Assert.Equal([new(0, CareLinkInterfaceType.ParadigmRf), new(1, CareLinkInterfaceType.Usb)], info.Interfaces);
        Assert.Equal(bytes, CareLinkStick.EncodeProductInfo(info));
    }

    [Theory]
    [InlineData(1, "868.35")]
    [InlineData(255, "916.5")]
    public void The_rf_band_byte_names_the_frequency(byte band, string mhz)
    {
        var bytes = Hex.Parse(ProductInfoReply);
        bytes[8] = band;
        var info = CareLinkStick.DecodeProductInfo(bytes);
        Assert.Equal(decimal.Parse(mhz, System.Globalization.CultureInfo.InvariantCulture), info.FrequencyMHz);
        Assert.Equal(bytes, CareLinkStick.EncodeProductInfo(info));
        bytes[8] = 2;
        Assert.Equal((ProtocolErrorKind.ReservedValue, 8), Error(() => CareLinkStick.DecodeProductInfo(bytes)));
    }

    [Fact]
    public void Interface_statistics_read_like_decocare_logged_them()
    {
        var statistics = CareLinkStick.DecodeInterfaceStatistics(Hex.Parse(RadioStatisticsReply));
        Assert.Equal(new CareLinkInterfaceStatistics(0, 0, 0, 30, 320, 367), statistics);
        var encoded = CareLinkStick.EncodeInterfaceStatistics(statistics);
        Assert.Equal(Hex.Parse(RadioStatisticsReply)[..15], encoded[..15]);
        Assert.Equal(statistics, CareLinkStick.DecodeInterfaceStatistics(encoded));
    }

    [Fact]
    public void Signal_strength_is_the_byte_after_the_ack()
    {
        byte[] bytes = [.. Hex.Parse("01 55 00 C4 0E 00 00 00 00 43 6F 6D 4C 69 6E 6B 20 49 49 01 10 02 00 01 01 03"), .. new byte[38]]; // line 54
        Assert.Equal(196, CareLinkStick.DecodeSignalStrength(bytes));
        Assert.Equal(196, CareLinkStick.DecodeSignalStrength(CareLinkStick.EncodeSignalStrength(196)));
    }

    [Fact]
    public void Link_status_reads_78_bytes_waiting_and_the_encoder_writes_the_captured_head()
    {
        var bytes = Hex.Parse(LinkStatusReply);
        var status = CareLinkStick.DecodeLinkStatus(bytes);
        Assert.Equal(new CareLinkLinkStatus(CareLinkLinkFlags.Ok, 78), status);
        Assert.Equal(bytes[..11], CareLinkStick.EncodeLinkStatus(status)[..11]);

        var receiving = CareLinkStick.EncodeLinkStatus(new CareLinkLinkStatus(CareLinkLinkFlags.Ok | CareLinkLinkFlags.ReceiveInProgress, 142));
        Assert.Equal(Hex.Parse("01 55 00 00 02 03 00 8E 05 04 00"), receiving[..11]);
    }

    [Theory]
    [InlineData(3, 0x01, ProtocolErrorKind.DeviceError, 3)]
    [InlineData(5, 0x41, ProtocolErrorKind.ReservedValue, 5)]
    [InlineData(1, 0x66, ProtocolErrorKind.DeviceError, 1)]
    [InlineData(1, 0x56, ProtocolErrorKind.BadMarker, 1)]
    [InlineData(0, 0x02, ProtocolErrorKind.BadMarker, 0)]
    [InlineData(2, 0x01, ProtocolErrorKind.ReservedValue, 2)]
    public void Link_status_problems_are_named(int index, byte value, ProtocolErrorKind kind, int offset)
    {
        var bytes = Hex.Parse(LinkStatusReply);
        bytes[index] = value;
        Assert.Equal((kind, offset), Error(() => CareLinkStick.DecodeLinkStatus(bytes)));
    }

    [Fact]
    public void A_transmit_ack_ignores_the_stale_buffer_and_a_nak_is_a_device_error()
    {
        CareLinkStick.DecodeAck(Hex.Parse(ProductInfoReply)); // line 202 acks a TransmitPacket with these very bytes
        CareLinkStick.DecodeAck(CareLinkStick.EncodeAck());
        var nak = CareLinkStick.EncodeNak(0x07);
        Assert.Equal(Hex.Parse("01 66 07"), nak[..3]);
        var error = Assert.Throws<ProtocolException>(() => CareLinkStick.DecodeAck(nak));
        Assert.Equal((ProtocolErrorKind.DeviceError, 1), (error.Kind, error.Offset));
        Assert.Contains("0x07", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(63, ProtocolErrorKind.Truncated, 63)]
    [InlineData(65, ProtocolErrorKind.BadLength, 64)]
    public void A_stick_reply_is_one_64_byte_read(int length, ProtocolErrorKind kind, int offset)
    {
        var bytes = new byte[length];
        CareLinkStick.EncodeAck().AsSpan(0, Math.Min(length, 64)).CopyTo(bytes);
        Assert.Equal((kind, offset), Error(() => CareLinkStick.DecodeAck(bytes)));
    }

    [Theory]
    [InlineData("", ProtocolErrorKind.Truncated, 0)]
    [InlineData("07 00 00", ProtocolErrorKind.UnknownCommand, 0)]
    [InlineData("04 00", ProtocolErrorKind.Truncated, 2)]
    [InlineData("04 00 00 00", ProtocolErrorKind.BadLength, 3)]
    [InlineData("04 01 00", ProtocolErrorKind.ReservedValue, 1)]
    [InlineData("05 02 00", ProtocolErrorKind.ReservedValue, 1)]
    [InlineData("06 00 09", ProtocolErrorKind.ReservedValue, 2)]
    [InlineData("0C 00 00 4E 96", ProtocolErrorKind.BadCrc, 4)]
    [InlineData("0C 01 00 4E 95", ProtocolErrorKind.ReservedValue, 1)]
    [InlineData("0C 00 00 00 28", ProtocolErrorKind.OutOfRange, 2)]
    public void Stick_command_errors_are_typed(string hex, ProtocolErrorKind kind, int offset) =>
        Assert.Equal((kind, offset), Error(() => CareLinkStick.DecodeCommand(Hex.Parse(hex))));

    private static (ProtocolErrorKind Kind, int Offset) Error(Action decode)
    {
        var error = Assert.Throws<ProtocolException>(decode);
        return (error.Kind, error.Offset);
    }
}
