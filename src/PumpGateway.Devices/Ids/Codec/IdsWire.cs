using System.Buffers.Binary;
using System.Globalization;
using PumpGateway.Codecs;
using PumpGateway.Protocol;

namespace PumpGateway.Devices.Ids;

/// <summary>
/// Reads one characteristic value field by field. Every read checks the length first and names
/// the field and its absolute offset in the error, so a decoder never indexes past the end.
/// </summary>
internal ref struct IdsReader
{
    private readonly ReadOnlySpan<byte> _body;
    private readonly int _baseOffset;
    private int _position;

    public IdsReader(ReadOnlySpan<byte> body, int baseOffset = 0)
    {
        _body = body;
        _baseOffset = baseOffset;
        _position = 0;
    }

    /// <summary>Offset of the next field within the whole characteristic value.</summary>
    public readonly int Offset => _baseOffset + _position;

    public readonly int Remaining => _body.Length - _position;

    public byte U8(string field) => Take(1, field)[0];

    public sbyte S8(string field) => (sbyte)Take(1, field)[0];

    public ushort U16(string field) => BinaryPrimitives.ReadUInt16LittleEndian(Take(2, field));

    public short S16(string field) => BinaryPrimitives.ReadInt16LittleEndian(Take(2, field));

    public uint U32(string field) => BinaryPrimitives.ReadUInt32LittleEndian(Take(4, field));

    public int S32(string field) => BinaryPrimitives.ReadInt32LittleEndian(Take(4, field));

    public MedicalFloat SFloat(string field)
    {
        var offset = Offset;
        return MedicalFloat.ReadSFloat(Take(MedicalFloat.SFloatSize, field), offset);
    }

    public MedicalFloat Float(string field)
    {
        var offset = Offset;
        return MedicalFloat.ReadFloat(Take(MedicalFloat.FloatSize, field), offset);
    }

    /// <summary>An insulin amount or rate: SFLOAT in the specification, FLOAT in dialects that widened it.</summary>
    public MedicalFloat Insulin(IdsDialect dialect, string field) => dialect.InsulinAsFloat ? Float(field) : SFloat(field);

    public T Enum8<T>(string field)
        where T : struct, Enum
    {
        var offset = Offset;
        return Defined<T>(U8(field), offset, field);
    }

    public T Enum16<T>(string field)
        where T : struct, Enum
    {
        var offset = Offset;
        return Defined<T>(U16(field), offset, field);
    }

    /// <summary>A flags octet whose undefined bits must be clear: an unknown bit may announce a field we cannot parse.</summary>
    public byte Flags(byte definedBits, string field)
    {
        var offset = Offset;
        var flags = U8(field);
        if ((flags & ~definedBits) != 0)
        {
            throw new ProtocolException(ProtocolErrorKind.ReservedValue, offset, $"{field} 0x{flags:x2} sets reserved bits 0x{flags & ~definedBits:x2}");
        }

        return flags;
    }

    public readonly void End(string what)
    {
        if (Remaining != 0)
        {
            throw new ProtocolException(ProtocolErrorKind.BadLength, Offset, $"{Remaining} byte(s) after the end of {what}");
        }
    }

    public static T Defined<T>(int raw, int offset, string field)
        where T : struct, Enum
    {
        var value = (T)Enum.ToObject(typeof(T), raw);
        return Enum.IsDefined(value)
            ? value
            : throw new ProtocolException(ProtocolErrorKind.ReservedValue, offset, $"{field} 0x{raw:x2} is not a defined {typeof(T).Name}");
    }

    private ReadOnlySpan<byte> Take(int count, string field)
    {
        if (Remaining < count)
        {
            throw new ProtocolException(ProtocolErrorKind.Truncated, Offset, $"{field} needs {count} byte(s), {Remaining} left");
        }

        var slice = _body.Slice(_position, count);
        _position += count;
        return slice;
    }
}

/// <summary>Builds one characteristic value; encoders validate their record before writing.</summary>
internal sealed class IdsWriter
{
    private readonly List<byte> _bytes = new(32);

    public int Length => _bytes.Count;

    public ReadOnlySpan<byte> Written => System.Runtime.InteropServices.CollectionsMarshal.AsSpan(_bytes);

    public IdsWriter U8(byte value)
    {
        _bytes.Add(value);
        return this;
    }

    public IdsWriter S8(sbyte value) => U8((byte)value);

    public IdsWriter U16(ushort value)
    {
        Span<byte> bytes = stackalloc byte[2];
        BinaryPrimitives.WriteUInt16LittleEndian(bytes, value);
        return Append(bytes);
    }

    public IdsWriter S16(short value) => U16((ushort)value);

    public IdsWriter U32(uint value)
    {
        Span<byte> bytes = stackalloc byte[4];
        BinaryPrimitives.WriteUInt32LittleEndian(bytes, value);
        return Append(bytes);
    }

    public IdsWriter S32(int value) => U32((uint)value);

    public IdsWriter SFloat(MedicalFloat value)
    {
        Span<byte> bytes = stackalloc byte[MedicalFloat.SFloatSize];
        value.WriteSFloat(bytes);
        return Append(bytes);
    }

    public IdsWriter Float(MedicalFloat value)
    {
        Span<byte> bytes = stackalloc byte[MedicalFloat.FloatSize];
        value.WriteFloat(bytes);
        return Append(bytes);
    }

    public IdsWriter Insulin(IdsDialect dialect, MedicalFloat value) => dialect.InsulinAsFloat ? Float(value) : SFloat(value);

    public IdsWriter Enum8<T>(T value, string field)
        where T : struct, Enum => U8((byte)Convert.ToUInt32(Defined(value, field), CultureInfo.InvariantCulture));

    public IdsWriter Enum16<T>(T value, string field)
        where T : struct, Enum => U16((ushort)Convert.ToUInt32(Defined(value, field), CultureInfo.InvariantCulture));

    /// <summary>An optional field: written when present, absent otherwise (its flag bit says which).</summary>
    public IdsWriter Optional(byte? value) => value is { } present ? U8(present) : this;

    public IdsWriter Optional(ushort? value) => value is { } present ? U16(present) : this;

    public IdsWriter Optional(uint? value) => value is { } present ? U32(present) : this;

    public IdsWriter Optional<T>(T? value, string field)
        where T : struct, Enum => value is { } present ? Enum8(present, field) : this;

    public byte[] ToArray() => [.. _bytes];

    public static T Defined<T>(T value, string field)
        where T : struct, Enum => Enum.IsDefined(value) ? value : throw new ArgumentException($"{field} {value} is not a defined {typeof(T).Name}.", field);

    private IdsWriter Append(ReadOnlySpan<byte> bytes)
    {
        foreach (var b in bytes)
        {
            _bytes.Add(b);
        }

        return this;
    }
}
