using PumpGateway.Devices.Ids;

namespace PumpGateway.Fakes.Ids;

public sealed record IdsPumpOptions
{
    /// <summary>The advertised name; the loopback derives the address from it.</summary>
    public string LocalName { get; init; } = "PumpGW Pump 0001";

    public string SerialNumber { get; init; } = "IDS-EMU-0001";

    public string Manufacturer { get; init; } = "PumpGateway Fakes";

    public string Model { get; init; } = "IDS insulin pump emulator";

    public string Firmware { get; init; } = "2.4.1";

    public string Hardware { get; init; } = "B";

    public string Software { get; init; } = "2.4.1";

    /// <summary>How the pump speaks the IDS: the specification with E2E protection (counter and CRC-16/MCRF4XX) unless told otherwise.</summary>
    public IdsDialect Dialect { get; init; } = IdsDialect.SpecificationWithE2e;

    /// <summary>The pump clock's time zone: its reference times carry it in quarter hours, with standard time as DST offset.</summary>
    public TimeSpan UtcOffset { get; init; } = TimeSpan.FromHours(1);

    /// <summary>The sequence number of the first history event (a pump in service for a while starts well above 1).</summary>
    public uint FirstSequenceNumber { get; init; } = 1;

    /// <summary>Scenario seconds per real second once started; 0 freezes the pump (tests advance it with <see cref="IdsPumpEmulator.AdvanceTo"/>).</summary>
    public double TimeScale { get; init; } = 1.0;

    /// <summary>How often the live loop catches the scenario up with the real clock.</summary>
    public TimeSpan LiveTick { get; init; } = TimeSpan.FromMilliseconds(250);

    /// <summary>The largest bolus the pump accepts (IU), answered to Get Max Bolus Amount.</summary>
    public decimal MaxBolusUnits { get; init; } = 25m;

    /// <summary>GATT Time Zone: the offset from UTC in quarter hours.</summary>
    internal sbyte TimeZoneQuarterHours => (sbyte)(UtcOffset.Ticks / TimeSpan.FromMinutes(15).Ticks);

    internal void Validate()
    {
        Require(UtcOffset.Ticks % TimeSpan.FromMinutes(15).Ticks == 0 && UtcOffset >= TimeSpan.FromHours(-12) && UtcOffset <= TimeSpan.FromHours(14), "UtcOffset must be whole quarter hours between -12:00 and +14:00.");
        Require(double.IsFinite(TimeScale) && TimeScale >= 0, "TimeScale must be finite and not negative.");
        Require(LiveTick > TimeSpan.Zero, "LiveTick must be positive.");
        Require(FirstSequenceNumber < uint.MaxValue, "The last sequence number is reserved for the data corruption event.");
        Require(MaxBolusUnits > 0, "MaxBolusUnits must be positive.");
        Require(!string.IsNullOrEmpty(LocalName), "LocalName is required.");
    }

    private static void Require(bool condition, string message)
    {
        if (!condition)
        {
            throw new ArgumentException(message);
        }
    }
}
