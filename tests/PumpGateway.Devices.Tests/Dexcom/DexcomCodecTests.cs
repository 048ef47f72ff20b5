using System.Buffers;
using System.Text;
using PumpGateway.Devices.Dexcom;
using PumpGateway.Protocol;
using PumpGateway.TestSupport;

namespace PumpGateway.Devices.Tests.Dexcom;

/// <summary>The public vectors of shared/protocols/dexcom-receiver.md (D-1 to D-11) and the real fixture pages, both ways.</summary>
public sealed class DexcomCodecTests
{
    private const string FirmwareXml =
        "<FirmwareHeader SchemaVersion='1' ApiVersion='2.2.0.0' TestApiVersion='2.4.0.0' ProductId='G4Receiver' ProductName='Dexcom G4 Receiver' SoftwareNumber='SW10050' FirmwareVersion='2.0.1.104' PortVersion='4.6.4.45' RFVersion='1.0.0.27' DexBootVersion='3'/>";

    public static TheoryData<string, byte[]> RequestVectors => new()
    {
        { "01 06 00 0A 5E 65", DexcomRequests.Ping() },
        { "01 07 00 10 04 8B B8", DexcomRequests.ReadDatabasePageRange(DexcomRecordType.EgvData) },
        { "01 07 00 10 0A 45 59", DexcomRequests.ReadDatabasePageRange(DexcomRecordType.MeterData) },
        { "01 07 00 10 03 6C C8", DexcomRequests.ReadDatabasePageRange(DexcomRecordType.SensorData) },
        { "01 07 00 10 05 AA A8", DexcomRequests.ReadDatabasePageRange(DexcomRecordType.CalSet) },
        { "01 0C 00 11 05 26 00 00 00 01 5E C3", DexcomRequests.ReadDatabasePages(DexcomRecordType.CalSet, 0x26, 1) },
        { "01 0C 00 11 04 88 00 00 00 01 32 63", DexcomRequests.ReadDatabasePages(DexcomRecordType.EgvData, 136, 1) },
        { "01 0C 00 11 04 89 00 00 00 01 63 C9", DexcomRequests.ReadDatabasePages(DexcomRecordType.EgvData, 137, 1) },
        { "01 0C 00 11 0A 01 00 00 00 01 3D 69", DexcomRequests.ReadDatabasePages(DexcomRecordType.MeterData, 1, 1) },
        { "01 0C 00 11 03 CE 00 00 00 01 9E 77", DexcomRequests.ReadDatabasePages(DexcomRecordType.SensorData, 206, 1) },
        { "01 0C 00 11 04 B9 05 00 00 04 6D 29", DexcomRequests.ReadDatabasePages(DexcomRecordType.EgvData, 1465, 4) },
        { "01 06 00 1D 88 07", DexcomRequests.ReadDisplayTimeOffset() },
        { "01 06 00 22 34 C0", DexcomRequests.ReadSystemTime() },
        { "01 06 00 21 57 F0", DexcomRequests.ReadBatteryLevel() },
        { "01 06 00 1B 4E 67", DexcomRequests.ReadLanguage() },
    };

    [Theory]
    [MemberData(nameof(RequestVectors))]
    public void Request_vectors_encode_byte_for_byte_and_decode_back(string captured, byte[] encoded)
    {
        var bytes = Hex.Parse(captured);
        Assert.Equal(bytes, encoded);
        var request = DexcomRequests.DecodeRequest(bytes);
        Assert.Equal(bytes[3], (byte)request.Command);
    }

    [Fact]
    public void D6_four_pages_in_one_request_decodes()
    {
        var request = DexcomRequests.DecodeRequest(Hex.Parse("01 0C 00 11 04 B9 05 00 00 04 6D 29"));
        Assert.Equal(new DexcomRequest(DexcomCommand.ReadDatabasePages, DexcomRecordType.EgvData, 1465, 4), request);
    }

    [Fact]
    public void D8_ack_with_the_language_payload()
    {
        var bytes = Hex.Parse("01 08 00 01 09 04 A1 8A");
        var frame = DexcomFraming.Decode(bytes);
        Assert.Equal((byte)DexcomStatus.Ack, frame.Code);
        Assert.Equal(0x0409, DexcomResponses.ParseLanguage(DexcomResponses.ExpectAck(frame).Span));
        Assert.Equal(bytes, DexcomResponses.Encode(DexcomStatus.Ack, DexcomResponses.WriteLanguage(0x0409)));
    }

    [Fact]
    public void D9_firmware_header_frame_both_ways()
    {
        var frame = DexcomResponses.Encode(DexcomStatus.Ack, Encoding.ASCII.GetBytes(FirmwareXml));
        Assert.Equal(259, frame.Length);
        Assert.Equal(Hex.Parse("01 03 01 01 3C 46 69"), frame[..7]);
        Assert.Equal(Hex.Parse("2F 3E D8 D4"), frame[^4..]);

        var header = DexcomResponses.ParseFirmwareHeader(DexcomFraming.Decode(frame).Payload.Span);
        Assert.Equal(("G4Receiver", "Dexcom G4 Receiver", "SW10050", "2.0.1.104"), (header.ProductId, header.ProductName, header.SoftwareNumber, header.FirmwareVersion));
        Assert.Equal(10, header.Attributes.Count);
        Assert.Equal(frame, DexcomResponses.Encode(DexcomStatus.Ack, DexcomResponses.WriteFirmwareHeader(header.Attributes)));
    }

    [Fact]
    public void D10_egv_fixture_page_decodes_with_every_record_crc_good()
    {
        var bytes = SharedFiles.ReadHexFixture("dexcom", "egv-rev2-page136.hex");
        var page = DexcomPageCodec.Decode(bytes);
        Assert.Equal((5168u, DexcomRecordType.EgvData, (byte)2, 136u, 28), (page.FirstRecordIndex, page.RecordType, page.Revision, page.PageNumber, page.Records.Count));
        Assert.Equal(0x38E8, BitConverter.ToUInt16(bytes, 26));
        Assert.All(page.Records, r => Assert.IsType<EgvRecord>(r));
        Assert.Equal(bytes, DexcomPageCodec.Encode(page));
    }

    [Fact]
    public void D11_first_egv_record_is_221_flat_clean()
    {
        var page = DexcomPageCodec.Decode(SharedFiles.ReadHexFixture("dexcom", "egv-rev2-page136.hex"));
        var first = (EgvRecord)page.Records[0];
        Assert.Equal(new DateTime(2014, 11, 27, 21, 20, 21), first.SystemTime);
        Assert.Equal(new DateTime(2014, 11, 27, 15, 20, 18), first.DisplayTime);
        Assert.Equal(221, first.GlucoseMgDl);
        Assert.Equal(DexcomTrend.Flat, first.Trend);
        Assert.Equal(DexcomNoise.Clean, first.Noise);
        Assert.False(first.IsSpecialValue);
        Assert.False(first.DisplayOnly);
        Assert.Equal(Hex.Parse("15 8E 1B 0B B2 39 1B 0B DD 00 14 2A F6"), SharedFiles.ReadHexFixture("dexcom", "egv-rev2-page136.hex")[28..41]);
    }

    [Fact]
    public void Meter_fixture_page_decodes_and_re_encodes()
    {
        var bytes = SharedFiles.ReadHexFixture("dexcom", "meter-rev1-page1.hex");
        var page = DexcomPageCodec.Decode(bytes);
        Assert.Equal((31u, DexcomRecordType.MeterData, (byte)1, 1u, 4), (page.FirstRecordIndex, page.RecordType, page.Revision, page.PageNumber, page.Records.Count));
        var meters = page.Records.Cast<MeterRecord>().ToList();
        Assert.Equal([113, 70, 72, 262], meters.Select(m => (int)m.MeterGlucoseMgDl));
        Assert.Equal(bytes, DexcomPageCodec.Encode(page));
    }

    public static TheoryData<DexcomRecordType, byte, DexcomRecord> RecordSamples => new()
    {
        { DexcomRecordType.EgvData, 1, new EgvRecord(1000, 1100, 150, 0x14) },
        { DexcomRecordType.EgvData, 3, new EgvRecord(1000, 1100, 0x8000 | 95, 0x25) },
        { DexcomRecordType.EgvData, 2, new EgvRecord(1000, 1100, 5, 0x08) },
        { DexcomRecordType.EgvData, 4, new EgvRecord(1000, 1100, 180, 0x13) { TransmitterSystemSeconds = 1000, TransmitterSeconds = 77777, FilteredRate = -3, AlgorithmState = 6 } },
        { DexcomRecordType.EgvData, 5, new EgvRecord(1000, 1100, 0x2000 | 210, 0x12) { TransmitterSystemSeconds = 1000, TransmitterSeconds = 77777, FilteredRate = 12, AlgorithmState = 6, PredictedGlucoseWord = 230 } },
        { DexcomRecordType.MeterData, 1, new MeterRecord(2000, 2100, 113, 2005) },
        { DexcomRecordType.MeterData, 3, new MeterRecord(2000, 2100, 113, 2005) { EntryType = 1, MeterTransmitterSeconds = 99 } },
        { DexcomRecordType.SensorData, 1, new SensorRecord(3000, 3100, 150000, 149000, -72) },
        { DexcomRecordType.InsertionTime, 1, new InsertionTimeRecord(4000, 4100, uint.MaxValue, DexcomSessionState.Started) },
        { DexcomRecordType.UserEventData, 1, new UserEventRecord(5000, 5100, DexcomUserEventType.Insulin, 0, 5000, 450) },
        { DexcomRecordType.UserEventData, 1, new UserEventRecord(5000, 5100, DexcomUserEventType.Exercise, 2, 5000, 30) },
        { DexcomRecordType.ManufacturingData, 1, new ManufacturingDataRecord(0, 0, new Dictionary<string, string> { ["SerialNumber"] = "SM12345678", ["HardwarePartNumber"] = "MT20649" }) },
    };

    [Theory]
    [MemberData(nameof(RecordSamples))]
    public void Every_record_type_and_revision_round_trips_through_a_page(DexcomRecordType type, byte revision, DexcomRecord record)
    {
        DexcomRecord[] records = DexcomPageCodec.RecordsPerPage(type, revision) > 1 ? [record, record with { SystemSeconds = record.SystemSeconds + 300 }] : [record];
        var page = new DexcomPage(7, type, revision, 42, records);
        var bytes = DexcomPageCodec.Encode(page);
        Assert.Equal(page, DexcomPageCodec.Decode(bytes));
        Assert.Equal(bytes, DexcomPageCodec.Encode(DexcomPageCodec.Decode(bytes)));
    }

    [Fact]
    public void Decoded_values_mean_what_the_notes_say()
    {
        Assert.Equal(4.5m, new UserEventRecord(0, 0, DexcomUserEventType.Insulin, 0, 0, 450).Value);
        Assert.Equal("medium", new UserEventRecord(0, 0, DexcomUserEventType.Exercise, 2, 0, 30).SubtypeName);
        Assert.Equal(DexcomSpecialGlucose.SensorNotCalibrated, new EgvRecord(0, 0, 5, 0x08).SpecialValue);
        Assert.True(new EgvRecord(0, 0, 0x8000 | 95, 0x25).DisplayOnly);
        Assert.True(new EgvRecord(0, 0, 0x2000 | 95, 0x25) { PredictedGlucoseWord = 13 }.Backfilled);
        Assert.Equal(4000u, new InsertionTimeRecord(4000, 4100, uint.MaxValue, DexcomSessionState.Started).InsertionSystemSeconds);
    }

    [Fact]
    public void A_flipped_record_byte_is_a_bad_crc_at_that_record()
    {
        var bytes = SharedFiles.ReadHexFixture("dexcom", "egv-rev2-page136.hex");
        bytes[28 + (13 * 5) + 8] ^= 0x01;
        var error = Assert.Throws<ProtocolException>(() => DexcomPageCodec.Decode(bytes));
        Assert.Equal(ProtocolErrorKind.BadCrc, error.Kind);
        Assert.Equal(28 + (13 * 5) + 11, error.Offset);
    }

    [Theory]
    [InlineData(9, 7, ProtocolErrorKind.UnsupportedRevision)]
    [InlineData(8, 0x55, ProtocolErrorKind.UnknownRecordType)]
    [InlineData(16, 1, ProtocolErrorKind.ReservedValue)]
    [InlineData(4, 200, ProtocolErrorKind.BadLength)]
    public void Header_problems_are_named(int offset, byte value, ProtocolErrorKind expected)
    {
        var bytes = SharedFiles.ReadHexFixture("dexcom", "egv-rev2-page136.hex");
        bytes[offset] = value;
        var crc = PumpGateway.Codecs.Crc16Xmodem.Compute(bytes.AsSpan(0, 26));
        BitConverter.TryWriteBytes(bytes.AsSpan(26), crc);
        Assert.Equal(expected, Assert.Throws<ProtocolException>(() => DexcomPageCodec.Decode(bytes)).Kind);
    }

    [Fact]
    public void A_non_padding_tail_and_a_short_page_are_rejected()
    {
        var bytes = SharedFiles.ReadHexFixture("dexcom", "egv-rev2-page136.hex");
        Assert.Equal(ProtocolErrorKind.Truncated, Assert.Throws<ProtocolException>(() => DexcomPageCodec.Decode(bytes.AsSpan(0, 527))).Kind);
        bytes[^1] = 0x00;
        var tail = Assert.Throws<ProtocolException>(() => DexcomPageCodec.Decode(bytes));
        Assert.Equal((ProtocolErrorKind.ReservedValue, 527), (tail.Kind, tail.Offset));
    }

    [Theory]
    [InlineData("02 06 00 0A 5E 65", ProtocolErrorKind.BadMarker)]
    [InlineData("01 06 00 0A 5E", ProtocolErrorKind.Truncated)]
    [InlineData("01 05 00 0A 5E 65", ProtocolErrorKind.BadLength)]
    [InlineData("01 06 00 0A 5E 66", ProtocolErrorKind.BadCrc)]
    [InlineData("01 08 00 0A 5E 65", ProtocolErrorKind.Truncated)]
    public void Frame_errors_are_typed(string hex, ProtocolErrorKind expected) =>
        Assert.Equal(expected, Assert.Throws<ProtocolException>(() => DexcomFraming.Decode(Hex.Parse(hex))).Kind);

    [Fact]
    public void A_write_command_is_not_a_request_the_codec_knows()
    {
        var write = PumpGateway.Devices.Dexcom.DexcomFraming.Encode(0x1E, [0, 0, 0, 0]);
        Assert.Equal(ProtocolErrorKind.UnknownCommand, Assert.Throws<ProtocolException>(() => DexcomRequests.DecodeRequest(write)).Kind);
        Assert.DoesNotContain(Enum.GetValues<DexcomCommand>(), c => c.ToString().StartsWith("Write", StringComparison.Ordinal));
    }

    [Fact]
    public void Scanner_skips_garbage_and_waits_for_partial_frames_across_segments()
    {
        var frame = DexcomResponses.Encode(DexcomStatus.Ack, Encoding.ASCII.GetBytes(FirmwareXml));
        byte[] garbage = [0xFF, 0x00, 0x37];
        var all = garbage.Concat(frame).ToArray();

        // Every split point: the first part alone is incomplete, both parts give the frame.
        for (var split = 1; split < all.Length; split++)
        {
            var partial = new ReadOnlySequence<byte>(all.AsMemory(0, split));
            var first = DexcomFraming.TryReadFrame(partial, out _, out _, out _);
            Assert.Equal(FrameScanResult.Incomplete, first);

            var whole = Segmented(all, split);
            Assert.Equal(FrameScanResult.Frame, DexcomFraming.TryReadFrame(whole, out var decoded, out var consumed, out var skipped));
            Assert.Equal(3, skipped);
            Assert.Equal(whole.End, consumed);
            Assert.Equal(FirmwareXml, Encoding.ASCII.GetString(decoded.Payload.Span));
        }
    }

    [Fact]
    public void Scanner_reports_a_corrupt_frame_and_resynchronizes()
    {
        var bad = DexcomRequests.Ping();
        bad[^1] ^= 0xFF;
        var good = DexcomRequests.Ping();
        var buffer = new ReadOnlySequence<byte>(bad.Concat(good).ToArray());
        Assert.Equal(FrameScanResult.BadCrc, DexcomFraming.TryReadFrame(buffer, out _, out var consumed, out _));
        Assert.Equal(FrameScanResult.Frame, DexcomFraming.TryReadFrame(buffer.Slice(consumed), out var frame, out _, out _));
        Assert.Equal((byte)DexcomCommand.Ping, frame.Code);

        var impossible = new ReadOnlySequence<byte>(Hex.Parse("01 FF FF 0A"));
        Assert.Equal(FrameScanResult.BadLength, DexcomFraming.TryReadFrame(impossible, out _, out _, out _));
    }

    [Fact]
    public void Random_bytes_and_mutations_decode_or_fail_with_the_typed_error()
    {
        var random = new Random(20261124);
        var page = SharedFiles.ReadHexFixture("dexcom", "egv-rev2-page136.hex");
        byte[][] seeds = [page, SharedFiles.ReadHexFixture("dexcom", "meter-rev1-page1.hex"), DexcomRequests.ReadDatabasePages(DexcomRecordType.EgvData, 1, 1)];
        for (var i = 0; i < 3000; i++)
        {
            byte[] input;
            if (i % 3 == 0)
            {
                input = new byte[random.Next(0, 600)];
                random.NextBytes(input);
            }
            else
            {
                input = (byte[])seeds[i % seeds.Length].Clone();
                for (var flips = random.Next(1, 4); flips > 0; flips--)
                {
                    input[random.Next(input.Length)] = (byte)random.Next(256);
                }
            }

            AssertDecodesOrFailsTyped(() => DexcomPageCodec.Decode(input));
            AssertDecodesOrFailsTyped(() => DexcomFraming.Decode(input));
            AssertDecodesOrFailsTyped(() => DexcomRequests.DecodeRequest(input));
            AssertDecodesOrFailsTyped(() => DexcomResponses.ParseFirmwareHeader(input));
            AssertDecodesOrFailsTyped(() => DexcomResponses.ParsePageRange(input.AsSpan(0, Math.Min(8, input.Length))));
        }
    }

    private static void AssertDecodesOrFailsTyped(Action decode)
    {
        try
        {
            decode();
        }
        catch (ProtocolException)
        {
        }
    }

    private static ReadOnlySequence<byte> Segmented(byte[] bytes, int split)
    {
        var first = new Segment(bytes.AsMemory(0, split), 0);
        var second = first.Append(bytes.AsMemory(split));
        return new ReadOnlySequence<byte>(first, 0, second, second.Memory.Length);
    }

    private sealed class Segment : ReadOnlySequenceSegment<byte>
    {
        public Segment(ReadOnlyMemory<byte> memory, long runningIndex)
        {
            Memory = memory;
            RunningIndex = runningIndex;
        }

        public Segment Append(ReadOnlyMemory<byte> memory)
        {
            var next = new Segment(memory, RunningIndex + Memory.Length);
            Next = next;
            return next;
        }
    }
}
