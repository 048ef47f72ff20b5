using PumpGateway.Ports;

namespace PumpGateway.Core.Tests;

public sealed class GattUuidTests
{
    [Theory]
    [InlineData(0x181F, "0000181f-0000-1000-8000-00805f9b34fb")]
    [InlineData(0x2AA7, "00002aa7-0000-1000-8000-00805f9b34fb")]
    [InlineData(0x183A, "0000183a-0000-1000-8000-00805f9b34fb")]
    public void Assigned_numbers_live_in_the_bluetooth_base_uuid(ushort assigned, string full)
    {
        Assert.Equal(Guid.Parse(full), GattUuid.FromShort(assigned));
        Assert.Equal(assigned, GattUuid.ToShort(Guid.Parse(full.ToUpperInvariant())));
        Assert.Equal($"0x{assigned:X4}", GattUuid.ToShortString(GattUuid.FromShort(assigned)));
    }

    [Theory]
    [InlineData("0000181f-0000-1000-8000-00805f9b34fc")]
    [InlineData("1000181f-0000-1000-8000-00805f9b34fb")]
    [InlineData("5a1e0001-7e57-4c0d-9a7e-0123456789ab")]
    public void Uuids_off_the_base_have_no_short_form(string uuid)
    {
        Assert.Null(GattUuid.ToShort(Guid.Parse(uuid)));
        Assert.Equal(uuid, GattUuid.ToShortString(Guid.Parse(uuid)));
    }
}
