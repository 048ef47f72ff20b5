namespace PumpGateway.TestSupport;

/// <summary>
/// Finds the project's shared/ folder (protocol notes and real device fixtures) by walking up
/// from the test's folder: CI clones the repository beside shared/, developers have it above.
/// </summary>
public static class SharedFiles
{
    private static readonly Lazy<string> Root = new(FindRoot);

    public static string RootPath => Root.Value;

    public static string Fixture(params string[] relative) => Path.Combine([Root.Value, "fixtures", .. relative]);

    public static byte[] ReadHexFixture(params string[] relative) => Hex.Parse(File.ReadAllText(Fixture(relative)));

    private static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            var candidate = Path.Combine(dir.FullName, "shared");
            if (File.Exists(Path.Combine(candidate, "ARCHITECTURE.md")))
            {
                return candidate;
            }
        }

        throw new DirectoryNotFoundException(
            $"No shared/ folder (with ARCHITECTURE.md) above {AppContext.BaseDirectory}: clone the repository beside shared/.");
    }
}
