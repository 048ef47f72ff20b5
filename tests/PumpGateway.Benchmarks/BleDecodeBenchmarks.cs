using BenchmarkDotNet.Attributes;
using PumpGateway.Codecs;
using PumpGateway.Devices.Cgms;
using PumpGateway.Devices.Ids;
using PumpGateway.TestSupport;

namespace PumpGateway.Benchmarks;

/// <summary>
/// Decoding the BLE profiles' values against the baseline of the E2E-CRC of the same bytes: the
/// ratio says what a decoder costs beyond the check every protected value needs anyway.
/// </summary>
[MemoryDiagnoser]
public class BleDecodeBenchmarks
{
    // Nordic Android-BLE-Common-Library: a full CGM Measurement with every optional field and its E2E-CRC.
    private readonly byte[] _measurement = Hex.Parse("0F E3 D2 E4 05 00 02 14 FF 02 F0 E5 F3 8E 3F");

    // OpenMinimed PythonPumpConnector history_data.txt: a 780G Bolus Delivered part 1 (FLOAT amounts).
    private readonly byte[] _bolusDelivered = Hex.Parse("690066350a00d30754003300093df9000000000000");

    private readonly byte[] _sixMeasurements = [.. Enumerable.Repeat(Hex.Parse("0F E3 D2 E4 05 00 02 14 FF 02 F0 E5 F3 8E 3F"), 6).SelectMany(b => b)];

    [Benchmark(Baseline = true)]
    public ushort E2eCrcOfTheMeasurement() => E2eCrc.Compute(_measurement.AsSpan(0, _measurement.Length - 2));

    [Benchmark]
    public int DecodeCgmMeasurement() => CgmMeasurementCodec.Decode(_measurement, CgmsE2e.On).Count;

    [Benchmark]
    public int DecodeSixPackedCgmMeasurements() => CgmMeasurementCodec.Decode(_sixMeasurements, CgmsE2e.On).Count;

    [Benchmark]
    public uint DecodeIdsBolusDelivered() => IdsHistoryCodec.Decode(_bolusDelivered, IdsDialect.MedtronicMiniMed700).SequenceNumber;
}
