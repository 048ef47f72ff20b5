using BenchmarkDotNet.Attributes;
using PumpGateway.Codecs;
using PumpGateway.Devices.Medtronic;
using PumpGateway.TestSupport;

namespace PumpGateway.Benchmarks;

/// <summary>
/// Decoding real Paradigm 522 pages (pump 578398) against the baseline of the CRC-16 of the same
/// 1022 bytes, which the page check computes anyway.
/// </summary>
[MemoryDiagnoser]
public class MedtronicDecodeBenchmarks
{
    private readonly byte[] _historyPage = File.ReadAllBytes(SharedFiles.Fixture("medtronic", "578398", "ReadHistoryData-page-1.data"));

    private readonly byte[] _glucosePage = File.ReadAllBytes(SharedFiles.Fixture("medtronic", "578398", "ReadGlucoseHistory-page-6.data"));

    [Benchmark(Baseline = true)]
    public ushort CrcOfThePage() => Crc16CcittFalse.Compute(_historyPage.AsSpan(0, MedtronicPageFrame.DataSize));

    [Benchmark]
    public int DecodeHistoryPage() => MedtronicPageCodec.Decode(_historyPage, MedtronicModel.Paradigm522).Records.Count;

    [Benchmark]
    public int DecodeGlucosePage() => MedtronicGlucosePageCodec.Decode(_glucosePage).Entries.Count;
}
