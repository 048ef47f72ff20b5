using PumpGateway.Devices.Gatt;
using PumpGateway.Ports;
using PumpGateway.Protocol;
using PumpGateway.TestSupport;

namespace PumpGateway.Devices.Tests.Gatt;

public sealed class DeviceInformationCodecTests
{
    [Fact]
    public void The_uuid_table_holds_the_assigned_numbers() => Assert.Equal(
        new ushort?[] { 0x180A, 0x2A29, 0x2A24, 0x2A25, 0x2A26, 0x2A27, 0x2A28, 0x2A23, 0x180F, 0x2A19 },
        new[]
        {
            DeviceInformationUuids.DeviceInformationService, DeviceInformationUuids.ManufacturerNameString, DeviceInformationUuids.ModelNumberString,
            DeviceInformationUuids.SerialNumberString, DeviceInformationUuids.FirmwareRevisionString, DeviceInformationUuids.HardwareRevisionString,
            DeviceInformationUuids.SoftwareRevisionString, DeviceInformationUuids.SystemId, DeviceInformationUuids.BatteryService, DeviceInformationUuids.BatteryLevel,
        }.Select(GattUuid.ToShort));

    [Fact]
    public void Device_information_strings_system_id_and_battery_level_both_ways()
    {
        Assert.Equal("Acme CGM", DeviceInformationCodec.DecodeString(Hex.Parse("41 63 6D 65 20 43 47 4D 00 00")));
        Assert.Equal(Hex.Parse("41 63 6D 65"), DeviceInformationCodec.EncodeString("Acme"));
        Assert.Equal(ProtocolErrorKind.Malformed, Assert.Throws<ProtocolException>(() => DeviceInformationCodec.DecodeString(Hex.Parse("41 FF"))).Kind);

        var idBytes = Hex.Parse("01 02 03 04 05 0A 0B 0C");
        var id = DeviceInformationCodec.DecodeSystemId(idBytes);
        Assert.Equal(new GattSystemId(0x05_0403_0201, 0x0C0B0A), id);
        Assert.Equal(idBytes, DeviceInformationCodec.EncodeSystemId(id));
        Assert.Equal(ProtocolErrorKind.Truncated, Assert.Throws<ProtocolException>(() => DeviceInformationCodec.DecodeSystemId(idBytes.AsSpan(0, 7))).Kind);

        Assert.Equal(100, DeviceInformationCodec.DecodeBatteryLevel([0x64]));
        Assert.Equal(new byte[] { 0x64 }, DeviceInformationCodec.EncodeBatteryLevel(100));
        Assert.Equal(ProtocolErrorKind.OutOfRange, Assert.Throws<ProtocolException>(() => DeviceInformationCodec.DecodeBatteryLevel([0x65])).Kind);
    }

}
