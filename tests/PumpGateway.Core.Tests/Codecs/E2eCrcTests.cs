using System.Text;
using PumpGateway.Codecs;

namespace PumpGateway.Core.Tests.Codecs;

public sealed class E2eCrcTests
{
    private static readonly byte[] Check = Encoding.ASCII.GetBytes("123456789");

    [Fact]
    public void The_specification_variant_is_crc16_mcrf4xx() => Assert.Equal(0x6F91, E2eCrc.Compute(Check));

    [Fact]
    public void The_dialect_variant_is_crc16_ccitt_false() => Assert.Equal(0x29B1, E2eCrc.Compute(Check, E2eCrcVariant.CcittFalse));

    [Fact]
    public void Both_start_from_the_seed() => Assert.All(
        [E2eCrcVariant.Specification, E2eCrcVariant.CcittFalse],
        variant => Assert.Equal(0xFFFF, E2eCrc.Compute([], variant)));
}
