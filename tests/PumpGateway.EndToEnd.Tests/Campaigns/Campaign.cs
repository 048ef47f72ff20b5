using System.Globalization;
using System.Text;
using Grpc.Core;
using Xunit.Abstractions;
using Proto = PumpGateway.Api.V1;

namespace PumpGateway.EndToEnd.Tests.Campaigns;

/// <summary>
/// What every fault campaign shares: its size and seed (short in the suite, long from
/// scripts/campaigns through the environment), reading back what the gateway stored, and the
/// figures: faults injected per kind against what the gateway's link reports detected.
/// </summary>
internal static class Campaign
{
    /// <summary>Set by scripts/campaigns: the number of downloads per family.</summary>
    public const string DownloadsVariable = "PUMPGW_CAMPAIGN_DOWNLOADS";

    /// <summary>Set by scripts/campaigns: the seed every campaign derives its random choices from.</summary>
    public const string SeedVariable = "PUMPGW_CAMPAIGN_SEED";

    /// <summary>Set by scripts/campaigns: a file each campaign appends its figures to, one tab-separated row.</summary>
    public const string FiguresVariable = "PUMPGW_CAMPAIGN_FIGURES";

    /// <summary>True when scripts/campaigns runs the long version: every fault switch on, bugs known or not.</summary>
    public static bool IsLong => Integer(DownloadsVariable) is not null;

    public static int Downloads(int inTheSuite) => Integer(DownloadsVariable) ?? inTheSuite;

    /// <summary>The campaign's seed: the script's, offset per family so that families differ.</summary>
    public static int Seed(int family) => (Integer(SeedVariable) ?? 20261125) + family;

    /// <summary>A download waits at most this long for its end: room for every retry the faults cause.</summary>
    public static TimeSpan DownloadTimeout { get; } = TimeSpan.FromSeconds(90);

    /// <summary>
    /// Waits for the last, clean download; when it does not finish in time the campaign goes on to
    /// its comparison, which says what is missing or extra (more than a timeout would). Also ends
    /// a wait cancelled mid-call, which the gRPC client may report as an aborted request.
    /// </summary>
    public static async Task SettleAsync(Task download)
    {
        try
        {
            await download;
        }
        catch (Exception ex) when (ex is OperationCanceledException or RpcException { StatusCode: StatusCode.Cancelled or StatusCode.DeadlineExceeded or StatusCode.Unavailable })
        {
        }
    }

    /// <summary>Every event the gateway stored for a device, through QueryHistory page by page.</summary>
    public static async Task<List<Proto.TelemetryEvent>> QueryAllAsync(TestGateway gateway, string deviceId, CancellationToken cancellationToken, params Proto.TelemetryKind[] kinds)
    {
        var events = new List<Proto.TelemetryEvent>();
        var token = "";
        do
        {
            var request = new Proto.QueryHistoryRequest { DeviceId = deviceId, PageSize = 10_000, PageToken = token };
            request.Kinds.AddRange(kinds);
            var page = await gateway.Telemetry.QueryHistoryAsync(request, cancellationToken: cancellationToken);
            events.AddRange(page.Events);
            token = page.NextPageToken;
        }
        while (token.Length > 0);

        return events;
    }

    /// <summary>The one device of a family the gateway knows, once it has identified it.</summary>
    public static async Task<string> DeviceIdAsync(TestGateway gateway, string family, CancellationToken cancellationToken)
    {
        while (true)
        {
            var devices = await gateway.Devices.ListDevicesAsync(new Proto.ListDevicesRequest(), cancellationToken: cancellationToken);
            if (devices.Devices.SingleOrDefault(d => d.Family == family) is { } device)
            {
                return device.DeviceId;
            }

            await Task.Delay(50, cancellationToken);
        }
    }

    /// <summary>What the gateway's stored link reports say it detected, summed over the sessions.</summary>
    public static Detected DetectedBy(IEnumerable<Proto.TelemetryEvent> events)
    {
        var reports = events.Where(e => e.LinkReport is not null).Select(e => e.LinkReport).ToList();
        return new Detected(
            Sessions: reports.Count,
            FailedSessions: reports.Count(r => r.EndReason is not ("the session ended" or "the gateway is stopping")),
            CrcErrors: reports.Sum(r => r.CrcErrors),
            FramingErrors: reports.Sum(r => r.FramingErrors),
            Retries: reports.Sum(r => r.Retries),
            Timeouts: reports.Sum(r => r.Timeouts));
    }

    /// <summary>Prints the figures to the test output and, when the script asks, appends them to its file.</summary>
    public static void Report(ITestOutputHelper output, string family, int downloads, int seed, int liveEvents, int expectedEvents, IReadOnlyDictionary<string, long> injected, Detected detected)
    {
        var injectedText = string.Join(" ", injected.Select(p => $"{p.Key}={p.Value}"));
        output.WriteLine($"{family}: {downloads} downloads, seed {seed}, {expectedEvents} events expected ({liveEvents} recorded live between downloads), all stored once");
        output.WriteLine($"  injected: {injectedText}");
        output.WriteLine($"  detected: sessions={detected.Sessions} failed={detected.FailedSessions} crc={detected.CrcErrors} framing={detected.FramingErrors} retries={detected.Retries} timeouts={detected.Timeouts}");
        if (Environment.GetEnvironmentVariable(FiguresVariable) is { Length: > 0 } path)
        {
            var row = new StringBuilder();
            row.AppendJoin('\t', family, downloads, seed, expectedEvents, liveEvents, injectedText.Replace(' ', ','),
                detected.Sessions, detected.FailedSessions, detected.CrcErrors, detected.FramingErrors, detected.Retries, detected.Timeouts);
            File.AppendAllText(path, row.Append('\n').ToString());
        }
    }

    private static int? Integer(string variable) =>
        Environment.GetEnvironmentVariable(variable) is { Length: > 0 } text ? int.Parse(text, CultureInfo.InvariantCulture) : null;
}

/// <summary>The gateway's own count of what went wrong, from its link reports.</summary>
internal sealed record Detected(int Sessions, int FailedSessions, long CrcErrors, long FramingErrors, long Retries, long Timeouts);
