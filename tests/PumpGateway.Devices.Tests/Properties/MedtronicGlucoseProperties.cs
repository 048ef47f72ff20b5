using FsCheck;
using FsCheck.Fluent;
using PumpGateway.Devices.Medtronic;
using static PumpGateway.Devices.Tests.Properties.ValidValues;

namespace PumpGateway.Devices.Tests.Properties;

/// <summary>Paradigm sensor glucose pages: every glucose record type, written backwards into a CRC-sealed page and read back.</summary>
public sealed class MedtronicGlucoseProperties
{
    private const int Cases = 1500;

    private static Gen<MedtronicGlucoseTimestamp> Timestamp { get; } =
        from year in Gen.Choose(2000, 2127)
        from month in Gen.Choose(1, 12)
        from day in Gen.Choose(1, DateTime.DaysInMonth(year, month))
        from h in Gen.Choose(0, 23)
        from m in Gen.Choose(0, 59)
        from hourBit in Bool
        from dayBits in Gen.Choose(0, 7)
        from yearBit in Bool
        select new MedtronicGlucoseTimestamp(new DateTime(year, month, day, h, m, 0, DateTimeKind.Unspecified), hourBit, (byte)dayBits, yearBit);

    private static Gen<MedtronicGlucoseRecord> Record { get; } = Gen.OneOf(
        Gen.Choose((int)MedtronicGlucoseRecordType.SensorGlucose, 255).Select(v => (MedtronicGlucoseRecord)new MedtronicSensorGlucose((byte)v)),
        Gen.Elements(MedtronicGlucoseRecordType.ZeroByte, MedtronicGlucoseRecordType.DataEnd, MedtronicGlucoseRecordType.SensorWeakSignal, MedtronicGlucoseRecordType.GlucoseBelow40, MedtronicGlucoseRecordType.NoOp)
            .Select(t => (MedtronicGlucoseRecord)new MedtronicGlucoseMarker(t)),
        Gen.Elements(MedtronicGlucoseRecordType.SensorCalibration, MedtronicGlucoseRecordType.SensorPacket, MedtronicGlucoseRecordType.SensorError, MedtronicGlucoseRecordType.GlucoseAbove400)
            .SelectMany(_ => AnyByte, (t, argument) => (MedtronicGlucoseRecord)new MedtronicGlucoseMarker(t, argument)),
        Gen.Elements(
            MedtronicGlucoseRecordType.SensorTimestamp, MedtronicGlucoseRecordType.BatteryChange, MedtronicGlucoseRecordType.SensorStatus, MedtronicGlucoseRecordType.DateTimeChange,
            MedtronicGlucoseRecordType.SensorSync, MedtronicGlucoseRecordType.SensorSpecialDisplay)
            .SelectMany(_ => Timestamp, (t, stamp) => (MedtronicGlucoseRecord)new MedtronicGlucoseTimestamped(t, stamp)),
        Timestamp.SelectMany(_ => AnyByte, (stamp, low) => (MedtronicGlucoseRecord)new MedtronicCalibrationBg(stamp, low)),
        Timestamp.SelectMany(_ => AnyUInt16, (stamp, factor) => (MedtronicGlucoseRecord)new MedtronicSensorCalibrationFactor(stamp, factor)));

    /// <summary>Records as many as fit 1022 bytes; the last written is never the zero-byte record, which would read as padding.</summary>
    private static Gen<IReadOnlyList<MedtronicGlucoseRecord>> Records { get; } = Gen.Frequency((3, Gen.Choose(0, 40)), (1, Gen.Choose(41, 400)))
        .SelectMany(n => Gen.ArrayOf(Record, n), (_, records) =>
        {
            var kept = new List<MedtronicGlucoseRecord>();
            var used = 0;
            foreach (var record in records)
            {
                var length = record switch
                {
                    MedtronicGlucoseMarker marker => marker.Argument is null ? 1 : 2,
                    MedtronicGlucoseTimestamped => 5,
                    MedtronicCalibrationBg => 6,
                    MedtronicSensorCalibrationFactor => 7,
                    _ => 1,
                };
                if (used + length > MedtronicPageFrame.DataSize)
                {
                    break;
                }

                kept.Add(record);
                used += length;
            }

            while (kept.Count > 0 && kept[^1] is MedtronicGlucoseMarker { MarkerType: MedtronicGlucoseRecordType.ZeroByte })
            {
                kept.RemoveAt(kept.Count - 1);
            }

            return (IReadOnlyList<MedtronicGlucoseRecord>)kept;
        });

    public static IEnumerable<ICodecProperty> All()
    {
        yield return new CodecProperty<IReadOnlyList<MedtronicGlucoseRecord>>(
            "glucose page", Records, b => [.. MedtronicGlucosePageCodec.Decode(b).Entries.Select(e => e.Record)], records => MedtronicGlucosePageCodec.Encode(records));
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
    public void A_decoded_page_times_every_reading_it_can_and_reencodes_to_the_same_page()
    {
        Seeded.Check(Records, records =>
        {
            var bytes = MedtronicGlucosePageCodec.Encode(records);
            var page = MedtronicGlucosePageCodec.Decode(bytes);
            Assert.Equal(bytes, MedtronicGlucosePageCodec.Encode(page));
            Assert.Equal(page, MedtronicGlucosePageCodec.Decode(MedtronicGlucosePageCodec.Encode(page)));
            var anchored = records.Any(r => r is MedtronicGlucoseTimestamped { StampType: MedtronicGlucoseRecordType.SensorTimestamp });
            Assert.All(page.Entries.Where(e => e.Record is not (MedtronicGlucoseMarker { MarkerType: MedtronicGlucoseRecordType.ZeroByte or MedtronicGlucoseRecordType.DataEnd or MedtronicGlucoseRecordType.NoOp })),
                e => Assert.True(!anchored || e.Time is not null, $"{e.Record} has no time on a page with a sensor timestamp"));
        }, Cases);
    }
}
