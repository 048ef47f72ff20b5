using System.Text.Json;
using System.Text.Json.Serialization;
using PumpGateway.Devices;

namespace PumpGateway.Telemetry;

/// <summary>The one serialized form of telemetry: what the stores persist and what the CLI prints.</summary>
public static class TelemetryJson
{
    public static JsonSerializerOptions Options { get; } = CreateOptions();

    public static string Serialize(TelemetryEvent telemetry) => JsonSerializer.Serialize(telemetry, Options);

    public static TelemetryEvent Deserialize(string json) =>
        JsonSerializer.Deserialize<TelemetryEvent>(json, Options) ?? throw new JsonException("A stored event was null.");

    private static JsonSerializerOptions CreateOptions()
    {
        var options = new JsonSerializerOptions(JsonSerializerDefaults.Web)
        {
            DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
        };
        options.Converters.Add(new JsonStringEnumConverter(JsonNamingPolicy.CamelCase));
        options.Converters.Add(new DeviceIdConverter());
        options.Converters.Add(new EventIdConverter());
        options.MakeReadOnly(populateMissingResolver: true);
        return options;
    }

    private sealed class DeviceIdConverter : JsonConverter<DeviceId>
    {
        public override DeviceId Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
            new(reader.GetString() ?? throw new JsonException("A device id was null."));

        public override void Write(Utf8JsonWriter writer, DeviceId value, JsonSerializerOptions options) => writer.WriteStringValue(value.Value);
    }

    private sealed class EventIdConverter : JsonConverter<EventId>
    {
        public override EventId Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
            new(reader.GetString() ?? throw new JsonException("An event id was null."));

        public override void Write(Utf8JsonWriter writer, EventId value, JsonSerializerOptions options) => writer.WriteStringValue(value.Value);
    }
}
