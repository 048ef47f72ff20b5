using PumpGateway.Codecs;
using PumpGateway.Protocol;

namespace PumpGateway.Core.Tests.Codecs;

public sealed class MedicalFloatTests
{
    [Theory]
    [InlineData(new byte[] { 0x72, 0x00 }, 114, 0)] // 114 mg/dL, exponent 0
    [InlineData(new byte[] { 0x64, 0xF0 }, 100, -1)] // 10.0
    [InlineData(new byte[] { 0xFF, 0xEF }, -1, -2)] // -0.01: both nibbles signed
    [InlineData(new byte[] { 0x05, 0xE0 }, 5, -2)] // 0.05 IU, a pump's bolus step
    [InlineData(new byte[] { 0xFD, 0x07 }, 2045, 0)] // the largest finite mantissa
    [InlineData(new byte[] { 0x03, 0x08 }, -2045, 0)] // the smallest
    public void SFloat_decodes_mantissa_and_exponent_and_encodes_back(byte[] raw, int mantissa, int exponent)
    {
        var value = MedicalFloat.ReadSFloat(raw);
        Assert.Equal(new MedicalFloat(mantissa, exponent), value);
        var encoded = new byte[2];
        value.WriteSFloat(encoded);
        Assert.Equal(raw, encoded);
    }

    [Theory]
    [InlineData(0x07FF, MedicalFloatSpecial.NaN)]
    [InlineData(0x0800, MedicalFloatSpecial.NotAtThisResolution)]
    [InlineData(0x07FE, MedicalFloatSpecial.PositiveInfinity)]
    [InlineData(0x0802, MedicalFloatSpecial.NegativeInfinity)]
    public void SFloat_specials_round_trip(int raw, MedicalFloatSpecial special)
    {
        byte[] bytes = [(byte)raw, (byte)(raw >> 8)];
        var value = MedicalFloat.ReadSFloat(bytes);
        Assert.Equal(special, value.Special);
        Assert.Null(value.ToDecimal());
        var encoded = new byte[2];
        value.WriteSFloat(encoded);
        Assert.Equal(bytes, encoded);
    }

    [Fact]
    public void The_reserved_sfloat_and_float_are_rejected_with_their_offset()
    {
        var sfloat = Assert.Throws<ProtocolException>(() => MedicalFloat.ReadSFloat([0x01, 0x08], 7));
        Assert.Equal((ProtocolErrorKind.ReservedValue, 7), (sfloat.Kind, sfloat.Offset));
        var single = Assert.Throws<ProtocolException>(() => MedicalFloat.ReadFloat([0x01, 0x00, 0x80, 0x00], 3));
        Assert.Equal((ProtocolErrorKind.ReservedValue, 3), (single.Kind, single.Offset));
    }

    [Fact]
    public void Short_input_is_truncated_not_an_index_error()
    {
        Assert.Equal(ProtocolErrorKind.Truncated, Assert.Throws<ProtocolException>(() => MedicalFloat.ReadSFloat([0x01])).Kind);
        Assert.Equal(ProtocolErrorKind.Truncated, Assert.Throws<ProtocolException>(() => MedicalFloat.ReadFloat([0x01, 0x02, 0x03])).Kind);
    }

    [Theory]
    [InlineData(new byte[] { 0x39, 0x30, 0x00, 0xFE }, 12345, -2)] // 123.45
    [InlineData(new byte[] { 0xFF, 0xFF, 0xFF, 0x00 }, -1, 0)]
    [InlineData(new byte[] { 0x01, 0x00, 0x00, 0x80 }, 1, -128)]
    public void Float_decodes_and_encodes_back(byte[] raw, int mantissa, int exponent)
    {
        var value = MedicalFloat.ReadFloat(raw);
        Assert.Equal(new MedicalFloat(mantissa, exponent), value);
        var encoded = new byte[4];
        value.WriteFloat(encoded);
        Assert.Equal(raw, encoded);
    }

    [Fact]
    public void Values_keep_the_device_resolution_exactly()
    {
        Assert.Equal(1.35m, MedicalFloat.SFloatOf(1.35m, -2).ToDecimal());
        Assert.Equal(0.1, MedicalFloat.ReadSFloat([0x01, 0xF0]).ToDouble());
        Assert.Throws<ArgumentOutOfRangeException>(() => MedicalFloat.SFloatOf(1.355m, -2));
        Assert.Throws<ArgumentOutOfRangeException>(() => MedicalFloat.SFloatOf(3000m, 0));
        Assert.Null(new MedicalFloat(1, -128).ToDecimal());
        Assert.Null(new MedicalFloat(8388607, 28).ToDecimal());
        Assert.Equal(8388607e28, new MedicalFloat(8388607, 28).ToDouble(), 1e22);
        Assert.Equal(1e-128, new MedicalFloat(1, -128).ToDouble(), 1e-140);
    }

    [Fact]
    public void Every_sfloat_bit_pattern_decodes_or_is_the_reserved_one()
    {
        var buffer = new byte[2];
        for (var raw = 0; raw <= 0xFFFF; raw++)
        {
            byte[] bytes = [(byte)raw, (byte)(raw >> 8)];
            if (raw == 0x0801)
            {
                Assert.Throws<ProtocolException>(() => MedicalFloat.ReadSFloat(bytes));
                continue;
            }

            var value = MedicalFloat.ReadSFloat(bytes);
            value.WriteSFloat(buffer);
            Assert.Equal(value, MedicalFloat.ReadSFloat(buffer));
        }
    }
}
