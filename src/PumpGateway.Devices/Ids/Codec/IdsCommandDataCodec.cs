using PumpGateway.Protocol;

namespace PumpGateway.Devices.Ids;

/// <summary>
/// IDD Command Data: the notifications a template read returns before the control point's final
/// Response Code. Basal rates are insulin (FLOAT in the widened dialect); ISF, I:CHO ratios and
/// glucose targets stay SFLOAT.
/// </summary>
public static class IdsCommandDataCodec
{
    private const byte SecondBlockPresent = 0x01, ThirdBlockPresent = 0x02;
    private const int MaxProfileBlocks = 3, MaxTargetBlocks = 2, TemplatesPerStatusOctet = 4;

    public static IdsCommandData Decode(ReadOnlySpan<byte> value, IdsDialect dialect)
    {
        var reader = new IdsReader(IdsE2e.Open(value, dialect, hasCounter: true, out var counter));
        var opCode = IdsCommandControlPointCodec.ReadOpCode(ref reader);
        IdsCommandData data = opCode switch
        {
            IdsCommandOpCode.ReadBasalRateProfileTemplateResponse => ReadProfile(ref reader, IdsProfile.BasalRate, dialect),
            IdsCommandOpCode.ReadIsfProfileTemplateResponse => ReadProfile(ref reader, IdsProfile.Isf, dialect),
            IdsCommandOpCode.ReadI2ChoRatioProfileTemplateResponse => ReadProfile(ref reader, IdsProfile.I2ChoRatio, dialect),
            IdsCommandOpCode.ReadTargetGlucoseRangeProfileTemplateResponse => ReadTargetRange(ref reader),
            IdsCommandOpCode.GetTemplateStatusAndDetailsResponse => ReadTemplateStatus(ref reader),
            _ => throw new ProtocolException(ProtocolErrorKind.UnknownCommand, 0, $"{opCode} is not data the command data characteristic carries"),
        };
        reader.End($"{opCode} command data");
        return data with { E2eCounter = counter };
    }

    public static byte[] Encode(IdsCommandData data, IdsDialect dialect)
    {
        var writer = new IdsWriter();
        switch (data)
        {
            case IdsProfileTemplateTimeBlocks profile:
                CheckBlockCount(profile.TimeBlocks.Count, MaxProfileBlocks, nameof(data));
                writer.U16((ushort)ResponseOpCode(profile.Profile)).U8(BlockFlags(profile.TimeBlocks.Count)).U8(profile.TemplateNumber).U8(profile.FirstTimeBlockIndex);
                foreach (var block in profile.TimeBlocks)
                {
                    writer.U16(block.DurationMinutes);
                    if (profile.Profile == IdsProfile.BasalRate)
                    {
                        writer.Insulin(dialect, block.Value);
                    }
                    else
                    {
                        writer.SFloat(block.Value);
                    }
                }

                break;
            case IdsTargetGlucoseRangeTimeBlocks target:
                CheckBlockCount(target.TimeBlocks.Count, MaxTargetBlocks, nameof(data));
                writer.U16((ushort)IdsCommandOpCode.ReadTargetGlucoseRangeProfileTemplateResponse).U8(BlockFlags(target.TimeBlocks.Count))
                    .U8(target.TemplateNumber).U8(target.FirstTimeBlockIndex);
                foreach (var block in target.TimeBlocks)
                {
                    writer.U16(block.DurationMinutes).SFloat(block.LowerLimit).SFloat(block.UpperLimit);
                }

                break;
            case IdsTemplateStatusAndDetails status:
                if (status.Templates.Count > byte.MaxValue)
                {
                    throw new ArgumentException("More templates than a count octet holds.", nameof(data));
                }

                writer.U16((ushort)IdsCommandOpCode.GetTemplateStatusAndDetailsResponse).Enum8(status.TemplateType, "template type")
                    .U8(status.StartingTemplateNumber).U8((byte)status.Templates.Count).U8(status.MaxTimeBlocks);
                var packed = new byte[(status.Templates.Count + TemplatesPerStatusOctet - 1) / TemplatesPerStatusOctet];
                for (var i = 0; i < status.Templates.Count; i++)
                {
                    var pair = (status.Templates[i].Configurable ? 1 : 0) | (status.Templates[i].Configured ? 2 : 0);
                    packed[i / TemplatesPerStatusOctet] |= (byte)(pair << (2 * (i % TemplatesPerStatusOctet)));
                }

                foreach (var octet in packed)
                {
                    writer.U8(octet);
                }

                break;
            default:
                throw new ArgumentException($"{data.GetType().Name} is not command data.", nameof(data));
        }

        return IdsE2e.Seal(writer, dialect, data.E2eCounter, hasCounter: true);
    }

    private static IdsCommandOpCode ResponseOpCode(IdsProfile profile) => profile switch
    {
        IdsProfile.BasalRate => IdsCommandOpCode.ReadBasalRateProfileTemplateResponse,
        IdsProfile.Isf => IdsCommandOpCode.ReadIsfProfileTemplateResponse,
        IdsProfile.I2ChoRatio => IdsCommandOpCode.ReadI2ChoRatioProfileTemplateResponse,
        _ => throw new ArgumentOutOfRangeException(nameof(profile), profile, "not a single-value profile"),
    };

    private static byte BlockFlags(int blocks) => (byte)((blocks >= 2 ? SecondBlockPresent : 0) | (blocks == 3 ? ThirdBlockPresent : 0));

    private static void CheckBlockCount(int count, int max, string parameter)
    {
        if (count < 1 || count > max)
        {
            throw new ArgumentException($"A template response carries 1 to {max} time blocks, not {count}.", parameter);
        }
    }

    private static int ReadBlockCount(ref IdsReader reader, byte definedFlags)
    {
        var offset = reader.Offset;
        var flags = reader.Flags(definedFlags, "time block flags");
        if ((flags & (SecondBlockPresent | ThirdBlockPresent)) == ThirdBlockPresent)
        {
            throw new ProtocolException(ProtocolErrorKind.ReservedValue, offset, "a third time block without a second");
        }

        return 1 + ((flags & SecondBlockPresent) != 0 ? 1 : 0) + ((flags & ThirdBlockPresent) != 0 ? 1 : 0);
    }

    private static IdsProfileTemplateTimeBlocks ReadProfile(ref IdsReader reader, IdsProfile profile, IdsDialect dialect)
    {
        var count = ReadBlockCount(ref reader, SecondBlockPresent | ThirdBlockPresent);
        var template = reader.U8("template number");
        var first = reader.U8("first time block number index");
        var blocks = new IdsTimeBlock[count];
        for (var i = 0; i < count; i++)
        {
            var duration = reader.U16("time block duration");
            blocks[i] = new IdsTimeBlock(duration, profile == IdsProfile.BasalRate ? reader.Insulin(dialect, "basal rate") : reader.SFloat($"{profile} value"));
        }

        return new IdsProfileTemplateTimeBlocks(profile, template, first, new IdsList<IdsTimeBlock>(blocks));
    }

    private static IdsTargetGlucoseRangeTimeBlocks ReadTargetRange(ref IdsReader reader)
    {
        var count = ReadBlockCount(ref reader, SecondBlockPresent);
        var template = reader.U8("template number");
        var first = reader.U8("first time block number index");
        var blocks = new IdsTargetGlucoseTimeBlock[count];
        for (var i = 0; i < count; i++)
        {
            blocks[i] = new IdsTargetGlucoseTimeBlock(reader.U16("time block duration"), reader.SFloat("lower target glucose limit"), reader.SFloat("upper target glucose limit"));
        }

        return new IdsTargetGlucoseRangeTimeBlocks(template, first, new IdsList<IdsTargetGlucoseTimeBlock>(blocks));
    }

    private static IdsTemplateStatusAndDetails ReadTemplateStatus(ref IdsReader reader)
    {
        var type = reader.Enum8<IdsTemplateType>("template type");
        var start = reader.U8("starting template number");
        var count = reader.U8("number of templates");
        var maxBlocks = reader.U8("max number of supported time blocks");
        var templates = new IdsTemplateConfiguration[count];
        for (var octetIndex = 0; octetIndex * TemplatesPerStatusOctet < count; octetIndex++)
        {
            var offset = reader.Offset;
            var octet = reader.U8("template configuration status");
            var inThisOctet = Math.Min(TemplatesPerStatusOctet, count - (octetIndex * TemplatesPerStatusOctet));
            if (octet >> (2 * inThisOctet) != 0)
            {
                throw new ProtocolException(ProtocolErrorKind.ReservedValue, offset, $"configuration status 0x{octet:x2} sets bits past the last template");
            }

            for (var i = 0; i < inThisOctet; i++)
            {
                var pair = octet >> (2 * i);
                templates[(octetIndex * TemplatesPerStatusOctet) + i] = new IdsTemplateConfiguration((pair & 1) != 0, (pair & 2) != 0);
            }
        }

        return new IdsTemplateStatusAndDetails(type, start, maxBlocks, new IdsList<IdsTemplateConfiguration>(templates));
    }
}
