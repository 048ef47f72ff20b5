using FsCheck;
using FsCheck.Fluent;
using PumpGateway.Devices.Dexcom;
using PumpGateway.Devices.Gatt;
using PumpGateway.Devices.Medtronic;
using static PumpGateway.Devices.Tests.Properties.ValidValues;

namespace PumpGateway.Devices.Tests.Properties;

/// <summary>
/// The other side of the round trip: over values wider than the valid ones, whatever an encoder accepts (does not refuse
/// with an ArgumentException) its decoder gives back unchanged. An encoder that writes a value its decoder reads
/// differently would send one thing and log another.
/// </summary>
public sealed class EncoderDomainProperties
{
    private const int Cases = 2000;

    private static Gen<string> AnyText(int maxLength) => Gen.Choose(0, maxLength).SelectMany(
        length => Gen.ArrayOf(Gen.Frequency((4, Gen.Choose(0x20, 0x7E)), (1, Gen.Choose(0, 0x1F)), (1, Gen.Choose(0x7F, 0xFFFF))).Select(c => (char)c), length),
        (_, chars) => new string(chars));

    private static void AcceptedRoundTrips<T>(Gen<T> values, Func<T, byte[]> encode, Func<byte[], T> decode) => Seeded.Check(values, value =>
    {
        byte[] bytes;
        try
        {
            bytes = encode(value);
        }
        catch (ArgumentException)
        {
            return;
        }

        Same.Assert(value, decode(bytes), $"{value} was accepted and written as {TestSupport.Hex.Format(bytes)}");
    }, Cases);

    [Fact]
    public void A_device_information_string_the_encoder_accepts_decodes_to_itself() =>
        AcceptedRoundTrips(AnyText(12), DeviceInformationCodec.EncodeString, b => DeviceInformationCodec.DecodeString(b));

    [Fact]
    public void A_stick_product_info_the_encoder_accepts_decodes_to_itself() =>
        AcceptedRoundTrips(
            Text("0123456789abcdefABCDEF", 6, 6).Select(serial => new CareLinkProductInfo(serial, new CareLinkVersion(1, 2), CareLinkRfBand.Mhz868_35, "CareLink", new CareLinkVersion(3, 4), [])),
            CareLinkStick.EncodeProductInfo, b => CareLinkStick.DecodeProductInfo(b));

    [Fact]
    public void Receiver_text_the_encoder_accepts_decodes_to_itself() =>
        AcceptedRoundTrips(AnyText(12), DexcomResponses.WriteAscii, b => DexcomResponses.ParseAscii(b, "text"));

    [Fact]
    public void A_firmware_header_the_encoder_accepts_decodes_to_itself() =>
        AcceptedRoundTrips(
            AnyText(10).Select(value => new DexcomFirmwareHeader(value, "G4", "SW1", "1.0", new Dictionary<string, string>(StringComparer.Ordinal)
            {
                ["ProductId"] = value, ["ProductName"] = "G4", ["SoftwareNumber"] = "SW1", ["FirmwareVersion"] = "1.0",
            })),
            h => DexcomResponses.WriteFirmwareHeader(h.Attributes), b => DexcomResponses.ParseFirmwareHeader(b));

    [Theory]
    [InlineData(DexcomRecordType.EgvData, 1)]
    [InlineData(DexcomRecordType.EgvData, 4)]
    [InlineData(DexcomRecordType.EgvData, 5)]
    [InlineData(DexcomRecordType.MeterData, 1)]
    [InlineData(DexcomRecordType.MeterData, 3)]
    [InlineData(DexcomRecordType.InsertionTime, 1)]
    public void A_dexcom_record_the_encoder_accepts_decodes_to_itself(DexcomRecordType type, byte revision)
    {
        var optional32 = OrNull(AnyUInt32);
        Gen<DexcomRecord> records = type switch
        {
            DexcomRecordType.EgvData =>
                from word in AnyUInt16
                from trendNoise in AnyByte
                from times in Gen.Two(optional32)
                from rate in OrNull(AnyByte)
                from state in OrNull(AnyByte)
                from predicted in OrNull(AnyUInt16)
                select (DexcomRecord)new EgvRecord(1, 2, word, trendNoise)
                {
                    TransmitterSystemSeconds = times.Item1, TransmitterSeconds = times.Item2, FilteredRate = (sbyte?)rate, AlgorithmState = state, PredictedGlucoseWord = predicted,
                },
            DexcomRecordType.MeterData =>
                from entry in OrNull(AnyByte) from transmitter in optional32
                select (DexcomRecord)new MeterRecord(1, 2, 100, 3) { EntryType = entry, MeterTransmitterSeconds = transmitter },
            _ => AnyByte.Select(state => (DexcomRecord)new InsertionTimeRecord(1, 2, 3, (DexcomSessionState)state)),
        };
        var size = DexcomRecordCodec.RecordSize(type, revision, 0);
        AcceptedRoundTrips(
            records,
            r =>
            {
                var bytes = new byte[size];
                DexcomRecordCodec.Encode(r, type, revision, bytes);
                return bytes;
            },
            b => DexcomRecordCodec.Decode(b, type, revision, 0));
    }

    // Regressions: each value below was accepted by its encoder and read back as something else (or not at all) before the encoder refused it.
    [Fact]
    public void A_string_characteristic_ending_in_nul_is_refused_not_written_as_41_00_and_read_back_without_it()
    {
        Assert.Throws<ArgumentException>(() => DeviceInformationCodec.EncodeString("A\0"));
        Assert.Equal("A", DeviceInformationCodec.DecodeString(TestSupport.Hex.Parse("41 00")));
    }

    [Fact]
    public void An_upper_case_stick_serial_is_refused_not_written_as_aa_99_4a_and_read_back_in_lower_case()
    {
        var info = new CareLinkProductInfo("AA994a", new CareLinkVersion(1, 2), CareLinkRfBand.Mhz868_35, "CareLink", new CareLinkVersion(3, 4), []);
        Assert.Throws<ArgumentException>(() => CareLinkStick.EncodeProductInfo(info));
        var written = CareLinkStick.EncodeProductInfo(info with { Serial = "aa994a" });
        Assert.Equal(TestSupport.Hex.Parse("01 55 00 AA 99 4A"), written[..6]);
        Assert.Equal("aa994a", CareLinkStick.DecodeProductInfo(written).Serial);
    }

    [Fact]
    public void Receiver_text_outside_ascii_is_refused_not_written_as_a_question_mark()
    {
        Assert.Throws<ArgumentException>(() => DexcomResponses.WriteAscii("6ABCé"));
        Assert.Throws<ArgumentException>(() => DexcomResponses.WriteAscii("6ABC\0"));
        Assert.Equal(TestSupport.Hex.Parse("36 41 42 43"), DexcomResponses.WriteAscii("6ABC"));
    }

    [Fact]
    public void A_firmware_header_attribute_with_a_control_character_is_refused_not_written_as_xml_the_parser_rejects()
    {
        Assert.Throws<ArgumentException>(() => DexcomResponses.WriteFirmwareHeader([new("ProductId", "\u0014")]));
        Assert.Throws<ArgumentException>(() => DexcomResponses.WriteFirmwareHeader([new("ProductId", "a\tb")]));
        var error = Assert.Throws<Protocol.ProtocolException>(() => DexcomResponses.ParseFirmwareHeader(TestSupport.Hex.Parse("3C 46 69 72 6D 77 61 72 65 48 65 61 64 65 72 20 50 72 6F 64 75 63 74 49 64 3D 27 14 27 2F 3E")));
        Assert.Equal(Protocol.ProtocolErrorKind.Malformed, error.Kind);
    }

    [Fact]
    public void A_dexcom_record_its_decoder_would_refuse_or_misread_is_refused_by_the_encoder()
    {
        static void Refused(DexcomRecord record, DexcomRecordType type, byte revision) =>
            Assert.Throws<ArgumentException>(() => DexcomRecordCodec.Encode(record, type, revision, new byte[DexcomRecordCodec.RecordSize(type, revision, 0)]));

        // Each was written before: the first three as bytes the decoder refuses (reserved glucose bits 0xac2e, trend 0xff, session state 46),
        // the last two as bytes that read back without the fields they were given.
        Refused(new EgvRecord(1, 2, 0xAC2E, 0x00), DexcomRecordType.EgvData, 1);
        Refused(new EgvRecord(1, 2, 100, 0xFF), DexcomRecordType.EgvData, 1);
        Refused(new InsertionTimeRecord(1, 2, 3, (DexcomSessionState)46), DexcomRecordType.InsertionTime, 1);
        Refused(new MeterRecord(1, 2, 100, 3) { EntryType = 54, MeterTransmitterSeconds = 1762503651 }, DexcomRecordType.MeterData, 1);
        Refused(new EgvRecord(1, 2, 100, 0x00), DexcomRecordType.EgvData, 4);

        var bytes = new byte[DexcomRecordCodec.RecordSize(DexcomRecordType.EgvData, 1, 0)];
        DexcomRecordCodec.Encode(new EgvRecord(1, 2, 100, 0x00), DexcomRecordType.EgvData, 1, bytes);
        bytes[9] |= 0x04;
        System.Buffers.Binary.BinaryPrimitives.WriteUInt16LittleEndian(bytes.AsSpan(11), Codecs.Crc16Xmodem.Compute(bytes.AsSpan(0, 11)));
        Assert.Equal(Protocol.ProtocolErrorKind.ReservedValue, Assert.Throws<Protocol.ProtocolException>(() => DexcomRecordCodec.Decode(bytes, DexcomRecordType.EgvData, 1, 0)).Kind);
    }
}
