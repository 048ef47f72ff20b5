using PumpGateway.Devices.Medtronic;
using PumpGateway.Protocol;
using PumpGateway.TestSupport;

namespace PumpGateway.Devices.Tests.Medtronic;

/// <summary>
/// Random bytes and random mutations of valid stick commands, stick replies and pump replies: each input
/// decodes or fails with the typed error. Commands and radio replies have no slack, so whatever decodes
/// re-encodes to the same bytes; 64-byte replies carry bytes nobody interprets, so for them the decoded
/// value re-encodes to bytes that decode to the same value.
/// </summary>
public sealed class CareLinkRobustnessTests
{
    private sealed record Codec(string Name, Func<byte[], object> Decode, Func<object, byte[]> Encode, bool Exact, string[] Seeds);

    private static readonly Codec[] Codecs =
    [
        new("stick command", b => CareLinkStick.DecodeCommand(b), r => CareLinkStick.Encode((CareLinkCommand)r), true,
            ["04 00 00", "05 01 00", "06 00 00", "03 00 00", "0C 00 00 8E 56", "01 00 A7 01 57 83 98 80 01 00 02 02 00 80 C1 03 36",
             "01 00 A7 01 66 54 55 80 02 55 00 00 00 5D E6 01 0A A2", "01 00 A7 01 20 88 50 80 04 00 02 02 00 9A 22 00 00 00 01 9B", "01 00 A7 01 57 83 98 80 00 00 02 01 00 9D AF 00"]),
        new("radio reply", b => CareLinkStick.DecodeRadioReply(b), r => CareLinkStick.EncodeRadioReply((CareLinkRadioReply)r), true,
            [CareLinkStickTests.M7RadioReply, CareLinkStickTests.CurPageRadioReply]),
        new("product info", b => CareLinkStick.DecodeProductInfo(b), r => CareLinkStick.EncodeProductInfo((CareLinkProductInfo)r), false,
            [Reply("01 55 00 08 0E 00 00 00 00 43 6F 6D 4C 69 6E 6B 20 49 49 01 10 02 00 01 01 03")]),
        new("statistics", b => CareLinkStick.DecodeInterfaceStatistics(b), r => CareLinkStick.EncodeInterfaceStatistics((CareLinkInterfaceStatistics)r), false,
            [Reply("01 55 00 00 00 00 1E 00 00 01 40 00 00 01 6F")]),
        new("link status", b => CareLinkStick.DecodeLinkStatus(b), r => CareLinkStick.EncodeLinkStatus((CareLinkLinkStatus)r), false,
            [Reply("01 55 00 00 02 01 00 4E 05 04 00")]),
        new("signal strength", b => CareLinkStick.DecodeSignalStrength(b), r => CareLinkStick.EncodeSignalStrength((byte)r), false, [Reply("01 55 00 C4")]),
        new("ack", b => { CareLinkStick.DecodeAck(b); return 0; }, _ => CareLinkStick.EncodeAck(), false, [Reply("01 55 00 BE 0E")]),
        Payload("model", b => ParadigmReplies.DecodePumpModel(b), r => ParadigmReplies.EncodePumpModel((string)r), "03 35 32 32"),
        Payload("clock", b => ParadigmReplies.DecodeRtc(b), r => ParadigmReplies.EncodeRtc((DateTime)r), "16 1B 20 07 E0 03 11"),
        Payload("pump id", b => ParadigmReplies.DecodePumpId(b), r => ParadigmReplies.EncodePumpId((string)r), "35 37 38 33 39 38"),
        Payload("battery", b => ParadigmReplies.DecodeBatteryStatus(b), r => ParadigmReplies.EncodeBatteryStatus((ParadigmBatteryStatus)r), "00 00 8C"),
        Payload("reservoir x23", b => ParadigmReplies.DecodeRemainingInsulin(b, 40), r => ParadigmReplies.EncodeRemainingInsulin((decimal)r, 40), "00 00 0C A3"),
        Payload("reservoir x22", b => ParadigmReplies.DecodeRemainingInsulin(b, 10), r => ParadigmReplies.EncodeRemainingInsulin((decimal)r, 10), "04 87"),
        Payload("firmware", b => ParadigmReplies.DecodeFirmwareVersion(b), r => ParadigmReplies.EncodeFirmwareVersion((string)r), "56 45 52 20 32 2E 34 41 31 2E 31"),
        Payload("error status", b => ParadigmReplies.DecodeErrorStatus(b), r => ParadigmReplies.EncodeErrorStatus((byte)r), "00"),
        Payload("page number", b => ParadigmReplies.DecodeCurrentPageNumber(b), r => ParadigmReplies.EncodeCurrentPageNumber((uint)r), "00 00 00 0A"),
        Payload("glucose page", b => ParadigmReplies.DecodeCurrentGlucosePageNumber(b), r => ParadigmReplies.EncodeCurrentGlucosePageNumber((ParadigmGlucosePageNumber)r), "00 00 0D 61 00 10 00 20"),
    ];

    [Fact]
    public void Random_bytes_and_mutations_decode_or_fail_with_the_typed_error()
    {
        var random = new Random(578398);
        var decoded = 0;
        var rejected = new HashSet<ProtocolErrorKind>();
        foreach (var codec in Codecs)
        {
            var seeds = codec.Seeds.Select(Hex.Parse).ToArray();
            Assert.All(seeds, s => codec.Decode(s));
            for (var i = 0; i < 3000; i++)
            {
                var input = Mutate(random, seeds[i % seeds.Length], i);
                try
                {
                    var value = codec.Decode(input);
                    var encoded = codec.Encode(value);
                    if (codec.Exact)
                    {
                        Assert.True(input.AsSpan().SequenceEqual(encoded), $"{codec.Name} re-encoded {Hex.Format(input)} differently");
                    }
                    else
                    {
                        Assert.Equal(encoded, codec.Encode(codec.Decode(encoded)));
                    }

                    decoded++;
                }
                catch (ProtocolException error)
                {
                    Assert.InRange(error.Offset, 0, input.Length);
                    rejected.Add(error.Kind);
                }
            }
        }

        // Both paths and every rejection kind the codecs use are exercised, so the loop cannot pass by never decoding.
        Assert.True(decoded > 10000, $"only {decoded} inputs decoded");
        Assert.Superset(
            new HashSet<ProtocolErrorKind>
            {
                ProtocolErrorKind.Truncated, ProtocolErrorKind.BadLength, ProtocolErrorKind.BadCrc, ProtocolErrorKind.BadMarker,
                ProtocolErrorKind.ReservedValue, ProtocolErrorKind.UnknownCommand, ProtocolErrorKind.OutOfRange, ProtocolErrorKind.DeviceError,
            },
            rejected);
    }

    [Fact]
    public void Mutated_read_sequences_assemble_or_fail_with_the_typed_error()
    {
        var random = new Random(1024);
        var page = File.ReadAllBytes(SharedFiles.Fixture("medtronic", "578398", "ReadHistoryData-page-0.data"));
        var command = ParadigmCommands.ReadHistoryData("578398", 0);
        var assembled = 0;
        var rejected = new HashSet<ProtocolErrorKind>();
        for (var i = 0; i < 2000; i++)
        {
            var reads = ParadigmCommandReplyTests.Reads(page, "578398", [64, 128, 128, 64, 128, 128, 64, 128, 128, 64]).ToList();
            switch (i % 4)
            {
                case 0:
                    reads.RemoveAt(random.Next(reads.Count));
                    break;
                case 1:
                    reads.Insert(random.Next(reads.Count + 1), reads[random.Next(reads.Count)]);
                    break;
                case 2:
                    var victim = reads[random.Next(reads.Count)];
                    victim[random.Next(victim.Length)] = (byte)random.Next(256);
                    break;
            }

            try
            {
                Assert.Equal(1024, ParadigmReplyAssembler.Assemble(command, reads).Length);
                assembled++;
            }
            catch (ProtocolException error)
            {
                rejected.Add(error.Kind);
            }
        }

        // Every fourth sequence is left untouched, so at least those 500 must assemble.
        Assert.True(assembled >= 500, $"only {assembled} sequences assembled");
        Assert.Superset(new HashSet<ProtocolErrorKind> { ProtocolErrorKind.BadLength, ProtocolErrorKind.BadCrc }, rejected);
    }

    private static Codec Payload(string name, Func<byte[], object> decode, Func<object, byte[]> encode, string head) =>
        new(name, decode, encode, false, [Reply(head)]);

    /// <summary>A 64-byte read starting with <paramref name="head"/>, zeros after.</summary>
    private static string Reply(string head)
    {
        var frame = new byte[64];
        Hex.Parse(head).CopyTo(frame, 0);
        return Hex.Format(frame);
    }

    private static byte[] Mutate(Random random, byte[] seed, int round)
    {
        switch (round % 4)
        {
            case 0:
                var noise = new byte[random.Next(0, 2) == 0 ? random.Next(0, 24) : seed.Length];
                random.NextBytes(noise);
                return noise;
            case 1:
                return seed[..random.Next(0, seed.Length + 1)];
            default:
                var mutated = (byte[])seed.Clone();
                for (var flips = random.Next(1, 3); flips > 0 && mutated.Length > 0; flips--)
                {
                    mutated[random.Next(Math.Min(mutated.Length, 24))] = (byte)random.Next(256);
                }

                return round % 8 == 3 ? [.. mutated, (byte)random.Next(256)] : mutated;
        }
    }
}
