namespace PumpGateway.Devices.Medtronic;

/// <summary>The battery indicator byte: 0 normal, 1 low (decocare, rileylink_ios); nothing else is defined.</summary>
public enum ParadigmBatteryIndicator : byte
{
    Normal = 0,
    Low = 1,
}

/// <summary>ReadBatteryStatus: the indicator and the AAA cell's voltage.</summary>
public sealed record ParadigmBatteryStatus(ParadigmBatteryIndicator Indicator, decimal Volts);

/// <summary>ReadCurGlucosePageNumber: the current glucose page and how many glucose and ISIG pages the pump holds.</summary>
public sealed record ParadigmGlucosePageNumber(uint CurrentPage, byte GlucosePages, byte IsigPages);
