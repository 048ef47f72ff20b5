using System.Globalization;
using Xunit.Abstractions;

namespace PumpGateway.EndToEnd.Tests.CrashSafety;

/// <summary>
/// The gateway killed with SIGKILL while it downloads, commits and streams, restarted on the same
/// database each time. The short campaign runs here; scripts/crash-campaign runs the long one by
/// setting PUMPGW_CRASH_KILLS (and PUMPGW_CRASH_SEED, PUMPGW_CRASH_REPORT for its figures).
/// </summary>
public sealed class CrashSafetyTests(ITestOutputHelper output)
{
    private const int ShortCampaignKills = 5;

    [Fact]
    public async Task A_gateway_killed_while_downloading_committing_and_streaming_keeps_every_event_it_sent_once_and_a_resuming_subscriber_misses_nothing()
    {
        var kills = Setting("PUMPGW_CRASH_KILLS", ShortCampaignKills);
        var seed = Setting("PUMPGW_CRASH_SEED", 6);
        var folder = Directory.CreateTempSubdirectory("pumpgw-crash-");
        try
        {
            var figures = await new CrashCampaign(kills, seed, Path.Combine(folder.FullName, "gateway.db")).RunAsync();
            output.WriteLine(figures.ToString());
            if (Environment.GetEnvironmentVariable("PUMPGW_CRASH_REPORT") is { Length: > 0 } report)
            {
                await File.WriteAllTextAsync(report, figures.ToString());
            }

            Assert.Empty(figures.Violations);
            Assert.Equal(kills, figures.Kills);
            Assert.All(Enum.GetValues<KillPoint>(), point => Assert.True(figures.KillsAt(point) > 0 || kills < 3, $"no kill aimed at {point}"));

            // The subscriber got events across restarts and the checks compared them all.
            Assert.True(figures.EventsReceived > 0, "the subscriber received nothing");
            Assert.True(figures.EventsReceived >= figures.StoredAtLastKill, $"the subscriber got {figures.EventsReceived} events of the {figures.StoredAtLastKill} stored");
            Assert.True(figures.EventsChecked >= figures.EventsReceived, $"only {figures.EventsChecked} stored events were compared");
        }
        finally
        {
            folder.Delete(recursive: true);
        }
    }

    private static int Setting(string name, int fallback) =>
        int.TryParse(Environment.GetEnvironmentVariable(name), NumberStyles.None, CultureInfo.InvariantCulture, out var value) && value > 0 ? value : fallback;
}
