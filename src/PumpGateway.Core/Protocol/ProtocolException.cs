namespace PumpGateway.Protocol;

/// <summary>
/// The one typed error every decoder raises for input it will not accept: what was wrong, and at
/// which byte offset of the input. Decoders never let an index or cast exception escape.
/// </summary>
public sealed class ProtocolException : Exception
{
    public ProtocolException(ProtocolErrorKind kind, int offset, string message)
        : base($"{kind} at offset {offset}: {message}")
    {
        Kind = kind;
        Offset = offset;
    }

    public ProtocolException()
        : this(ProtocolErrorKind.Malformed, 0, "malformed input")
    {
    }

    public ProtocolException(string message)
        : this(ProtocolErrorKind.Malformed, 0, message)
    {
    }

    public ProtocolException(string message, Exception innerException)
        : base(message, innerException)
    {
        Kind = ProtocolErrorKind.Malformed;
    }

    public ProtocolErrorKind Kind { get; }

    /// <summary>Byte offset in the decoded input where the problem was found.</summary>
    public int Offset { get; }
}

public enum ProtocolErrorKind
{
    /// <summary>Fewer bytes than the structure needs.</summary>
    Truncated = 1,

    /// <summary>A length field disagrees with the bytes present or with the protocol's limits.</summary>
    BadLength = 2,

    BadCrc = 3,

    /// <summary>A start-of-frame, magic or type byte is not the expected one.</summary>
    BadMarker = 4,

    UnknownCommand = 5,

    UnknownRecordType = 6,

    /// <summary>A record revision or protocol version the decoder does not know: rejected, not guessed.</summary>
    UnsupportedRevision = 7,

    /// <summary>A reserved field or value carries something other than what the specification fixes.</summary>
    ReservedValue = 8,

    /// <summary>A field holds a value outside its defined range.</summary>
    OutOfRange = 9,

    /// <summary>The device answered with an error status instead of data.</summary>
    DeviceError = 10,

    Malformed = 11,
}
