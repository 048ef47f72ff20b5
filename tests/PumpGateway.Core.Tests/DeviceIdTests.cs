using PumpGateway.Devices;
using PumpGateway.Telemetry;

namespace PumpGateway.Core.Tests;

public sealed class DeviceIdTests
{
    [Fact]
    public void Is_stable_and_does_not_contain_the_serial()
    {
        var id = DeviceId.FromSerial("dexcom", "SM12345678");
        Assert.Equal(id, DeviceId.FromSerial("dexcom", "SM12345678"));
        Assert.NotEqual(id, DeviceId.FromSerial("dexcom", "SM12345679"));
        Assert.DoesNotContain("12345678", id.Value, StringComparison.Ordinal);
        Assert.StartsWith("dexcom-", id.Value, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("")]
    [InlineData("has space")]
    [InlineData("slash/inside")]
    public void Rejects_malformed_ids(string value) => Assert.Throws<ArgumentException>(() => new DeviceId(value));

    [Fact]
    public void Telemetry_round_trips_through_its_json_form()
    {
        var device = DeviceId.FromSerial("dexcom", "SM1");
        TelemetryEvent bolus = new Bolus
        {
            Id = EventId.For(device, "bolus", "1"),
            Device = device,
            DeviceTime = DeviceTimestamp.FromClock(new DateTime(2026, 1, 2, 3, 4, 5)),
            Utc = new DateTimeOffset(2026, 1, 2, 2, 4, 5, TimeSpan.Zero),
            TimeBasis = TimeBasis.DockClockOffset,
            BolusType = BolusType.DualWave,
            ProgrammedUnits = 2.5m,
            DeliveredUnits = 2.5m,
            ProgrammedExtendedUnits = 1.025m,
            DeliveredExtendedUnits = 0.5m,
            ExtendedDuration = TimeSpan.FromMinutes(90),
        };
        var back = TelemetryJson.Deserialize(TelemetryJson.Serialize(bolus));
        Assert.Equal(bolus, back);
        Assert.True(((Bolus)back).Cancelled);
    }
}
