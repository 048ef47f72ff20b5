using System.CommandLine;
using System.CommandLine.Parsing;
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;
using PumpGateway.Codecs;
using PumpGateway.Devices.Cgms;
using PumpGateway.Devices.Dexcom;
using PumpGateway.Devices.Gatt;
using PumpGateway.Devices.Ids;
using PumpGateway.Devices.Medtronic;
using PumpGateway.Protocol;

namespace PumpGateway.Cli.Commands;

/// <summary>
/// <c>pumpgw decode</c>: a technician pastes raw bytes from a log or a capture and reads what they
/// mean, through the same codec the gateway uses. Works offline, no gateway needed.
/// </summary>
internal static class DecodeCommand
{
    private const string RacpAlias = "racp";

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        WriteIndented = true,
        Converters = { new JsonStringEnumConverter(), new MedicalFloatJsonConverter() },
    };

    /// <summary>
    /// Every protocol the command reads, and what shapes its bytes. Values serialize through their
    /// declared type, so a polymorphic record (a control-point response, a history event) says
    /// which kind it is.
    /// </summary>
    private static readonly DecodedProtocol[] Protocols =
    [
        new("dexcom-frame", WireSettings.None, (b, _) => Print(DecodeDexcomFrame(b))),
        new("dexcom-page", WireSettings.None, (b, _) => Print(DexcomPageCodec.DecodePages(b).Select(DescribePage).ToArray())),

        new("ids-status-changed", WireSettings.E2e, (b, w) => Print(IdsStatusChangedCodec.Decode(b, w.Ids))),
        new("ids-status", WireSettings.E2e | WireSettings.InsulinAsFloat, (b, w) => Print(IdsStatusCodec.Decode(b, w.Ids))),
        new("ids-annunciation", WireSettings.E2e, (b, w) => Print(IdsAnnunciationStatusCodec.Decode(b, w.Ids))),
        new("ids-features", WireSettings.SelfDescribedCrc, (b, w) => Print(IdsFeaturesCodec.Decode(b, w.Ids))),
        new(
            "ids-status-reader",
            WireSettings.E2e | WireSettings.InsulinAsFloat,
            (b, w) => Print(IdsStatusReaderCodec.DecodeResponse(b, w.Ids)),
            (b, w) => Print(IdsStatusReaderCodec.DecodeRequest(b, w.Ids))),
        new(
            "ids-command",
            WireSettings.E2e | WireSettings.InsulinAsFloat,
            (b, w) => Print(IdsCommandControlPointCodec.DecodeResponse(b, w.Ids)),
            (b, w) => Print(IdsCommandControlPointCodec.DecodeRequest(b, w.Ids))),
        new("ids-command-data", WireSettings.E2e | WireSettings.InsulinAsFloat, (b, w) => Print(IdsCommandDataCodec.Decode(b, w.Ids))),
        new(
            "ids-racp",
            WireSettings.E2e,
            (b, w) => Print(IdsRacpCodec.DecodeResponse(b, w.Ids)),
            (b, w) => Print(IdsRacpCodec.DecodeRequest(b, w.Ids))),
        new("ids-history", WireSettings.E2e | WireSettings.InsulinAsFloat, (b, w) => Print(IdsHistoryCodec.Decode(b, w.Ids))),

        new("cgms-measurement", WireSettings.E2e, (b, w) => Print(CgmMeasurementCodec.Decode(b, w.Cgms))),
        new("cgms-feature", WireSettings.SelfDescribedCrc, (b, w) => Print(CgmFeatureCodec.Decode(b, w.Cgms.Variant))),
        new("cgms-status", WireSettings.E2e, (b, w) => Print(CgmStatusCodec.Decode(b, w.Cgms))),
        new("cgms-session-start-time", WireSettings.E2e, (b, w) => Print(CgmSessionStartTimeCodec.Decode(b, w.Cgms))),
        new("cgms-session-run-time", WireSettings.E2e, (b, w) => Print(CgmSessionRunTimeCodec.Decode(b, w.Cgms))),
        new(
            "cgms-specific-ops",
            WireSettings.E2e,
            (b, w) => Print(CgmSpecificOpsCodec.DecodeResponse(b, w.Cgms)),
            (b, w) => Print(CgmSpecificOpsCodec.DecodeRequest(b, w.Cgms))),
        new(
            "cgms-racp",
            WireSettings.None,
            (b, _) => Print(CgmRacpCodec.DecodeResponse(b)),
            (b, _) => Print(CgmRacpCodec.DecodeRequest(b))),

        new("medtronic-page", WireSettings.PumpModel, (b, w) => Print(DescribeMedtronicPage(b, w.Model!))),
        new("medtronic-glucose-page", WireSettings.None, (b, _) => Print(MedtronicGlucosePageCodec.Decode(b).Entries.Select(e => new { record = (object)e.Record, e.Time }).ToArray())),
        new(
            "carelink-radio",
            WireSettings.None,
            (b, _) => Print(CareLinkStick.DecodeRadioReply(b)),
            (b, _) => Print(CareLinkStick.DecodeCommand(b))),
        new("paradigm-command", WireSettings.None, (b, _) => Print(ParadigmCommands.Decode(b))),

        new("device-information-string", WireSettings.None, (b, _) => Print(new { text = DeviceInformationCodec.DecodeString(b) })),
        new("device-information-system-id", WireSettings.None, (b, _) => Print(DeviceInformationCodec.DecodeSystemId(b))),
        new("battery-level", WireSettings.None, (b, _) => Print(new { percent = DeviceInformationCodec.DecodeBatteryLevel(b) })),
    ];

    private delegate string Decoder(byte[] bytes, Wire wire);

    /// <summary>The options that may shape a protocol's bytes beyond the bytes themselves.</summary>
    [Flags]
    private enum WireSettings
    {
        None = 0,

        /// <summary>The value carries an E2E trailer when the device has E2E on (<c>--e2e</c>, then <c>--crc</c>).</summary>
        E2e = 1,

        /// <summary>The value says itself whether its CRC field is live; only the bit order (<c>--crc</c>) is a setting.</summary>
        SelfDescribedCrc = 2,

        /// <summary>A MiniMed-style 32-bit FLOAT where the IDS has SFLOAT insulin amounts (<c>--insulin-float</c>).</summary>
        InsulinAsFloat = 4,

        /// <summary>Record lengths depend on the pump model, which the page does not say (<c>--model</c>, required).</summary>
        PumpModel = 8,
    }

    public static Command Create()
    {
        var protocol = new Option<string>("--protocol")
        {
            Description = $"What the bytes are: {string.Join(", ", Protocols.Select(p => p.Name))}; or racp, which --profile makes ids-racp or cgms-racp. A BLE value is one characteristic value as read or notified.",
            HelpName = "name",
            Required = true,
        };
        protocol.AcceptOnlyFromAmong([.. Protocols.Select(p => p.Name), RacpAlias]);
        var hex = new Option<string>("--hex") { Description = "The bytes as hex digits (spaces, colons and dashes are ignored)." };
        var file = new Option<FileInfo>("--file") { Description = "A file holding the bytes: hex text, or raw binary." };
        var direction = new Option<string?>("--direction") { Description = "For a control point: a request the collector wrote, or a response the device sent (default)." };
        direction.AcceptOnlyFromAmong("request", "response");
        var profile = new Option<string?>("--profile") { Description = "With --protocol racp: whose Record Access Control Point it is." };
        profile.AcceptOnlyFromAmong("ids", "cgms");
        var e2e = new Option<bool>("--e2e") { Description = "The device has E2E protection on: the value ends with its E2E trailer (IDS: counter, then CRC; CGMS: CRC)." };
        var crc = new Option<string?>("--crc") { Description = "The E2E-CRC's bit order: spec (CRC-16/MCRF4XX, the default) or ccitt-false (Medtronic)." };
        crc.AcceptOnlyFromAmong("spec", "ccitt-false");
        var insulinFloat = new Option<bool>("--insulin-float") { Description = "IDS insulin amounts are 32-bit FLOAT, as MiniMed 700-series pumps send them." };

        var model = new Option<string?>("--model") { Description = "For a Medtronic history page: the pump model number (522, 554, ...), which sets the record lengths.", HelpName = "number" };
        model.Validators.Add(result =>
        {
            if (result.GetValue(model) is { } number && !MedtronicModel.TryParse(number, out _))
            {
                result.AddError($"--model {number} is not a Paradigm or MiniMed model number this codec reads.");
            }
        });

        var command = new Command("decode", "Decode raw protocol bytes and print the records as JSON.") { protocol, hex, file, direction, profile, e2e, crc, insulinFloat, model };
        Choices ChoicesOf(CommandResult result) => new(
            result.GetValue(protocol) ?? "",
            result.GetValue(profile),
            result.GetValue(direction) == "request",
            result.GetValue(e2e),
            result.GetValue(crc) switch { null => null, "spec" => E2eCrcVariant.Specification, _ => E2eCrcVariant.CcittFalse },
            result.GetValue(insulinFloat),
            MedtronicModel.TryParse(result.GetValue(model), out var parsed) ? parsed : null,
            result.GetValue(model) is not null);

        command.Validators.Add(result =>
        {
            if ((result.GetValue(hex) is null) == (result.GetValue(file) is null))
            {
                result.AddError("Give the bytes with exactly one of --hex or --file.");
            }

            if (result.GetValue(protocol) is not null && Resolve(ChoicesOf(result)).Problem is { } problem)
            {
                result.AddError(problem);
            }
        });
        command.SetAction(parse =>
        {
            byte[] bytes;
            try
            {
                bytes = parse.GetValue(file) is { } f ? ReadFile(f) : ParseHex(parse.GetRequiredValue(hex));
            }
            catch (Exception ex) when (ex is FormatException or IOException or UnauthorizedAccessException)
            {
                Console.Error.WriteLine($"pumpgw: cannot read the bytes: {ex.Message}");
                return 2;
            }

            var choices = ChoicesOf(parse.CommandResult);
            var (chosen, _) = Resolve(choices);
            try
            {
                var decode = choices.Request ? chosen!.Request! : chosen!.Response;
                Console.WriteLine(decode(bytes, choices.Wire));
                return 0;
            }
            catch (ProtocolException ex)
            {
                // The message leads with the error kind and the byte offset.
                Console.Error.WriteLine($"pumpgw: cannot decode: {ex.Message}");
                return 3;
            }
        });
        return command;
    }

    /// <summary>The protocol the options name, or why they do not fit together.</summary>
    private static (DecodedProtocol? Protocol, string? Problem) Resolve(Choices choices)
    {
        string name;
        if (choices.Protocol == RacpAlias)
        {
            if (choices.Profile is null)
            {
                return (null, "--protocol racp needs --profile ids or --profile cgms: the two RACPs differ.");
            }

            name = $"{choices.Profile}-racp";
        }
        else if (choices.Profile is not null)
        {
            return (null, "--profile only picks the RACP of --protocol racp.");
        }
        else
        {
            name = choices.Protocol;
        }

        if (Protocols.SingleOrDefault(p => p.Name == name) is not { } chosen)
        {
            return (null, $"pumpgw cannot decode {name}.");
        }

        var settings = chosen.Settings;
        string? problem = null;
        if (choices.Request && chosen.Request is null)
        {
            problem = $"{name} only goes from the device to the collector: it has no request form.";
        }
        else if (choices.E2e && !settings.HasFlag(WireSettings.E2e))
        {
            problem = settings.HasFlag(WireSettings.SelfDescribedCrc)
                ? $"{name} says itself whether its E2E-CRC is on: leave out --e2e (--crc still applies)."
                : $"{name} carries no E2E trailer: leave out --e2e.";
        }
        else if (choices.Crc is not null && !settings.HasFlag(WireSettings.SelfDescribedCrc) && !choices.E2e)
        {
            problem = settings.HasFlag(WireSettings.E2e)
                ? "--crc sets the bit order of the E2E-CRC: it needs --e2e."
                : $"{name} carries no E2E-CRC: leave out --crc.";
        }
        else if (choices.InsulinAsFloat && !settings.HasFlag(WireSettings.InsulinAsFloat))
        {
            problem = $"{name} has no insulin amount: leave out --insulin-float.";
        }
        else if (settings.HasFlag(WireSettings.PumpModel) && !choices.ModelGiven)
        {
            problem = $"{name} needs --model: the page does not say which pump wrote it, and record lengths differ by model.";
        }
        else if (!settings.HasFlag(WireSettings.PumpModel) && choices.ModelGiven)
        {
            problem = $"{name} does not depend on the pump model: leave out --model.";
        }

        return problem is null ? (chosen, null) : (null, problem);
    }

    private static string Print<T>(T value) => JsonSerializer.Serialize(value, Json);

    private static object DecodeDexcomFrame(byte[] bytes)
    {
        var frame = DexcomFraming.Decode(bytes);
        var payload = frame.Payload.ToArray();
        if (Enum.IsDefined((DexcomCommand)frame.Code))
        {
            return new { direction = "request", length = bytes.Length, request = DexcomRequests.DecodeRequest(bytes), payload = Convert.ToHexStringLower(payload) };
        }

        var status = (DexcomStatus)frame.Code;
        if (!Enum.IsDefined(status))
        {
            throw new ProtocolException(ProtocolErrorKind.UnknownCommand, 3, $"code {frame.Code} is neither a read command nor a reply status");
        }

        // A reply does not say what it answers; a payload of whole pages can only be pages.
        var pages = payload.Length > 0 && payload.Length % DexcomPageCodec.PageSize == 0
            ? DexcomPageCodec.DecodePages(payload).Select(DescribePage).ToArray()
            : null;
        return new { direction = "reply", length = bytes.Length, status, payload = Convert.ToHexStringLower(payload), text = PrintableOrNull(payload), pages };
    }

    private static object DescribeMedtronicPage(byte[] bytes, MedtronicModel model)
    {
        var page = MedtronicPageCodec.Decode(bytes, model);
        return new
        {
            model = model.Number,
            recordCount = page.Records.Count,
            records = page.Records.Select((r, i) => new { offset = page.OffsetOf(i), record = (object)r }).ToArray(),
        };
    }

    private static object DescribePage(DexcomPage page) => new
    {
        page.PageNumber,
        page.RecordType,
        page.Revision,
        page.FirstRecordIndex,
        recordCount = page.Records.Count,
        records = page.Records.Cast<object>().ToArray(),
    };

    /// <summary>XML replies (firmware header, manufacturing data) are easier read as text.</summary>
    private static string? PrintableOrNull(byte[] payload) =>
        payload.Length > 0 && payload.All(b => b is >= 0x20 and < 0x7F or (byte)'\n' or (byte)'\r' or (byte)'\t' or 0)
            ? System.Text.Encoding.ASCII.GetString(payload).TrimEnd('\0')
            : null;

    private static byte[] ReadFile(FileInfo file)
    {
        var bytes = File.ReadAllBytes(file.FullName);
        var text = System.Text.Encoding.ASCII.GetString(bytes);
        return text.All(c => Uri.IsHexDigit(c) || char.IsWhiteSpace(c) || c is ':' or '-') ? ParseHex(text) : bytes;
    }

    private static byte[] ParseHex(string text)
    {
        var digits = new string([.. text.Where(c => !(char.IsWhiteSpace(c) || c is ':' or '-'))]);
        if (digits.StartsWith("0x", StringComparison.OrdinalIgnoreCase))
        {
            digits = digits[2..];
        }

        return Convert.FromHexString(digits);
    }

    /// <param name="Request">Null when the value only ever goes from the device to the collector.</param>
    private sealed record DecodedProtocol(string Name, WireSettings Settings, Decoder Response, Decoder? Request = null);

    /// <summary>The IDS dialect and the CGMS E2E setting the options describe.</summary>
    private sealed record Wire(IdsDialect Ids, CgmsE2e Cgms, MedtronicModel? Model);

    /// <summary>What the command line asked for, before it is checked against the protocol.</summary>
    private sealed record Choices(string Protocol, string? Profile, bool Request, bool E2e, E2eCrcVariant? Crc, bool InsulinAsFloat, MedtronicModel? Model, bool ModelGiven)
    {
        public Wire Wire => new(
            new IdsDialect(E2eProtection: E2e, CrcVariant: Crc ?? E2eCrcVariant.Specification, InsulinAsFloat: InsulinAsFloat),
            new CgmsE2e(E2e, Crc ?? E2eCrcVariant.Specification),
            Model);
    }

    /// <summary>
    /// An 11073 float as the number it stands for, written with the device's resolution (0.40 IU
    /// stays 0.40); NaN, NRes and the infinities, which JSON has no number for, as their names.
    /// </summary>
    private sealed class MedicalFloatJsonConverter : JsonConverter<MedicalFloat>
    {
        /// <summary>A 24-bit mantissa times 10^21 still fits a decimal; beyond it ToDecimal would overflow.</summary>
        private const int LargestExactExponent = 21;

        public override MedicalFloat Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
            throw new NotSupportedException("pumpgw decode only writes JSON.");

        public override void Write(Utf8JsonWriter writer, MedicalFloat value, JsonSerializerOptions options)
        {
            if (!value.IsFinite)
            {
                writer.WriteStringValue(value.Special.ToString());
            }
            else if (value.Exponent <= LargestExactExponent && value.ToDecimal() is { } exact)
            {
                writer.WriteNumberValue(exact);
            }
            else
            {
                writer.WriteRawValue(string.Create(CultureInfo.InvariantCulture, $"{value.Mantissa}E{value.Exponent}"));
            }
        }
    }
}
