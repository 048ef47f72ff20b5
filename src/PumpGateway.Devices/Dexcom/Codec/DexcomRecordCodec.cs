using System.Buffers.Binary;
using PumpGateway.Codecs;
using PumpGateway.Protocol;

namespace PumpGateway.Devices.Dexcom;

/// <summary>
/// Record layouts by (type, revision). A pair not in the table is rejected, not guessed: the
/// same type changes layout between revisions (EGV 13, 23 or 25 bytes).
/// </summary>
internal static class DexcomRecordCodec
{
    private const int XmlRecordSize = 500;
    private const int XmlFieldSize = XmlRecordSize - 10;

    public static int RecordSize(DexcomRecordType type, byte revision, int offset) => (type, revision) switch
    {
        (DexcomRecordType.EgvData, >= 1 and <= 3) => 13,
        (DexcomRecordType.EgvData, 4) => 23,
        (DexcomRecordType.EgvData, 5) => 25,
        (DexcomRecordType.MeterData, 1) => 16,

        // Tidepool's field order; dexcom_reader's differs and no public revision-3 page settles it.
        (DexcomRecordType.MeterData, 3) => 21,
        (DexcomRecordType.SensorData, 1) => 20,
        (DexcomRecordType.InsertionTime, 1) => 15,
        (DexcomRecordType.UserEventData, 1) => 20,
        (DexcomRecordType.ManufacturingData, 1) => XmlRecordSize,
        _ => throw new ProtocolException(ProtocolErrorKind.UnsupportedRevision, offset, $"{type} revision {revision} has no known layout"),
    };

    public static DexcomRecord Decode(ReadOnlySpan<byte> record, DexcomRecordType type, byte revision, int offset)
    {
        var crc = BinaryPrimitives.ReadUInt16LittleEndian(record[^2..]);
        var computed = Crc16Xmodem.Compute(record[..^2]);
        if (crc != computed)
        {
            throw new ProtocolException(ProtocolErrorKind.BadCrc, offset + record.Length - 2, $"{type} record CRC is 0x{crc:x4}, computed 0x{computed:x4}");
        }

        var system = BinaryPrimitives.ReadUInt32LittleEndian(record);
        var display = BinaryPrimitives.ReadUInt32LittleEndian(record[4..]);
        var body = record[8..^2];
        return type switch
        {
            DexcomRecordType.EgvData => DecodeEgv(system, display, body, revision, offset + 8),
            DexcomRecordType.MeterData => revision == 1
                ? new MeterRecord(system, display, U16(body, 0), U32(body, 2))
                : new MeterRecord(system, display, U16(body, 0), U32(body, 3)) { EntryType = body[2], MeterTransmitterSeconds = U32(body, 7) },
            DexcomRecordType.SensorData => new SensorRecord(system, display, U32(body, 0), U32(body, 4), BinaryPrimitives.ReadInt16LittleEndian(body[8..])),
            DexcomRecordType.InsertionTime => new InsertionTimeRecord(system, display, U32(body, 0), Defined<DexcomSessionState>(body[4], offset + 12, "session state")),
            DexcomRecordType.UserEventData => DecodeUserEvent(system, display, body, offset + 8),
            DexcomRecordType.ManufacturingData => DecodeManufacturing(system, display, body, offset + 8),
            _ => throw new ProtocolException(ProtocolErrorKind.UnsupportedRevision, offset, $"{type} records are not decoded"),
        };
    }

    public static void Encode(DexcomRecord record, DexcomRecordType type, byte revision, Span<byte> destination)
    {
        var size = RecordSize(type, revision, 0);
        var span = destination[..size];
        BinaryPrimitives.WriteUInt32LittleEndian(span, record.SystemSeconds);
        BinaryPrimitives.WriteUInt32LittleEndian(span[4..], record.DisplaySeconds);
        var body = span[8..^2];
        switch (type, record)
        {
            case (DexcomRecordType.EgvData, EgvRecord egv):
                EncodeEgv(egv, revision, body);
                break;
            case (DexcomRecordType.MeterData, MeterRecord meter):
                BinaryPrimitives.WriteUInt16LittleEndian(body, meter.MeterGlucoseMgDl);
                if (revision == 1)
                {
                    if (meter.EntryType is not null || meter.MeterTransmitterSeconds is not null)
                    {
                        throw new ArgumentException("A revision-1 meter record has no entry type nor transmitter time.", nameof(record));
                    }

                    BinaryPrimitives.WriteUInt32LittleEndian(body[2..], meter.MeterSeconds);
                }
                else
                {
                    body[2] = meter.EntryType ?? throw new ArgumentException("A revision-3 meter record has an entry type.", nameof(record));
                    BinaryPrimitives.WriteUInt32LittleEndian(body[3..], meter.MeterSeconds);
                    BinaryPrimitives.WriteUInt32LittleEndian(body[7..], meter.MeterTransmitterSeconds ?? throw new ArgumentException("A revision-3 meter record has a transmitter time.", nameof(record)));
                }

                break;
            case (DexcomRecordType.SensorData, SensorRecord sensor):
                BinaryPrimitives.WriteUInt32LittleEndian(body, sensor.Unfiltered);
                BinaryPrimitives.WriteUInt32LittleEndian(body[4..], sensor.Filtered);
                BinaryPrimitives.WriteInt16LittleEndian(body[8..], sensor.Rssi);
                break;
            case (DexcomRecordType.InsertionTime, InsertionTimeRecord insertion):
                BinaryPrimitives.WriteUInt32LittleEndian(body, insertion.InsertionSecondsRaw);
                body[4] = Enum.IsDefined(insertion.SessionState) ? (byte)insertion.SessionState : throw new ArgumentException($"Session state {insertion.SessionState} is not defined.", nameof(record));
                break;
            case (DexcomRecordType.UserEventData, UserEventRecord user):
                if (!Enum.IsDefined(user.EventType) || !UserEventRecord.IsValidSubtype(user.EventType, user.Subtype))
                {
                    throw new ArgumentException($"User event {user.EventType}/{user.Subtype} is not defined.", nameof(record));
                }

                body[0] = (byte)user.EventType;
                body[1] = user.Subtype;
                BinaryPrimitives.WriteUInt32LittleEndian(body[2..], user.EventSeconds);
                BinaryPrimitives.WriteUInt32LittleEndian(body[6..], user.RawValue);
                break;
            case (DexcomRecordType.ManufacturingData, ManufacturingDataRecord manufacturing):
                var xml = DexcomResponses.WriteXmlElement("ManufacturingParameters", manufacturing.Parameters, []);
                if (xml.Length > XmlFieldSize)
                {
                    throw new ArgumentException($"Manufacturing XML is {xml.Length} bytes; the record holds {XmlFieldSize}.", nameof(record));
                }

                body.Clear();
                xml.CopyTo(body);
                break;
            default:
                throw new ArgumentException($"A {record.GetType().Name} is not a {type} record.", nameof(record));
        }

        BinaryPrimitives.WriteUInt16LittleEndian(span[^2..], Crc16Xmodem.Compute(span[..^2]));
    }

    private static EgvRecord DecodeEgv(uint system, uint display, ReadOnlySpan<byte> body, byte revision, int offset)
    {
        var word = U16(body, 0);
        var trendOffset = revision <= 3 ? 2 : 11;
        var trendNoise = body[trendOffset];
        if (EgvProblem(word, trendNoise, revision) is { } problem)
        {
            throw new ProtocolException(problem.Kind, offset + (problem.InTrendByte ? trendOffset : 0), problem.Message);
        }

        var egv = new EgvRecord(system, display, word, trendNoise);
        if (revision <= 3)
        {
            return egv;
        }

        egv = egv with
        {
            TransmitterSystemSeconds = U32(body, 2),
            TransmitterSeconds = U32(body, 6),
            FilteredRate = (sbyte)body[10],
            AlgorithmState = body[12],
        };
        return revision == 5 ? egv with { PredictedGlucoseWord = U16(body, 13) } : egv;
    }

    /// <summary>What the decoder refuses in a glucose word or trend/noise byte; the encoder refuses the same, so what it writes reads back.</summary>
    private static (ProtocolErrorKind Kind, bool InTrendByte, string Message)? EgvProblem(ushort word, byte trendNoise, byte revision)
    {
        // Revisions 1-4 use bit 15 only (display-only); revision 5 adds flags in bits 13-15.
        var reservedBits = revision >= 5 ? 0x1C00 : 0x7C00;
        var value = word & 0x3FF;
        return (word & reservedBits) != 0 ? (ProtocolErrorKind.ReservedValue, false, $"glucose word 0x{word:x4} sets reserved bits")
            : value < EgvRecord.FirstGlucoseValue && !Enum.IsDefined((DexcomSpecialGlucose)value) ? (ProtocolErrorKind.ReservedValue, false, $"glucose value {value} is a reserved special value")
            : (trendNoise & 0x0F) > (int)DexcomTrend.RateOutOfRange || ((trendNoise >> 4) & 0x07) > (int)DexcomNoise.Max || (trendNoise & 0x80) != 0
                ? (ProtocolErrorKind.OutOfRange, true, $"trend/noise byte 0x{trendNoise:x2} is not defined")
            : null;
    }

    private static void EncodeEgv(EgvRecord egv, byte revision, Span<byte> body)
    {
        if (EgvProblem(egv.GlucoseWord, egv.TrendNoise, revision) is { } problem)
        {
            throw new ArgumentException(problem.Message, nameof(egv));
        }

        // Each revision carries exactly its own fields: one missing would be written as 0, one extra dropped.
        var transmitterFields = new object?[] { egv.TransmitterSystemSeconds, egv.TransmitterSeconds, egv.FilteredRate, egv.AlgorithmState };
        if (transmitterFields.Any(f => (f is null) != (revision <= 3)) || (egv.PredictedGlucoseWord is null) != (revision != 5))
        {
            throw new ArgumentException($"An EGV record of revision {revision} does not carry the fields this one has.", nameof(egv));
        }

        BinaryPrimitives.WriteUInt16LittleEndian(body, egv.GlucoseWord);
        if (revision <= 3)
        {
            body[2] = egv.TrendNoise;
            return;
        }

        BinaryPrimitives.WriteUInt32LittleEndian(body[2..], egv.TransmitterSystemSeconds ?? 0);
        BinaryPrimitives.WriteUInt32LittleEndian(body[6..], egv.TransmitterSeconds ?? 0);
        body[10] = (byte)(egv.FilteredRate ?? 0);
        body[11] = egv.TrendNoise;
        body[12] = egv.AlgorithmState ?? 0;
        if (revision == 5)
        {
            BinaryPrimitives.WriteUInt16LittleEndian(body[13..], egv.PredictedGlucoseWord ?? 0);
        }
    }

    private static UserEventRecord DecodeUserEvent(uint system, uint display, ReadOnlySpan<byte> body, int offset)
    {
        var type = Defined<DexcomUserEventType>(body[0], offset, "user event type");
        if (!UserEventRecord.IsValidSubtype(type, body[1]))
        {
            throw new ProtocolException(ProtocolErrorKind.OutOfRange, offset + 1, $"{type} has no subtype {body[1]}");
        }

        return new UserEventRecord(system, display, type, body[1], U32(body, 2), U32(body, 6));
    }

    private static ManufacturingDataRecord DecodeManufacturing(uint system, uint display, ReadOnlySpan<byte> body, int offset)
    {
        try
        {
            var (name, attributes, _) = DexcomResponses.ParseXml(body, "manufacturing data");
            return name == "ManufacturingParameters"
                ? new ManufacturingDataRecord(system, display, attributes)
                : throw new ProtocolException(ProtocolErrorKind.BadMarker, offset, $"expected <ManufacturingParameters>, got <{name}>");
        }
        catch (ProtocolException ex) when (ex.Offset == 0 && offset != 0)
        {
            throw new ProtocolException(ex.Kind, offset + ex.Offset, ex.Message);
        }
    }

    private static T Defined<T>(byte value, int offset, string what)
        where T : struct, Enum
    {
        var typed = (T)Enum.ToObject(typeof(T), value);
        return Enum.IsDefined(typed) ? typed : throw new ProtocolException(ProtocolErrorKind.OutOfRange, offset, $"{what} {value} is not defined");
    }

    private static ushort U16(ReadOnlySpan<byte> span, int offset) => BinaryPrimitives.ReadUInt16LittleEndian(span[offset..]);

    private static uint U32(ReadOnlySpan<byte> span, int offset) => BinaryPrimitives.ReadUInt32LittleEndian(span[offset..]);
}
