using BenchmarkDotNet.Attributes;
using PumpGateway.Codecs;
using PumpGateway.Devices.Dexcom;
using PumpGateway.TestSupport;

namespace PumpGateway.Benchmarks;

/// <summary>
/// Decoding a real EGV page (28 records) against the baseline of computing the CRC of the same
/// 528 bytes once: the ratio says what the decoder costs beyond touching every byte.
/// </summary>
[MemoryDiagnoser]
public class DexcomDecodeBenchmarks
{
    private readonly byte[] _page = SharedFiles.ReadHexFixture("dexcom", "egv-rev2-page136.hex");

    [Benchmark(Baseline = true)]
    public ushort CrcOfThePage() => Crc16Xmodem.Compute(_page);

    [Benchmark]
    public int DecodeEgvPage() => DexcomPageCodec.Decode(_page).Records.Count;

    [Benchmark]
    public int DecodeFrameOfThreePages() => DexcomPageCodec.DecodePages(DexcomFraming.Decode(_threePageFrame).Payload.Span).Count;

    private readonly byte[] _threePageFrame = DexcomResponses.Encode(
        DexcomStatus.Ack,
        [.. SharedFiles.ReadHexFixture("dexcom", "egv-rev2-page136.hex"), .. SharedFiles.ReadHexFixture("dexcom", "egv-rev2-page136.hex"), .. SharedFiles.ReadHexFixture("dexcom", "egv-rev2-page136.hex")]);
}
