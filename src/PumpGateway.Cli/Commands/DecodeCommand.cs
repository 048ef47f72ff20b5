using System.CommandLine;
using System.Text.Json;
using System.Text.Json.Serialization;
using PumpGateway.Devices.Dexcom;
using PumpGateway.Protocol;

namespace PumpGateway.Cli.Commands;

/// <summary>
/// <c>pumpgw decode</c>: a technician pastes raw bytes from a log or a capture and reads what they
/// mean, through the same codec the gateway uses. Works offline, no gateway needed.
/// </summary>
internal static class DecodeCommand
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        WriteIndented = true,
        Converters = { new JsonStringEnumConverter() },
    };

    public static Command Create()
    {
        var protocol = new Option<string>("--protocol")
        {
            Description = "What the bytes are: dexcom-frame (a request or reply frame) or dexcom-page (one or more 528-byte database pages).",
            Required = true,
        };
        protocol.AcceptOnlyFromAmong("dexcom-frame", "dexcom-page");
        var hex = new Option<string>("--hex") { Description = "The bytes as hex digits (spaces, colons and dashes are ignored)." };
        var file = new Option<FileInfo>("--file") { Description = "A file holding the bytes: hex text, or raw binary." };
        var command = new Command("decode", "Decode raw protocol bytes and print the records as JSON.") { protocol, hex, file };
        command.Validators.Add(result =>
        {
            if ((result.GetValue(hex) is null) == (result.GetValue(file) is null))
            {
                result.AddError("Give the bytes with exactly one of --hex or --file.");
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

            try
            {
                var decoded = parse.GetRequiredValue(protocol) switch
                {
                    "dexcom-frame" => DecodeDexcomFrame(bytes),
                    _ => DexcomPageCodec.DecodePages(bytes).Select(DescribePage).ToArray(),
                };
                Console.WriteLine(JsonSerializer.Serialize(decoded, Json));
                return 0;
            }
            catch (ProtocolException ex)
            {
                Console.Error.WriteLine($"pumpgw: cannot decode: {ex.Message}");
                return 3;
            }
        });
        return command;
    }

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
}
