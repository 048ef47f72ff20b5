using System.Buffers;
using FsCheck;
using FsCheck.Fluent;
using PumpGateway.Devices.Dexcom;
using PumpGateway.TestSupport;
using static PumpGateway.Devices.Tests.Properties.ValidValues;

namespace PumpGateway.Devices.Tests.Properties;

/// <summary>Dexcom receiver frames, requests, replies, database pages and every record type and revision the codec knows.</summary>
public sealed class DexcomProperties
{
    private const int Cases = 2000;

    /// <summary>A decoded frame, its payload as an array so that two frames compare by content.</summary>
    private sealed record Frame(byte Code, byte[] Payload);

    private static readonly (DexcomRecordType Type, byte Revision)[] Layouts =
    [
        (DexcomRecordType.EgvData, 1), (DexcomRecordType.EgvData, 2), (DexcomRecordType.EgvData, 3), (DexcomRecordType.EgvData, 4), (DexcomRecordType.EgvData, 5),
        (DexcomRecordType.MeterData, 1), (DexcomRecordType.MeterData, 3), (DexcomRecordType.SensorData, 1), (DexcomRecordType.InsertionTime, 1),
        (DexcomRecordType.UserEventData, 1), (DexcomRecordType.ManufacturingData, 1),
    ];

    private static Gen<string> XmlName { get; } = Text("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz", 1, 12);

    // Printable ASCII, XML's special characters included (the writer escapes them). Tabs and line breaks are left out:
    // XML normalizes them to spaces inside an attribute, so they cannot come back as written.
    private static Gen<string> XmlValue(int maxLength) => Text(new string([.. Enumerable.Range(0x20, 0x5F).Select(c => (char)c)]), 0, maxLength);

    private static Gen<Dictionary<string, string>> Attributes(int maxCount, int maxValueLength) =>
        Gen.Choose(0, maxCount).SelectMany(n => Gen.ArrayOf(XmlName.SelectMany(_ => XmlValue(maxValueLength), (k, v) => (k, v)), n), (_, pairs) => pairs)
            .Select(pairs => pairs.DistinctBy(p => p.k).ToDictionary(p => p.k, p => p.v, StringComparer.Ordinal));

    private static Gen<DexcomRecord> Record(DexcomRecordType type, byte revision)
    {
        var times = Gen.Two(AnyUInt32);
        Gen<DexcomRecord> Of<T>(Gen<T> body, Func<uint, uint, T, DexcomRecord> make) => times.SelectMany(_ => body, (t, b) => make(t.Item1, t.Item2, b));
        return type switch
        {
            DexcomRecordType.EgvData => Of(
                from word in Glucose(revision)
                from trend in Gen.Choose(0, 9)
                from noise in Gen.Choose(0, 6)
                from extra in Gen.Two(AnyUInt32)
                from rate in AnyByte
                from state in AnyByte
                from predicted in AnyUInt16
                select (word, trendNoise: (byte)(trend | (noise << 4)), extra, rate, state, predicted),
                (system, display, b) => revision <= 3
                    ? new EgvRecord(system, display, b.word, b.trendNoise)
                    : new EgvRecord(system, display, b.word, b.trendNoise)
                    {
                        TransmitterSystemSeconds = b.extra.Item1, TransmitterSeconds = b.extra.Item2, FilteredRate = (sbyte)b.rate, AlgorithmState = b.state,
                        PredictedGlucoseWord = revision == 5 ? b.predicted : null,
                    }),
            DexcomRecordType.MeterData => Of(
                from glucose in AnyUInt16 from seconds in AnyUInt32 from entry in AnyByte from transmitter in AnyUInt32 select (glucose, seconds, entry, transmitter),
                (system, display, b) => revision == 1
                    ? new MeterRecord(system, display, b.glucose, b.seconds)
                    : new MeterRecord(system, display, b.glucose, b.seconds) { EntryType = b.entry, MeterTransmitterSeconds = b.transmitter }),
            DexcomRecordType.SensorData => Of(
                from raw in Gen.Two(AnyUInt32) from rssi in AnyUInt16 select (raw, rssi),
                (system, display, b) => new SensorRecord(system, display, b.raw.Item1, b.raw.Item2, (short)b.rssi)),
            DexcomRecordType.InsertionTime => Of(
                from insertion in Gen.Frequency((1, Gen.Constant(InsertionTimeRecord.UseSystemTime)), (4, AnyUInt32)) from state in Defined<DexcomSessionState>() select (insertion, state),
                (system, display, b) => new InsertionTimeRecord(system, display, b.insertion, b.state)),
            DexcomRecordType.UserEventData => Of(
                from eventType in Defined<DexcomUserEventType>()
                from subtype in eventType switch { DexcomUserEventType.Health => Gen.Choose(1, 6), DexcomUserEventType.Exercise => Gen.Choose(1, 3), _ => Gen.Constant(0) }
                from seconds in AnyUInt32
                from value in AnyUInt32
                select (eventType, subtype, seconds, value),
                (system, display, b) => new UserEventRecord(system, display, b.eventType, (byte)b.subtype, b.seconds, b.value)),
            // The XML must fit the record's 490 bytes: 4 attributes of 12-character names and 16-character values stay under it even when every character is escaped.
            _ => Of(
                Attributes(4, 16),
                (system, display, b) => new ManufacturingDataRecord(system, display, b)),
        };
    }

    /// <summary>A glucose word: value bits, and the flag bits the revision defines; values below 20 only where they name a special value.</summary>
    private static Gen<ushort> Glucose(byte revision) =>
        from value in Gen.Frequency((4, Gen.Choose(EgvRecord.FirstGlucoseValue, 0x3FF)), (1, Gen.Elements(Enum.GetValues<DexcomSpecialGlucose>()).Select(s => (int)s)))
        from flags in revision >= 5 ? Gen.Choose(0, 7).Select(f => f << 13) : Gen.Elements(0, 0x8000)
        select (ushort)(value | flags);

    private static Gen<DexcomPage> Page { get; } =
        from layout in Gen.Elements(Layouts)
        from first in AnyUInt32
        from number in AnyUInt32
        from count in Gen.Choose(0, DexcomPageCodec.RecordsPerPage(layout.Type, layout.Revision))
        from records in Gen.ArrayOf(Record(layout.Type, layout.Revision), count)
        select new DexcomPage(first, layout.Type, layout.Revision, number, records);

    private static Gen<Frame> Frames { get; } =
        from code in AnyByte
        from length in Gen.Frequency((8, Gen.Choose(0, 64)), (1, Gen.Choose(65, DexcomFraming.MaxPayload)))
        from payload in Gen.ArrayOf(AnyByte, length)
        select new Frame(code, payload);

    private static Gen<DexcomRequest> Requests { get; } = Gen.OneOf(
        Gen.Elements(Enum.GetValues<DexcomCommand>().Where(c => c is not (DexcomCommand.ReadDatabasePageRange or DexcomCommand.ReadDatabasePages or DexcomCommand.ReadDatabasePageHeader)).ToArray())
            .Select(c => new DexcomRequest(c, null, null, null)),
        Defined<DexcomRecordType>().Select(t => new DexcomRequest(DexcomCommand.ReadDatabasePageRange, t, null, null)),
        Defined<DexcomRecordType>().SelectMany(_ => AnyUInt32, (t, page) => new DexcomRequest(DexcomCommand.ReadDatabasePageHeader, t, page, null)),
        from t in Defined<DexcomRecordType>() from page in AnyUInt32 from count in Gen.Choose(1, 255)
        select new DexcomRequest(DexcomCommand.ReadDatabasePages, t, page, (byte)count));

    private static byte[] EncodeRequest(DexcomRequest request) => request.Command switch
    {
        DexcomCommand.ReadDatabasePageRange => DexcomRequests.ReadDatabasePageRange(request.RecordType!.Value),
        DexcomCommand.ReadDatabasePageHeader => DexcomRequests.ReadDatabasePageHeader(request.RecordType!.Value, request.FirstPage!.Value),
        DexcomCommand.ReadDatabasePages => DexcomRequests.ReadDatabasePages(request.RecordType!.Value, request.FirstPage!.Value, request.PageCount!.Value),
        _ => DexcomFraming.Encode((byte)request.Command, []),
    };

    private static Gen<DexcomFirmwareHeader> FirmwareHeader { get; } =
        from required in Gen.Four(XmlValue(20))
        from more in Attributes(6, 20)
        let attributes = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["ProductId"] = required.Item1, ["ProductName"] = required.Item2, ["SoftwareNumber"] = required.Item3, ["FirmwareVersion"] = required.Item4,
        }
        select new DexcomFirmwareHeader(required.Item1, required.Item2, required.Item3, required.Item4,
            attributes.Concat(more.Where(p => !attributes.ContainsKey(p.Key))).ToDictionary(p => p.Key, p => p.Value, StringComparer.Ordinal));

    private static Gen<IReadOnlyList<DexcomPartition>> Partitions { get; } = Gen.Choose(0, 8).SelectMany(
        n => Gen.ArrayOf(from name in XmlValue(20) from numbers in Gen.Three(AnyInt32) select new DexcomPartition(name, numbers.Item1, numbers.Item2, numbers.Item3), n),
        (_, partitions) => (IReadOnlyList<DexcomPartition>)partitions);

    private static Gen<DexcomPageRange> PageRange { get; } = Gen.Frequency(
        (1, Gen.Constant(DexcomPageRange.Empty)),
        (6, Gen.Two(Gen.Choose(0, int.MaxValue).Select(v => (uint)v)).Select(p => new DexcomPageRange(Math.Min(p.Item1, p.Item2), Math.Max(p.Item1, p.Item2)))));

    /// <remarks>
    /// Text and XML replies are not byte-exact: the receiver's text ends at its first NUL or 0xFF, and XML may carry
    /// whitespace, other elements or attributes with tabs that parse to the same value, so for them what decodes
    /// re-encodes to bytes that decode to the same value.
    /// </remarks>
    public static IEnumerable<ICodecProperty> All()
    {
        yield return new CodecProperty<Frame>("frame", Frames, b => { var f = DexcomFraming.Decode(b); return new Frame(f.Code, f.Payload.ToArray()); }, f => DexcomFraming.Encode(f.Code, f.Payload));
        yield return new CodecProperty<DexcomRequest>("request", Requests, b => DexcomRequests.DecodeRequest(b), EncodeRequest);
        yield return new CodecProperty<DexcomPage>("database page", Page, b => DexcomPageCodec.Decode(b), DexcomPageCodec.Encode);
        yield return new CodecProperty<IReadOnlyList<DexcomPage>>(
            "database pages reply", Gen.Choose(1, 3).SelectMany(n => Gen.ArrayOf(Page, n), (_, pages) => (IReadOnlyList<DexcomPage>)pages),
            b => DexcomPageCodec.DecodePages(b), pages => [.. pages.SelectMany(DexcomPageCodec.Encode)]);
        foreach (var (type, revision) in Layouts)
        {
            var size = DexcomRecordCodec.RecordSize(type, revision, 0);
            yield return new CodecProperty<DexcomRecord>(
                $"{type} record revision {revision}", Record(type, revision),
                b => b.Length == size ? DexcomRecordCodec.Decode(b, type, revision, 0) : throw new Protocol.ProtocolException(Protocol.ProtocolErrorKind.BadLength, 0, "the page cuts records to size"),
                r =>
                {
                    var bytes = new byte[size];
                    DexcomRecordCodec.Encode(r, type, revision, bytes);
                    return bytes;
                });
        }

        yield return new CodecProperty<DexcomPageRange>("page range reply", PageRange, b => DexcomResponses.ParsePageRange(b), DexcomResponses.WritePageRange);
        yield return new CodecProperty<ushort>("language reply", AnyUInt16, b => DexcomResponses.ParseLanguage(b), DexcomResponses.WriteLanguage);
        yield return new CodecProperty<uint>("u32 reply", AnyUInt32, b => DexcomResponses.ParseUInt32(b), DexcomResponses.WriteUInt32);
        yield return new CodecProperty<int>("i32 reply", AnyInt32, b => DexcomResponses.ParseInt32(b), DexcomResponses.WriteInt32);
        yield return new CodecProperty<DexcomGlucoseUnit>("glucose unit reply", Defined<DexcomGlucoseUnit>(), b => DexcomResponses.ParseGlucoseUnit(b), u => [(byte)u]);
        yield return new CodecProperty<DexcomClockMode>("clock mode reply", Defined<DexcomClockMode>(), b => DexcomResponses.ParseClockMode(b), m => [(byte)m]);
        yield return new CodecProperty<DexcomBatteryState>("battery state reply", Defined<DexcomBatteryState>(), b => DexcomResponses.ParseBatteryState(b), s => [(byte)s]);
        yield return new CodecProperty<string>(
            "transmitter id reply", Text("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789", 1, 16), b => DexcomResponses.ParseTransmitterId(b), DexcomResponses.WriteAscii, Exact: false);
        yield return new CodecProperty<DexcomFirmwareHeader>("firmware header reply", FirmwareHeader, b => DexcomResponses.ParseFirmwareHeader(b), h => DexcomResponses.WriteFirmwareHeader(h.Attributes), Exact: false);
        yield return new CodecProperty<IReadOnlyList<DexcomPartition>>("partition info reply", Partitions, b => DexcomResponses.ParsePartitionInfo(b), DexcomResponses.WritePartitionInfo, Exact: false);
    }

    public static TheoryData<string> Names => [.. All().Select(c => c.Name)];

    [Theory]
    [MemberData(nameof(Names))]
    public void Encoding_a_valid_value_and_decoding_it_gives_it_back_and_the_same_bytes_again(string codec) =>
        All().Single(c => c.Name == codec).RoundTrips(Cases);

    [Theory]
    [MemberData(nameof(Names))]
    public void Any_bytes_decode_or_fail_with_the_typed_error(string codec) =>
        All().Single(c => c.Name == codec).DecodesOrFailsTyped(Cases);

    [Fact]
    public void A_frame_behind_noise_without_a_start_byte_is_found_whole_however_the_stream_is_cut()
    {
        var streams =
            from noise in Inputs.Bytes(0, 40).Select(n => n.Where(b => b != DexcomFraming.StartOfFrame).ToArray())
            from frame in Frames
            from cut in Gen.Choose(0, 1000)
            select (noise, frame, cut);
        Seeded.Check(streams, s =>
        {
            byte[] stream = [.. s.noise, .. DexcomFraming.Encode(s.frame.Code, s.frame.Payload)];
            var split = s.cut % (stream.Length + 1);
            var buffer = Segmented(stream, split);
            Assert.Equal(FrameScanResult.Frame, DexcomFraming.TryReadFrame(buffer, out var found, out var consumed, out var skipped));
            Assert.Equal(s.noise.Length, skipped);
            Assert.Equal(stream.Length, buffer.Slice(0, consumed).Length);
            Assert.Equal(s.frame.Code, found.Code);
            Assert.Equal(s.frame.Payload, found.Payload.ToArray());
        }, Cases);
    }

    [Fact]
    public void Scanning_any_bytes_never_throws_and_always_moves_past_what_it_rejects()
    {
        Seeded.Check(Inputs.NoiseOrMutationOf(Frames.Select(f => DexcomFraming.Encode(f.Code, f.Payload))), input =>
        {
            var buffer = new ReadOnlySequence<byte>(input);
            var result = DexcomFraming.TryReadFrame(buffer, out _, out var consumed, out var skipped);
            var used = buffer.Slice(0, consumed).Length;
            Assert.InRange(skipped, 0, input.Length);
            Assert.True(result == FrameScanResult.Incomplete ? used == skipped || used == input.Length : used > skipped, $"{result} consumed {used} of {Hex.Format(input)}");
        }, Cases);
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
