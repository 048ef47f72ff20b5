using FsCheck;
using FsCheck.Fluent;
using PumpGateway.Devices.Medtronic;
using static PumpGateway.Devices.Tests.Properties.ValidValues;

namespace PumpGateway.Devices.Tests.Properties;

/// <summary>
/// The CareLink stick's commands and replies and the Paradigm pump's commands and replies. The stick's 64-byte replies and
/// the pump's 64-byte frames carry bytes nobody interprets, so for them what decodes re-encodes to bytes that decode to
/// the same value; commands and radio replies have no slack and re-encode to the very bytes read.
/// </summary>
public sealed class CareLinkProperties
{
    private const int Cases = 2000;

    private static Gen<string> PumpSerial { get; } = Text("0123456789", 6, 6);

    private static Gen<ParadigmCommand> PumpCommand { get; } =
        from serial in PumpSerial
        from code in Defined<ParadigmCommandCode>()
        from retries in AnyByte
        from minutes in AnyByte
        from page in AnyUInt32
        select code switch
        {
            ParadigmCommandCode.PowerControl => ParadigmCommands.PowerControl(serial, minutes) with { Retries = retries },
            ParadigmCommandCode.ReadHistoryData => ParadigmCommands.ReadHistoryData(serial, (byte)page) with { Retries = retries },
            ParadigmCommandCode.ReadGlucoseHistory => ParadigmCommands.ReadGlucoseHistory(serial, page) with { Retries = retries },
            _ => ParadigmCommands.Read(serial, code) with { Retries = retries },
        };

    private static Gen<CareLinkCommand> StickCommand { get; } = Gen.OneOf(
        PumpCommand.Select(packet => new CareLinkCommand(CareLinkOpcode.TransmitPacket) { Packet = packet }),
        Gen.Choose(1, ushort.MaxValue).Select(size => new CareLinkCommand(CareLinkOpcode.ReadRadio) { ReadSize = size }),
        Defined<CareLinkInterface>().Select(side => new CareLinkCommand(CareLinkOpcode.InterfaceStatistics) { Interface = side }),
        Gen.Elements(CareLinkOpcode.ProductInfo, CareLinkOpcode.SignalStrength, CareLinkOpcode.LinkStatus).Select(op => new CareLinkCommand(op)));

    private static Gen<CareLinkRadioReply> RadioReply { get; } =
        from status in Gen.Elements<byte>(0, 1, 3, 4)
        from retries in AnyByte
        from signal in AnyByte
        from end in Bool
        from serial in PumpSerial
        from length in Gen.Frequency((6, Gen.Choose(0, 80)), (1, Gen.Choose(81, 1100)))
        from data in Gen.ArrayOf(AnyByte, length)
        select new CareLinkRadioReply(status, retries, signal, end, serial, data);

    private static Gen<CareLinkProductInfo> ProductInfo { get; } =
        from serial in Text("0123456789abcdef", 6, 6)
        from versions in Gen.Four(AnyByte)
        from band in Defined<CareLinkRfBand>()
        from description in Text(new string([.. Enumerable.Range(0x20, 0x5F).Select(c => (char)c)]), 0, 10)
        from count in Gen.Choose(0, 21)
        from interfaces in Gen.ArrayOf(AnyByte.SelectMany(_ => Defined<CareLinkInterfaceType>(), (i, t) => new CareLinkInterfaceEntry(i, t)), count)
        select new CareLinkProductInfo(serial, new CareLinkVersion(versions.Item1, versions.Item2), band, description, new CareLinkVersion(versions.Item3, versions.Item4), interfaces);

    private static Gen<string> Printable(int min, int max) => Text(new string([.. Enumerable.Range(0x20, 0x5F).Select(c => (char)c)]), min, max);

    public static IEnumerable<ICodecProperty> All()
    {
        yield return new CodecProperty<CareLinkCommand>("stick command", StickCommand, b => CareLinkStick.DecodeCommand(b), CareLinkStick.Encode);
        yield return new CodecProperty<ParadigmCommand>("Paradigm command", PumpCommand, b => ParadigmCommands.Decode(b), ParadigmCommands.Encode);
        yield return new CodecProperty<CareLinkRadioReply>("radio reply", RadioReply, b => CareLinkStick.DecodeRadioReply(b), CareLinkStick.EncodeRadioReply);
        yield return new CodecProperty<CareLinkProductInfo>("product info reply", ProductInfo, b => CareLinkStick.DecodeProductInfo(b), CareLinkStick.EncodeProductInfo, Exact: false);
        yield return new CodecProperty<CareLinkInterfaceStatistics>(
            "interface statistics reply",
            from counts in Gen.Four(AnyByte) from packets in Gen.Two(AnyUInt32)
            select new CareLinkInterfaceStatistics(counts.Item1, counts.Item2, counts.Item3, counts.Item4, packets.Item1, packets.Item2),
            b => CareLinkStick.DecodeInterfaceStatistics(b), CareLinkStick.EncodeInterfaceStatistics, Exact: false);
        yield return new CodecProperty<CareLinkLinkStatus>(
            "link status reply", Flags<CareLinkLinkFlags>(0x3F).SelectMany(_ => AnyUInt16, (f, n) => new CareLinkLinkStatus(f, n)),
            b => CareLinkStick.DecodeLinkStatus(b), CareLinkStick.EncodeLinkStatus, Exact: false);
        yield return new CodecProperty<byte>("signal strength reply", AnyByte, b => CareLinkStick.DecodeSignalStrength(b), CareLinkStick.EncodeSignalStrength, Exact: false);
        yield return new CodecProperty<int>("ack reply", Gen.Constant(0), b => { CareLinkStick.DecodeAck(b); return 0; }, _ => CareLinkStick.EncodeAck(), Exact: false);
        yield return new CodecProperty<string>("pump model reply", Printable(1, 63), b => ParadigmReplies.DecodePumpModel(b), ParadigmReplies.EncodePumpModel, Exact: false);
        yield return new CodecProperty<DateTime>(
            "pump clock reply",
            from year in Gen.Choose(1, 9999) from month in Gen.Choose(1, 12) from day in Gen.Choose(1, DateTime.DaysInMonth(year, month))
            from h in Gen.Choose(0, 23) from m in Gen.Choose(0, 59) from s in Gen.Choose(0, 59)
            select new DateTime(year, month, day, h, m, s),
            b => ParadigmReplies.DecodeRtc(b), ParadigmReplies.EncodeRtc, Exact: false);
        yield return new CodecProperty<string>("pump id reply", PumpSerial, b => ParadigmReplies.DecodePumpId(b), ParadigmReplies.EncodePumpId, Exact: false);
        yield return new CodecProperty<ParadigmBatteryStatus>(
            "battery status reply", Defined<ParadigmBatteryIndicator>().SelectMany(_ => AnyUInt16, (i, centivolts) => new ParadigmBatteryStatus(i, centivolts / 100m)),
            b => ParadigmReplies.DecodeBatteryStatus(b), ParadigmReplies.EncodeBatteryStatus, Exact: false);
        foreach (var strokes in new[] { ParadigmReplies.StrokesPerUnitX22, ParadigmReplies.StrokesPerUnitX23 })
        {
            yield return new CodecProperty<decimal>(
                $"remaining insulin reply ({strokes} strokes per unit)", AnyUInt16.Select(count => count / (decimal)strokes),
                b => ParadigmReplies.DecodeRemainingInsulin(b, strokes), units => ParadigmReplies.EncodeRemainingInsulin(units, strokes), Exact: false);
        }

        // The version ends at the first NUL or vertical tab, so neither is in it.
        yield return new CodecProperty<string>("firmware version reply", Printable(1, 64), b => ParadigmReplies.DecodeFirmwareVersion(b), ParadigmReplies.EncodeFirmwareVersion, Exact: false);
        yield return new CodecProperty<byte>("error status reply", AnyByte, b => ParadigmReplies.DecodeErrorStatus(b), ParadigmReplies.EncodeErrorStatus, Exact: false);
        yield return new CodecProperty<uint>("current page number reply", AnyUInt32, b => ParadigmReplies.DecodeCurrentPageNumber(b), ParadigmReplies.EncodeCurrentPageNumber, Exact: false);
        yield return new CodecProperty<ParadigmGlucosePageNumber>(
            "current glucose page number reply",
            from page in AnyUInt32 from counts in Gen.Two(AnyByte) select new ParadigmGlucosePageNumber(page, counts.Item1, counts.Item2),
            b => ParadigmReplies.DecodeCurrentGlucosePageNumber(b), ParadigmReplies.EncodeCurrentGlucosePageNumber, Exact: false);
    }

    public static TheoryData<string> Names => [.. All().Select(c => c.Name)];

    [Theory]
    [MemberData(nameof(Names))]
    public void Encoding_a_valid_value_and_decoding_it_gives_it_back_and_the_same_bytes_again(string codec) =>
        All().Single(c => c.Name == codec).RoundTrips(Cases);

    [Theory]
    [MemberData(nameof(Names))]
    public void Any_bytes_decode_or_fail_with_the_typed_error(string codec) =>
        All().Single(c => c.Name == codec).DecodesOrFailsTyped(Cases);
}
