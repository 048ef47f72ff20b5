using FsCheck;
using FsCheck.Fluent;
using PumpGateway.Devices.Medtronic;
using static PumpGateway.Devices.Tests.Properties.ValidValues;

namespace PumpGateway.Devices.Tests.Properties;

/// <summary>Paradigm history records of every type, for both model families, alone and packed into CRC-sealed 1024-byte pages.</summary>
public sealed class MedtronicHistoryProperties
{
    private const int Cases = 1500;

    private static readonly MedtronicModel[] Models = [MedtronicModel.Paradigm522, MedtronicModel.Paradigm554];

    private static Gen<DateTime> PumpTime { get; } =
        from year in Gen.Choose(2000, 2127)
        from month in Gen.Choose(1, 12)
        from day in Gen.Choose(1, DateTime.DaysInMonth(year, month))
        from h in Gen.Choose(0, 23)
        from m in Gen.Choose(0, 59)
        from s in Gen.Choose(0, 59)
        select new DateTime(year, month, day, h, m, s, DateTimeKind.Unspecified);

    /// <summary>A timestamp with its spare bits; <paramref name="hourHighBits"/> fixes them where a record gives them a meaning (bolus kind, basal pattern).</summary>
    private static Gen<MedtronicTimestamp> Timestamp(Gen<int>? hourHighBits = null) =>
        from time in PumpTime
        from hour in hourHighBits ?? Gen.Choose(0, 7)
        from day in Gen.Choose(0, 7)
        from year in Bool
        select new MedtronicTimestamp(time, (byte)hour, (byte)day, year);

    private static Gen<MedtronicDate> Date { get; } = PumpTime.Select(t => new MedtronicDate(DateOnly.FromDateTime(t)));

    private static Gen<decimal> Units(int perUnit, int max) => Gen.Choose(0, max).Select(n => n / (decimal)perUnit);

    private static Gen<MedtronicRecordList<byte>> Bytes(int length) => Gen.ArrayOf(AnyByte, length).Select(b => new MedtronicRecordList<byte>(b));

    private static Gen<TimeSpan> HalfHours(int max) => Gen.Choose(0, max).Select(n => TimeSpan.FromMinutes(30 * n));

    private static Gen<MedtronicHistoryRecord> Record(MedtronicRecordType type, MedtronicModelFamily family)
    {
        var larger = family == MedtronicModelFamily.X23AndLater;
        var layout = MedtronicRecordLayouts.Of(type, family)!.Value;
        var stamp = Timestamp();
        return type switch
        {
            MedtronicRecordType.Bolus => larger
                ? from t in Timestamp(Gen.Choose(1, 5)) from p in Units(40, ushort.MaxValue) from d in Units(40, ushort.MaxValue) from u in Units(40, ushort.MaxValue) from w in HalfHours(255)
                  select (MedtronicHistoryRecord)new MedtronicBolus(t, p, d, w, u)
                : from t in Timestamp(Gen.Choose(1, 5)) from p in Units(10, 255) from d in Units(10, 255) from w in HalfHours(255)
                  select (MedtronicHistoryRecord)new MedtronicBolus(t, p, d, w),
            MedtronicRecordType.Prime => from t in stamp from p in Units(10, 255) from a in Units(10, 255) from h in Gen.Two(AnyByte)
                                         select (MedtronicHistoryRecord)new MedtronicPrime(t, p, a, h.Item1, h.Item2),
            MedtronicRecordType.AlarmPump => from t in stamp from code in AnyByte from line in AnyUInt16 select (MedtronicHistoryRecord)new MedtronicAlarmPump(t, code, line),
            MedtronicRecordType.ResultDailyTotal => from d in Date from total in Units(40, ushort.MaxValue) from h in Gen.Two(AnyByte) from body in Bytes(layout.BodyLength)
                                                    select (MedtronicHistoryRecord)new MedtronicResultDailyTotal(d, total, h.Item1, h.Item2, body),
            MedtronicRecordType.CalBgForPh => from t in stamp from b in AnyByte select (MedtronicHistoryRecord)new MedtronicCalBgForPh(t, b),
            MedtronicRecordType.AlarmSensor => from t in stamp from code in AnyByte from arg in AnyByte select (MedtronicHistoryRecord)new MedtronicAlarmSensor(t, code, arg),
            MedtronicRecordType.ClearAlarm => from t in stamp from code in AnyByte select (MedtronicHistoryRecord)new MedtronicClearAlarm(t, code),
            MedtronicRecordType.TempBasalDuration => from t in stamp from d in HalfHours(255) select (MedtronicHistoryRecord)new MedtronicTempBasalDuration(t, d),
            MedtronicRecordType.PumpSuspend or MedtronicRecordType.PumpResume =>
                from t in stamp from reason in Defined<MedtronicSuspendReason>() from high in Gen.Choose(0, 7)
                select (MedtronicHistoryRecord)new MedtronicSuspendResume(type, t, reason, (byte)high),
            MedtronicRecordType.LowBattery or MedtronicRecordType.Battery or MedtronicRecordType.Rewind or MedtronicRecordType.ChangeTime or MedtronicRecordType.NewTimeSet =>
                from t in stamp from arg in AnyByte select (MedtronicHistoryRecord)new MedtronicPumpEvent(type, t, arg),
            MedtronicRecordType.TempBasal => Gen.OneOf(
                from t in stamp from rate in Units(40, 0x7FF) select (MedtronicHistoryRecord)MedtronicTempBasal.Absolute(t, rate),
                from t in stamp from percent in Gen.Choose(0, 255) select (MedtronicHistoryRecord)MedtronicTempBasal.OfPercent(t, percent)),
            MedtronicRecordType.LowReservoir => from t in stamp from r in Units(10, 255) select (MedtronicHistoryRecord)new MedtronicLowReservoir(t, r),
            MedtronicRecordType.BgReceived => from t in stamp from high in AnyByte from id in Bytes(3) select (MedtronicHistoryRecord)new MedtronicBgReceived(t, high, id),
            MedtronicRecordType.BolusWizard => from t in stamp from low in AnyByte from body in Bytes(layout.BodyLength) select (MedtronicHistoryRecord)new MedtronicBolusWizard(t, low, body),
            MedtronicRecordType.UnabsorbedInsulin => Gen.Choose(0, 84).SelectMany(
                n => Gen.ArrayOf(
                    from amount in Units(40, 255) from age in Gen.Choose(0, 0x3FF) from other in AnyByte select new MedtronicUnabsorbedDose(amount, age, (byte)(other & ~0x30)), n),
                (_, doses) => (MedtronicHistoryRecord)new MedtronicUnabsorbedInsulin(new MedtronicRecordList<MedtronicUnabsorbedDose>(doses))),
            MedtronicRecordType.DailyTotal515 or MedtronicRecordType.DailyTotal522 or MedtronicRecordType.DailyTotal523 =>
                from d in Date from body in Bytes(layout.BodyLength) select (MedtronicHistoryRecord)new MedtronicDailyTotals(type, d, body),
            MedtronicRecordType.BasalProfileStart =>
                from t in Timestamp(Gen.Choose(0, 2)) from segment in AnyByte from start in HalfHours(47) from rate in Units(40, 255) from trailer in AnyByte
                select (MedtronicHistoryRecord)new MedtronicBasalProfileStart(t, segment, start, rate, trailer),
            _ => from head in Bytes(layout.HeadLength - 1) from t in stamp from body in Bytes(layout.BodyLength)
                 select (MedtronicHistoryRecord)new MedtronicUninterpretedRecord(type, head, t, body),
        };
    }

    private static Gen<MedtronicHistoryRecord> AnyRecord(MedtronicModelFamily family) =>
        Gen.Elements(Enum.GetValues<MedtronicRecordType>()).SelectMany(type => Record(type, family));

    /// <summary>Records in the order drawn, as many as fit the page's 1022 data bytes.</summary>
    private static Gen<MedtronicHistoryPage> Page(MedtronicModel model) =>
        Gen.Choose(0, 60).SelectMany(n => Gen.ArrayOf(AnyRecord(model.Family), n), (_, records) =>
        {
            var kept = new List<MedtronicHistoryRecord>();
            var used = 0;
            foreach (var record in records)
            {
                var length = MedtronicRecordCodec.EncodedLength(record, model.Family);
                if (used + length > MedtronicPageFrame.DataSize)
                {
                    break;
                }

                kept.Add(record);
                used += length;
            }

            return new MedtronicHistoryPage(model, kept);
        });

    public static IEnumerable<ICodecProperty> All()
    {
        foreach (var model in Models)
        {
            foreach (var type in Enum.GetValues<MedtronicRecordType>())
            {
                yield return new CodecProperty<MedtronicHistoryRecord>(
                    $"{type} record (Paradigm {model.Number})", Record(type, model.Family), b => DecodeWhole(b, model), r => MedtronicRecordCodec.Encode(r, model));
            }

            yield return new CodecProperty<MedtronicHistoryPage>($"history page (Paradigm {model.Number})", Page(model), b => MedtronicPageCodec.Decode(b, model), MedtronicPageCodec.Encode);
        }
    }

    /// <summary>A record alone: it must take every byte it was given (a page decodes records back to back).</summary>
    private static MedtronicHistoryRecord DecodeWhole(byte[] bytes, MedtronicModel model)
    {
        var record = MedtronicRecordCodec.Decode(bytes, model, 0, out var length);
        return length == bytes.Length ? record : throw new Protocol.ProtocolException(Protocol.ProtocolErrorKind.BadLength, length, "bytes after the record");
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
}
