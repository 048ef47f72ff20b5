using System.Globalization;
using PumpGateway.Devices.Dexcom;
using PumpGateway.Fakes.Dexcom;
using PumpGateway.Fakes.Scenario;
using Xunit.Abstractions;
using Proto = PumpGateway.Api.V1;

namespace PumpGateway.EndToEnd.Tests.Campaigns;

/// <summary>
/// A Dexcom receiver docked again and again on the same port, each download through a noisy
/// line: the link dropped at a random byte, reply bytes corrupted at random, replies stalled past
/// the gateway's timeout and replies repeated. Between downloads the receiver may record new
/// readings. After the campaign the stored history is the receiver's database, once each.
/// </summary>
// The campaigns run one after another: each is heavy, and together they would starve the suite's other process tests.
[Collection("Fault campaigns")]
public sealed class DexcomCampaignTests(ITestOutputHelper output) : IAsyncLifetime
{
    private static readonly TimeSpan DisplayOffset = TimeSpan.FromHours(-5);
    private static readonly DexcomRecordType[] Telemetry =
        [DexcomRecordType.EgvData, DexcomRecordType.MeterData, DexcomRecordType.SensorData, DexcomRecordType.InsertionTime, DexcomRecordType.UserEventData];

    private readonly string _folder = Directory.CreateTempSubdirectory("pumpgw-campaign-").FullName;

    public Task InitializeAsync() => Task.CompletedTask;

    public Task DisposeAsync()
    {
        Directory.Delete(_folder, recursive: true);
        return Task.CompletedTask;
    }

    [Fact]
    public async Task Seeded_downloads_through_drops_corruption_stalls_and_repeated_replies_store_the_receivers_database_exactly_once()
    {
        var downloads = Campaign.Downloads(inTheSuite: 12);
        var seed = Campaign.Seed(family: 1);
        var random = new Random(seed);

        // The history ends far enough back that the readings recorded live between downloads stay in the past.
        var end = DateTime.SpecifyKind(DateTime.UtcNow.AddMinutes(-10 - (downloads * 5 * 3)), DateTimeKind.Unspecified);
        var scenario = new GlucoseScenario(new GlucoseScenarioOptions { Seed = seed, Start = end.AddHours(-12), Duration = TimeSpan.FromHours(12) });
        var database = DexcomReceiverDatabase.FromScenario(scenario, "SM" + (seed % 100_000_000).ToString("D8", CultureInfo.InvariantCulture), DisplayOffset);
        var link = Path.Combine(_folder, "receiver");
        await using var gateway = await TestGateway.StartAsync(_folder, new Dictionary<string, string?>
        {
            ["Gateway:Serial:Ports:0:Path"] = link,
            ["Gateway:Serial:Ports:0:Family"] = "dexcom",
            ["Gateway:Drivers:ResponseTimeout"] = "00:00:00.400",
            ["Gateway:Drivers:Retries"] = "6",
            ["Gateway:Reconnect:MaxDelay"] = "00:00:00.600",

            // The transport reopens a vanished port and the session goes on with the next dock: it downloads at once.
            ["Gateway:Drivers:PollInterval"] = "00:00:00.200",
        });

        var injected = new SortedDictionary<string, long>(StringComparer.Ordinal)
        {
            ["drops"] = 0, ["bytesCorrupted"] = 0, ["stalls"] = 0, ["duplicates"] = 0,
        };
        var live = 0;
        for (var download = 0; download < downloads; download++)
        {
            if (download > 0 && random.Next(2) == 0)
            {
                var fresh = random.Next(1, 4);
                database.AppendSamples(Enumerable.Range(0, fresh).Select(_ => scenario.NextSample()), DisplayOffset);
                live += fresh;
            }

            // The last download is clean: whatever the faulted ones left undone, a good dock finishes.
            var clean = download == downloads - 1;
            await using var receiver = DexcomReceiverEmulator.Start(database, new DexcomEmulatorOptions { FaultSeed = random.Next(), DisplayOffset = DisplayOffset });
            if (!clean)
            {
                receiver.Faults.CorruptByteProbability = 1.0 / random.Next(2_000, 10_000);
                receiver.Faults.StallProbability = 0.01;
                receiver.Faults.StallDuration = TimeSpan.FromMilliseconds(600);
                receiver.Faults.DuplicateReplyProbability = 0.02;
                if (random.Next(2) == 0)
                {
                    // Early in the dock (identify, page ranges, a resumed download's few pages) or anywhere in a whole one.
                    receiver.Faults.DropLinkAfterBytes = random.Next(50, random.Next(2) == 0 ? 4_000 : ReplyBytesOfADownload(database));
                }
            }

            File.CreateSymbolicLink(link, receiver.PortPath);
            using (var cancel = new CancellationTokenSource(Campaign.DownloadTimeout))
            {
                var storedAll = WaitUntilDownloadedAsync(gateway, receiver, Expected(database).Count, cancel.Token);
                var finished = await Task.WhenAny(receiver.Completion, storedAll);
                if (clean)
                {
                    await Campaign.SettleAsync(storedAll);
                }
                else
                {
                    await finished;
                    injected["drops"] += finished == receiver.Completion ? 1 : 0;
                }

                // A dropped dock leaves the wait for its download behind: it stops here, not later.
                await cancel.CancelAsync();
                await Campaign.SettleAsync(storedAll);
            }

            File.Delete(link);
            output.WriteLine($"download {download}: {receiver.Requests.Count} requests, drop after {receiver.Faults.DropLinkAfterBytes?.ToString(CultureInfo.InvariantCulture) ?? "none"}");
            injected["bytesCorrupted"] += receiver.Faults.BytesCorrupted;
            injected["stalls"] += receiver.Faults.RepliesStalled;
            injected["duplicates"] += receiver.Faults.RepliesDuplicated;
        }

        using var final = new CancellationTokenSource(TestGateway.Timeout);
        var deviceId = await Campaign.DeviceIdAsync(gateway, DexcomDriver.FamilyName, final.Token);
        var stored = await Campaign.QueryAllAsync(gateway, deviceId, final.Token);
        var events = stored.Where(e => e.LinkReport is null).ToList();

        var expected = Expected(database);
        Assert.Equal(events.Count, events.Select(e => e.EventId).Distinct().Count());
        Assert.Equal(expected, events.Select(e => (uint)e.DeviceTimeRaw).Order().ToList());
        var egvs = database.Records(DexcomRecordType.EgvData).Cast<EgvRecord>().Select(r => (r.SystemSeconds, (double)r.GlucoseMgDl)).Order().ToList();
        var sensorGlucose = events.Where(e => e.Glucose?.Source == Proto.GlucoseReading.Types.Source.Sensor).Select(e => ((uint)e.DeviceTimeRaw, e.Glucose.MgDl)).Order().ToList();
        Assert.Equal(egvs, sensorGlucose);

        var detected = Campaign.DetectedBy(stored);
        Campaign.Report(output, "dexcom", downloads, seed, live, expected.Count, injected, detected);
        Assert.True(injected["bytesCorrupted"] == 0 || detected.CrcErrors + detected.FramingErrors + detected.Retries + detected.FailedSessions > 0, "corrupted bytes went unnoticed");
    }

    /// <summary>The receiver's clock stamp of every telemetry record it holds, in order: one stored event each.</summary>
    private static List<uint> Expected(DexcomReceiverDatabase database) =>
        [.. Telemetry.SelectMany(t => database.Records(t)).Select(r => r.SystemSeconds).Order()];

    /// <summary>About what a whole download sends: every page once, and the small replies around them.</summary>
    private static int ReplyBytesOfADownload(DexcomReceiverDatabase database) =>
        2_000 + (int)Enum.GetValues<DexcomRecordType>().Sum(t => (long)database.PageRange(t).PageCount * (DexcomPageCodec.PageSize + 6));

    /// <summary>Until the gateway has read this dock's glucose pages and stored everything the receiver holds.</summary>
    private static async Task WaitUntilDownloadedAsync(TestGateway gateway, DexcomReceiverEmulator receiver, int count, CancellationToken cancellationToken)
    {
        while (true)
        {
            if (!receiver.Requests.Any(r => r.Command == DexcomCommand.ReadDatabasePages && r.RecordType == DexcomRecordType.EgvData))
            {
                await Task.Delay(50, cancellationToken);
                continue;
            }

            var devices = await gateway.Devices.ListDevicesAsync(new Proto.ListDevicesRequest(), cancellationToken: cancellationToken);
            if (devices.Devices.SingleOrDefault(d => d.Family == DexcomDriver.FamilyName) is { } device)
            {
                var stored = await Campaign.QueryAllAsync(gateway, device.DeviceId, cancellationToken);
                if (stored.Count(e => e.LinkReport is null) >= count)
                {
                    return;
                }
            }

            await Task.Delay(100, cancellationToken);
        }
    }
}
