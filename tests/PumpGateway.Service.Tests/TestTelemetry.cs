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

/// <summary>Events of one device at given times, built the way drivers store them.</summary>
internal sealed class EventBuilder(DeviceId device)
{
    private int _next;

    public T At<T>(T e, DateTimeOffset utc)
        where T : TelemetryEvent =>
        e with
        {
            Id = EventId.For(device, e.Kind.ToString(), (_next++).ToString(System.Globalization.CultureInfo.InvariantCulture)),
            Device = device,
            DeviceTime = DeviceTimestamp.FromClock(utc.UtcDateTime),
            Utc = utc,
            TimeBasis = TimeBasis.DeviceUtc,
        };

    public GlucoseReading Glucose(DateTimeOffset utc, double mgDl) => At(new GlucoseReading { Source = GlucoseSource.Sensor, MgDl = mgDl }, utc);

    public Alarm Alarm(DateTimeOffset utc, AlarmTransition transition, AlarmKind kind, string? key = null) =>
        At(new Alarm { AlarmKind = kind, Severity = AlarmSeverity.Alarm, Transition = transition, VendorCode = $"test:{kind}", InstanceKey = key }, utc);

    public LinkReport Link(DateTimeOffset utc, string endReason, long retries = 0, long crcErrors = 0, int? signal = null, TimeSpan? clockError = null) =>
        At(new LinkReport
        {
            Endpoint = "serial:/dev/ttyUSB0", SessionLength = TimeSpan.FromMinutes(2), EndReason = endReason, BytesIn = 50_000,
            Retries = retries, CrcErrors = crcErrors, SignalStrength = signal, ClockError = clockError, ClockOffset = clockError,
        }, utc);
}
