using System.Globalization;
using PumpGateway.Devices.Ids;
using PumpGateway.Fakes.Ids;
using PumpGateway.Fakes.Scenario;
using Xunit.Abstractions;
using Proto = PumpGateway.Api.V1;
using Therapy = PumpGateway.Fakes.Scenario;

namespace PumpGateway.EndToEnd.Tests.Campaigns;

/// <summary>
/// An IDS insulin pump on the BlueZ loopback, downloaded again and again (the gateway polls it),
/// each download through a bad air: the link dropped after a random number of notifications,
/// notification bytes corrupted at random, notifications stalled and delivered twice. Between
/// downloads the pump may deliver more therapy. After the campaign the stored history is the
/// scenario's therapy, once each, held to it the way the IDS end-to-end tests hold it.
/// </summary>
// The campaigns run one after another: each is heavy, and together they would starve the suite's other process tests.
[Collection("Fault campaigns")]
public sealed class IdsCampaignTests(ITestOutputHelper output)
{
    [Fact]
    public async Task Seeded_downloads_through_drops_corruption_stalls_and_repeated_notifications_store_the_pumps_history_exactly_once()
    {
        var downloads = Campaign.Downloads(inTheSuite: 8);
        var seed = Campaign.Seed(family: 4);
        var random = new Random(seed);
        var name = "Pump campaign " + seed.ToString(CultureInfo.InvariantCulture);

        await using var bench = await BluetoothBench.StartAsync();
        var now = DateTime.UtcNow.AddMinutes(-20 * downloads);
        var end = new DateTime(now.Ticks - (now.Ticks % TimeSpan.TicksPerSecond), DateTimeKind.Unspecified);
        var scenario = new TherapyScenario(new TherapyScenarioOptions { Seed = seed, Start = end.AddDays(-1), Duration = TimeSpan.FromDays(1), ClockChangesPerMonth = 10 });
        await using var pump = await IdsPumpEmulator.StartAsync(bench.Bus.Address, scenario, new IdsPumpOptions { LocalName = name, SerialNumber = "SN-" + name, TimeScale = 0 }).WaitAsync(TestGateway.Timeout);
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
                live += pump.AdvanceTo(pump.Scenario.Now.AddMinutes(random.Next(10, 30))).Count;
            }

            // A resumed download moves a few notifications of a few dozen bytes: the air is noisier than a serial line for any fault to land.
            var clean = download == downloads - 1;
            link.Faults.CorruptByteProbability = clean ? 0 : 1.0 / random.Next(100, 1_000);
            link.Faults.DuplicateNotificationProbability = clean ? 0 : 0.1;
            link.Faults.StallProbability = clean ? 0 : 0.05;
            link.Faults.DropLinkAfterNotifications(clean || random.Next(2) == 0 ? 0 : random.Next(1, download == 0 ? pump.History.Count / 2 : 6));

            var transfersBefore = Transfers(pump);
            var dropsBefore = link.Counters.LinksDropped;
            var last = pump.History[^1].SequenceNumber;
            using var cancel = new CancellationTokenSource(Campaign.DownloadTimeout);
            var downloaded = WaitAsync(
                async () => link.Counters.LinksDropped > dropsBefore || (Transfers(pump) > transfersBefore && await CursorAsync(gateway, cancel.Token) >= last),
                cancel.Token);
            await (clean ? Campaign.SettleAsync(downloaded) : downloaded);

            drops += link.Counters.LinksDropped - dropsBefore;
            output.WriteLine($"download {download}: {Transfers(pump) - transfersBefore} transfers, {link.Counters.LinksDropped - dropsBefore} drops");
        }

        using var final = new CancellationTokenSource(TestGateway.Timeout);
        var deviceId = await Campaign.DeviceIdAsync(gateway, IdsDriver.FamilyName, final.Token);
        var stored = await Campaign.QueryAllAsync(gateway, deviceId, final.Token);
        var history = FromHistory(stored).ToList();
        var injected = new SortedDictionary<string, long>(StringComparer.Ordinal)
        {
            ["drops"] = drops,
            ["bytesCorrupted"] = link.Faults.BytesCorrupted,
            ["stalls"] = link.Faults.NotificationsStalled,
            ["duplicates"] = link.Faults.NotificationsDuplicated,
        };
        Campaign.Report(output, "ids", downloads, seed, live, pump.History.Count, injected, Campaign.DetectedBy(stored));

        foreach (var e in history.Where(e => e.PumpMaintenance is not null || e.DeliveryState is not null))
        {
            output.WriteLine($"stored {e.EventId} seq {e.Sequence} device time {e.DeviceTime} raw {e.DeviceTimeRaw} {e.PumpMaintenance?.Action.ToString() ?? e.DeliveryState.ToString()}");
        }

        foreach (var entry in pump.HistoryEntries.Where(h => h.Source is ClockChanged or DeliverySuspended or DeliveryResumed))
        {
            output.WriteLine($"pump #{entry.Event.SequenceNumber}: {entry.Event.GetType().Name} from {entry.Source}");
        }

        AssertMatches(pump, history);
    }

    /// <summary>Record transfers the gateway asked the pump for: one per download.</summary>
    private static int Transfers(IdsPumpEmulator pump) =>
        pump.Peripheral.Writes
            .Where(w => w.Characteristic.Characteristic == IdsUuids.RecordAccessControlPoint)
            .Count(w => IdsRacpCodec.DecodeRequest(w.Value, IdsDialect.SpecificationWithE2e).OpCode == IdsRacpOpCode.ReportStoredRecords);

    private static async Task<long> CursorAsync(TestGateway gateway, CancellationToken cancellationToken)
    {
        var devices = await gateway.Devices.ListDevicesAsync(new Proto.ListDevicesRequest(), cancellationToken: cancellationToken);
        return devices.Devices.Where(d => d.Family == IdsDriver.FamilyName).SelectMany(d => d.Cursors).Where(c => c.Stream == "history").Select(c => c.Position).DefaultIfEmpty(-1).Max();
    }

    private static async Task WaitAsync(Func<Task<bool>> done, CancellationToken cancellationToken)
    {
        while (!await done())
        {
            await Task.Delay(100, cancellationToken);
        }
    }

    private static void AssertMatches(IdsPumpEmulator pump, List<Proto.TelemetryEvent> stored)
    {
        Assert.Equal(stored.Count, stored.Select(e => e.EventId).Distinct().Count());
        var events = pump.HistoryEntries.Select(e => e.Source).OfType<TherapyEvent>().Distinct().ToList();
        var expected = new Counts(
            Boluses: events.OfType<BolusDelivered>().Count(),
            TemporaryBasals: events.Count(e => e is TemporaryBasalStarted or TemporaryBasalChanged or TemporaryBasalEnded),
            Suspensions: events.Count(e => e is DeliverySuspended or DeliveryResumed),
            Alarms: events.OfType<AlarmChanged>().Count(),
            DailyTotals: events.OfType<DailyTotal>().Count(),
            ClockSets: events.Count(e => e is ClockChanged));
        var actual = new Counts(
            stored.Count(e => e.Bolus is not null),
            stored.Count(e => e.TemporaryBasal is not null && e.TemporaryBasal.Phase != Proto.TemporaryBasal.Types.Phase.DeliveredRateChanged),
            stored.Count(e => e.DeliveryState is not null),
            stored.Count(e => e.Alarm is not null),
            stored.Count(e => e.DailyInsulinTotal is not null),
            stored.Count(e => e.PumpMaintenance?.Action == Proto.PumpMaintenance.Types.Action.ClockSet));
        Assert.Equal(expected, actual);

        // Every change of the delivered basal rate once.
        Assert.Equal(
            pump.History.OfType<IdsDeliveredBasalRateChangedEvent>().Count(),
            stored.Count(e => e.ScheduledBasal is not null || e.TemporaryBasal?.Phase == Proto.TemporaryBasal.Types.Phase.DeliveredRateChanged));

        // Each bolus with the amount the pump sent, in order.
        var delivered = pump.History.OfType<IdsBolusDeliveredPart1Event>().ToList();
        var boluses = stored.Where(e => e.Bolus is not null).OrderBy(e => e.DeviceTimeRaw).ToList();
        Assert.Equal(delivered.Select(d => d.FastAmount.ToDecimal()), boluses.Select(b => (decimal?)decimal.Parse(b.Bolus.DeliveredUnits, CultureInfo.InvariantCulture)));
        Assert.Equal(
            pump.HistoryEntries.Select(e => e.Source).OfType<BolusDelivered>().Distinct().Select(b => b.Type switch
            {
                Telemetry.BolusType.Square => Proto.Bolus.Types.Type.Square,
                Telemetry.BolusType.DualWave => Proto.Bolus.Types.Type.DualWave,
                _ => Proto.Bolus.Types.Type.Normal,
            }),
            boluses.Select(b => b.Bolus.Type));
    }

    /// <summary>The events made from the pump's history (not its live status reads, nor the link reports).</summary>
    private static IEnumerable<Proto.TelemetryEvent> FromHistory(IEnumerable<Proto.TelemetryEvent> events) =>
        events.Where(e => e.TimeBasis == Proto.TimeBasis.DeviceUtc
            && (e.Bolus is not null || e.ScheduledBasal is not null || e.TemporaryBasal is not null || e.DeliveryState is not null || e.Alarm is not null || e.DailyInsulinTotal is not null
                || e.PumpMaintenance?.Action == Proto.PumpMaintenance.Types.Action.ClockSet));

    private sealed record Counts(int Boluses, int TemporaryBasals, int Suspensions, int Alarms, int DailyTotals, int ClockSets);
}
