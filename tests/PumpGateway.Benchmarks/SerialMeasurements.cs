using System.Diagnostics;
using System.Globalization;
using Microsoft.Extensions.Logging.Abstractions;
using PumpGateway.Devices.Medtronic;
using PumpGateway.Fakes.Medtronic;
using PumpGateway.Fakes.Scenario;
using PumpGateway.Transports.Serial;

namespace PumpGateway.Benchmarks;

/// <summary>
/// End-to-end figure of the serial path with the Paradigm pump: pages per second downloaded
/// through an emulated CareLink stick on a pseudo-terminal, by the gateway (driver, mapping,
/// SQLite with synchronous=FULL, progress over gRPC), against the baseline of the gateway's own
/// CareLink link alone reading the same pages on the same stick in the same run. The emulated
/// pump answers 40 ms after each command and the stick spaces its radio reads 5 ms apart (a real
/// radio is slower), so both figures measure the host side, not the air.
/// </summary>
internal static class SerialMeasurements
{
    private const string Serial = "665455";

    public static async Task<int> RunAsync(string[] args)
    {
        var days = MeasuredGateway.Argument(args, "--pump-days", 60);
        var end = DateTime.UtcNow.AddHours(-3);
        var wearer = new Wearer(new TherapyScenarioOptions
        {
            Seed = 7,
            Start = new DateTime(end.Ticks - (end.Ticks % TimeSpan.TicksPerSecond), DateTimeKind.Unspecified).AddDays(-days),
            Duration = TimeSpan.FromDays(days),
        });
        await using var pump = ParadigmPumpEmulator.FromWearer(wearer, new ParadigmPumpOptions { Serial = Serial });
        await using var stick = CareLinkStickEmulator.Start(pump);
        var pages = pump.HistoryPages.Count + pump.GlucosePages.Count;
        Console.WriteLine($"Serial path: a Paradigm {pump.Model.Number} behind an emulated CareLink stick on a pseudo-terminal ({Environment.ProcessorCount} cores, {DateTime.UtcNow:yyyy-MM-dd})");

        var bare = await BareDownloadAsync(stick.PortPath, pump);
        var folder = Directory.CreateTempSubdirectory("pumpgw-serial-measure-").FullName;
        try
        {
            await using var gateway = await MeasuredGateway.StartAsync(folder, new Dictionary<string, string?>
            {
                ["Gateway:Serial:Ports:0:Path"] = stick.PortPath,
                ["Gateway:Serial:Ports:0:Family"] = MedtronicDriver.FamilyName,
                ["Gateway:Drivers:Medtronic:PumpSerials:0"] = Serial,
            });
            var download = (await gateway.FirstDownloadsAsync(1)).Single();
            var bareRate = pages / bare.TotalSeconds;
            var gatewayRate = download.Units / download.Elapsed.TotalSeconds;
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"Paradigm pump, {days} days: {pump.HistoryPages.Count} history pages and {pump.GlucosePages.Count} glucose pages"));
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  bare CareLink link (baseline): {pages} pages in {bare.TotalMilliseconds:0} ms = {bareRate:0.0} pages per s"));
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  gateway: {download.Units} pages read, {download.Stored} events stored, in {download.Elapsed.TotalMilliseconds:0} ms = {gatewayRate:0.0} pages per s, ratio to the baseline {gatewayRate / bareRate:0.00}"));
            return 0;
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    /// <summary>The gateway's link alone: wake the pump, then every history and glucose page, no decoding, no store.</summary>
    private static async Task<TimeSpan> BareDownloadAsync(string port, ParadigmPumpEmulator pump)
    {
        await using var transport = new SerialTransport(new SerialPortSettings(port), NullLogger<SerialTransport>.Instance);
        await transport.OpenAsync(CancellationToken.None);
        var link = new CareLinkLink(transport, TimeSpan.FromSeconds(2), TimeSpan.FromSeconds(10), 3, NullLogger.Instance);
        using var cancel = new CancellationTokenSource(MeasuredGateway.Timeout);
        var started = Stopwatch.GetTimestamp();
        await link.PumpAsync(ParadigmCommands.PowerControl(Serial, 10), cancel.Token);
        for (var page = 0; page < pump.HistoryPages.Count; page++)
        {
            await link.PumpAsync(ParadigmCommands.ReadHistoryData(Serial, (byte)page), cancel.Token);
        }

        foreach (var page in pump.GlucosePages)
        {
            await link.PumpAsync(ParadigmCommands.ReadGlucoseHistory(Serial, page.Number), cancel.Token);
        }

        return Stopwatch.GetElapsedTime(started);
    }
}
