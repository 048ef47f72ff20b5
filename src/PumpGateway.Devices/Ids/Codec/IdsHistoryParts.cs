using PumpGateway.Codecs;
using PumpGateway.Protocol;

namespace PumpGateway.Devices.Ids;

/// <summary>A programmed bolus, parts 1 and 2 joined; it keeps part 1's sequence number and time.</summary>
public sealed record IdsBolusProgrammed(
    uint SequenceNumber,
    ushort RelativeOffsetSeconds,
    ushort BolusId,
    IdsBolusType BolusType,
    MedicalFloat FastAmount,
    MedicalFloat ExtendedAmount,
    ushort DurationMinutes,
    ushort? DelayMinutes,
    byte? TemplateNumber,
    IdsBolusActivationType? ActivationType,
    bool ForCorrection,
    bool ForMeal);

/// <summary>A delivered bolus, parts 1 and 2 joined.</summary>
public sealed record IdsBolusDelivered(
    uint SequenceNumber,
    ushort RelativeOffsetSeconds,
    ushort BolusId,
    IdsBolusType BolusType,
    MedicalFloat FastAmount,
    MedicalFloat ExtendedAmount,
    ushort EffectiveDurationMinutes,
    uint StartTimeOffsetSeconds,
    IdsBolusActivationType? ActivationType,
    IdsBolusEndReason? EndReason,
    ushort? AnnunciationInstanceId);

/// <summary>A bolus calculation: what the calculator recommended (part 1) and what the wearer confirmed (part 2).</summary>
public sealed record IdsBolusCalculated(uint SequenceNumber, ushort RelativeOffsetSeconds, IdsBolusCalculatedPart1Event Recommended, IdsBolusCalculatedPart2Event Confirmed);

public sealed record IdsAnnunciationStatusChanged(uint SequenceNumber, ushort RelativeOffsetSeconds, IdsAnnunciation Annunciation);

public sealed record IdsBolusTemplateChanged(
    uint SequenceNumber,
    ushort RelativeOffsetSeconds,
    byte TemplateNumber,
    IdsBolusType BolusType,
    MedicalFloat FastAmount,
    MedicalFloat ExtendedAmount,
    ushort DurationMinutes,
    ushort? DelayMinutes,
    bool ForCorrection,
    bool ForMeal);

/// <summary>
/// Joins the two records of a split event. A part 2 belongs to the part 1 whose sequence number is
/// one less and whose relative offset is the same. Part 2 carries no bolus id on the wire (the
/// layouts of AndroidBLEParser and the records of a real MiniMed 780G agree), so the joined bolus
/// takes part 1's id; anything that does not pair up is a protocol error, not a silent merge.
/// </summary>
public static class IdsHistoryParts
{
    public static IdsBolusProgrammed Join(IdsBolusProgrammedPart1Event part1, IdsBolusProgrammedPart2Event part2)
    {
        CheckPair(part1, part2);
        return new(part1.SequenceNumber, part1.RelativeOffsetSeconds, part1.BolusId, part1.BolusType, part1.FastAmount, part1.ExtendedAmount, part1.DurationMinutes,
            part2.DelayMinutes, part2.TemplateNumber, part2.ActivationType, part2.ForCorrection, part2.ForMeal);
    }

    public static IdsBolusDelivered Join(IdsBolusDeliveredPart1Event part1, IdsBolusDeliveredPart2Event part2)
    {
        CheckPair(part1, part2);
        return new(part1.SequenceNumber, part1.RelativeOffsetSeconds, part1.BolusId, part1.BolusType, part1.FastAmount, part1.ExtendedAmount, part1.EffectiveDurationMinutes,
            part2.StartTimeOffsetSeconds, part2.ActivationType, part2.EndReason, part2.AnnunciationInstanceId);
    }

    public static IdsBolusCalculated Join(IdsBolusCalculatedPart1Event part1, IdsBolusCalculatedPart2Event part2)
    {
        CheckPair(part1, part2);
        return new(part1.SequenceNumber, part1.RelativeOffsetSeconds, part1, part2);
    }

    public static IdsAnnunciationStatusChanged Join(IdsAnnunciationStatusChangedPart1Event part1, IdsAnnunciationStatusChangedPart2Event part2)
    {
        CheckPair(part1, part2);
        return new(part1.SequenceNumber, part1.RelativeOffsetSeconds,
            new IdsAnnunciation(part1.InstanceId, part1.AnnunciationType, part1.Status, part1.AuxInfo1, part1.AuxInfo2, part2.AuxInfo3, part2.AuxInfo4, part2.AuxInfo5));
    }

    public static IdsBolusTemplateChanged Join(IdsBolusTemplateChangedPart1Event part1, IdsBolusTemplateChangedPart2Event part2)
    {
        CheckPair(part1, part2);
        return new(part1.SequenceNumber, part1.RelativeOffsetSeconds, part1.TemplateNumber, part1.BolusType, part1.FastAmount, part1.ExtendedAmount, part1.DurationMinutes,
            part2.DelayMinutes, part2.ForCorrection, part2.ForMeal);
    }

    /// <summary>Whether <paramref name="part2"/> is the record that completes <paramref name="part1"/>, without throwing.</summary>
    public static bool ArePair(IdsHistoryEvent part1, IdsHistoryEvent part2) => Mismatch(part1, part2) is null;

    private static void CheckPair(IdsHistoryEvent part1, IdsHistoryEvent part2)
    {
        if (Mismatch(part1, part2) is { } problem)
        {
            throw new ProtocolException(ProtocolErrorKind.Malformed, 0, problem);
        }
    }

    private static string? Mismatch(IdsHistoryEvent part1, IdsHistoryEvent part2) =>
        PartTwoOf(part1.EventType) != part2.EventType ? $"{part2.EventType} does not complete {part1.EventType}"
        : part1.SequenceNumber == uint.MaxValue || part2.SequenceNumber != part1.SequenceNumber + 1
            ? $"part 2 has sequence number {part2.SequenceNumber}; part 1 has {part1.SequenceNumber}, so it must be {(ulong)part1.SequenceNumber + 1}"
        : part2.RelativeOffsetSeconds != part1.RelativeOffsetSeconds
            ? $"part 2 is {part2.RelativeOffsetSeconds} s after the reference time, part 1 {part1.RelativeOffsetSeconds} s"
        : null;

    private static IdsHistoryEventType? PartTwoOf(IdsHistoryEventType part1) => part1 switch
    {
        IdsHistoryEventType.BolusCalculatedPart1 => IdsHistoryEventType.BolusCalculatedPart2,
        IdsHistoryEventType.BolusProgrammedPart1 => IdsHistoryEventType.BolusProgrammedPart2,
        IdsHistoryEventType.BolusDeliveredPart1 => IdsHistoryEventType.BolusDeliveredPart2,
        IdsHistoryEventType.AnnunciationStatusChangedPart1 => IdsHistoryEventType.AnnunciationStatusChangedPart2,
        IdsHistoryEventType.BolusTemplateChangedPart1 => IdsHistoryEventType.BolusTemplateChangedPart2,
        _ => null,
    };
}
