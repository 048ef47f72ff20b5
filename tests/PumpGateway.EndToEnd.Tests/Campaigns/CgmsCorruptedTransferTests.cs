using System.Globalization;
using PumpGateway.Devices.Cgms;
using PumpGateway.Fakes.Cgms;
using PumpGateway.Fakes.Scenario;
using Xunit.Abstractions;
using Proto = PumpGateway.Api.V1;

namespace PumpGateway.EndToEnd.Tests.Campaigns;

/// <summary>
/// What the campaign's random corruption can hit by chance, made certain: notifications of the
/// first record transfer arrive with bytes corrupted (their E2E-CRC fails), later transfers are
/// clean. A rejected measurement must be asked for again, never skipped by the cursor.
/// </summary>
public sealed class CgmsCorruptedTransferTests(ITestOutputHelper output)
{
    [Fact]
    public async Task Measurements_rejected_for_their_crc_in_the_middle_of_a_transfer_are_read_again_and_none_is_lost()
    {
        await using var bench = await BluetoothBench.StartAsync();
        var end = DateTime.SpecifyKind(DateTime.UtcNow.AddHours(-1), DateTimeKind.Unspecified);
        var scenario = new GlucoseScenario(new GlucoseScenarioOptions { Seed = 61, Start = end.AddHours(-12), Duration = TimeSpan.FromHours(12) });
        await using var sensor = await CgmsSensorEmulator.StartAsync(bench.Bus.Address, scenario, new CgmsSensorOptions { LocalName = "CGM corrupted", RecordsPerNotification = 2 }).WaitAsync(TestGateway.Timeout);
        var link = await bench.Loopback.WaitForDeviceAsync("CGM corrupted", TestGateway.Timeout);
        link.Faults.Seed(61);
        link.Faults.CorruptByteProbability = 1.0 / 500;
        await using var gateway = await bench.StartGatewayAsync(pollInterval: "00:00:00.300");
        using var cancel = new CancellationTokenSource(TestGateway.Timeout);

        // The first transfer (every record) goes through the noisy air; then the air is clean and
        // the gateway polls twice more, each transfer resuming from its cursor.
        await WaitAsync(() => Transfers(sensor) >= 2, cancel.Token);
        link.Faults.CorruptByteProbability = 0;
        var corrupted = link.Faults.BytesCorrupted;
        await WaitAsync(() => Transfers(sensor) >= 4, cancel.Token);

        var device = await Campaign.DeviceIdAsync(gateway, CgmsDriver.FamilyName, cancel.Token);
        var readings = (await Campaign.QueryAllAsync(gateway, device, cancel.Token, Proto.TelemetryKind.Glucose))
            .Where(e => e.Glucose.Source == Proto.GlucoseReading.Types.Source.Sensor).ToList();
        var stored = readings.Select(e => e.DeviceTimeRaw).ToHashSet();
        var missing = sensor.Records.Where(r => !stored.Contains(r.TimeOffsetMinutes)).Select(r => r.TimeOffsetMinutes.ToString(CultureInfo.InvariantCulture)).ToList();
        output.WriteLine($"{corrupted} bytes corrupted in the first transfer; {sensor.Records.Count} records, {readings.Count} stored; missing time offsets: {string.Join(' ', missing)}");

        Assert.True(corrupted > 0, "the first transfer was corrupted");
        Assert.Empty(missing);
        Assert.Equal(sensor.Records.Select(r => (long)r.TimeOffsetMinutes), readings.Select(e => e.DeviceTimeRaw).Order());
    }

    private static int Transfers(CgmsSensorEmulator sensor) =>
        sensor.Peripheral.Writes
            .Where(w => w.Characteristic.Characteristic == CgmsUuids.RecordAccessControlPoint)
            .Count(w => CgmRacpCodec.DecodeRequest(w.Value).Procedure == CgmRacpProcedure.ReportStoredRecords);

    private static async Task WaitAsync(Func<bool> done, CancellationToken cancellationToken)
    {
        while (!done())
        {
            await Task.Delay(50, cancellationToken);
        }
    }
}
