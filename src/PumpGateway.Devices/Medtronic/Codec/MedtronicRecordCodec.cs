using System.Buffers.Binary;
using PumpGateway.Protocol;

namespace PumpGateway.Devices.Medtronic;

/// <summary>
/// One history record, both ways. A record is its opcode and head arguments, a timestamp (5 bytes,
/// a 2-byte date, or none) and a body, with lengths fixed by opcode and model family
/// (<see cref="MedtronicModel.LayoutOf"/>).
/// </summary>
public static class MedtronicRecordCodec
{
    /// <summary>
    /// Decodes the record that starts at <paramref name="data"/>[0]. <paramref name="data"/> runs to
    /// the end of the page's record area; <paramref name="offset"/> is where it starts in the page.
    /// </summary>
    public static MedtronicHistoryRecord Decode(ReadOnlySpan<byte> data, MedtronicModel model, int offset, out int length)
    {
        ArgumentNullException.ThrowIfNull(model);
        if (data.IsEmpty)
        {
            throw new ProtocolException(ProtocolErrorKind.Truncated, offset, "no byte left for a record");
        }

        var type = (MedtronicRecordType)data[0];
        var layout = MedtronicRecordLayouts.Of(type, model.Family)
            ?? throw new ProtocolException(ProtocolErrorKind.UnknownRecordType, offset, $"opcode 0x{data[0]:X2} at offset {offset} is not a history record type this codec knows");
        var headLength = layout.HeadLength;
        if (layout.HeadLengthInSecondByte)
        {
            if (data.Length < 2)
            {
                throw new ProtocolException(ProtocolErrorKind.Truncated, offset, $"{type} at offset {offset} has no length byte before the page CRC");
            }

            headLength = data[1];
            if (headLength < 2 || (headLength - 2) % 3 != 0)
            {
                throw new ProtocolException(ProtocolErrorKind.BadLength, offset + 1, $"{type} length {headLength} is not 2 + 3 per dose");
            }
        }

        length = headLength + layout.DateLength + layout.BodyLength;
        if (data.Length < length)
        {
            throw new ProtocolException(ProtocolErrorKind.Truncated, offset, $"{type} at offset {offset} is {length} bytes, {data.Length} left before the page CRC");
        }

        var head = data[..headLength];
        var date = data.Slice(headLength, layout.DateLength);
        var body = data.Slice(headLength + layout.DateLength, layout.BodyLength);
        var dateOffset = offset + headLength;
        var bodyOffset = dateOffset + layout.DateLength;
        var larger = model.Family == MedtronicModelFamily.X23AndLater;

        return type switch
        {
            MedtronicRecordType.Bolus => DecodeBolus(head, Timestamp(date, dateOffset), larger, dateOffset),
            MedtronicRecordType.Prime => new MedtronicPrime(Timestamp(date, dateOffset), head[2] / 10m, head[4] / 10m, head[1], head[3]),
            MedtronicRecordType.AlarmPump => new MedtronicAlarmPump(Timestamp(date, dateOffset), head[1], BinaryPrimitives.ReadUInt16BigEndian(head[2..])),
            MedtronicRecordType.ResultDailyTotal => new MedtronicResultDailyTotal(
                MedtronicDate.Decode(date, dateOffset), BinaryPrimitives.ReadUInt16BigEndian(head[3..]) / (decimal)MedtronicModel.BasalStrokesPerUnit, head[1], head[2], [.. body]),
            MedtronicRecordType.CalBgForPh => new MedtronicCalBgForPh(Timestamp(date, dateOffset), head[1]),
            MedtronicRecordType.AlarmSensor => new MedtronicAlarmSensor(Timestamp(date, dateOffset), head[1], head[2]),
            MedtronicRecordType.ClearAlarm => new MedtronicClearAlarm(Timestamp(date, dateOffset), head[1]),
            MedtronicRecordType.TempBasalDuration => new MedtronicTempBasalDuration(Timestamp(date, dateOffset), TimeSpan.FromMinutes(30 * head[1])),
            MedtronicRecordType.PumpSuspend or MedtronicRecordType.PumpResume => DecodeSuspendResume(type, head, Timestamp(date, dateOffset), offset),
            MedtronicRecordType.LowBattery or MedtronicRecordType.Battery or MedtronicRecordType.Rewind
                or MedtronicRecordType.ChangeTime or MedtronicRecordType.NewTimeSet => new MedtronicPumpEvent(type, Timestamp(date, dateOffset), head[1]),
            MedtronicRecordType.TempBasal => DecodeTempBasal(head, Timestamp(date, dateOffset), body[0], bodyOffset),
            MedtronicRecordType.LowReservoir => new MedtronicLowReservoir(Timestamp(date, dateOffset), head[1] / 10m),
            MedtronicRecordType.BgReceived => new MedtronicBgReceived(Timestamp(date, dateOffset), head[1], [.. body]),
            MedtronicRecordType.BolusWizard => new MedtronicBolusWizard(Timestamp(date, dateOffset), head[1], [.. body]),
            MedtronicRecordType.UnabsorbedInsulin => DecodeUnabsorbed(head),
            MedtronicRecordType.DailyTotal515 or MedtronicRecordType.DailyTotal522 or MedtronicRecordType.DailyTotal523 =>
                new MedtronicDailyTotals(type, MedtronicDate.Decode(date, dateOffset), [.. body]),
            MedtronicRecordType.BasalProfileStart => DecodeBasalProfileStart(head, Timestamp(date, dateOffset), body, dateOffset, bodyOffset),
            _ => new MedtronicUninterpretedRecord(type, [.. head[1..]], Timestamp(date, dateOffset), [.. body]),
        };
    }

    /// <summary>The bytes of one record as the given model writes it.</summary>
    public static byte[] Encode(MedtronicHistoryRecord record, MedtronicModel model)
    {
        ArgumentNullException.ThrowIfNull(model);
        var bytes = new byte[EncodedLength(record, model.Family)];
        Encode(record, model.Family, bytes);
        return bytes;
    }

    public static int EncodedLength(MedtronicHistoryRecord record, MedtronicModelFamily family)
    {
        ArgumentNullException.ThrowIfNull(record);
        var layout = LayoutFor(record, family);
        return record is MedtronicUnabsorbedInsulin unabsorbed ? 2 + (3 * unabsorbed.Doses.Count) : layout.Length;
    }

    internal static int Encode(MedtronicHistoryRecord record, MedtronicModelFamily family, Span<byte> destination)
    {
        var length = EncodedLength(record, family);
        if (destination.Length < length)
        {
            throw new ArgumentException($"{record.Type} needs {length} bytes, {destination.Length} left.", nameof(destination));
        }

        var layout = LayoutFor(record, family);
        var span = destination[..length];
        span.Clear();
        span[0] = (byte)record.Type;
        var head = span[..(length - layout.DateLength - layout.BodyLength)];
        var date = span.Slice(head.Length, layout.DateLength);
        var body = span[(head.Length + layout.DateLength)..];
        var larger = family == MedtronicModelFamily.X23AndLater;

        if (record is MedtronicTimedRecord timed)
        {
            CheckTimestampBits(timed);
            timed.Timestamp.Encode(date);
        }

        switch (record)
        {
            case MedtronicBolus bolus:
                EncodeBolus(bolus, head, larger);
                break;
            case MedtronicPrime prime:
                head[1] = prime.Head1;
                head[2] = MedtronicUnits.Byte(prime.Programmed, 10, nameof(prime.Programmed));
                head[3] = prime.Head3;
                head[4] = MedtronicUnits.Byte(prime.Amount, 10, nameof(prime.Amount));
                break;
            case MedtronicAlarmPump alarm:
                head[1] = alarm.AlarmCode;
                BinaryPrimitives.WriteUInt16BigEndian(head[2..], alarm.FirmwareLine);
                break;
            case MedtronicResultDailyTotal total:
                head[1] = total.Head1;
                head[2] = total.Head2;
                BinaryPrimitives.WriteUInt16BigEndian(head[3..], (ushort)MedtronicUnits.Scaled(total.Total, MedtronicModel.BasalStrokesPerUnit, ushort.MaxValue, nameof(total.Total)));
                total.Date.Encode(date);
                CopyExact(total.Body, body, nameof(total.Body));
                break;
            case MedtronicCalBgForPh calBg:
                head[1] = calBg.LowByte;
                break;
            case MedtronicAlarmSensor sensor:
                head[1] = sensor.AlarmCode;
                head[2] = sensor.Argument;
                break;
            case MedtronicClearAlarm clear:
                head[1] = clear.AlarmCode;
                break;
            case MedtronicTempBasalDuration duration:
                head[1] = HalfHours(duration.Duration, nameof(duration.Duration));
                break;
            case MedtronicSuspendResume suspend:
                if (!Enum.IsDefined(suspend.Reason) || suspend.ReasonHighBits > 7)
                {
                    throw new ArgumentOutOfRangeException(nameof(record), "a suspend reason is 0 to 8 with 3 spare bits");
                }

                head[1] = (byte)((suspend.ReasonHighBits << 5) | (byte)suspend.Reason);
                break;
            case MedtronicPumpEvent pumpEvent:
                head[1] = pumpEvent.Argument;
                break;
            case MedtronicTempBasal temp:
                EncodeTempBasal(temp, head, body);
                break;
            case MedtronicLowReservoir reservoir:
                head[1] = MedtronicUnits.Byte(reservoir.Remaining, 10, nameof(reservoir.Remaining));
                break;
            case MedtronicBgReceived received:
                head[1] = received.HighByte;
                CopyExact(received.MeterLinkId, body, nameof(received.MeterLinkId));
                break;
            case MedtronicBolusWizard wizard:
                head[1] = wizard.BgLowByte;
                CopyExact(wizard.Body, body, nameof(wizard.Body));
                break;
            case MedtronicUnabsorbedInsulin unabsorbed:
                EncodeUnabsorbed(unabsorbed, span);
                break;
            case MedtronicDailyTotals totals:
                totals.Date.Encode(date);
                CopyExact(totals.Body, body, nameof(totals.Body));
                break;
            case MedtronicBasalProfileStart start:
                head[1] = checked((byte)start.SegmentIndex);
                var startSlot = HalfHours(start.Start, nameof(start.Start));
                if (startSlot >= 48)
                {
                    throw new ArgumentOutOfRangeException(nameof(record), "a basal segment starts within the day");
                }

                body[0] = startSlot;
                body[1] = MedtronicUnits.Byte(start.Rate, MedtronicModel.BasalStrokesPerUnit, nameof(start.Rate));
                body[2] = start.Trailer;
                break;
            case MedtronicUninterpretedRecord other:
                CopyExact(other.HeadArguments, head[1..], nameof(other.HeadArguments));
                CopyExact(other.Body, body, nameof(other.Body));
                break;
            default:
                throw new ArgumentException($"{record.GetType().Name} is not a record this codec writes.", nameof(record));
        }

        return length;
    }

    private static MedtronicRecordLayout LayoutFor(MedtronicHistoryRecord record, MedtronicModelFamily family) =>
        MedtronicRecordLayouts.Of(record.Type, family) ?? throw new ArgumentException($"record type 0x{(byte)record.Type:X2} is not one this codec knows", nameof(record));

    private static MedtronicTimestamp Timestamp(ReadOnlySpan<byte> date, int offset) => MedtronicTimestamp.Decode(date, offset);

    private static MedtronicBolus DecodeBolus(ReadOnlySpan<byte> head, MedtronicTimestamp timestamp, bool larger, int dateOffset)
    {
        if (!Enum.IsDefined((MedtronicBolusKind)timestamp.HourHighBits))
        {
            throw new ProtocolException(ProtocolErrorKind.ReservedValue, dateOffset + 2, $"bolus kind {timestamp.HourHighBits} is not one the pump defines");
        }

        return larger
            ? new MedtronicBolus(
                timestamp,
                BinaryPrimitives.ReadUInt16BigEndian(head[1..]) / 40m,
                BinaryPrimitives.ReadUInt16BigEndian(head[3..]) / 40m,
                TimeSpan.FromMinutes(30 * head[7]),
                BinaryPrimitives.ReadUInt16BigEndian(head[5..]) / 40m)
            : new MedtronicBolus(timestamp, head[1] / 10m, head[2] / 10m, TimeSpan.FromMinutes(30 * head[3]));
    }

    private static void EncodeBolus(MedtronicBolus bolus, Span<byte> head, bool larger)
    {
        if (larger)
        {
            if (bolus.Unabsorbed is not { } unabsorbed)
            {
                throw new ArgumentException("an x23 bolus carries the unabsorbed insulin", nameof(bolus));
            }

            BinaryPrimitives.WriteUInt16BigEndian(head[1..], (ushort)MedtronicUnits.Scaled(bolus.Programmed, 40, ushort.MaxValue, nameof(bolus.Programmed)));
            BinaryPrimitives.WriteUInt16BigEndian(head[3..], (ushort)MedtronicUnits.Scaled(bolus.Delivered, 40, ushort.MaxValue, nameof(bolus.Delivered)));
            BinaryPrimitives.WriteUInt16BigEndian(head[5..], (ushort)MedtronicUnits.Scaled(unabsorbed, 40, ushort.MaxValue, nameof(bolus.Unabsorbed)));
            head[7] = HalfHours(bolus.Duration, nameof(bolus.Duration));
        }
        else
        {
            if (bolus.Unabsorbed is not null)
            {
                throw new ArgumentException("an x22 bolus has no unabsorbed insulin field", nameof(bolus));
            }

            head[1] = MedtronicUnits.Byte(bolus.Programmed, 10, nameof(bolus.Programmed));
            head[2] = MedtronicUnits.Byte(bolus.Delivered, 10, nameof(bolus.Delivered));
            head[3] = HalfHours(bolus.Duration, nameof(bolus.Duration));
        }
    }

    private static MedtronicSuspendResume DecodeSuspendResume(MedtronicRecordType type, ReadOnlySpan<byte> head, MedtronicTimestamp timestamp, int offset)
    {
        var reason = (MedtronicSuspendReason)(head[1] & 0x1F);
        if (!Enum.IsDefined(reason))
        {
            throw new ProtocolException(ProtocolErrorKind.ReservedValue, offset + 1, $"{type} reason {(int)reason} is not one the pump defines");
        }

        return new MedtronicSuspendResume(type, timestamp, reason, (byte)(head[1] >> 5));
    }

    private static MedtronicTempBasal DecodeTempBasal(ReadOnlySpan<byte> head, MedtronicTimestamp timestamp, byte body0, int bodyOffset)
    {
        switch (body0 >> 3)
        {
            case 0:
                return MedtronicTempBasal.Absolute(timestamp, (((body0 & 0x07) << 8) | head[1]) / (decimal)MedtronicModel.BasalStrokesPerUnit);
            case 1 when (body0 & 0x07) == 0:
                return MedtronicTempBasal.OfPercent(timestamp, head[1]);
            default:
                throw new ProtocolException(ProtocolErrorKind.ReservedValue, bodyOffset, $"temp basal type byte 0x{body0:X2} is neither absolute (0x00-0x07) nor percent (0x08)");
        }
    }

    private static void EncodeTempBasal(MedtronicTempBasal temp, Span<byte> head, Span<byte> body)
    {
        switch (temp.RateType)
        {
            case MedtronicTempBasalType.Absolute when temp.Rate is { } rate && temp.Percent is null:
                var strokes = MedtronicUnits.Scaled(rate, MedtronicModel.BasalStrokesPerUnit, 0x7FF, nameof(temp.Rate));
                head[1] = (byte)strokes;
                body[0] = (byte)(strokes >> 8);
                break;
            case MedtronicTempBasalType.Percent when temp.Percent is { } percent && temp.Rate is null:
                head[1] = checked((byte)percent);
                body[0] = 0x08;
                break;
            default:
                throw new ArgumentException("an absolute temp basal has a rate, a percent one a percent, not both", nameof(temp));
        }
    }

    private static MedtronicUnabsorbedInsulin DecodeUnabsorbed(ReadOnlySpan<byte> head)
    {
        var doses = new MedtronicUnabsorbedDose[(head.Length - 2) / 3];
        for (var i = 0; i < doses.Length; i++)
        {
            var dose = head.Slice(2 + (3 * i), 3);
            doses[i] = new MedtronicUnabsorbedDose(dose[0] / 40m, dose[1] | ((dose[2] & 0x30) << 4), (byte)(dose[2] & ~0x30));
        }

        return new MedtronicUnabsorbedInsulin([.. doses]);
    }

    private static void EncodeUnabsorbed(MedtronicUnabsorbedInsulin unabsorbed, Span<byte> span)
    {
        if (span.Length > byte.MaxValue)
        {
            throw new ArgumentException("an UnabsorbedInsulin record holds at most 84 doses", nameof(unabsorbed));
        }

        span[1] = (byte)span.Length;
        for (var i = 0; i < unabsorbed.Doses.Count; i++)
        {
            var dose = unabsorbed.Doses[i];
            if (dose.AgeMinutes is < 0 or > 0x3FF || (dose.OtherBits & 0x30) != 0)
            {
                throw new ArgumentOutOfRangeException(nameof(unabsorbed), "a dose's age is 10 bits and its other bits leave bits 4-5 free");
            }

            var slot = span.Slice(2 + (3 * i), 3);
            slot[0] = MedtronicUnits.Byte(dose.Amount, 40, nameof(dose.Amount));
            slot[1] = (byte)dose.AgeMinutes;
            slot[2] = (byte)(((dose.AgeMinutes >> 8) << 4) | dose.OtherBits);
        }
    }

    private static MedtronicBasalProfileStart DecodeBasalProfileStart(ReadOnlySpan<byte> head, MedtronicTimestamp timestamp, ReadOnlySpan<byte> body, int dateOffset, int bodyOffset)
    {
        if (!Enum.IsDefined((MedtronicBasalPattern)timestamp.HourHighBits))
        {
            throw new ProtocolException(ProtocolErrorKind.ReservedValue, dateOffset + 2, $"basal pattern {timestamp.HourHighBits} is not standard, A or B");
        }

        if (body[0] >= 48)
        {
            throw new ProtocolException(ProtocolErrorKind.OutOfRange, bodyOffset, $"basal segment start {body[0]} x 30 min is past the end of the day");
        }

        return new MedtronicBasalProfileStart(timestamp, head[1], TimeSpan.FromMinutes(30 * body[0]), body[1] / (decimal)MedtronicModel.BasalStrokesPerUnit, body[2]);
    }

    private static void CheckTimestampBits(MedtronicTimedRecord timed)
    {
        var valid = timed switch
        {
            MedtronicBolus bolus => Enum.IsDefined(bolus.Kind),
            MedtronicBasalProfileStart start => Enum.IsDefined(start.Pattern),
            _ => true,
        };
        if (!valid)
        {
            throw new ArgumentOutOfRangeException(nameof(timed), $"timestamp byte 2 bits 5-7 = {timed.Timestamp.HourHighBits} is not a {timed.Type} kind");
        }
    }

    private static byte HalfHours(TimeSpan duration, string name)
    {
        if (duration < TimeSpan.Zero || duration.Ticks % TimeSpan.FromMinutes(30).Ticks != 0 || duration > TimeSpan.FromMinutes(30 * 255))
        {
            throw new ArgumentOutOfRangeException(name, duration, "a duration here is a whole number of half hours, at most 255");
        }

        return (byte)(duration.Ticks / TimeSpan.FromMinutes(30).Ticks);
    }

    private static void CopyExact(MedtronicRecordList<byte> source, Span<byte> destination, string name)
    {
        if (source.Count != destination.Length)
        {
            throw new ArgumentException($"{name} is {destination.Length} bytes for this record and family, got {source.Count}", name);
        }

        source.AsSpan().CopyTo(destination);
    }
}

/// <summary>Amounts as decimals at the pump's resolution, and back to strokes.</summary>
internal static class MedtronicUnits
{
    public static int Scaled(decimal value, int perUnit, int max, string name)
    {
        var scaled = value * perUnit;
        if (scaled != decimal.Truncate(scaled) || scaled < 0 || scaled > max)
        {
            throw new ArgumentOutOfRangeException(name, value, $"not a multiple of 1/{perUnit} between 0 and {max}/{perUnit}");
        }

        return (int)scaled;
    }

    public static byte Byte(decimal value, int perUnit, string name) => (byte)Scaled(value, perUnit, byte.MaxValue, name);
}
