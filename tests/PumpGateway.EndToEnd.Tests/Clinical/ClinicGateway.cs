using System.Globalization;
using Google.Protobuf.WellKnownTypes;
using Proto = PumpGateway.Api.V1;

namespace PumpGateway.EndToEnd.Tests.Clinical;

/// <summary>
/// The real gateway as the clinical scenarios start it: Bluetooth on a private bus or one serial
/// port, and always the clinic's time zone set (the days and times of day of a report are its local
/// ones, never this machine's). The gRPC reads the scenarios make of it, each under a deadline.
/// </summary>
internal static class ClinicGateway
{
    public static readonly TimeSpan Timeout = TestGateway.Timeout;

    public static Task<TestGateway> BluetoothAsync(string folder, string busAddress, string clinicZone = "Etc/UTC") => TestGateway.StartAsync(folder, new Dictionary<string, string?>
    {
        ["Gateway:Bluetooth:Enabled"] = "true",
        ["Gateway:Bluetooth:BusAddress"] = busAddress,
        ["Gateway:Drivers:PollInterval"] = "00:10:00",
        ["Gateway:ClinicTimeZone"] = clinicZone,
    });

    public static Task<TestGateway> SerialAsync(string folder, string portPath, string family, string clinicZone, IReadOnlyDictionary<string, string?>? more = null)
    {
        var settings = new Dictionary<string, string?>
        {
            ["Gateway:Serial:Ports:0:Path"] = portPath,
            ["Gateway:Serial:Ports:0:Family"] = family,
            ["Gateway:ClinicTimeZone"] = clinicZone,
            ["Gateway:Drivers:ResponseTimeout"] = "00:00:01",
            ["Gateway:Drivers:PollInterval"] = "00:10:00",
        };
        foreach (var (key, value) in more ?? new Dictionary<string, string?>())
        {
            settings[key] = value;
        }

        return TestGateway.StartAsync(folder, settings);
    }

    /// <summary>A Paradigm pump behind a CareLink stick on <paramref name="portPath"/>: the stick reaches the pump by its serial.</summary>
    public static Task<TestGateway> ParadigmAsync(string folder, string portPath, string pumpSerial, string clinicZone) => SerialAsync(folder, portPath, "medtronic", clinicZone, new Dictionary<string, string?>
    {
        ["Gateway:Drivers:Medtronic:PumpSerials:0"] = pumpSerial,
        ["Gateway:Drivers:Medtronic:RadioTimeout"] = "00:00:01",
    });

    /// <summary>The one device of <paramref name="family"/> the gateway knows, once it has identified itself.</summary>
    public static async Task<Proto.Device> DeviceAsync(TestGateway gateway, string family, CancellationToken cancellationToken)
    {
        while (true)
        {
            var devices = await gateway.Devices.ListDevicesAsync(new Proto.ListDevicesRequest(), deadline: Deadline(), cancellationToken: cancellationToken);
            if (devices.Devices.SingleOrDefault(d => d.Family == family) is { } device)
            {
                return device;
            }

            await Task.Delay(50, cancellationToken);
        }
    }

    /// <summary>Waits until the device's <paramref name="stream"/> cursor reaches <paramref name="position"/>: its events are committed with it.</summary>
    public static async Task<Proto.Device> CursorReachedAsync(TestGateway gateway, string family, string stream, long position, CancellationToken cancellationToken)
    {
        while (true)
        {
            var device = await DeviceAsync(gateway, family, cancellationToken);
            if (device.Cursors.Any(c => c.Stream == stream && c.Position >= position))
            {
                return device;
            }

            await Task.Delay(50, cancellationToken);
        }
    }

    /// <summary>Every stored event of one device, through QueryHistory's pages, optionally of some kinds only.</summary>
    public static async Task<List<Proto.TelemetryEvent>> HistoryAsync(TestGateway gateway, string deviceId, CancellationToken cancellationToken, params Proto.TelemetryKind[] kinds)
    {
        var events = new List<Proto.TelemetryEvent>();
        var request = new Proto.QueryHistoryRequest { DeviceId = deviceId, PageSize = 10_000 };
        request.Kinds.AddRange(kinds);
        while (true)
        {
            var page = await gateway.Telemetry.QueryHistoryAsync(request, deadline: Deadline(), cancellationToken: cancellationToken);
            events.AddRange(page.Events);
            if (page.NextPageToken.Length == 0)
            {
                return events;
            }

            request.PageToken = page.NextPageToken;
        }
    }

    /// <summary>Polls the device's history until <paramref name="done"/> holds.</summary>
    public static async Task<List<Proto.TelemetryEvent>> HistoryUntilAsync(TestGateway gateway, string deviceId, Func<List<Proto.TelemetryEvent>, bool> done, CancellationToken cancellationToken)
    {
        while (true)
        {
            var events = await HistoryAsync(gateway, deviceId, cancellationToken);
            if (done(events))
            {
                return events;
            }

            await Task.Delay(50, cancellationToken);
        }
    }

    public static async Task<Proto.Summary> SummaryAsync(TestGateway gateway, string deviceId, DateTimeOffset from, DateTimeOffset to, CancellationToken cancellationToken) =>
        await gateway.Reports.GetSummaryAsync(
            new Proto.GetSummaryRequest { DeviceId = deviceId, From = Timestamp.FromDateTimeOffset(from), To = Timestamp.FromDateTimeOffset(to) },
            deadline: Deadline(),
            cancellationToken: cancellationToken);

    public static async Task<Proto.Diagnostics> DiagnosticsAsync(TestGateway gateway, string deviceId, CancellationToken cancellationToken) =>
        await gateway.Diagnostics.GetDiagnosticsAsync(new Proto.GetDiagnosticsRequest { DeviceId = deviceId }, deadline: Deadline(), cancellationToken: cancellationToken);

    /// <summary>IU as the contract writes them (decimal text); null for the empty text of an unknown amount.</summary>
    public static decimal? Units(string text) => text.Length == 0 ? null : decimal.Parse(text, NumberStyles.Number, CultureInfo.InvariantCulture);

    public static DateTime Deadline() => DateTime.UtcNow.Add(Timeout);
}

/// <summary>A folder of its own for one gateway's database, deleted afterwards.</summary>
internal sealed class ScratchFolder : IDisposable
{
    public string Path { get; } = Directory.CreateTempSubdirectory("pumpgw-clinical-").FullName;

    public void Dispose() => Directory.Delete(Path, recursive: true);
}
