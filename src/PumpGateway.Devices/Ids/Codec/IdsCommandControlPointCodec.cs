using PumpGateway.Protocol;

namespace PumpGateway.Devices.Ids;

/// <summary>
/// IDD Command Control Point, restricted to reads. A value whose op code is anything else — a
/// command that changes delivery, a write, an unknown op code — is refused as
/// <see cref="ProtocolErrorKind.UnknownCommand"/>, which is how the emulator refuses such writes.
/// </summary>
public static class IdsCommandControlPointCodec
{
    private const byte FastAvailable = 0x01, ExtendedAvailable = 0x02, MultiwaveAvailable = 0x04;
    private const byte DelayPresent = 0x01, ForCorrection = 0x02, ForMeal = 0x04;

    public static byte[] Encode(IdsCommandRequest request, IdsDialect dialect)
    {
        var writer = new IdsWriter().U16((ushort)request.OpCode);
        switch (request)
        {
            case IdsReadProfileTemplate read:
                writer.U8(read.TemplateNumber);
                break;
            case IdsReadTargetGlucoseRangeProfileTemplate read:
                writer.U8(read.TemplateNumber);
                break;
            case IdsGetTbrTemplate get:
                writer.U8(get.TemplateNumber);
                break;
            case IdsGetBolusTemplate get:
                writer.U8(get.TemplateNumber);
                break;
            case IdsGetAvailableBoluses or IdsGetTemplateStatusAndDetails or IdsGetActivatedProfileTemplates or IdsGetMaxBolusAmount:
                break;
            default:
                throw new ArgumentException($"{request.GetType().Name} is not a read request.", nameof(request));
        }

        return IdsE2e.Seal(writer, dialect, request.E2eCounter, hasCounter: true);
    }

    public static IdsCommandRequest DecodeRequest(ReadOnlySpan<byte> value, IdsDialect dialect)
    {
        var reader = new IdsReader(IdsE2e.Open(value, dialect, hasCounter: true, out var counter));
        var opCode = ReadOpCode(ref reader);
        IdsCommandRequest request = opCode switch
        {
            IdsCommandOpCode.ReadBasalRateProfileTemplate => new IdsReadProfileTemplate(IdsProfile.BasalRate, reader.U8("template number")),
            IdsCommandOpCode.ReadIsfProfileTemplate => new IdsReadProfileTemplate(IdsProfile.Isf, reader.U8("template number")),
            IdsCommandOpCode.ReadI2ChoRatioProfileTemplate => new IdsReadProfileTemplate(IdsProfile.I2ChoRatio, reader.U8("template number")),
            IdsCommandOpCode.ReadTargetGlucoseRangeProfileTemplate => new IdsReadTargetGlucoseRangeProfileTemplate(reader.U8("template number")),
            IdsCommandOpCode.GetTbrTemplate => new IdsGetTbrTemplate(reader.U8("template number")),
            IdsCommandOpCode.GetBolusTemplate => new IdsGetBolusTemplate(reader.U8("template number")),
            IdsCommandOpCode.GetAvailableBoluses => new IdsGetAvailableBoluses(),
            IdsCommandOpCode.GetTemplateStatusAndDetails => new IdsGetTemplateStatusAndDetails(),
            IdsCommandOpCode.GetActivatedProfileTemplates => new IdsGetActivatedProfileTemplates(),
            IdsCommandOpCode.GetMaxBolusAmount => new IdsGetMaxBolusAmount(),
            _ => throw new ProtocolException(ProtocolErrorKind.UnknownCommand, 0, $"{opCode} is a response, not a request"),
        };
        reader.End($"{opCode} request");
        return request with { E2eCounter = counter };
    }

    public static byte[] Encode(IdsCommandResponse response, IdsDialect dialect)
    {
        var writer = new IdsWriter();
        switch (response)
        {
            case IdsCommandResult result:
                if (!IsRequest(result.RequestOpCode))
                {
                    throw new ArgumentException($"{result.RequestOpCode} is not a read request op code.", nameof(response));
                }

                writer.U16((ushort)IdsCommandOpCode.ResponseCode).U16((ushort)result.RequestOpCode).Enum8(result.ResponseCode, "response code");
                break;
            case IdsTbrTemplate tbr:
                writer.U16((ushort)IdsCommandOpCode.GetTbrTemplateResponse).U8(tbr.TemplateNumber).Enum8(tbr.Type, "TBR type")
                    .Insulin(dialect, tbr.AdjustmentValue).U16(tbr.DurationMinutes);
                break;
            case IdsAvailableBoluses available:
                writer.U16((ushort)IdsCommandOpCode.GetAvailableBolusesResponse)
                    .U8((byte)((available.Fast ? FastAvailable : 0) | (available.Extended ? ExtendedAvailable : 0) | (available.Multiwave ? MultiwaveAvailable : 0)));
                break;
            case IdsBolusTemplate bolus:
                writer.U16((ushort)IdsCommandOpCode.GetBolusTemplateResponse).U8(bolus.TemplateNumber)
                    .U8((byte)((bolus.DelayMinutes is null ? 0 : DelayPresent) | (bolus.ForCorrection ? ForCorrection : 0) | (bolus.ForMeal ? ForMeal : 0)))
                    .Enum8(bolus.BolusType, "bolus type").Insulin(dialect, bolus.FastAmount).Insulin(dialect, bolus.ExtendedAmount).U16(bolus.DurationMinutes)
                    .Optional(bolus.DelayMinutes);
                break;
            case IdsActivatedProfileTemplates activated:
                if (activated.TemplateNumbers.Count > byte.MaxValue)
                {
                    throw new ArgumentException("More activated templates than a count octet holds.", nameof(response));
                }

                writer.U16((ushort)IdsCommandOpCode.GetActivatedProfileTemplatesResponse).U8((byte)activated.TemplateNumbers.Count);
                foreach (var number in activated.TemplateNumbers)
                {
                    writer.U8(number);
                }

                break;
            case IdsMaxBolusAmount max:
                writer.U16((ushort)IdsCommandOpCode.GetMaxBolusAmountResponse).Insulin(dialect, max.Amount);
                break;
            default:
                throw new ArgumentException($"{response.GetType().Name} is not a command control point response.", nameof(response));
        }

        return IdsE2e.Seal(writer, dialect, response.E2eCounter, hasCounter: true);
    }

    public static IdsCommandResponse DecodeResponse(ReadOnlySpan<byte> value, IdsDialect dialect)
    {
        var reader = new IdsReader(IdsE2e.Open(value, dialect, hasCounter: true, out var counter));
        var opCode = ReadOpCode(ref reader);
        IdsCommandResponse response = opCode switch
        {
            IdsCommandOpCode.ResponseCode => ReadResult(ref reader),
            IdsCommandOpCode.GetTbrTemplateResponse => new IdsTbrTemplate(
                reader.U8("TBR template number"), reader.Enum8<IdsTbrType>("TBR type"), reader.Insulin(dialect, "TBR adjustment value"), reader.U16("TBR duration")),
            IdsCommandOpCode.GetAvailableBolusesResponse => ReadAvailableBoluses(ref reader),
            IdsCommandOpCode.GetBolusTemplateResponse => ReadBolusTemplate(ref reader, dialect),
            IdsCommandOpCode.GetActivatedProfileTemplatesResponse => ReadActivatedProfileTemplates(ref reader),
            IdsCommandOpCode.GetMaxBolusAmountResponse => new IdsMaxBolusAmount(reader.Insulin(dialect, "max bolus amount")),
            _ => throw new ProtocolException(ProtocolErrorKind.UnknownCommand, 0, $"{opCode} is not a response of the command control point"),
        };
        reader.End($"{opCode} response");
        return response with { E2eCounter = counter };
    }

    internal static IdsCommandOpCode ReadOpCode(ref IdsReader reader)
    {
        var raw = reader.U16("op code");
        var opCode = (IdsCommandOpCode)raw;
        return Enum.IsDefined(opCode)
            ? opCode
            : throw new ProtocolException(ProtocolErrorKind.UnknownCommand, 0, $"command op code 0x{raw:x4} is not a read; the gateway never sends it");
    }

    private static bool IsRequest(IdsCommandOpCode opCode) => opCode is IdsCommandOpCode.ReadBasalRateProfileTemplate or IdsCommandOpCode.GetTbrTemplate
        or IdsCommandOpCode.GetAvailableBoluses or IdsCommandOpCode.GetBolusTemplate or IdsCommandOpCode.GetTemplateStatusAndDetails
        or IdsCommandOpCode.GetActivatedProfileTemplates or IdsCommandOpCode.ReadIsfProfileTemplate or IdsCommandOpCode.ReadI2ChoRatioProfileTemplate
        or IdsCommandOpCode.ReadTargetGlucoseRangeProfileTemplate or IdsCommandOpCode.GetMaxBolusAmount;

    private static IdsCommandResult ReadResult(ref IdsReader reader)
    {
        var offset = reader.Offset;
        var raw = reader.U16("request op code");
        if (!IsRequest((IdsCommandOpCode)raw))
        {
            throw new ProtocolException(ProtocolErrorKind.UnknownCommand, offset, $"response code for op code 0x{raw:x4}, which is not a read the gateway sends");
        }

        return new IdsCommandResult((IdsCommandOpCode)raw, reader.Enum8<IdsCommandResponseCode>("response code"));
    }

    private static IdsAvailableBoluses ReadAvailableBoluses(ref IdsReader reader)
    {
        var flags = reader.Flags(FastAvailable | ExtendedAvailable | MultiwaveAvailable, "available boluses flags");
        return new IdsAvailableBoluses((flags & FastAvailable) != 0, (flags & ExtendedAvailable) != 0, (flags & MultiwaveAvailable) != 0);
    }

    private static IdsBolusTemplate ReadBolusTemplate(ref IdsReader reader, IdsDialect dialect)
    {
        var number = reader.U8("bolus template number");
        var flags = reader.Flags(DelayPresent | ForCorrection | ForMeal, "bolus template flags");
        return new IdsBolusTemplate(
            number,
            reader.Enum8<IdsBolusType>("bolus type"),
            reader.Insulin(dialect, "bolus fast amount"),
            reader.Insulin(dialect, "bolus extended amount"),
            reader.U16("bolus duration"),
            (flags & DelayPresent) != 0 ? reader.U16("bolus delay time") : null,
            (flags & ForCorrection) != 0,
            (flags & ForMeal) != 0);
    }

    private static IdsActivatedProfileTemplates ReadActivatedProfileTemplates(ref IdsReader reader)
    {
        var count = reader.U8("number of activated profile templates");
        var numbers = new byte[count];
        for (var i = 0; i < count; i++)
        {
            numbers[i] = reader.U8("profile template number");
        }

        return new IdsActivatedProfileTemplates(new IdsList<byte>(numbers));
    }
}
