using System.Text;
using PumpGateway.Codecs;

namespace PumpGateway.Core.Tests.Codecs;

public sealed class Crc16XmodemTests
{
    [Fact]
    public void Check_value_of_the_catalogue() => Assert.Equal(0x31C3, Crc16Xmodem.Compute(Encoding.ASCII.GetBytes("123456789")));

    [Fact]
    public void Empty_input_is_the_initial_value() => Assert.Equal(0, Crc16Xmodem.Compute([]));

    [Theory]
    [InlineData("01 06 00 0A", 0x655E)]
    [InlineData("01 07 00 10 04", 0xB88B)]
    public void Matches_captured_dexcom_frames(string hex, int crc) =>
        Assert.Equal(crc, Crc16Xmodem.Compute(Convert.FromHexString(hex.Replace(" ", "", StringComparison.Ordinal))));
}
