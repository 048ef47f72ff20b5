using System.Text.Json.Serialization;
using PumpGateway.Devices;

namespace PumpGateway.Telemetry;

/// <summary>
/// One fact a device recorded, normalized across families. Units inside the gateway: insulin in
/// IU (decimal, the device's resolution kept), rates in IU/h, glucose in mg/dL, durations as
/// <see cref="TimeSpan"/>.
/// </summary>
[JsonPolymorphic(TypeDiscriminatorPropertyName = "$kind")]
[JsonDerivedType(typeof(GlucoseReading), "glucose")]
[JsonDerivedType(typeof(SensorRawReading), "sensorRaw")]
[JsonDerivedType(typeof(SensorSession), "sensorSession")]
[JsonDerivedType(typeof(UserEntry), "userEntry")]
[JsonDerivedType(typeof(ScheduledBasal), "scheduledBasal")]
[JsonDerivedType(typeof(TemporaryBasal), "temporaryBasal")]
[JsonDerivedType(typeof(DeliveryStateChange), "deliveryState")]
[JsonDerivedType(typeof(Bolus), "bolus")]
[JsonDerivedType(typeof(Alarm), "alarm")]
[JsonDerivedType(typeof(DeviceStatus), "deviceStatus")]
[JsonDerivedType(typeof(PumpMaintenance), "pumpMaintenance")]
[JsonDerivedType(typeof(DailyInsulinTotal), "dailyInsulinTotal")]
[JsonDerivedType(typeof(LinkReport), "linkReport")]
public abstract record TelemetryEvent
{
    // Not `required`: mappers build the fact first and stamp its identity and times in one place.
    // The store refuses an event whose identity is missing (see IEventStore.AppendAsync).
    public EventId Id { get; init; }

    public DeviceId Device { get; init; }

    public DeviceTimestamp DeviceTime { get; init; }

    public DateTimeOffset Utc { get; init; }

    public TimeBasis TimeBasis { get; init; }

    /// <summary>Whether the identity, device and time basis have been set.</summary>
    [JsonIgnore]
    public bool IsStamped => Id.Value is not null && Device.Value is not null && TimeBasis != default;

    [JsonIgnore]
    public abstract TelemetryKind Kind { get; }
}

public enum TelemetryKind
{
    Glucose = 1,
    SensorRaw = 2,
    SensorSession = 3,
    UserEntry = 4,
    ScheduledBasal = 5,
    TemporaryBasal = 6,
    DeliveryState = 7,
    Bolus = 8,
    Alarm = 9,
    DeviceStatus = 10,
    PumpMaintenance = 11,
    DailyInsulinTotal = 12,
    LinkReport = 13,
}
