using System.Buffers;
using System.Buffers.Binary;
using PumpGateway.Codecs;
using PumpGateway.Protocol;

namespace PumpGateway.Devices.Dexcom;

/// <summary>One frame: a command id (host to receiver) or a status (receiver to host), and its payload.</summary>
public readonly record struct DexcomFrame(byte Code, ReadOnlyMemory<byte> Payload);

public enum FrameScanResult
{
    /// <summary>No whole frame yet: read more. Nothing before the candidate frame start is kept.</summary>
    Incomplete,

    Frame,

    /// <summary>A whole frame whose CRC does not match: skipped past its start byte.</summary>
    BadCrc,

    /// <summary>A start byte followed by an impossible length: skipped past the start byte.</summary>
    BadLength,
}

/// <summary>
/// SOF 0x01, u16 length of the whole frame (6 to 1590), code, payload, CRC-16/XMODEM over
/// everything before it, little-endian.
/// </summary>
public static class DexcomFraming
{
    public const byte StartOfFrame = 0x01;
    public const int MinFrameLength = 6;
    public const int MaxFrameLength = 1590;
    public const int MaxPayload = MaxFrameLength - MinFrameLength;
    private const int HeaderLength = 4;

    public static int GetEncodedLength(int payloadLength) => MinFrameLength + payloadLength;

    public static byte[] Encode(byte code, ReadOnlySpan<byte> payload)
    {
        var frame = new byte[GetEncodedLength(payload.Length)];
        Encode(code, payload, frame);
        return frame;
    }

    public static int Encode(byte code, ReadOnlySpan<byte> payload, Span<byte> destination)
    {
        if (payload.Length > MaxPayload)
        {
            throw new ArgumentOutOfRangeException(nameof(payload), payload.Length, $"A frame carries at most {MaxPayload} payload bytes.");
        }

        var length = GetEncodedLength(payload.Length);
        if (destination.Length < length)
        {
            throw new ArgumentException($"The frame needs {length} bytes.", nameof(destination));
        }

        destination[0] = StartOfFrame;
        BinaryPrimitives.WriteUInt16LittleEndian(destination[1..], (ushort)length);
        destination[3] = code;
        payload.CopyTo(destination[HeaderLength..]);
        BinaryPrimitives.WriteUInt16LittleEndian(destination[(length - 2)..], Crc16Xmodem.Compute(destination[..(length - 2)]));
        return length;
    }

    /// <summary>Decodes exactly one whole frame.</summary>
    public static DexcomFrame Decode(ReadOnlySpan<byte> frame)
    {
        if (frame.Length < MinFrameLength)
        {
            throw new ProtocolException(ProtocolErrorKind.Truncated, frame.Length, $"a frame is at least {MinFrameLength} bytes, got {frame.Length}");
        }

        if (frame[0] != StartOfFrame)
        {
            throw new ProtocolException(ProtocolErrorKind.BadMarker, 0, $"start of frame is 0x{frame[0]:x2}, not 0x01");
        }

        int length = BinaryPrimitives.ReadUInt16LittleEndian(frame[1..]);
        if (length is < MinFrameLength or > MaxFrameLength)
        {
            throw new ProtocolException(ProtocolErrorKind.BadLength, 1, $"length field {length} is outside {MinFrameLength}..{MaxFrameLength}");
        }

        if (length != frame.Length)
        {
            throw new ProtocolException(
                length > frame.Length ? ProtocolErrorKind.Truncated : ProtocolErrorKind.BadLength,
                1,
                $"length field says {length} bytes, the frame has {frame.Length}");
        }

        var expected = BinaryPrimitives.ReadUInt16LittleEndian(frame[(length - 2)..]);
        var actual = Crc16Xmodem.Compute(frame[..(length - 2)]);
        if (expected != actual)
        {
            throw new ProtocolException(ProtocolErrorKind.BadCrc, length - 2, $"frame CRC is 0x{expected:x4}, computed 0x{actual:x4}");
        }

        return new DexcomFrame(frame[3], frame[HeaderLength..(length - 2)].ToArray());
    }

    /// <summary>
    /// The read-decode-advance step of a pipe reader loop: skips to the next start byte, and reads
    /// one frame if it is all there. The payload is copied, so it outlives the buffer.
    /// </summary>
    /// <param name="consumed">Where the caller advances to.</param>
    /// <param name="skippedBytes">Bytes discarded before a start byte (line garbage).</param>
    public static FrameScanResult TryReadFrame(in ReadOnlySequence<byte> buffer, out DexcomFrame frame, out SequencePosition consumed, out long skippedBytes)
    {
        frame = default;
        var reader = new SequenceReader<byte>(buffer);
        if (!reader.TryAdvanceTo(StartOfFrame, advancePastDelimiter: false))
        {
            skippedBytes = buffer.Length;
            consumed = buffer.End;
            return FrameScanResult.Incomplete;
        }

        skippedBytes = reader.Consumed;
        var start = reader.Position;
        consumed = start;
        Span<byte> header = stackalloc byte[HeaderLength];
        if (!reader.TryCopyTo(header))
        {
            return FrameScanResult.Incomplete;
        }

        int length = BinaryPrimitives.ReadUInt16LittleEndian(header[1..]);
        if (length is < MinFrameLength or > MaxFrameLength)
        {
            consumed = buffer.GetPosition(1, start);
            return FrameScanResult.BadLength;
        }

        if (reader.Remaining < length)
        {
            return FrameScanResult.Incomplete;
        }

        var bytes = length <= 512 ? stackalloc byte[length] : new byte[length];
        reader.TryCopyTo(bytes);
        var expected = BinaryPrimitives.ReadUInt16LittleEndian(bytes[(length - 2)..]);
        if (expected != Crc16Xmodem.Compute(bytes[..(length - 2)]))
        {
            consumed = buffer.GetPosition(1, start);
            return FrameScanResult.BadCrc;
        }

        frame = new DexcomFrame(bytes[3], bytes[HeaderLength..(length - 2)].ToArray());
        consumed = buffer.GetPosition(length, start);
        return FrameScanResult.Frame;
    }
}
