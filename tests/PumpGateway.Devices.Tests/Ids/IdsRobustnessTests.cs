using PumpGateway.Codecs;
using PumpGateway.Devices.Ids;
using PumpGateway.Protocol;
using PumpGateway.TestSupport;

namespace PumpGateway.Devices.Tests.Ids;

/// <summary>
/// Random bytes and random mutations of valid values, through every decoder in every dialect:
/// each input decodes or fails with the typed error, and whatever decodes encodes back to the same bytes.
/// </summary>
public sealed class IdsRobustnessTests
{
    private sealed record Codec(string Name, Func<byte[], IdsDialect, object> Decode, Func<object, IdsDialect, byte[]> Encode, string[] Seeds);

    private static readonly IdsDialect[] Dialects =
    [
        IdsDialect.Specification,
        IdsDialect.SpecificationWithE2e,
        IdsDialect.MedtronicMiniMed700,
        new(E2eProtection: true, CrcVariant: E2eCrcVariant.CcittFalse, InsulinAsFloat: true),
    ];

    private static readonly Codec[] Codecs =
    [
        new("status changed", (v, d) => IdsStatusChangedCodec.Decode(v, d), (r, d) => IdsStatusChangedCodec.Encode((IdsStatusChanged)r, d), ["80 00 00 DF 35", "11 00"]),
        new("status", (v, d) => IdsStatusCodec.Decode(v, d), (r, d) => IdsStatusCodec.Encode((IdsStatus)r, d), ["55 96 0A E2 01 00 74 20", "55 96 E8 0D 28 FB 01", "55 96 17 F0 01"]),
        new("annunciation", (v, d) => IdsAnnunciationStatusCodec.Decode(v, d), (r, d) => IdsAnnunciationStatusCodec.Encode((IdsAnnunciationStatus)r, d), ["01 01 00 C3 00 3C 00 67 E9", "07 01 00 C3 00 33 17 00 22 00"]),
        new("features", (v, d) => IdsFeaturesCodec.Decode(v, d), (r, d) => IdsFeaturesCodec.Encode((IdsFeatures)r, d), ["FF FF 00 64 00 FE DE 80 1F", "2D D7 00 01 E0 23 80 00"]),
        new("status reader request", (v, d) => IdsStatusReaderCodec.DecodeRequest(v, d), (r, d) => IdsStatusReaderCodec.Encode((IdsStatusReaderRequest)r, d), ["56 03 34 12 0F", "A6 03 55 33"]),
        new("status reader response", (v, d) => IdsStatusReaderCodec.DecodeResponse(v, d), (r, d) => IdsStatusReaderCodec.Encode((IdsStatusReaderResponse)r, d),
            ["3F 03 02 01 00 02 00 00 72 3E", "FC 03 00 C0 5C 15 FA", "59 03 1F 07 00 55 7D E0 32 00 1E 00 05 00 01 5A", "6A 03 07 01 7D E0 33 8F E0 0A 00 09 00 01 33", "CF 03 F4 01 00 FE 20 4E 00 FF"]),
        new("command request", (v, d) => IdsCommandControlPointCodec.DecodeRequest(v, d), (r, d) => IdsCommandControlPointCodec.Encode((IdsCommandRequest)r, d), ["AA 0F 01", "7D 14"]),
        new("command response", (v, d) => IdsCommandControlPointCodec.DecodeResponse(v, d), (r, d) => IdsCommandControlPointCodec.Encode((IdsCommandResponse)r, d),
            ["22 11 01 33 20 F0 02 00 00 66 0E", "D2 11 01 05 3C 00 00 01 00 02 00 05 00", "55 0F AA 0F 0F", "74 12 02 01 02 00 0F 2F"]),
        new("command data", (v, d) => IdsCommandDataCodec.Decode(v, d), (r, d) => IdsCommandDataCodec.Encode((IdsCommandData)r, d),
            ["12 12 55 01 03 18 39 00 6B F6", "C3 0F 03 01 02 03 00 04 00 05 00 06 00 07 00 08 00", "41 14 01 01 02 03 00 04 00 05 00 06 00 07 00 08 00"]),
        new("RACP request", (v, d) => IdsRacpCodec.DecodeRequest(v, d), (r, d) => IdsRacpCodec.Encode((IdsRacpRequest)r, d), ["33 5A 0F 02 00 00 00 00 01 00 00", "33 33 0F", "55 0F"]),
        new("RACP response", (v, d) => IdsRacpCodec.DecodeResponse(v, d), (r, d) => IdsRacpCodec.Encode((IdsRacpResponse)r, d), ["0F 0F 33 F0", "66 0F 7B 00 00 00"]),
        new("history", (v, d) => IdsHistoryCodec.Decode(v, d), (r, d) => IdsHistoryCodec.Encode((IdsHistoryEvent)r, d),
            ["5a0064350a00c20754003300093df9000000000000", "960067350a00d30703000000005a0f", "0F 00 01 00 00 00 00 00 33 E8 07 0B 18 0E 1E 00 04 04", "66 00 65 35 0A 00 C2 07 06 00 5A F7 FB"]),
    ];

    [Fact]
    public void Random_bytes_and_mutations_decode_or_fail_with_the_typed_error()
    {
        var random = new Random(20260718);
        var decoded = 0;
        var rejected = new HashSet<ProtocolErrorKind>();
        foreach (var codec in Codecs)
        {
            var seeds = codec.Seeds.Select(Hex.Parse).ToArray();
            for (var i = 0; i < 4000; i++)
            {
                var input = Mutate(random, seeds[i % seeds.Length], i);
                var dialect = Dialects[random.Next(Dialects.Length)];
                try
                {
                    var record = codec.Decode(input, dialect);
                    Assert.True(input.AsSpan().SequenceEqual(codec.Encode(record, dialect)), $"{codec.Name} re-encoded {Hex.Format(input)} differently");
                    decoded++;
                }
                catch (ProtocolException error)
                {
                    Assert.InRange(error.Offset, 0, input.Length);
                    rejected.Add(error.Kind);
                }
            }
        }

        // The mix exercises both paths and the main rejection kinds, so the loop cannot pass by never decoding.
        Assert.True(decoded > 1000, $"only {decoded} inputs decoded");
        Assert.Superset(new HashSet<ProtocolErrorKind> { ProtocolErrorKind.Truncated, ProtocolErrorKind.BadLength, ProtocolErrorKind.BadCrc, ProtocolErrorKind.ReservedValue, ProtocolErrorKind.UnknownCommand, ProtocolErrorKind.UnknownRecordType }, rejected);
    }

    private static byte[] Mutate(Random random, byte[] seed, int round)
    {
        switch (round % 4)
        {
            case 0:
                var noise = new byte[random.Next(0, 24)];
                random.NextBytes(noise);
                return noise;
            case 1:
                return seed[..random.Next(0, seed.Length + 1)];
            default:
                var mutated = (byte[])seed.Clone();
                for (var flips = random.Next(1, 3); flips > 0 && mutated.Length > 0; flips--)
                {
                    mutated[random.Next(mutated.Length)] = (byte)random.Next(256);
                }

                return round % 8 == 3 ? [.. mutated, (byte)random.Next(256)] : mutated;
        }
    }
}
