using Google.Protobuf;
using Google.Protobuf.WellKnownTypes;
using Microsoft.Extensions.DependencyInjection;
using PumpGateway.Cli.Commands;
using PumpGateway.Devices;
using PumpGateway.Ports;
using PumpGateway.Service.Hosting;
using PumpGateway.Telemetry;
using Spectre.Console;
using Proto = PumpGateway.Api.V1;

namespace PumpGateway.Cli.Tests;

[Collection("Console")]
public sealed class DiagnoseCommandTests
{
    private static readonly DateTimeOffset Now = new(2026, 11, 25, 12, 0, 0, TimeSpan.Zero);

    [Fact]
    public void The_text_shows_what_a_technician_acts_on()
    {
        var diagnostics = new Proto.Diagnostics
        {
            Device = new Proto.Device
            {
                DeviceId = "ids-1234", Family = "ids", Category = Proto.DeviceCategory.InsulinPump, Model = "IDS", ProductName = "Emulated IDS pump",
                FirmwareVersion = "2.1", TransportEndpoint = "ble:AA:BB", LastSeen = Timestamp.FromDateTimeOffset(Now.AddHours(-3)),
                ClockOffset = Duration.FromTimeSpan(TimeSpan.FromSeconds(-420)),
            },
            Link = new Proto.LinkHealth { Sessions = 3, FailedSessions = 1, Retries = 4, CrcErrors = 2, BytesIn = 150_000, LastSignalStrength = -55 },
            Battery = new Proto.Level { Value = 70, Unit = "%", ReadAt = Timestamp.FromDateTimeOffset(Now.AddHours(-3)), PerDay = -12, ProjectedEmpty = Timestamp.FromDateTimeOffset(Now.AddHours(27)) },
        };
        diagnostics.Device.Cursors.Add(new Proto.DownloadCursor { Stream = "history", Position = 812, Updated = Timestamp.FromDateTimeOffset(Now.AddHours(-3)) });
        diagnostics.OpenAlarms.Add(new Proto.AlarmEpisode
        {
            Kind = Proto.Alarm.Types.Kind.Occlusion, Severity = Proto.Alarm.Types.Severity.Alarm, VendorCode = "ids:0x0F33", Open = true,
            Raised = Timestamp.FromDateTimeOffset(Now.AddHours(-5)), Acknowledged = Timestamp.FromDateTimeOffset(Now.AddHours(-4.5)),
        });
        diagnostics.Findings.Add(new Proto.Finding
        {
            Kind = Proto.Finding.Types.Kind.DeliveryInterrupted, Severity = Proto.Finding.Types.Severity.Significant,
            From = Timestamp.FromDateTimeOffset(Now.AddHours(-5)), To = Timestamp.FromDateTimeOffset(Now.AddHours(-2)), Summary = "No insulin for 3 h: occlusion",
        });

        var text = Render(diagnostics);

        Assert.Contains("Emulated IDS pump (ids, insulin pump)", text, StringComparison.Ordinal);
        Assert.Contains("3 h 0 min ago", text, StringComparison.Ordinal);
        Assert.Contains("-7 min 0 s", text, StringComparison.Ordinal);
        Assert.Contains("history at 812", text, StringComparison.Ordinal);
        Assert.Contains("3 (1 failed)", text, StringComparison.Ordinal);
        Assert.Contains("2 in 150,000 bytes", text, StringComparison.Ordinal);
        Assert.Contains("70 % at 2026-11-25 09:00Z, -12 %/day, empty in about 1 d 3 h", text, StringComparison.Ordinal);
        Assert.Contains("reservoir  not reported", text, StringComparison.Ordinal);
        Assert.Contains("Occlusion", text, StringComparison.Ordinal);
        Assert.Contains("5 h 0 min", text, StringComparison.Ordinal);
        Assert.Contains("significant", text, StringComparison.Ordinal);
        Assert.Contains("No insulin for 3 h: occlusion", text, StringComparison.Ordinal);
    }

    [Fact]
    public void An_alarm_update_line_says_where_its_episode_stands()
    {
        var e = new Proto.TelemetryEvent
        {
            Sequence = 42, DeviceId = "ids-1234", UtcTime = Timestamp.FromDateTimeOffset(Now),
            Alarm = new Proto.Alarm { Kind = Proto.Alarm.Types.Kind.Occlusion, Transition = Proto.Alarm.Types.Transition.Cleared, VendorCode = "ids:0x0F33" },
        };
        var episode = new Proto.AlarmEpisode { Raised = Timestamp.FromDateTimeOffset(Now.AddHours(-5)), Cleared = Timestamp.FromDateTimeOffset(Now), Duration = Duration.FromTimeSpan(TimeSpan.FromHours(5)) };

        Assert.Equal(
            "#42      2026-11-25 12:00:00Z  ids-1234  Occlusion Cleared (ids:0x0F33)  episode raised 2026-11-25 07:00Z: cleared after 5 h 0 min",
            DiagnosticsText.Line(new Proto.AlarmUpdate { Event = e, Episode = episode }));
        Assert.EndsWith("closes nothing stored", DiagnosticsText.Line(new Proto.AlarmUpdate { Event = e }), StringComparison.Ordinal);
        episode.Duration = Duration.FromTimeSpan(TimeSpan.FromSeconds(42));
        Assert.EndsWith("cleared after 42 s", DiagnosticsText.Line(new Proto.AlarmUpdate { Event = e, Episode = episode }), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Diagnose_asks_the_gateway_and_prints_text_or_json_and_an_unknown_device_is_an_error()
    {
        var folder = Directory.CreateTempSubdirectory("pumpgw-cli-").FullName;
        var app = GatewayHost.Build([], new Dictionary<string, string?>
        {
            ["Gateway:Listen"] = "127.0.0.1:0",
            ["Gateway:Storage:SqlitePath"] = Path.Combine(folder, "gateway.db"),
            ["Gateway:Serial:ScanUsb"] = "false",
            ["Gateway:Bluetooth:Enabled"] = "false",
            ["Serilog:MinimumLevel:Default"] = "Warning",
        }, embedded: true);
        await app.StartAsync().WaitAsync(TimeSpan.FromSeconds(30));
        try
        {
            var store = app.Services.GetRequiredService<IEventStore>();
            var identity = new DeviceIdentity("ids", DeviceCategory.InsulinPump, "IDS", "PUMP0042", "Emulated IDS pump", "2.1");
            await store.UpsertDeviceAsync(new DeviceRecord(identity, "ble:AA:BB", Now, Now, null), CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(30));
            var raised = new Alarm
            {
                Id = EventId.For(identity.Id, "alarm", "1"), Device = identity.Id, DeviceTime = DeviceTimestamp.FromClock(Now.UtcDateTime), Utc = Now,
                TimeBasis = TimeBasis.DeviceUtc, AlarmKind = AlarmKind.Occlusion, Severity = AlarmSeverity.Alarm, Transition = AlarmTransition.Raised, VendorCode = "ids:0x0F33",
            };
            await store.AppendAsync([raised], [], CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(30));
            var server = app.GetListenAddress().ToString();

            var (exit, output, error) = await InProcessPumpgw.RunAsync("diagnose", identity.Id.Value, "--server", server);
            Assert.True(exit == 0, error);
            Assert.Contains("Emulated IDS pump (ids, insulin pump)", output, StringComparison.Ordinal);
            Assert.Contains("Occlusion", output, StringComparison.Ordinal);

            (exit, output, _) = await InProcessPumpgw.RunAsync("diagnose", identity.Id.Value, "--server", server, "--json");
            Assert.Equal(0, exit);
            var parsed = JsonParser.Default.Parse<Proto.Diagnostics>(output);
            Assert.Equal(Proto.Alarm.Types.Kind.Occlusion, Assert.Single(parsed.OpenAlarms).Kind);

            (exit, _, error) = await InProcessPumpgw.RunAsync("diagnose", "ids-nobody", "--server", server);
            Assert.Equal(1, exit);
            Assert.Contains("NotFound: No device ids-nobody", error, StringComparison.Ordinal);
        }
        finally
        {
            await app.StopAsync().WaitAsync(TimeSpan.FromSeconds(30));
            await app.DisposeAsync();
            Directory.Delete(folder, recursive: true);
        }
    }

    [Fact]
    public async Task A_server_that_is_not_an_http_address_is_refused_before_any_call()
    {
        var (exit, _, error) = await InProcessPumpgw.RunAsync("diagnose", "ids-1234", "--server", "127.0.0.1:50051");
        Assert.NotEqual(0, exit);
        Assert.Contains("--server must be the gateway's http:// or https:// address", error, StringComparison.Ordinal);
    }

    private static string Render(Proto.Diagnostics diagnostics)
    {
        var writer = new StringWriter();
        var console = AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(writer), ColorSystem = ColorSystemSupport.NoColors, Interactive = InteractionSupport.No });
        console.Profile.Width = 200;
        DiagnosticsText.Write(console, diagnostics, Now);
        return writer.ToString();
    }
}
