using System.Text.Json.Serialization;
using PumpGateway.Codecs;

namespace PumpGateway.Devices.Ids;

/// <summary>
/// A read request written to the IDD Command Control Point. Only reads exist in this codec: the
/// requests that change therapy have no record, no op code and no encoder.
/// </summary>
[JsonDerivedType(typeof(IdsReadProfileTemplate), "readProfileTemplate")]
[JsonDerivedType(typeof(IdsReadTargetGlucoseRangeProfileTemplate), "readTargetGlucoseRangeProfileTemplate")]
[JsonDerivedType(typeof(IdsGetTbrTemplate), "getTbrTemplate")]
[JsonDerivedType(typeof(IdsGetBolusTemplate), "getBolusTemplate")]
[JsonDerivedType(typeof(IdsGetAvailableBoluses), "getAvailableBoluses")]
[JsonDerivedType(typeof(IdsGetTemplateStatusAndDetails), "getTemplateStatusAndDetails")]
[JsonDerivedType(typeof(IdsGetActivatedProfileTemplates), "getActivatedProfileTemplates")]
[JsonDerivedType(typeof(IdsGetMaxBolusAmount), "getMaxBolusAmount")]
public abstract record IdsCommandRequest : IdsE2eProtectedValue
{
    public abstract IdsCommandOpCode OpCode { get; }
}

/// <summary>Read Basal Rate / ISF / I:CHO Ratio Profile Template: answered on IDD Command Data.</summary>
public sealed record IdsReadProfileTemplate(IdsProfile Profile, byte TemplateNumber) : IdsCommandRequest
{
    public override IdsCommandOpCode OpCode => Profile switch
    {
        IdsProfile.BasalRate => IdsCommandOpCode.ReadBasalRateProfileTemplate,
        IdsProfile.Isf => IdsCommandOpCode.ReadIsfProfileTemplate,
        IdsProfile.I2ChoRatio => IdsCommandOpCode.ReadI2ChoRatioProfileTemplate,
        _ => throw new ArgumentOutOfRangeException(nameof(Profile), Profile, "not a single-value profile"),
    };
}

public sealed record IdsReadTargetGlucoseRangeProfileTemplate(byte TemplateNumber) : IdsCommandRequest
{
    public override IdsCommandOpCode OpCode => IdsCommandOpCode.ReadTargetGlucoseRangeProfileTemplate;
}

public sealed record IdsGetTbrTemplate(byte TemplateNumber) : IdsCommandRequest
{
    public override IdsCommandOpCode OpCode => IdsCommandOpCode.GetTbrTemplate;
}

public sealed record IdsGetBolusTemplate(byte TemplateNumber) : IdsCommandRequest
{
    public override IdsCommandOpCode OpCode => IdsCommandOpCode.GetBolusTemplate;
}

public sealed record IdsGetAvailableBoluses : IdsCommandRequest
{
    public override IdsCommandOpCode OpCode => IdsCommandOpCode.GetAvailableBoluses;
}

public sealed record IdsGetTemplateStatusAndDetails : IdsCommandRequest
{
    public override IdsCommandOpCode OpCode => IdsCommandOpCode.GetTemplateStatusAndDetails;
}

public sealed record IdsGetActivatedProfileTemplates : IdsCommandRequest
{
    public override IdsCommandOpCode OpCode => IdsCommandOpCode.GetActivatedProfileTemplates;
}

public sealed record IdsGetMaxBolusAmount : IdsCommandRequest
{
    public override IdsCommandOpCode OpCode => IdsCommandOpCode.GetMaxBolusAmount;
}

/// <summary>A value the pump indicates on the IDD Command Control Point in answer to a read.</summary>
[JsonDerivedType(typeof(IdsCommandResult), "result")]
[JsonDerivedType(typeof(IdsTbrTemplate), "tbrTemplate")]
[JsonDerivedType(typeof(IdsAvailableBoluses), "availableBoluses")]
[JsonDerivedType(typeof(IdsBolusTemplate), "bolusTemplate")]
[JsonDerivedType(typeof(IdsActivatedProfileTemplates), "activatedProfileTemplates")]
[JsonDerivedType(typeof(IdsMaxBolusAmount), "maxBolusAmount")]
public abstract record IdsCommandResponse : IdsE2eProtectedValue;

/// <summary>The Response Code op code: the end of a read (data came on IDD Command Data) or its failure.</summary>
public sealed record IdsCommandResult(IdsCommandOpCode RequestOpCode, IdsCommandResponseCode ResponseCode) : IdsCommandResponse;

public sealed record IdsTbrTemplate(byte TemplateNumber, IdsTbrType Type, MedicalFloat AdjustmentValue, ushort DurationMinutes) : IdsCommandResponse;

public sealed record IdsAvailableBoluses(bool Fast, bool Extended, bool Multiwave) : IdsCommandResponse;

public sealed record IdsBolusTemplate(
    byte TemplateNumber,
    IdsBolusType BolusType,
    MedicalFloat FastAmount,
    MedicalFloat ExtendedAmount,
    ushort DurationMinutes,
    ushort? DelayMinutes = null,
    bool ForCorrection = false,
    bool ForMeal = false) : IdsCommandResponse;

public sealed record IdsActivatedProfileTemplates(IdsList<byte> TemplateNumbers) : IdsCommandResponse;

public sealed record IdsMaxBolusAmount(MedicalFloat Amount) : IdsCommandResponse;

/// <summary>A value the pump notifies on IDD Command Data: the data a template read returns.</summary>
[JsonDerivedType(typeof(IdsProfileTemplateTimeBlocks), "profileTemplateTimeBlocks")]
[JsonDerivedType(typeof(IdsTargetGlucoseRangeTimeBlocks), "targetGlucoseRangeTimeBlocks")]
[JsonDerivedType(typeof(IdsTemplateStatusAndDetails), "templateStatusAndDetails")]
public abstract record IdsCommandData : IdsE2eProtectedValue;

/// <summary>A time block of a profile: its duration and value (IU/h, mg/dL/IU or g/IU depending on the profile).</summary>
public sealed record IdsTimeBlock(ushort DurationMinutes, MedicalFloat Value);

/// <summary>One to three consecutive time blocks of a basal rate, ISF or I:CHO ratio profile template.</summary>
public sealed record IdsProfileTemplateTimeBlocks(IdsProfile Profile, byte TemplateNumber, byte FirstTimeBlockIndex, IdsList<IdsTimeBlock> TimeBlocks) : IdsCommandData;

public sealed record IdsTargetGlucoseTimeBlock(ushort DurationMinutes, MedicalFloat LowerLimit, MedicalFloat UpperLimit);

/// <summary>One or two consecutive time blocks of a target glucose range profile template.</summary>
public sealed record IdsTargetGlucoseRangeTimeBlocks(byte TemplateNumber, byte FirstTimeBlockIndex, IdsList<IdsTargetGlucoseTimeBlock> TimeBlocks) : IdsCommandData;

public sealed record IdsTemplateConfiguration(bool Configurable, bool Configured);

/// <summary>The templates of one type: their numbers start at <see cref="StartingTemplateNumber"/>, one configuration per template.</summary>
public sealed record IdsTemplateStatusAndDetails(
    IdsTemplateType TemplateType,
    byte StartingTemplateNumber,
    byte MaxTimeBlocks,
    IdsList<IdsTemplateConfiguration> Templates) : IdsCommandData;
