using System.Buffers.Binary;
using PumpGateway.Codecs;
using PumpGateway.Devices.Cgms;
using PumpGateway.Devices.Dexcom;
using PumpGateway.Devices.Gatt;
using PumpGateway.Devices.Ids;
using PumpGateway.Devices.Medtronic;
using PumpGateway.Protocol;

namespace PumpGateway.Fuzz;

/// <summary>
/// One fuzz target per decoder entry point: bytes in, a record or the typed <see cref="Protocol.ProtocolException"/>
/// out. For the BLE values the first byte picks the dialect (E2E trailer, CRC variant, insulin as FLOAT) and the rest
/// is the value, so that one corpus reaches every dialect's code.
/// </summary>
internal static class FuzzTargets
{
    public static IReadOnlyList<FuzzTarget> All { get; } =
    [
        new("dexcom-frame", b => DexcomFraming.Decode(b), b => DexcomFraming.Decode(WithFrameCrc(b))),
        new("dexcom-request", b => DexcomRequests.DecodeRequest(WithFrameCrc(b))),
        new("dexcom-pages", b => DexcomPageCodec.DecodePages(b)),
        new("ids-status-changed", b => IdsStatusChangedCodec.Decode(Value(b), Ids(b))),
        new("ids-status", b => IdsStatusCodec.Decode(Value(b), Ids(b))),
        new("ids-annunciation", b => IdsAnnunciationStatusCodec.Decode(Value(b), Ids(b))),
        new("ids-features", b => IdsFeaturesCodec.Decode(Value(b), Ids(b))),
        new("ids-status-reader-request", b => IdsStatusReaderCodec.DecodeRequest(Value(b), Ids(b))),
        new("ids-status-reader-response", b => IdsStatusReaderCodec.DecodeResponse(Value(b), Ids(b))),
        new("ids-command-request", b => IdsCommandControlPointCodec.DecodeRequest(Value(b), Ids(b))),
        new("ids-command-response", b => IdsCommandControlPointCodec.DecodeResponse(Value(b), Ids(b))),
        new("ids-command-data", b => IdsCommandDataCodec.Decode(Value(b), Ids(b))),
        new("ids-racp-request", b => IdsRacpCodec.DecodeRequest(Value(b), Ids(b))),
        new("ids-racp-response", b => IdsRacpCodec.DecodeResponse(Value(b), Ids(b))),
        new("ids-history", b => IdsHistoryCodec.Decode(Value(b), Ids(b))),
        new("cgms-measurement", b => CgmMeasurementCodec.Decode(Value(b), Cgms(b))),
        new("cgms-feature", b => CgmFeatureCodec.Decode(Value(b), Cgms(b).Variant)),
        new("cgms-status", b => CgmStatusCodec.Decode(Value(b), Cgms(b))),
        new("cgms-session-start-time", b => CgmSessionStartTimeCodec.Decode(Value(b), Cgms(b))),
        new("cgms-session-run-time", b => CgmSessionRunTimeCodec.Decode(Value(b), Cgms(b))),
        new("cgms-specific-ops-request", b => CgmSpecificOpsCodec.DecodeRequest(Value(b), Cgms(b))),
        new("cgms-specific-ops-response", b => CgmSpecificOpsCodec.DecodeResponse(Value(b), Cgms(b))),
        new("cgms-racp-request", b => CgmRacpCodec.DecodeRequest(b)),
        new("cgms-racp-response", b => CgmRacpCodec.DecodeResponse(b)),
        new("device-information", b => DeviceInformationCodec.DecodeString(b), b => DeviceInformationCodec.DecodeSystemId(b), b => DeviceInformationCodec.DecodeBatteryLevel(b)),
        new("medtronic-history-page", b => MedtronicPageCodec.Decode(WithPageCrc(Value(b)), (b.Length > 0 && (b[0] & 1) == 1) ? MedtronicModel.Paradigm554 : MedtronicModel.Paradigm522)),
        new("medtronic-glucose-page", b => MedtronicGlucosePageCodec.Decode(WithPageCrc(b))),
        new("carelink-command", b => CareLinkStick.DecodeCommand(b)),
        new(
            "carelink-replies",
            b => CareLinkStick.DecodeRadioReply(b),
            b => CareLinkStick.DecodeProductInfo(b),
            b => CareLinkStick.DecodeInterfaceStatistics(b),
            b => CareLinkStick.DecodeLinkStatus(b),
            b => CareLinkStick.DecodeSignalStrength(b)),
        new("paradigm-command", b => ParadigmCommands.Decode(b)),
        new(
            "paradigm-replies",
            b => ParadigmReplies.DecodePumpModel(b),
            b => ParadigmReplies.DecodeRtc(b),
            b => ParadigmReplies.DecodePumpId(b),
            b => ParadigmReplies.DecodeBatteryStatus(b),
            b => ParadigmReplies.DecodeRemainingInsulin(b, 10),
            b => ParadigmReplies.DecodeFirmwareVersion(b),
            b => ParadigmReplies.DecodeErrorStatus(b),
            b => ParadigmReplies.DecodeCurrentPageNumber(b),
            b => ParadigmReplies.DecodeCurrentGlucosePageNumber(b),
            b => ParadigmReplies.DecodePage(b)),
    ];

    public static FuzzTarget? Find(string name) => All.FirstOrDefault(t => t.Name == name);

    /// <summary>The value after the dialect byte (empty for empty input).</summary>
    private static ReadOnlySpan<byte> Value(byte[] input) => input.Length == 0 ? [] : input.AsSpan(1);

    /// <summary>
    /// A Dexcom frame with its length and CRC made right, so that the fuzzer's mutations reach what lies behind
    /// the CRC check (which <c>dexcom-frame</c> also fuzzes as it comes).
    /// </summary>
    private static byte[] WithFrameCrc(byte[] input)
    {
        if (input.Length < 6 || input.Length > ushort.MaxValue)
        {
            return input;
        }

        var frame = (byte[])input.Clone();
        BinaryPrimitives.WriteUInt16LittleEndian(frame.AsSpan(1), (ushort)frame.Length);
        BinaryPrimitives.WriteUInt16LittleEndian(frame.AsSpan(frame.Length - 2), Crc16Xmodem.Compute(frame.AsSpan(0, frame.Length - 2)));
        return frame;
    }

    /// <summary>A Paradigm page with its CRC-16 made right, for the same reason.</summary>
    private static byte[] WithPageCrc(ReadOnlySpan<byte> input)
    {
        var page = input.ToArray();
        if (page.Length == MedtronicPageFrame.PageSize)
        {
            MedtronicPageFrame.Seal(page);
        }

        return page;
    }

    private static IdsDialect Ids(byte[] input)
    {
        var flags = input.Length == 0 ? 0 : input[0];
        return new IdsDialect(
            E2eProtection: (flags & 1) != 0,
            CrcVariant: (flags & 2) != 0 ? E2eCrcVariant.CcittFalse : E2eCrcVariant.Specification,
            InsulinAsFloat: (flags & 4) != 0);
    }

    private static CgmsE2e Cgms(byte[] input)
    {
        var flags = input.Length == 0 ? 0 : input[0];
        return new CgmsE2e((flags & 1) != 0, (flags & 2) != 0 ? E2eCrcVariant.CcittFalse : E2eCrcVariant.Specification);
    }
}

/// <summary>Decoders fed the same bytes, each on its own: a typed rejection is an answer; any other exception is a finding.</summary>
internal sealed class FuzzTarget(string name, params Func<byte[], object?>[] decoders)
{
    public string Name { get; } = name;

    public void Run(byte[] input)
    {
        foreach (var decode in decoders)
        {
            try
            {
                decode(input);
            }
            catch (ProtocolException)
            {
            }
        }
    }
}
