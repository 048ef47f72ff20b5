using System.Globalization;
using PumpGateway.Devices.Cgms;
using PumpGateway.Fakes.Cgms;
using PumpGateway.Fakes.Scenario;
using Xunit.Abstractions;
using Proto = PumpGateway.Api.V1;

namespace PumpGateway.EndToEnd.Tests.Campaigns;

/// <summary>
/// A CGMS sensor on the BlueZ loopback, downloaded again and again (the gateway polls it), each
/// download through a bad air: the link dropped after a random number of notifications,
/// notification bytes corrupted at random, notifications stalled and delivered twice. Between
/// downloads the sensor may record new readings. After the campaign the stored readings are the
/// sensor's records, once each, by time offset and glucose.
/// </summary>
// The campaigns run one after another: each is heavy, and together they would starve the suite's other process tests.
[Collection("Fault campaigns")]
public sealed class CgmsCampaignTests(ITestOutputHelper output)
{
    [Fact]
    public async Task Seeded_downloads_through_drops_corruption_stalls_and_repeated_notifications_store_the_sensors_records_exactly_once()
    {
        var downloads = Campaign.Downloads(inTheSuite: 12);
        var seed = Campaign.Seed(family: 3);
        var random = new Random(seed);
        var name = "CGM campaign " + seed.ToString(CultureInfo.InvariantCulture);

        await using var bench = await BluetoothBench.StartAsync();
        var end = DateTime.SpecifyKind(DateTime.UtcNow.AddHours(1).AddMinutes(-15 * downloads), DateTimeKind.Unspecified);
        var scenario = new GlucoseScenario(new GlucoseScenarioOptions { Seed = seed, Start = end.AddHours(-12), Duration = TimeSpan.FromHours(12) });
        await using var sensor = await CgmsSensorEmulator.StartAsync(bench.Bus.Address, scenario, new CgmsSensorOptions { LocalName = name, RecordsPerNotification = 2 }).WaitAsync(TestGateway.Timeout);
        var link = await bench.Loopback.WaitForDeviceAsync(name, TestGateway.Timeout);
        link.Faults.Seed(random.Next());
        link.Faults.StallDuration = TimeSpan.FromMilliseconds(300);
        await using var gateway = await bench.StartGatewayAsync(pollInterval: "00:00:00.300");

        var live = 0;
        var drops = 0L;
        for (var download = 0; download < downloads; download++)
        {
            if (download > 0 && random.Next(2) == 0)
            {
                var fresh = random.Next(1, 4);
                for (var i = 0; i < fresh; i++)
                {
                    sensor.Record(scenario.NextSample());
                }

                live += fresh;
            }

            var clean = download == downloads - 1;
            // A resumed download moves a few notifications of a few dozen bytes: the air is noisier than a serial line for any fault to land.
            link.Faults.CorruptByteProbability = clean ? 0 : 1.0 / random.Next(100, 1_000);
            link.Faults.DuplicateNotificationProbability = clean ? 0 : 0.1;
            link.Faults.StallProbability = clean ? 0 : 0.05;
            link.Faults.DropLinkAfterNotifications(clean || random.Next(2) == 0 ? 0 : random.Next(1, download == 0 ? sensor.Records.Count / 2 : 4));

            var transfersBefore = Transfers(sensor);
            var dropsBefore = link.Counters.LinksDropped;
            using var cancel = new CancellationTokenSource(Campaign.DownloadTimeout);
            var downloaded = WaitAsync(
                async () => link.Counters.LinksDropped > dropsBefore
                    || (Transfers(sensor) > transfersBefore && await CursorOffsetAsync(gateway, cancel.Token) >= sensor.Records[^1].TimeOffsetMinutes),
                cancel.Token);
            await (clean ? Campaign.SettleAsync(downloaded) : downloaded);
            drops += link.Counters.LinksDropped - dropsBefore;
            output.WriteLine($"download {download}: {Transfers(sensor) - transfersBefore} transfers, {link.Counters.LinksDropped - dropsBefore} drops");
        }

        link.Faults.DropLinkAfterNotifications(0);
        var expected = sensor.Records;
        using var final = new CancellationTokenSource(TestGateway.Timeout);
        var readings = await StoredReadingsAsync(gateway, final.Token);
        var deviceId = readings.Count > 0 ? readings[0].DeviceId : await Campaign.DeviceIdAsync(gateway, CgmsDriver.FamilyName, final.Token);
        var stored = await Campaign.QueryAllAsync(gateway, deviceId, final.Token);

        var injected = new SortedDictionary<string, long>(StringComparer.Ordinal)
        {
            ["drops"] = drops,
            ["bytesCorrupted"] = link.Faults.BytesCorrupted,
            ["stalls"] = link.Faults.NotificationsStalled,
            ["duplicates"] = link.Faults.NotificationsDuplicated,
        };
        Campaign.Report(output, "cgms", downloads, seed, live, expected.Count, injected, Campaign.DetectedBy(stored));

        var storedOffsets = readings.Select(e => e.DeviceTimeRaw).ToHashSet();
        var missing = expected.Where(r => !storedOffsets.Contains(r.TimeOffsetMinutes)).Select(r => r.TimeOffsetMinutes).ToList();
        output.WriteLine($"missing time offsets: {string.Join(' ', missing)}");
        Assert.Empty(missing);
        Assert.Equal(readings.Count, readings.Select(e => e.EventId).Distinct().Count());
        Assert.Equal(
            expected.Select(r => ((long)r.TimeOffsetMinutes, (double)r.GlucoseMgDl.ToDecimal()!.Value)),
            readings.OrderBy(e => e.DeviceTimeRaw).Select(e => (e.DeviceTimeRaw, e.Glucose.MgDl)));
    }

    /// <summary>Record transfers the gateway asked the sensor for: one per download.</summary>
    private static int Transfers(CgmsSensorEmulator sensor) =>
        sensor.Peripheral.Writes
            .Where(w => w.Characteristic.Characteristic == CgmsUuids.RecordAccessControlPoint)
            .Count(w => CgmRacpCodec.DecodeRequest(w.Value).Procedure == CgmRacpProcedure.ReportStoredRecords);

    /// <summary>The time offset of the last record the gateway committed (its cursor's low 16 bits; the session above them).</summary>
    private static async Task<long> CursorOffsetAsync(TestGateway gateway, CancellationToken cancellationToken)
    {
        var devices = await gateway.Devices.ListDevicesAsync(new Proto.ListDevicesRequest(), cancellationToken: cancellationToken);
        return devices.Devices.Where(d => d.Family == CgmsDriver.FamilyName).SelectMany(d => d.Cursors).Where(c => c.Stream == "cgm").Select(c => c.Position & 0xFFFF).DefaultIfEmpty(-1).Max();
    }

    private static async Task<List<Proto.TelemetryEvent>> StoredReadingsAsync(TestGateway gateway, CancellationToken cancellationToken)
    {
        var devices = await gateway.Devices.ListDevicesAsync(new Proto.ListDevicesRequest(), cancellationToken: cancellationToken);
        if (devices.Devices.SingleOrDefault(d => d.Family == CgmsDriver.FamilyName) is not { } device)
        {
            return [];
        }

        return [.. (await Campaign.QueryAllAsync(gateway, device.DeviceId, cancellationToken, Proto.TelemetryKind.Glucose))
            .Where(e => e.Glucose.Source == Proto.GlucoseReading.Types.Source.Sensor)];
    }

    private static async Task WaitAsync(Func<Task<bool>> done, CancellationToken cancellationToken)
    {
        while (!await done())
        {
            await Task.Delay(100, cancellationToken);
        }
    }
}
