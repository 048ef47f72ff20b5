using System.Text.Json.Serialization;
using PumpGateway.Codecs;

namespace PumpGateway.Devices.Ids;

/// <summary>A read request written to the IDD Status Reader Control Point.</summary>
[JsonDerivedType(typeof(IdsGetActiveBolusIds), "getActiveBolusIds")]
[JsonDerivedType(typeof(IdsGetActiveBolusDelivery), "getActiveBolusDelivery")]
[JsonDerivedType(typeof(IdsGetActiveBasalRateDelivery), "getActiveBasalRateDelivery")]
[JsonDerivedType(typeof(IdsGetTotalDailyInsulinStatus), "getTotalDailyInsulinStatus")]
[JsonDerivedType(typeof(IdsGetCounter), "getCounter")]
[JsonDerivedType(typeof(IdsGetDeliveredInsulin), "getDeliveredInsulin")]
[JsonDerivedType(typeof(IdsGetInsulinOnBoard), "getInsulinOnBoard")]
public abstract record IdsStatusReaderRequest : IdsE2eProtectedValue
{
    public abstract IdsStatusReaderOpCode OpCode { get; }
}

public sealed record IdsGetActiveBolusIds : IdsStatusReaderRequest
{
    public override IdsStatusReaderOpCode OpCode => IdsStatusReaderOpCode.GetActiveBolusIds;
}

public sealed record IdsGetActiveBolusDelivery(ushort BolusId, IdsBolusValueSelection ValueSelection) : IdsStatusReaderRequest
{
    public override IdsStatusReaderOpCode OpCode => IdsStatusReaderOpCode.GetActiveBolusDelivery;
}

public sealed record IdsGetActiveBasalRateDelivery : IdsStatusReaderRequest
{
    public override IdsStatusReaderOpCode OpCode => IdsStatusReaderOpCode.GetActiveBasalRateDelivery;
}

public sealed record IdsGetTotalDailyInsulinStatus : IdsStatusReaderRequest
{
    public override IdsStatusReaderOpCode OpCode => IdsStatusReaderOpCode.GetTotalDailyInsulinStatus;
}

public sealed record IdsGetCounter(IdsCounterType CounterType, IdsCounterValueSelection ValueSelection) : IdsStatusReaderRequest
{
    public override IdsStatusReaderOpCode OpCode => IdsStatusReaderOpCode.GetCounter;
}

public sealed record IdsGetDeliveredInsulin : IdsStatusReaderRequest
{
    public override IdsStatusReaderOpCode OpCode => IdsStatusReaderOpCode.GetDeliveredInsulin;
}

public sealed record IdsGetInsulinOnBoard : IdsStatusReaderRequest
{
    public override IdsStatusReaderOpCode OpCode => IdsStatusReaderOpCode.GetInsulinOnBoard;
}

/// <summary>A value the pump indicates on the IDD Status Reader Control Point.</summary>
[JsonDerivedType(typeof(IdsStatusReaderResult), "result")]
[JsonDerivedType(typeof(IdsActiveBolusIds), "activeBolusIds")]
[JsonDerivedType(typeof(IdsActiveBolusDelivery), "activeBolusDelivery")]
[JsonDerivedType(typeof(IdsActiveBasalRateDelivery), "activeBasalRateDelivery")]
[JsonDerivedType(typeof(IdsTotalDailyInsulinStatus), "totalDailyInsulinStatus")]
[JsonDerivedType(typeof(IdsCounterValue), "counter")]
[JsonDerivedType(typeof(IdsDeliveredInsulin), "deliveredInsulin")]
[JsonDerivedType(typeof(IdsInsulinOnBoard), "insulinOnBoard")]
public abstract record IdsStatusReaderResponse : IdsE2eProtectedValue;

/// <summary>The Response Code op code: how a request ended when it has no data response (or failed).</summary>
public sealed record IdsStatusReaderResult(IdsStatusReaderOpCode RequestOpCode, IdsStatusReaderResponseCode ResponseCode) : IdsStatusReaderResponse;

/// <summary>Up to seven ids of the boluses running now.</summary>
public sealed record IdsActiveBolusIds(IdsList<ushort> BolusIds) : IdsStatusReaderResponse;

/// <summary>One active bolus, with the amounts the request's value selection asked for (programmed, remaining or delivered).</summary>
public sealed record IdsActiveBolusDelivery(
    ushort BolusId,
    IdsBolusType BolusType,
    MedicalFloat FastAmount,
    MedicalFloat ExtendedAmount,
    ushort DurationMinutes,
    ushort? DelayMinutes = null,
    byte? TemplateNumber = null,
    IdsBolusActivationType? ActivationType = null,
    bool ForCorrection = false,
    bool ForMeal = false) : IdsStatusReaderResponse;

/// <summary>A temporary basal rate in effect: IU/h if absolute, a dimensionless factor if relative.</summary>
public sealed record IdsActiveTbr(IdsTbrType Type, MedicalFloat AdjustmentValue, ushort DurationProgrammedMinutes, ushort DurationRemainingMinutes);

/// <summary>The basal rate now (IU/h, without the TBR) from the active profile template, and the TBR on top of it if any.</summary>
public sealed record IdsActiveBasalRateDelivery(
    byte ProfileTemplateNumber,
    MedicalFloat CurrentRate,
    IdsActiveTbr? Tbr = null,
    byte? TbrTemplateNumber = null,
    IdsDeliveryContext? DeliveryContext = null) : IdsStatusReaderResponse;

/// <summary>Insulin delivered today since midnight (IU).</summary>
public sealed record IdsTotalDailyInsulinStatus(MedicalFloat Bolus, MedicalFloat Basal, MedicalFloat BolusAndBasal) : IdsStatusReaderResponse;

public sealed record IdsCounterValue(IdsCounterType CounterType, IdsCounterValueSelection ValueSelection, int ValueMinutes) : IdsStatusReaderResponse;

/// <summary>Insulin delivered since the counters' last rollover (IU); FLOAT in every dialect, as specified.</summary>
public sealed record IdsDeliveredInsulin(MedicalFloat Bolus, MedicalFloat Basal) : IdsStatusReaderResponse;

public sealed record IdsInsulinOnBoard(MedicalFloat Amount, ushort? RemainingDurationMinutes = null) : IdsStatusReaderResponse;
