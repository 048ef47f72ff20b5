using PumpGateway.Devices.Dexcom;
using PumpGateway.Fakes.Dexcom;
using PumpGateway.Fakes.Scenario;
using PumpGateway.TestSupport;

namespace PumpGateway.Fakes.Tests;

public sealed class DexcomEmulatorTests
{
    private static readonly DateTime Start = new(2026, 11, 1);

    [Fact]
    public void The_same_seed_gives_the_same_wearer_and_a_longer_scenario_extends_a_shorter_one()
    {
        var options = new GlucoseScenarioOptions { Seed = 3, Start = Start, Duration = TimeSpan.FromDays(2) };
        var two = new GlucoseScenario(options).History;
        Assert.Equal(two, new GlucoseScenario(options).History);
        Assert.NotEqual(two, new GlucoseScenario(options with { Seed = 4 }).History);
        var three = new GlucoseScenario(options with { Duration = TimeSpan.FromDays(3) }).History;
        Assert.Equal(two, three.Take(two.Count));
        Assert.Equal(2 * 288, two.Count);
        Assert.All(two, s => Assert.InRange(s.MgDl, 40, 400));
    }

    [Fact]
    public void A_fourteen_day_wearer_has_plausible_glucose()
    {
        var samples = new GlucoseScenario(new GlucoseScenarioOptions { Start = Start, Duration = TimeSpan.FromDays(14) }).History.Select(s => (double)s.MgDl).ToList();
        var mean = samples.Average();
        var cv = Math.Sqrt(samples.Sum(v => (v - mean) * (v - mean)) / samples.Count) / mean;
        var inRange = samples.Count(v => v is >= 70 and <= 180) / (double)samples.Count;
        Assert.InRange(mean, 120, 220);
        Assert.InRange(cv, 0.10, 0.50);
        Assert.InRange(inRange, 0.30, 0.95);
    }

    [Fact]
    public void A_generated_database_pages_its_records_like_a_receiver()
    {
        var scenario = new GlucoseScenario(new GlucoseScenarioOptions { Start = Start, Duration = TimeSpan.FromDays(1) });
        var database = DexcomReceiverDatabase.FromScenario(scenario, "SM00000042", TimeSpan.FromHours(-5), firstPageNumber: 100);
        var range = database.PageRange(DexcomRecordType.EgvData);
        Assert.Equal(new DexcomPageRange(100, 100 + ((288 + 37) / 38) - 1), range);
        var records = Enumerable.Range((int)range.First, (int)range.PageCount)
            .SelectMany(p => DexcomPageCodec.Decode(DexcomPageCodec.Encode(database.Page(DexcomRecordType.EgvData, (uint)p)!)).Records)
            .ToList();
        Assert.Equal(database.Records(DexcomRecordType.EgvData), records);
        Assert.Null(database.Page(DexcomRecordType.EgvData, range.Last + 1));
        Assert.True(DexcomPageRange.Empty == database.PageRange(DexcomRecordType.CalSet));
    }

    [Fact]
    public void Real_pages_are_served_verbatim()
    {
        var page = DexcomPageCodec.Decode(SharedFiles.ReadHexFixture("dexcom", "egv-rev2-page136.hex"));
        var database = DexcomReceiverDatabase.FromPages("SM00000001", [page]);
        Assert.Equal(new DexcomPageRange(136, 136), database.PageRange(DexcomRecordType.EgvData));
        Assert.Equal(SharedFiles.ReadHexFixture("dexcom", "egv-rev2-page136.hex"), DexcomPageCodec.Encode(database.Page(DexcomRecordType.EgvData, 136)!));
    }
}
