using PumpGateway.Protocol;

namespace PumpGateway.Devices.Medtronic;

/// <summary>
/// ReadGlucoseHistory pages: the 1024-byte page and CRC of the history pages, records read from
/// the last non-zero byte backwards to byte 0 (each record ends with its opcode), zero padding
/// after them. Times: a SensorTimestamp gives its time to the slot-taking record read right after
/// it (the one just before it in the page) and 5 minutes less to each further one, up to the next
/// SensorTimestamp; slot-taking records are readings (glucose, &lt;40, &gt;400) and sensor signal
/// events (weak signal, calibration, packet, error). Checked against CareLink's export for pump
/// 578398: all 163 timed readings of page 6 at the same minute and value. DataEnd, NoOp and zero
/// bytes take no slot (decocare counts DataEnd; CareLink's times say it does not). Records after the
/// page's last SensorTimestamp are timed forwards from it, +5 minutes each, as decocare and
/// rileylink_ios do.
/// </summary>
public static class MedtronicGlucosePageCodec
{
    private static readonly TimeSpan Slot = TimeSpan.FromMinutes(5);

    public static MedtronicGlucosePage Decode(ReadOnlySpan<byte> page)
    {
        var data = MedtronicPageFrame.Verify(page);
        var readingOrder = new List<MedtronicGlucoseRecord>();
        Span<byte> bytes = stackalloc byte[8];
        for (var at = data.LastIndexOfAnyExcept((byte)0); at >= 0;)
        {
            var opcode = data[at];
            var length = LengthOf(opcode)
                ?? throw new ProtocolException(ProtocolErrorKind.UnknownRecordType, at, $"glucose opcode 0x{opcode:X2} at offset {at} is not a record type this codec knows");
            if (at + 1 < length)
            {
                throw new ProtocolException(ProtocolErrorKind.Truncated, at, $"glucose record 0x{opcode:X2} at offset {at} is {length} bytes, only {at + 1} before it");
            }

            for (var k = 0; k < length; k++)
            {
                bytes[k] = data[at - k];
            }

            readingOrder.Add(Build(bytes[..length], at));
            at -= length;
        }

        var times = Times(readingOrder);
        var entries = new MedtronicGlucoseEntry[readingOrder.Count];
        for (var i = 0; i < entries.Length; i++)
        {
            var reading = readingOrder.Count - 1 - i;
            entries[i] = new MedtronicGlucoseEntry(readingOrder[reading], times[reading]);
        }

        return new MedtronicGlucosePage(entries);
    }

    public static byte[] Encode(MedtronicGlucosePage page)
    {
        ArgumentNullException.ThrowIfNull(page);
        return Encode(page.Entries.Select(e => e.Record));
    }

    /// <summary>Writes records given in page order (oldest first); their times follow from the SensorTimestamps among them.</summary>
    public static byte[] Encode(IEnumerable<MedtronicGlucoseRecord> records)
    {
        ArgumentNullException.ThrowIfNull(records);
        var page = new byte[MedtronicPageFrame.PageSize];
        var position = 0;
        Span<byte> bytes = stackalloc byte[8];
        foreach (var record in records)
        {
            var length = Write(record, bytes);
            if (position + length > MedtronicPageFrame.DataSize)
            {
                throw new ArgumentException($"the records need more than the {MedtronicPageFrame.DataSize} bytes of a page", nameof(records));
            }

            for (var k = 0; k < length; k++)
            {
                page[position + length - 1 - k] = bytes[k];
            }

            position += length;
        }

        if (position > 0 && page[position - 1] == 0)
        {
            throw new ArgumentException("a page cannot end with a zero byte: it would read as padding", nameof(records));
        }

        MedtronicPageFrame.Seal(page);
        return page;
    }

    private static int? LengthOf(byte opcode) => opcode switch
    {
        >= (byte)MedtronicGlucoseRecordType.SensorGlucose => 1,
        0x00 or 0x01 or 0x02 or 0x06 or 0x13 => 1,
        0x03 or 0x04 or 0x05 or 0x07 => 2,
        0x08 or 0x0A or 0x0B or 0x0C or 0x0D or 0x10 => 5,
        0x0E => 6,
        0x0F => 7,
        _ => null,
    };

    private static MedtronicGlucoseRecord Build(ReadOnlySpan<byte> reading, int at)
    {
        var type = (MedtronicGlucoseRecordType)reading[0];
        return reading[0] switch
        {
            >= (byte)MedtronicGlucoseRecordType.SensorGlucose => new MedtronicSensorGlucose(reading[0]),
            0x00 or 0x01 or 0x02 or 0x06 or 0x13 => new MedtronicGlucoseMarker(type),
            0x03 or 0x04 or 0x05 or 0x07 => new MedtronicGlucoseMarker(type, reading[1]),
            0x0E => new MedtronicCalibrationBg(MedtronicGlucoseTimestamp.Decode(reading[1..], at - 1), reading[5]),
            0x0F => new MedtronicSensorCalibrationFactor(MedtronicGlucoseTimestamp.Decode(reading[1..], at - 1), (ushort)((reading[5] << 8) | reading[6])),
            _ => new MedtronicGlucoseTimestamped(type, MedtronicGlucoseTimestamp.Decode(reading[1..], at - 1)),
        };
    }

    private static int Write(MedtronicGlucoseRecord record, Span<byte> reading)
    {
        switch (record)
        {
            case MedtronicSensorGlucose glucose when glucose.Value >= (byte)MedtronicGlucoseRecordType.SensorGlucose:
                reading[0] = glucose.Value;
                return 1;
            case MedtronicGlucoseMarker marker when LengthOf((byte)marker.MarkerType) is { } length && marker.MarkerType is not MedtronicGlucoseRecordType.SensorGlucose
                && length <= 2 && (length == 2) == marker.Argument.HasValue:
                reading[0] = (byte)marker.MarkerType;
                if (marker.Argument is { } argument)
                {
                    reading[1] = argument;
                }

                return length;
            case MedtronicGlucoseTimestamped stamped when LengthOf((byte)stamped.StampType) == 5 && stamped.StampType != MedtronicGlucoseRecordType.SensorGlucose:
                reading[0] = (byte)stamped.StampType;
                stamped.Timestamp.Encode(reading[1..]);
                return 5;
            case MedtronicCalibrationBg calibration:
                reading[0] = (byte)MedtronicGlucoseRecordType.CalibrationBg;
                calibration.Timestamp.Encode(reading[1..]);
                reading[5] = calibration.LowByte;
                return 6;
            case MedtronicSensorCalibrationFactor factor:
                reading[0] = (byte)MedtronicGlucoseRecordType.SensorCalibrationFactor;
                factor.Timestamp.Encode(reading[1..]);
                reading[5] = (byte)(factor.FactorThousandths >> 8);
                reading[6] = (byte)factor.FactorThousandths;
                return 7;
            default:
                throw new ArgumentException($"{record} is not a glucose record of its type's shape", nameof(record));
        }
    }

    private static bool TakesSlot(MedtronicGlucoseRecord record) => record.Type is MedtronicGlucoseRecordType.SensorGlucose
        or MedtronicGlucoseRecordType.GlucoseBelow40 or MedtronicGlucoseRecordType.GlucoseAbove400 or MedtronicGlucoseRecordType.SensorWeakSignal
        or MedtronicGlucoseRecordType.SensorCalibration or MedtronicGlucoseRecordType.SensorPacket or MedtronicGlucoseRecordType.SensorError;

    private static DateTime?[] Times(List<MedtronicGlucoseRecord> readingOrder)
    {
        var times = new DateTime?[readingOrder.Count];
        var beforeFirstAnchor = new List<int>();
        DateTime? anchor = null;
        var slot = 0;
        for (var i = 0; i < readingOrder.Count; i++)
        {
            switch (readingOrder[i])
            {
                case MedtronicGlucoseTimestamped { StampType: MedtronicGlucoseRecordType.SensorTimestamp } stamp:
                    if (anchor is null)
                    {
                        for (var j = 0; j < beforeFirstAnchor.Count; j++)
                        {
                            times[beforeFirstAnchor[j]] = stamp.Timestamp.Time + (Slot * (beforeFirstAnchor.Count - j));
                        }
                    }

                    anchor = stamp.Timestamp.Time;
                    slot = 0;
                    times[i] = anchor;
                    break;
                case MedtronicGlucoseTimestamped stamped:
                    times[i] = stamped.Timestamp.Time;
                    break;
                case MedtronicCalibrationBg calibration:
                    times[i] = calibration.Timestamp.Time;
                    break;
                case MedtronicSensorCalibrationFactor factor:
                    times[i] = factor.Timestamp.Time;
                    break;
                case var record when TakesSlot(record):
                    if (anchor is { } at)
                    {
                        times[i] = at - (Slot * slot++);
                    }
                    else
                    {
                        beforeFirstAnchor.Add(i);
                    }

                    break;
            }
        }

        return times;
    }
}
