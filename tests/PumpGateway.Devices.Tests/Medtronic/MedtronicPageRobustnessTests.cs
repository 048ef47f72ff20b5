using PumpGateway.Devices.Medtronic;
using PumpGateway.Protocol;

namespace PumpGateway.Devices.Tests.Medtronic;

/// <summary>Rejections of whole pages, and random pages and mutations: a decoded page or a ProtocolException, nothing else.</summary>
public sealed class MedtronicPageRobustnessTests
{
    private static byte[] Resealed(byte[] page)
    {
        MedtronicPageFrame.Seal(page);
        return page;
    }

    [Theory]
    [InlineData(1, 567, 0x99)]
    [InlineData(2, 65, 0x02)]
    [InlineData(0, 0, 0xFF)]
    public void An_opcode_made_unknown_stops_the_page_with_its_opcode_and_offset(int number, int offset, byte opcode)
    {
        var bytes = MedtronicPageCodecTests.Page("578398", number);
        bytes[offset] = opcode;
        var error = Assert.Throws<ProtocolException>(() => MedtronicPageCodec.Decode(Resealed(bytes), MedtronicModel.Paradigm522));
        Assert.Equal((ProtocolErrorKind.UnknownRecordType, offset), (error.Kind, error.Offset));
        Assert.Contains($"0x{opcode:X2}", error.Message, StringComparison.Ordinal);
        Assert.Contains($"offset {offset}", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_byte_in_the_padding_a_record_cut_by_the_crc_and_a_short_page_are_named()
    {
        var padding = MedtronicPageCodecTests.Page("578398", 0);
        padding[500] = 0x01;
        var error = Assert.Throws<ProtocolException>(() => MedtronicPageCodec.Decode(Resealed(padding), MedtronicModel.Paradigm522));
        Assert.Equal((ProtocolErrorKind.ReservedValue, 500), (error.Kind, error.Offset));

        var cut = MedtronicPageCodecTests.Page("578398", 10);
        Assert.Equal(0, cut[1021]);
        cut[1021] = 0x01;
        error = Assert.Throws<ProtocolException>(() => MedtronicPageCodec.Decode(Resealed(cut), MedtronicModel.Paradigm522));
        Assert.Equal((ProtocolErrorKind.Truncated, 1021), (error.Kind, error.Offset));

        var page = MedtronicPageCodecTests.Page("578398", 3);
        Assert.Equal(ProtocolErrorKind.Truncated, Assert.Throws<ProtocolException>(() => MedtronicPageCodec.Decode(page.AsSpan(0, 1023), MedtronicModel.Paradigm522)).Kind);
        Assert.Equal(ProtocolErrorKind.BadLength, Assert.Throws<ProtocolException>(() => MedtronicPageCodec.Decode(new byte[1025], MedtronicModel.Paradigm522)).Kind);
    }

    [Fact]
    public void A_522_page_read_as_a_554_page_is_rejected_not_misread_silently()
    {
        var bytes = MedtronicPageCodecTests.Page("578398", 1);
        Assert.Throws<ProtocolException>(() => MedtronicPageCodec.Decode(bytes, MedtronicModel.Paradigm554));
    }

    [Fact]
    public void Random_pages_and_mutations_of_real_pages_decode_or_fail_with_a_protocol_exception()
    {
        var random = new Random(578398);
        var history = new[] { 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10 }.Select(n => ("522", MedtronicPageCodecTests.Page("578398", n)))
            .Append(("554", MedtronicPageCodecTests.Page("model-554", 0))).ToArray();
        var glucose = File.ReadAllBytes(PumpGateway.TestSupport.SharedFiles.Fixture("medtronic", "578398", "ReadGlucoseHistory-page-6.data"));
        var outcomes = new Dictionary<string, int>();

        void Attempt(Action decode)
        {
            try
            {
                decode();
                outcomes["decoded"] = outcomes.GetValueOrDefault("decoded") + 1;
            }
            catch (ProtocolException e)
            {
                outcomes[e.Kind.ToString()] = outcomes.GetValueOrDefault(e.Kind.ToString()) + 1;
            }
        }

        for (var i = 0; i < 3000; i++)
        {
            var (model, source) = history[random.Next(history.Length)];
            var mutated = (byte[])source.Clone();
            for (var flips = random.Next(1, 4); flips > 0; flips--)
            {
                mutated[random.Next(0, 1022)] = (byte)random.Next(256);
            }

            var sealedPage = Resealed(mutated);
            Attempt(() =>
            {
                var page = MedtronicPageCodec.Decode(sealedPage, MedtronicModel.Parse(model));
                Assert.Equal(sealedPage, MedtronicPageCodec.Encode(page));
            });

            var glucoseMutation = (byte[])glucose.Clone();
            glucoseMutation[random.Next(0, 0x120)] = (byte)random.Next(256);
            var sealedGlucose = Resealed(glucoseMutation);
            Attempt(() =>
            {
                var page = MedtronicGlucosePageCodec.Decode(sealedGlucose);
                Assert.Equal(sealedGlucose, MedtronicGlucosePageCodec.Encode(page));
            });

            var noise = new byte[random.Next(2) == 0 ? 1024 : random.Next(0, 1100)];
            random.NextBytes(noise);
            if (noise.Length == 1024 && random.Next(2) == 0)
            {
                Resealed(noise);
            }

            Attempt(() => MedtronicPageCodec.Decode(noise, random.Next(2) == 0 ? MedtronicModel.Paradigm522 : MedtronicModel.Paradigm554));
            Attempt(() => MedtronicGlucosePageCodec.Decode(noise));

            var record = new byte[random.Next(0, 40)];
            random.NextBytes(record);
            Attempt(() => MedtronicRecordCodec.Decode(record, MedtronicModel.Paradigm554, 0, out _));
        }

        Assert.True(outcomes.GetValueOrDefault("decoded") > 1000, string.Join(", ", outcomes));
        Assert.True(outcomes.Count > 4, string.Join(", ", outcomes));
    }
}
