using PumpGateway.Fuzz;

namespace PumpGateway.Devices.Tests;

/// <summary>The fuzz targets' seeds and every crash the fuzzer ever found, replayed: each decodes or is rejected with the typed error.</summary>
public sealed class FuzzCorpusTests
{
    private static readonly string Root = Path.Combine(AppContext.BaseDirectory, "fuzz");

    public static TheoryData<string> Targets() => [.. FuzzTargets.All.Select(t => t.Name)];

    [Theory]
    [MemberData(nameof(Targets))]
    public void Every_seed_and_past_finding_of_a_target_decodes_or_fails_with_the_typed_error(string name)
    {
        var target = FuzzTargets.Find(name)!;
        var seeds = Files("corpus", name);
        Assert.NotEmpty(seeds);
        foreach (var file in seeds.Concat(Files("findings", name)))
        {
            var exception = Record.Exception(() => target.Run(File.ReadAllBytes(file)));
            Assert.True(exception is null, $"{name} on {Path.GetFileName(file)}: {exception}");
        }
    }

    [Fact]
    public void The_targets_cover_every_decoder_family_once_each()
    {
        var names = FuzzTargets.All.Select(t => t.Name).ToList();
        Assert.Equal(names.Count, names.Distinct().Count());
        Assert.All(["dexcom-", "ids-", "cgms-", "medtronic-", "carelink-", "paradigm-", "device-information"], prefix => Assert.Contains(names, n => n.StartsWith(prefix, StringComparison.Ordinal)));
    }

    private static string[] Files(string kind, string target)
    {
        var folder = Path.Combine(Root, kind, target);
        return Directory.Exists(folder) ? Directory.GetFiles(folder) : [];
    }
}
