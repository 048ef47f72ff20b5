using PumpGateway.Devices;
using PumpGateway.Telemetry;

namespace PumpGateway.Clinical;

/// <summary>What a technician on call acts on (the rules are documented in <see cref="FindingRules"/>).</summary>
public enum FindingKind
{
    DeliveryInterrupted = 1,
    SuspectedSetFailure = 2,
    InfusionSetAge = 3,
    BatteryRunningOut = 4,
    ReservoirRunningOut = 5,
    RepeatedOcclusions = 6,
    UnstableLink = 7,
    ClockOff = 8,
}

public enum FindingSeverity
{
    Info = 1,
    Warning = 2,
    Significant = 3,
    Major = 4,
}

/// <summary>One thing found, with the events that show it and the time span it covers.</summary>
public sealed record Finding(
    DeviceId Device, FindingKind Kind, FindingSeverity Severity, DateTimeOffset FromUtc, DateTimeOffset ToUtc,
    string Summary, IReadOnlyList<EventId> Evidence);

/// <summary>The thresholds of <see cref="FindingRules"/>; the defaults are the clinical facts of ARCHITECTURE.md.</summary>
public sealed record FindingOptions
{
    public TimeSpan SignificantInterruption { get; init; } = TimeSpan.FromHours(2);

    public TimeSpan MajorInterruption { get; init; } = TimeSpan.FromHours(6);

    public double UnexplainedHighMgDl { get; init; } = 300;

    /// <summary>How long a run of sensor readings above <see cref="UnexplainedHighMgDl"/> must last to be more than a spike.</summary>
    public TimeSpan SustainedHigh { get; init; } = TimeSpan.FromMinutes(30);

    /// <summary>Consecutive sensor readings further apart than this do not make one run: what glucose did in the gap is unknown.</summary>
    public TimeSpan SensorGap { get; init; } = TimeSpan.FromMinutes(30);

    /// <summary>A bolus, a suspension or a delivery alarm this long before explains a high.</summary>
    public TimeSpan ExplanationWindow { get; init; } = TimeSpan.FromHours(3);

    public TimeSpan SetAgeWarning { get; init; } = TimeSpan.FromDays(3);

    public TimeSpan SetAgeAlert { get; init; } = TimeSpan.FromDays(4);

    /// <summary>Battery / reservoir projected empty within this.</summary>
    public TimeSpan RunOutHorizon { get; init; } = TimeSpan.FromHours(24);

    /// <summary>Projected empty within this (or already empty) is Significant rather than a Warning.</summary>
    public TimeSpan RunOutUrgent { get; init; } = TimeSpan.FromHours(6);

    /// <summary>How far back the device status readings of a run-out projection reach.</summary>
    public TimeSpan RunOutHistory { get; init; } = TimeSpan.FromHours(48);

    /// <summary>Occlusion episodes within <see cref="RepeatedOcclusionWindow"/>.</summary>
    public int RepeatedOcclusions { get; init; } = 2;

    public TimeSpan RepeatedOcclusionWindow { get; init; } = TimeSpan.FromDays(7);

    /// <summary>Sessions ended by a failure within <see cref="UnstableLinkWindow"/>.</summary>
    public int UnstableLinkSessions { get; init; } = 3;

    public TimeSpan UnstableLinkWindow { get; init; } = TimeSpan.FromHours(24);

    /// <summary>CRC errors per 10,000 bytes received over a window's sessions above which the link is unstable.</summary>
    public double CrcErrorsPer10kB { get; init; } = 1;

    public TimeSpan ClockErrorThreshold { get; init; } = TimeSpan.FromMinutes(5);

    /// <summary>A clock error beyond this is Significant rather than a Warning.</summary>
    public TimeSpan ClockErrorMajor { get; init; } = TimeSpan.FromHours(1);

    /// <summary>Two clock measurements closer than this whose errors differ by more than the threshold show a drifting clock.</summary>
    public TimeSpan ClockDriftWindow { get; init; } = TimeSpan.FromDays(30);

    /// <summary>Rejects thresholds that make no sense together (a major interruption shorter than a significant one …).</summary>
    /// <exception cref="ArgumentException">The first contradiction, named.</exception>
    public void Validate(string parameterName)
    {
        var problem = Problems().FirstOrDefault();
        if (problem is not null)
        {
            throw new ArgumentException($"FindingOptions.{problem}.", parameterName);
        }
    }

    private IEnumerable<string> Problems()
    {
        (TimeSpan Value, string Name)[] positive =
        [
            (SignificantInterruption, nameof(SignificantInterruption)), (SustainedHigh, nameof(SustainedHigh)), (SensorGap, nameof(SensorGap)),
            (SetAgeWarning, nameof(SetAgeWarning)), (RunOutHorizon, nameof(RunOutHorizon)), (RunOutHistory, nameof(RunOutHistory)),
            (RepeatedOcclusionWindow, nameof(RepeatedOcclusionWindow)), (UnstableLinkWindow, nameof(UnstableLinkWindow)),
            (ClockErrorThreshold, nameof(ClockErrorThreshold)), (ClockDriftWindow, nameof(ClockDriftWindow)),
        ];
        foreach (var (value, name) in positive.Where(p => p.Value <= TimeSpan.Zero))
        {
            yield return $"{name} must be positive, not {value}";
        }

        if (MajorInterruption < SignificantInterruption)
        {
            yield return $"{nameof(MajorInterruption)} must not be shorter than {nameof(SignificantInterruption)}";
        }

        if (SetAgeAlert < SetAgeWarning)
        {
            yield return $"{nameof(SetAgeAlert)} must not be shorter than {nameof(SetAgeWarning)}";
        }

        if (RunOutUrgent < TimeSpan.Zero || RunOutUrgent > RunOutHorizon)
        {
            yield return $"{nameof(RunOutUrgent)} must lie between zero and {nameof(RunOutHorizon)}";
        }

        if (ClockErrorMajor < ClockErrorThreshold)
        {
            yield return $"{nameof(ClockErrorMajor)} must not be below {nameof(ClockErrorThreshold)}";
        }

        if (ExplanationWindow < TimeSpan.Zero)
        {
            yield return $"{nameof(ExplanationWindow)} must not be negative";
        }

        if (!double.IsFinite(UnexplainedHighMgDl) || UnexplainedHighMgDl <= 0)
        {
            yield return $"{nameof(UnexplainedHighMgDl)} must be a positive glucose";
        }

        if (!double.IsFinite(CrcErrorsPer10kB) || CrcErrorsPer10kB < 0)
        {
            yield return $"{nameof(CrcErrorsPer10kB)} must not be negative";
        }

        if (RepeatedOcclusions < 1)
        {
            yield return $"{nameof(RepeatedOcclusions)} must be at least 1";
        }

        if (UnstableLinkSessions < 1)
        {
            yield return $"{nameof(UnstableLinkSessions)} must be at least 1";
        }
    }
}
