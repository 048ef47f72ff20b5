namespace PumpGateway.Devices.Medtronic;

/// <summary>The first byte of every host-to-stick command.</summary>
public enum CareLinkOpcode : byte
{
    /// <summary>Sends a pump command over the radio (<see cref="ParadigmCommands"/>).</summary>
    TransmitPacket = 0x01,
    LinkStatus = 0x03,
    ProductInfo = 0x04,
    InterfaceStatistics = 0x05,
    SignalStrength = 0x06,
    ReadRadio = 0x0C,
}

/// <summary>Which side of the stick <see cref="CareLinkOpcode.InterfaceStatistics"/> counts.</summary>
public enum CareLinkInterface : byte
{
    Radio = 0,
    Usb = 1,
}

/// <summary>One decoded host-to-stick command; only the field of its opcode is set.</summary>
public sealed record CareLinkCommand(CareLinkOpcode Opcode)
{
    /// <summary>For <see cref="CareLinkOpcode.InterfaceStatistics"/>.</summary>
    public CareLinkInterface Interface { get; init; }

    /// <summary>For <see cref="CareLinkOpcode.ReadRadio"/>: how many bytes to download from the radio buffer (header, data and CRC).</summary>
    public int ReadSize { get; init; }

    /// <summary>For <see cref="CareLinkOpcode.TransmitPacket"/>.</summary>
    public ParadigmCommand? Packet { get; init; }
}

/// <summary>The stick's radio band; 0 and 255 both mean the North American band (decocare's rf_table).</summary>
public enum CareLinkRfBand : byte
{
    Mhz916_5 = 0,
    Mhz868_35 = 1,
    Mhz916_5Alternate = 255,
}

/// <summary>A major.minor pair: the stick reports "1.16" as bytes 01 10.</summary>
public readonly record struct CareLinkVersion(byte Major, byte Minor)
{
    public override string ToString() => $"{Major}.{Minor}";
}

/// <summary>Interface kinds in the product info's interface list (decocare's iface_key).</summary>
public enum CareLinkInterfaceType : byte
{
    ParadigmRf = 1,
    Usb = 3,
}

public readonly record struct CareLinkInterfaceEntry(byte Index, CareLinkInterfaceType Type);

/// <summary>The ProductInfo reply.</summary>
/// <param name="Serial">The stick's own serial, three bytes as six hex digits ("080e00").</param>
/// <param name="Description">Ten ASCII bytes, "ComLink II" on the captured stick.</param>
public sealed record CareLinkProductInfo(
    string Serial,
    CareLinkVersion ProductVersion,
    CareLinkRfBand RfBand,
    string Description,
    CareLinkVersion SoftwareVersion,
    IReadOnlyList<CareLinkInterfaceEntry> Interfaces)
{
    public decimal FrequencyMHz => RfBand == CareLinkRfBand.Mhz868_35 ? 868.35m : 916.5m;
}

/// <summary>The radio or USB counters: error counts are single bytes, packet counts u32 big-endian.</summary>
public sealed record CareLinkInterfaceStatistics(byte CrcErrors, byte SequenceErrors, byte Naks, byte Timeouts, uint PacketsReceived, uint PacketsTransmitted);

[Flags]
public enum CareLinkLinkFlags : byte
{
    None = 0,
    Ok = 0x01,
    ReceiveInProgress = 0x02,
    TransmitInProgress = 0x04,
    InterfaceError = 0x08,
    ReceiveOverflow = 0x10,
    TransmitOverflow = 0x20,
}

/// <summary>The LinkStatus reply: the radio's state and how many bytes a ReadRadio may download now.</summary>
public sealed record CareLinkLinkStatus(CareLinkLinkFlags Flags, ushort BytesWaiting);

/// <summary>
/// One ReadRadio reply: a piece of the pump's answer as the stick received it over the air.
/// </summary>
/// <param name="RadioStatus">Byte 2: 4 on every read of a page, 3 on the one-frame read in the capture; decocare notes 2 = NAK and 5 = timeout.</param>
/// <param name="Retries">Byte 3, named by decocare; 0 throughout the capture.</param>
/// <param name="SignalStrength">Byte 4: 0xC8–0xD2 in the capture, drifting from read to read like the SignalStrength RSSI.</param>
/// <param name="EndOfData">Bit 7 of byte 5: the pump has nothing more for this command.</param>
/// <param name="PumpSerial">The serial the pump's packet is addressed with.</param>
/// <param name="Data">The pump's bytes this read carries (64 or 128 in the capture).</param>
public sealed record CareLinkRadioReply(byte RadioStatus, byte Retries, byte SignalStrength, bool EndOfData, string PumpSerial, byte[] Data);
