namespace PumpGateway.Devices.Medtronic;

/// <summary>
/// The Paradigm pump commands a download sends, by their wire code: reads only, plus the RF wake-up.
/// Bolus (66), temp basal (76, 105), suspend/resume (77), set clock (64), keypad (91) and every other
/// code exist on the pump and are deliberately absent: decoding one is an UnknownCommand.
/// </summary>
public enum ParadigmCommandCode : byte
{
    /// <summary>Keeps the pump's radio listening for a number of minutes; the radio only, never therapy.</summary>
    PowerControl = 93,
    ReadRtc = 112,
    ReadPumpId = 113,
    ReadBatteryStatus = 114,
    ReadRemainingInsulin = 115,
    ReadFirmwareVersion = 116,
    ReadErrorStatus = 117,
    ReadHistoryData = 128,
    ReadPumpModel = 141,
    ReadGlucoseHistory = 154,
    ReadCurPageNumber = 157,
    ReadCurGlucosePageNumber = 205,
}

/// <summary>
/// One pump command as the CareLink stick's TransmitPacket carries it.
/// </summary>
/// <param name="PumpSerial">The pump's six-digit serial ("578398"), which addresses the radio packet.</param>
/// <param name="Code">The command.</param>
public sealed record ParadigmCommand(string PumpSerial, ParadigmCommandCode Code)
{
    /// <summary>The page of <see cref="ParadigmCommandCode.ReadHistoryData"/> (one byte on the wire) or <see cref="ParadigmCommandCode.ReadGlucoseHistory"/> (u32); 0 otherwise.</summary>
    public uint Page { get; init; }

    /// <summary>How long <see cref="ParadigmCommandCode.PowerControl"/> keeps the pump's radio on; 0 otherwise.</summary>
    public byte RadioOnMinutes { get; init; }

    /// <summary>How often the stick repeats the packet over the air: decocare sends 2 for reads and 0 for the RF wake-up.</summary>
    public byte Retries { get; init; } = 2;
}
