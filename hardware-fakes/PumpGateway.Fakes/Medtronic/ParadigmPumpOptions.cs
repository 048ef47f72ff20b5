using PumpGateway.Devices.Medtronic;

namespace PumpGateway.Fakes.Medtronic;

/// <summary>What an emulated Paradigm pump says about itself, how its clock relates to true time, and how fast it answers.</summary>
public sealed record ParadigmPumpOptions
{
    /// <summary>The six-digit serial its radio answers to; generated pumps default to decocare's example pump.</summary>
    public string Serial { get; init; } = "665455";

    /// <summary>The model of a generated pump: an x23 model writes basal profile starts and the longer records.</summary>
    public string Model { get; init; } = "554";

    /// <summary>Pump clock minus true UTC: the wearer's zone and the pump's drift together.</summary>
    public TimeSpan ClockOffset { get; init; }

    public TimeProvider Clock { get; init; } = TimeProvider.System;

    /// <summary>How long after the stick's ACK the pump's answer is in the stick's radio buffer.</summary>
    public TimeSpan ResponseDelay { get; init; } = TimeSpan.FromMilliseconds(40);

    /// <summary>Whether the radio listens before any PowerControl (a pump that was just woken by another session).</summary>
    public bool StartAwake { get; init; }

    public string FirmwareVersion { get; init; } = "VER 2.4A1.1";

    /// <summary>The battery a pump without a scenario reports; a generated pump reports its scenario's battery.</summary>
    public ParadigmBatteryStatus Battery { get; init; } = new(ParadigmBatteryIndicator.Normal, 1.42m);

    /// <summary>The reservoir a pump without a scenario reports; a generated pump reports its scenario's reservoir.</summary>
    public decimal RemainingInsulin { get; init; } = 87.5m;

    /// <summary>The error status a pump without a scenario reports; a generated pump reports its newest uncleared alarm.</summary>
    public byte ErrorStatus { get; init; }

    /// <summary>History pages kept (Tidepool and decocare read at most 36, the pumps' ring).</summary>
    public int MaxHistoryPages { get; init; } = 36;

    /// <summary>Glucose pages kept by a generated pump.</summary>
    public int MaxGlucosePages { get; init; } = 32;

    /// <summary>The number of a generated pump's first glucose page.</summary>
    public uint FirstGlucosePage { get; init; }

    /// <summary>Scenario seconds per real second for <see cref="ParadigmPumpEmulator.StartLive"/>.</summary>
    public double TimeScale { get; init; } = 1.0;

    /// <summary>How often the live loop catches the scenario up with the real clock.</summary>
    public TimeSpan LiveTick { get; init; } = TimeSpan.FromMilliseconds(250);

    internal void Validate()
    {
        Require(Serial is { Length: 6 } && Serial.All(char.IsAsciiDigit), "Serial is six digits.");
        Require(MedtronicModel.TryParse(Model, out _), $"Model \"{Model}\" is not a Paradigm model.");
        Require(ResponseDelay >= TimeSpan.Zero, "ResponseDelay must not be negative.");
        Require(!string.IsNullOrEmpty(FirmwareVersion) && FirmwareVersion.Length <= 64 && FirmwareVersion.All(c => c is >= ' ' and <= '~'), "FirmwareVersion is 1 to 64 printable ASCII characters.");
        Require(Enum.IsDefined(Battery.Indicator) && Battery.Volts >= 0 && Battery.Volts * 100 % 1 == 0, "Battery volts are hundredths.");
        Require(RemainingInsulin >= 0, "RemainingInsulin must not be negative.");
        Require(MaxHistoryPages >= 1 && MaxGlucosePages is >= 1 and <= 255, "MaxHistoryPages must be at least 1, MaxGlucosePages 1 to 255.");
        Require(double.IsFinite(TimeScale) && TimeScale >= 0, "TimeScale must be finite and not negative.");
        Require(LiveTick > TimeSpan.Zero, "LiveTick must be positive.");
    }

    private static void Require(bool condition, string message)
    {
        if (!condition)
        {
            throw new ArgumentException(message);
        }
    }
}
