using PumpGateway.Devices;
using PumpGateway.Ports;
using PumpGateway.Telemetry;

namespace PumpGateway.Service.Tests;

internal static class TestTelemetry
{
    public static readonly DateTimeOffset Start = new(2026, 11, 1, 0, 0, 0, TimeSpan.Zero);

    public static DeviceIdentity Receiver(string serial = "SM00000001") =>
        new("dexcom", DeviceCategory.CgmReceiver, "G4Receiver", serial, "Dexcom G4 Receiver", "2.0.1.104");

    public static async Task<DeviceId> AddDeviceAsync(IEventStore store, DeviceIdentity identity)
    {
        await store.UpsertDeviceAsync(new DeviceRecord(identity, "serial:/dev/null", Start, Start, TimeSpan.Zero), CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(30));
        return identity.Id;
    }

    /// <summary>Readings number <paramref name="first"/> to first+count-1, five minutes apart.</summary>
    public static IReadOnlyList<TelemetryEvent> Readings(DeviceId device, int first, int count) =>
        [.. Enumerable.Range(first, count).Select(i => (TelemetryEvent)new GlucoseReading
        {
            Id = EventId.For(device, "egv", i.ToString(System.Globalization.CultureInfo.InvariantCulture)),
            Device = device,
            DeviceTime = DeviceTimestamp.FromClock(Start.UtcDateTime.AddMinutes(5 * i)),
            Utc = Start.AddMinutes(5 * i),
            TimeBasis = TimeBasis.DockClockOffset,
            Source = GlucoseSource.Sensor,
            MgDl = 100 + (i % 200),
            Trend = GlucoseTrend.Flat,
        })];

    public static Task<AppendResult> AppendAsync(IEventStore store, IReadOnlyList<TelemetryEvent> events) =>
        store.AppendAsync(events, [], CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(30));
}
