using PumpGateway.Protocol;

namespace PumpGateway.Devices.Ids;

/// <summary>
/// IDD Status Reader Control Point, both ways: the gateway writes requests and parses responses,
/// the emulator parses requests and writes responses. Only read requests exist; Reset Status (it
/// clears the device's status flags) is neither written nor accepted.
/// </summary>
public static class IdsStatusReaderCodec
{
    private const int MaxActiveBolusIds = 7;
    private const byte DelayPresent = 0x01, TemplatePresent = 0x02, ActivationPresent = 0x04, ForCorrection = 0x08, ForMeal = 0x10;
    private const byte TbrPresent = 0x01, TbrTemplatePresent = 0x02, ContextPresent = 0x04;
    private const byte RemainingDurationPresent = 0x01;

    public static byte[] Encode(IdsStatusReaderRequest request, IdsDialect dialect)
    {
        var writer = new IdsWriter().U16((ushort)request.OpCode);
        switch (request)
        {
            case IdsGetActiveBolusDelivery delivery:
                writer.U16(delivery.BolusId).Enum8(delivery.ValueSelection, "bolus value selection");
                break;
            case IdsGetCounter counter:
                writer.Enum8(counter.CounterType, "counter type").Enum8(counter.ValueSelection, "counter value selection");
                break;
            case IdsGetActiveBolusIds or IdsGetActiveBasalRateDelivery or IdsGetTotalDailyInsulinStatus or IdsGetDeliveredInsulin or IdsGetInsulinOnBoard:
                break;
            default:
                throw new ArgumentException($"{request.GetType().Name} is not a status reader request.", nameof(request));
        }

        return IdsE2e.Seal(writer, dialect, request.E2eCounter, hasCounter: true);
    }

    public static IdsStatusReaderRequest DecodeRequest(ReadOnlySpan<byte> value, IdsDialect dialect)
    {
        var reader = new IdsReader(IdsE2e.Open(value, dialect, hasCounter: true, out var counter));
        IdsStatusReaderRequest request = ReadOpCode(ref reader) switch
        {
            IdsStatusReaderOpCode.GetActiveBolusIds => new IdsGetActiveBolusIds(),
            IdsStatusReaderOpCode.GetActiveBolusDelivery => new IdsGetActiveBolusDelivery(reader.U16("bolus id"), reader.Enum8<IdsBolusValueSelection>("bolus value selection")),
            IdsStatusReaderOpCode.GetActiveBasalRateDelivery => new IdsGetActiveBasalRateDelivery(),
            IdsStatusReaderOpCode.GetTotalDailyInsulinStatus => new IdsGetTotalDailyInsulinStatus(),
            IdsStatusReaderOpCode.GetCounter => new IdsGetCounter(reader.Enum8<IdsCounterType>("counter type"), reader.Enum8<IdsCounterValueSelection>("counter value selection")),
            IdsStatusReaderOpCode.GetDeliveredInsulin => new IdsGetDeliveredInsulin(),
            IdsStatusReaderOpCode.GetInsulinOnBoard => new IdsGetInsulinOnBoard(),
            var response => throw new ProtocolException(ProtocolErrorKind.UnknownCommand, 0, $"{response} is a response, not a request"),
        };
        reader.End($"{request.OpCode} request");
        return request with { E2eCounter = counter };
    }

    public static byte[] Encode(IdsStatusReaderResponse response, IdsDialect dialect)
    {
        var writer = new IdsWriter();
        switch (response)
        {
            case IdsStatusReaderResult result:
                writer.U16((ushort)IdsStatusReaderOpCode.ResponseCode).U16((ushort)RequestOpCode(result.RequestOpCode)).Enum8(result.ResponseCode, "response code");
                break;
            case IdsActiveBolusIds ids:
                if (ids.BolusIds.Count > MaxActiveBolusIds)
                {
                    throw new ArgumentException($"At most {MaxActiveBolusIds} active bolus ids fit one response.", nameof(response));
                }

                writer.U16((ushort)IdsStatusReaderOpCode.GetActiveBolusIdsResponse).U8((byte)ids.BolusIds.Count);
                foreach (var id in ids.BolusIds)
                {
                    writer.U16(id);
                }

                break;
            case IdsActiveBolusDelivery bolus:
                var bolusFlags = (byte)((bolus.DelayMinutes is null ? 0 : DelayPresent) | (bolus.TemplateNumber is null ? 0 : TemplatePresent)
                    | (bolus.ActivationType is null ? 0 : ActivationPresent) | (bolus.ForCorrection ? ForCorrection : 0) | (bolus.ForMeal ? ForMeal : 0));
                writer.U16((ushort)IdsStatusReaderOpCode.GetActiveBolusDeliveryResponse).U8(bolusFlags).U16(bolus.BolusId).Enum8(bolus.BolusType, "bolus type")
                    .Insulin(dialect, bolus.FastAmount).Insulin(dialect, bolus.ExtendedAmount).U16(bolus.DurationMinutes);
                writer.Optional(bolus.DelayMinutes).Optional(bolus.TemplateNumber).Optional(bolus.ActivationType, "bolus activation type");
                break;
            case IdsActiveBasalRateDelivery basal:
                if (basal.TbrTemplateNumber is not null && basal.Tbr is null)
                {
                    throw new ArgumentException("A TBR template number needs a TBR.", nameof(response));
                }

                var basalFlags = (byte)((basal.Tbr is null ? 0 : TbrPresent) | (basal.TbrTemplateNumber is null ? 0 : TbrTemplatePresent) | (basal.DeliveryContext is null ? 0 : ContextPresent));
                writer.U16((ushort)IdsStatusReaderOpCode.GetActiveBasalRateDeliveryResponse).U8(basalFlags).U8(basal.ProfileTemplateNumber).Insulin(dialect, basal.CurrentRate);
                if (basal.Tbr is { } tbr)
                {
                    writer.Enum8(tbr.Type, "TBR type").Insulin(dialect, tbr.AdjustmentValue).U16(tbr.DurationProgrammedMinutes).U16(tbr.DurationRemainingMinutes);
                }

                writer.Optional(basal.TbrTemplateNumber).Optional(basal.DeliveryContext, "basal delivery context");
                break;
            case IdsTotalDailyInsulinStatus total:
                writer.U16((ushort)IdsStatusReaderOpCode.GetTotalDailyInsulinStatusResponse)
                    .Insulin(dialect, total.Bolus).Insulin(dialect, total.Basal).Insulin(dialect, total.BolusAndBasal);
                break;
            case IdsCounterValue counter:
                writer.U16((ushort)IdsStatusReaderOpCode.GetCounterResponse).Enum8(counter.CounterType, "counter type")
                    .Enum8(counter.ValueSelection, "counter value selection").S32(counter.ValueMinutes);
                break;
            case IdsDeliveredInsulin delivered:
                writer.U16((ushort)IdsStatusReaderOpCode.GetDeliveredInsulinResponse).Float(delivered.Bolus).Float(delivered.Basal);
                break;
            case IdsInsulinOnBoard iob:
                writer.U16((ushort)IdsStatusReaderOpCode.GetInsulinOnBoardResponse).U8(iob.RemainingDurationMinutes is null ? (byte)0 : RemainingDurationPresent)
                    .Insulin(dialect, iob.Amount).Optional(iob.RemainingDurationMinutes);
                break;
            default:
                throw new ArgumentException($"{response.GetType().Name} is not a status reader response.", nameof(response));
        }

        return IdsE2e.Seal(writer, dialect, response.E2eCounter, hasCounter: true);
    }

    public static IdsStatusReaderResponse DecodeResponse(ReadOnlySpan<byte> value, IdsDialect dialect)
    {
        var reader = new IdsReader(IdsE2e.Open(value, dialect, hasCounter: true, out var counter));
        var opCode = ReadOpCode(ref reader);
        IdsStatusReaderResponse response = opCode switch
        {
            IdsStatusReaderOpCode.ResponseCode => ReadResult(ref reader),
            IdsStatusReaderOpCode.GetActiveBolusIdsResponse => ReadActiveBolusIds(ref reader),
            IdsStatusReaderOpCode.GetActiveBolusDeliveryResponse => ReadActiveBolusDelivery(ref reader, dialect),
            IdsStatusReaderOpCode.GetActiveBasalRateDeliveryResponse => ReadActiveBasalRateDelivery(ref reader, dialect),
            IdsStatusReaderOpCode.GetTotalDailyInsulinStatusResponse => new IdsTotalDailyInsulinStatus(
                reader.Insulin(dialect, "total daily bolus"), reader.Insulin(dialect, "total daily basal"), reader.Insulin(dialect, "total daily bolus and basal")),
            IdsStatusReaderOpCode.GetCounterResponse => new IdsCounterValue(
                reader.Enum8<IdsCounterType>("counter type"), reader.Enum8<IdsCounterValueSelection>("counter value selection"), reader.S32("counter value")),
            IdsStatusReaderOpCode.GetDeliveredInsulinResponse => new IdsDeliveredInsulin(reader.Float("delivered bolus"), reader.Float("delivered basal")),
            IdsStatusReaderOpCode.GetInsulinOnBoardResponse => ReadInsulinOnBoard(ref reader, dialect),
            var request => throw new ProtocolException(ProtocolErrorKind.UnknownCommand, 0, $"{request} is a request, not a response"),
        };
        reader.End($"{opCode} response");
        return response with { E2eCounter = counter };
    }

    private static IdsStatusReaderOpCode ReadOpCode(ref IdsReader reader)
    {
        var raw = reader.U16("op code");
        var opCode = (IdsStatusReaderOpCode)raw;
        return Enum.IsDefined(opCode)
            ? opCode
            : throw new ProtocolException(ProtocolErrorKind.UnknownCommand, 0, $"status reader op code 0x{raw:x4} is not a read the gateway knows");
    }

    private static bool IsRequest(IdsStatusReaderOpCode opCode) => opCode is IdsStatusReaderOpCode.GetActiveBolusIds or IdsStatusReaderOpCode.GetActiveBolusDelivery
        or IdsStatusReaderOpCode.GetActiveBasalRateDelivery or IdsStatusReaderOpCode.GetTotalDailyInsulinStatus or IdsStatusReaderOpCode.GetCounter
        or IdsStatusReaderOpCode.GetDeliveredInsulin or IdsStatusReaderOpCode.GetInsulinOnBoard;

    private static IdsStatusReaderOpCode RequestOpCode(IdsStatusReaderOpCode opCode) =>
        IsRequest(opCode) ? opCode : throw new ArgumentException($"{opCode} is not a request op code.", nameof(opCode));

    private static IdsStatusReaderResult ReadResult(ref IdsReader reader)
    {
        var offset = reader.Offset;
        var raw = reader.U16("request op code");
        if (!IsRequest((IdsStatusReaderOpCode)raw))
        {
            throw new ProtocolException(ProtocolErrorKind.UnknownCommand, offset, $"response code for op code 0x{raw:x4}, which the gateway never sends");
        }

        return new IdsStatusReaderResult((IdsStatusReaderOpCode)raw, reader.Enum8<IdsStatusReaderResponseCode>("response code"));
    }

    private static IdsActiveBolusIds ReadActiveBolusIds(ref IdsReader reader)
    {
        var offset = reader.Offset;
        var count = reader.U8("number of active boluses");
        if (count > MaxActiveBolusIds)
        {
            throw new ProtocolException(ProtocolErrorKind.OutOfRange, offset, $"{count} active bolus ids; a response holds at most {MaxActiveBolusIds}");
        }

        var ids = new ushort[count];
        for (var i = 0; i < count; i++)
        {
            ids[i] = reader.U16("bolus id");
        }

        return new IdsActiveBolusIds(new IdsList<ushort>(ids));
    }

    private static IdsActiveBolusDelivery ReadActiveBolusDelivery(ref IdsReader reader, IdsDialect dialect)
    {
        var flags = reader.Flags(DelayPresent | TemplatePresent | ActivationPresent | ForCorrection | ForMeal, "bolus flags");
        return new IdsActiveBolusDelivery(
            reader.U16("bolus id"),
            reader.Enum8<IdsBolusType>("bolus type"),
            reader.Insulin(dialect, "bolus fast amount"),
            reader.Insulin(dialect, "bolus extended amount"),
            reader.U16("bolus duration"),
            (flags & DelayPresent) != 0 ? reader.U16("bolus delay time") : null,
            (flags & TemplatePresent) != 0 ? reader.U8("bolus template number") : null,
            (flags & ActivationPresent) != 0 ? reader.Enum8<IdsBolusActivationType>("bolus activation type") : null,
            (flags & ForCorrection) != 0,
            (flags & ForMeal) != 0);
    }

    private static IdsActiveBasalRateDelivery ReadActiveBasalRateDelivery(ref IdsReader reader, IdsDialect dialect)
    {
        var offset = reader.Offset;
        var flags = reader.Flags(TbrPresent | TbrTemplatePresent | ContextPresent, "active basal rate flags");
        if ((flags & (TbrPresent | TbrTemplatePresent)) == TbrTemplatePresent)
        {
            throw new ProtocolException(ProtocolErrorKind.ReservedValue, offset, "a TBR template number without a TBR");
        }

        var template = reader.U8("active basal rate profile template number");
        var rate = reader.Insulin(dialect, "active basal rate current config value");
        var tbr = (flags & TbrPresent) == 0
            ? null
            : new IdsActiveTbr(reader.Enum8<IdsTbrType>("TBR type"), reader.Insulin(dialect, "TBR adjustment value"), reader.U16("TBR duration programmed"), reader.U16("TBR duration remaining"));
        return new IdsActiveBasalRateDelivery(
            template,
            rate,
            tbr,
            (flags & TbrTemplatePresent) != 0 ? reader.U8("TBR template number") : null,
            (flags & ContextPresent) != 0 ? reader.Enum8<IdsDeliveryContext>("basal delivery context") : null);
    }

    private static IdsInsulinOnBoard ReadInsulinOnBoard(ref IdsReader reader, IdsDialect dialect)
    {
        var flags = reader.Flags(RemainingDurationPresent, "insulin on board flags");
        var amount = reader.Insulin(dialect, "insulin on board");
        return new IdsInsulinOnBoard(amount, (flags & RemainingDurationPresent) != 0 ? reader.U16("remaining duration") : null);
    }
}
