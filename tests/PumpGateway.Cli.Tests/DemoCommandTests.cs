namespace PumpGateway.Cli.Tests;

/// <summary><c>pumpgw demo</c> as a user runs it: a child process, stopped by Ctrl-C.</summary>
public sealed class DemoCommandTests
{
    [Fact]
    public async Task The_demo_downloads_all_four_emulated_devices_streams_their_telemetry_and_stops_cleanly_on_ctrl_c()
    {
        await using var demo = PumpgwProcess.Start("demo", "--days", "1", "--listen", "127.0.0.1:0", "--alarm-every", "2s", "--live-interval", "1s");

        var downloaded = new List<string>();
        await demo.ReadLineAsync(line =>
        {
            if (line.StartsWith("downloaded ", StringComparison.Ordinal))
            {
                downloaded.Add(line);
            }

            return line.StartsWith("Streaming new telemetry", StringComparison.Ordinal);
        });
        Assert.Equal(4, downloaded.Count);
        Assert.Equal(2, downloaded.Count(l => l.Contains("(serial:", StringComparison.Ordinal)));
        Assert.Contains(downloaded, l => l.Contains("Paradigm 554", StringComparison.Ordinal));
        Assert.Equal(2, downloaded.Count(l => l.Contains("(ble:", StringComparison.Ordinal)));

        // Live: a pump alarm over Bluetooth and a receiver reading over serial.
        await demo.ReadLineAsync(line => line.Contains(" ids-", StringComparison.Ordinal) && line.Contains("alarm", StringComparison.Ordinal) && line.Contains("Raised", StringComparison.Ordinal));
        await demo.ReadLineAsync(line => line.Contains(" dexcom-", StringComparison.Ordinal) && line.Contains("Sensor glucose", StringComparison.Ordinal));

        Assert.Equal(0, await demo.StopAsync("INT"));
        Assert.DoesNotContain("Exception", demo.Error, StringComparison.Ordinal);
    }
}
