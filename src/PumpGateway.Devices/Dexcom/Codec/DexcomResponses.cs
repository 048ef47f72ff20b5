using System.Buffers.Binary;
using System.Text;
using System.Xml;
using PumpGateway.Protocol;

namespace PumpGateway.Devices.Dexcom;

/// <summary>First and last page of a partition; both 0xFFFFFFFF when it is empty.</summary>
public readonly record struct DexcomPageRange(uint First, uint Last)
{
    public static readonly DexcomPageRange Empty = new(uint.MaxValue, uint.MaxValue);

    public bool IsEmpty => First == uint.MaxValue && Last == uint.MaxValue;

    public long PageCount => IsEmpty ? 0 : (long)Last - First + 1;
}

/// <summary>The receiver's <c>&lt;FirmwareHeader …/&gt;</c>.</summary>
public sealed record DexcomFirmwareHeader(string ProductId, string ProductName, string SoftwareNumber, string FirmwareVersion, IReadOnlyDictionary<string, string> Attributes);

/// <summary>One database partition of the receiver's <c>&lt;PartitionInfo&gt;</c>.</summary>
public sealed record DexcomPartition(string Name, int Id, int RecordRevision, int RecordLength);

/// <summary>Reply frames and their payloads, both ways: the driver parses, the emulator writes.</summary>
public static class DexcomResponses
{
    private const int MaxXmlCharacters = 64 * 1024;

    public static byte[] Encode(DexcomStatus status, ReadOnlySpan<byte> payload) => DexcomFraming.Encode((byte)status, payload);

    /// <summary>The payload of an ACK; any other status is the device refusing, named in the error.</summary>
    public static ReadOnlyMemory<byte> ExpectAck(DexcomFrame reply)
    {
        if (reply.Code == (byte)DexcomStatus.Ack)
        {
            return reply.Payload;
        }

        var status = (DexcomStatus)reply.Code;
        throw new ProtocolException(
            Enum.IsDefined(status) ? ProtocolErrorKind.DeviceError : ProtocolErrorKind.UnknownCommand,
            3,
            Enum.IsDefined(status) ? $"the receiver answered {status}" : $"reply status {reply.Code} is not defined");
    }

    public static DexcomPageRange ParsePageRange(ReadOnlySpan<byte> payload)
    {
        RequireLength(payload, 8, "page range");
        var range = new DexcomPageRange(BinaryPrimitives.ReadUInt32LittleEndian(payload), BinaryPrimitives.ReadUInt32LittleEndian(payload[4..]));
        if (!range.IsEmpty && (range.First == uint.MaxValue || range.Last == uint.MaxValue || range.First > range.Last))
        {
            throw new ProtocolException(ProtocolErrorKind.OutOfRange, 0, $"page range {range.First}..{range.Last} is neither empty nor ordered");
        }

        return range;
    }

    public static byte[] WritePageRange(DexcomPageRange range)
    {
        var payload = new byte[8];
        BinaryPrimitives.WriteUInt32LittleEndian(payload, range.First);
        BinaryPrimitives.WriteUInt32LittleEndian(payload.AsSpan(4), range.Last);
        return payload;
    }

    /// <summary>RTC, system time, battery level: one u32.</summary>
    public static uint ParseUInt32(ReadOnlySpan<byte> payload)
    {
        RequireLength(payload, 4, "u32 value");
        return BinaryPrimitives.ReadUInt32LittleEndian(payload);
    }

    public static byte[] WriteUInt32(uint value)
    {
        var payload = new byte[4];
        BinaryPrimitives.WriteUInt32LittleEndian(payload, value);
        return payload;
    }

    /// <summary>Display and system time offsets: one i32 of seconds.</summary>
    public static int ParseInt32(ReadOnlySpan<byte> payload)
    {
        RequireLength(payload, 4, "i32 value");
        return BinaryPrimitives.ReadInt32LittleEndian(payload);
    }

    public static byte[] WriteInt32(int value)
    {
        var payload = new byte[4];
        BinaryPrimitives.WriteInt32LittleEndian(payload, value);
        return payload;
    }

    /// <summary>The language as a Windows LCID (0x0409 English).</summary>
    public static ushort ParseLanguage(ReadOnlySpan<byte> payload)
    {
        RequireLength(payload, 2, "language");
        return BinaryPrimitives.ReadUInt16LittleEndian(payload);
    }

    public static byte[] WriteLanguage(ushort lcid)
    {
        var payload = new byte[2];
        BinaryPrimitives.WriteUInt16LittleEndian(payload, lcid);
        return payload;
    }

    public static DexcomGlucoseUnit ParseGlucoseUnit(ReadOnlySpan<byte> payload) => ParseByteEnum<DexcomGlucoseUnit>(payload, "glucose unit");

    public static DexcomClockMode ParseClockMode(ReadOnlySpan<byte> payload) => ParseByteEnum<DexcomClockMode>(payload, "clock mode");

    public static DexcomBatteryState ParseBatteryState(ReadOnlySpan<byte> payload) => ParseByteEnum<DexcomBatteryState>(payload, "battery state");

    public static string ParseTransmitterId(ReadOnlySpan<byte> payload)
    {
        var text = ParseAscii(payload, "transmitter id");
        return text.Length is > 0 and <= 16 && text.All(char.IsAsciiLetterOrDigit)
            ? text
            : throw new ProtocolException(ProtocolErrorKind.OutOfRange, 0, "a transmitter id is 1 to 16 ASCII letters or digits");
    }

    /// <summary>Text as the receiver's replies carry it: only what <see cref="ParseAscii"/> reads back (tab to '~'), never a '?' in place of another character.</summary>
    public static byte[] WriteAscii(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        return text.AsSpan().IndexOfAnyExceptInRange('\t', '~') < 0
            ? Encoding.ASCII.GetBytes(text)
            : throw new ArgumentException("Receiver text is ASCII from tab to '~'.", nameof(text));
    }

    public static DexcomFirmwareHeader ParseFirmwareHeader(ReadOnlySpan<byte> payload)
    {
        var (name, attributes, _) = ParseXml(payload, "firmware header");
        if (name != "FirmwareHeader")
        {
            throw new ProtocolException(ProtocolErrorKind.BadMarker, 0, $"expected <FirmwareHeader>, got <{name}>");
        }

        return new DexcomFirmwareHeader(
            Required(attributes, "ProductId"),
            Required(attributes, "ProductName"),
            Required(attributes, "SoftwareNumber"),
            Required(attributes, "FirmwareVersion"),
            attributes);
    }

    /// <summary>The firmware header XML, attributes in the order given (the receiver's order matters for byte equality).</summary>
    public static byte[] WriteFirmwareHeader(IEnumerable<KeyValuePair<string, string>> attributes) => WriteXmlElement("FirmwareHeader", attributes, []);

    public static IReadOnlyList<DexcomPartition> ParsePartitionInfo(ReadOnlySpan<byte> payload)
    {
        var (name, _, children) = ParseXml(payload, "partition info");
        if (name != "PartitionInfo")
        {
            throw new ProtocolException(ProtocolErrorKind.BadMarker, 0, $"expected <PartitionInfo>, got <{name}>");
        }

        return [.. children.Where(c => c.Name == "Partition").Select(c => new DexcomPartition(
            Required(c.Attributes, "Name"),
            RequiredInt(c.Attributes, "Id"),
            RequiredInt(c.Attributes, "RecordRevision"),
            RequiredInt(c.Attributes, "RecordLength")))];
    }

    public static byte[] WritePartitionInfo(IEnumerable<DexcomPartition> partitions) =>
        WriteXmlElement(
            "PartitionInfo",
            [new("SchemaVersion", "1"), new("PageHeaderVersion", "1"), new("PageDataLength", "500")],
            [.. partitions.Select(p => ("Partition", (IEnumerable<KeyValuePair<string, string>>)[
                new("Name", p.Name), new("Id", p.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)),
                new("RecordRevision", p.RecordRevision.ToString(System.Globalization.CultureInfo.InvariantCulture)),
                new("RecordLength", p.RecordLength.ToString(System.Globalization.CultureInfo.InvariantCulture))]))]);

    internal static (string Name, Dictionary<string, string> Attributes, List<(string Name, Dictionary<string, string> Attributes)> Children) ParseXml(ReadOnlySpan<byte> payload, string what)
    {
        var text = ParseAscii(payload, what);
        var settings = new XmlReaderSettings
        {
            DtdProcessing = DtdProcessing.Prohibit,
            XmlResolver = null,
            MaxCharactersInDocument = MaxXmlCharacters,
            IgnoreComments = true,
            IgnoreWhitespace = true,
        };
        try
        {
            using var reader = XmlReader.Create(new StringReader(text), settings);
            reader.MoveToContent();
            var name = reader.Name;
            var attributes = ReadAttributes(reader);
            var children = new List<(string, Dictionary<string, string>)>();
            if (!reader.IsEmptyElement)
            {
                var depth = reader.Depth;
                while (reader.Read() && reader.Depth > depth)
                {
                    if (reader.NodeType == XmlNodeType.Element && reader.Depth == depth + 1)
                    {
                        children.Add((reader.Name, ReadAttributes(reader)));
                    }
                }
            }

            return (name, attributes, children);
        }
        catch (XmlException ex)
        {
            throw new ProtocolException(ProtocolErrorKind.Malformed, 0, $"{what} is not well-formed XML: {ex.Message}");
        }
    }

    internal static byte[] WriteXmlElement(string name, IEnumerable<KeyValuePair<string, string>> attributes, IReadOnlyList<(string Name, IEnumerable<KeyValuePair<string, string>> Attributes)> children)
    {
        // Single-quoted attributes, as the receivers write them.
        var xml = new StringBuilder().Append('<').Append(name);
        AppendAttributes(xml, attributes);
        if (children.Count == 0)
        {
            xml.Append("/>");
        }
        else
        {
            xml.Append('>');
            foreach (var (childName, childAttributes) in children)
            {
                xml.Append('<').Append(childName);
                AppendAttributes(xml, childAttributes);
                xml.Append("/>");
            }

            xml.Append("</").Append(name).Append('>');
        }

        return Encoding.ASCII.GetBytes(xml.ToString());
    }

    internal static string Required(IReadOnlyDictionary<string, string> attributes, string name) =>
        attributes.TryGetValue(name, out var value) ? value : throw new ProtocolException(ProtocolErrorKind.Malformed, 0, $"attribute {name} is missing");

    private static int RequiredInt(IReadOnlyDictionary<string, string> attributes, string name) =>
        int.TryParse(Required(attributes, name), System.Globalization.NumberStyles.Integer, System.Globalization.CultureInfo.InvariantCulture, out var value)
            ? value
            : throw new ProtocolException(ProtocolErrorKind.Malformed, 0, $"attribute {name} is not an integer");

    private static void AppendAttributes(StringBuilder xml, IEnumerable<KeyValuePair<string, string>> attributes)
    {
        foreach (var (key, value) in attributes)
        {
            // XML forbids most control characters and turns tabs and line breaks in an attribute into spaces: such a value would not read back.
            if (value.AsSpan().IndexOfAnyExceptInRange(' ', '~') >= 0)
            {
                throw new ArgumentException($"Attribute {key} is not printable ASCII.", nameof(attributes));
            }

            xml.Append(' ').Append(key).Append("='").Append(System.Security.SecurityElement.Escape(value)).Append('\'');
        }
    }

    private static Dictionary<string, string> ReadAttributes(XmlReader reader)
    {
        var attributes = new Dictionary<string, string>(StringComparer.Ordinal);
        if (reader.MoveToFirstAttribute())
        {
            do
            {
                attributes[reader.Name] = reader.Value;
            }
            while (reader.MoveToNextAttribute());
            reader.MoveToElement();
        }

        return attributes;
    }

    /// <summary>ASCII text, with the NUL or 0xFF padding a fixed-size field ends with removed.</summary>
    internal static string ParseAscii(ReadOnlySpan<byte> payload, string what)
    {
        var end = payload.IndexOfAny((byte)0x00, (byte)0xFF);
        var text = end < 0 ? payload : payload[..end];
        var invalid = text.IndexOfAnyExceptInRange((byte)0x09, (byte)0x7E);
        if (invalid >= 0)
        {
            throw new ProtocolException(ProtocolErrorKind.Malformed, invalid, $"{what} has a non-ASCII byte 0x{text[invalid]:x2}");
        }

        return Encoding.ASCII.GetString(text);
    }

    private static T ParseByteEnum<T>(ReadOnlySpan<byte> payload, string what)
        where T : struct, Enum
    {
        RequireLength(payload, 1, what);
        var value = (T)Enum.ToObject(typeof(T), payload[0]);
        return Enum.IsDefined(value) ? value : throw new ProtocolException(ProtocolErrorKind.OutOfRange, 0, $"{what} {payload[0]} is not defined");
    }

    private static void RequireLength(ReadOnlySpan<byte> payload, int length, string what)
    {
        if (payload.Length != length)
        {
            throw new ProtocolException(payload.Length < length ? ProtocolErrorKind.Truncated : ProtocolErrorKind.BadLength, 0, $"a {what} is {length} bytes, got {payload.Length}");
        }
    }
}
