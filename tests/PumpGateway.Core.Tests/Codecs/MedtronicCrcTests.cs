using System.Text;
using PumpGateway.Codecs;
using PumpGateway.TestSupport;

namespace PumpGateway.Core.Tests.Codecs;

/// <summary>The CRCs of the CareLink stick and Paradigm pumps (shared/protocols/medtronic-paradigm.md).</summary>
public sealed class MedtronicCrcTests
{
    private static readonly byte[] Check = Encoding.ASCII.GetBytes("123456789");

    [Fact]
    public void Crc8_is_crc8_lte() => Assert.Equal(0xEA, Crc8.Compute(Check));

    [Theory]
    [InlineData("00 FF 00", 177)] // M-2: decocare lib.py doctest
    [InlineData("", 0)] // the CRC of an empty parameter list
    [InlineData("01 00 A7 01 20 88 50 80 01 00 02 02 00 80", 0x9B)] // M-3: ReadHistoryData header, pump 208850
    [InlineData("03", 0x36)] // M-3: its parameter, page 3
    [InlineData("01 00 A7 01 66 54 55 80 02 55 00 00 00 5D", 0xE6)] // M-4: PowerControl header, pump 665455
    [InlineData("01 0A", 0xA2)] // M-4: its parameters
    public void Crc8_matches_the_published_vectors(string hex, int crc) => Assert.Equal(crc, Crc8.Compute(Hex.Parse(hex)));

    [Fact]
    public void Crc16_ccitt_false_is_the_ibm_3740_check_value() => Assert.Equal(0x29B1, Crc16CcittFalse.Compute(Check));

    [Theory]
    [InlineData("02 06 06 03", 0x41CD)] // M-1: tidepool lib/crc.js
    [InlineData("02 09 00 05 0D 02 03", 29146)] // M-2: decocare lib.py doctest
    [InlineData("02 06 08 03", 0x62C2)] // M-2
    public void Crc16_ccitt_false_matches_the_published_vectors(string hex, int crc) => Assert.Equal(crc, Crc16CcittFalse.Compute(Hex.Parse(hex)));
}
