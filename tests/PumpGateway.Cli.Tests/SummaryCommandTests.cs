using System.Globalization;
using Google.Protobuf;
using Google.Protobuf.WellKnownTypes;
using Grpc.Core;
using PumpGateway.Cli.Commands;
using PumpGateway.Cli.Commands.Report;
using Spectre.Console;
using Proto = PumpGateway.Api.V1;

namespace PumpGateway.Cli.Tests;

/// <summary><c>pumpgw summary</c>: its options, and what it asks of and does with a gateway (a stand-in here).</summary>
[Collection("Console")]
public sealed class SummaryCommandTests
{
    private static readonly DateTimeOffset Now = new(2026, 11, 15, 9, 30, 0, TimeSpan.Zero);

    [Fact]
    public void Without_from_and_to_the_period_is_the_last_fourteen_days_up_to_now()
    {
        Assert.True(SummaryPeriod.TryParse(null, null, Now, out var period, out _));
        Assert.Equal(new SummaryPeriod(Now.AddDays(-14), Now), period);
    }

    [Theory]
    [InlineData("2026-11-01", "2026-11-01T00:00:00+00:00")]
    [InlineData("2026-11-01T08:00Z", "2026-11-01T08:00:00+00:00")]
    [InlineData("2026-11-01T08:00", "2026-11-01T08:00:00+00:00")]
    [InlineData("2026-11-01T08:00:30+01:00", "2026-11-01T07:00:30+00:00")]
    [InlineData("2026-11-01T08:00:30.5-0500", "2026-11-01T13:00:30.5+00:00")]
    public void A_time_is_a_date_at_utc_midnight_or_an_iso_timestamp_utc_without_an_offset(string text, string expected)
    {
        Assert.True(SummaryPeriod.TryParseTime(text, out var time));
        Assert.Equal(DateTimeOffset.Parse(expected, CultureInfo.InvariantCulture), time);
        Assert.Equal(TimeSpan.Zero, time.Offset);
    }

    [Theory]
    [InlineData("11/01/2026")]
    [InlineData("2026-13-01")]
    [InlineData("yesterday")]
    [InlineData("2026-11-01 08:00")]
    [InlineData("")]
    public void Anything_else_is_not_a_time(string text) =>
        Assert.False(SummaryPeriod.TryParseTime(text, out _));

    [Fact]
    public void From_alone_runs_to_now_and_to_alone_covers_the_fourteen_days_before_it()
    {
        Assert.True(SummaryPeriod.TryParse("2026-11-10", null, Now, out var fromOnly, out _));
        Assert.Equal(new SummaryPeriod(new DateTimeOffset(2026, 11, 10, 0, 0, 0, TimeSpan.Zero), Now), fromOnly);

        Assert.True(SummaryPeriod.TryParse(null, "2026-11-15", Now, out var toOnly, out _));
        Assert.Equal(new SummaryPeriod(new DateTimeOffset(2026, 11, 1, 0, 0, 0, TimeSpan.Zero), new DateTimeOffset(2026, 11, 15, 0, 0, 0, TimeSpan.Zero)), toOnly);
    }

    [Theory]
    [InlineData("2026-11-15", "2026-11-01", "is not before")]
    [InlineData("2026-11-01", "2026-11-01", "is not before")]
    [InlineData("1 Nov", null, "--from: '1 Nov'")]
    [InlineData(null, "soon", "--to: 'soon'")]
    public void A_wrong_period_is_refused_with_the_reason(string? from, string? to, string reason)
    {
        Assert.Null(SummaryCommand.Read("pump-1", from, to, null, json: false, Now, out var problem));
        Assert.Contains(reason, problem, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_unknown_report_extension_is_refused_with_exit_code_2_before_the_gateway_is_called()
    {
        // Nothing listens on port 1: reaching the gateway would give exit 1 and an Unavailable message.
        var (exit, output, error) = await InProcessPumpgw.RunAsync("summary", "pump-1", "--report", "review.pdf", "--server", "http://127.0.0.1:1");

        Assert.Equal(2, exit);
        Assert.Empty(output);
        Assert.Contains("--report: 'review.pdf' must end in .svg or .png", error, StringComparison.Ordinal);
        Assert.False(File.Exists("review.pdf"));
    }

    [Fact]
    public async Task A_wrong_period_on_the_command_line_is_exit_code_2()
    {
        var (exit, _, error) = await InProcessPumpgw.RunAsync("summary", "pump-1", "--from", "2026-11-15", "--to", "2026-11-01", "--server", "http://127.0.0.1:1");

        Assert.Equal(2, exit);
        Assert.Contains("the period is empty", error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task It_asks_for_the_period_and_prints_the_tables()
    {
        var reports = new StandInReports(SampleSummary.Summary());
        var (exit, console, output, error) = await RunAsync(Options(report: null, json: false), reports, new StandInTelemetry([]));

        Assert.Equal(0, exit);
        Assert.Empty(error);
        Assert.Empty(output);
        var request = Assert.Single(reports.Requests);
        Assert.Equal("pump-1", request.DeviceId);
        Assert.Equal(SampleSummary.Start, request.From.ToDateTimeOffset());
        Assert.Equal(SampleSummary.Start.AddDays(3), request.To.ToDateTimeOffset());
        Assert.Contains("Time in range 70–180", console, StringComparison.Ordinal);
    }

    [Fact]
    public async Task With_json_it_prints_the_summary_in_its_wire_form()
    {
        var (exit, console, output, _) = await RunAsync(Options(report: null, json: true), new StandInReports(SampleSummary.Summary()), new StandInTelemetry([]));

        Assert.Equal(0, exit);
        Assert.Empty(console);
        Assert.Equal(SampleSummary.Summary(), JsonParser.Default.Parse<Proto.Summary>(output));
    }

    [Fact]
    public async Task The_report_reads_every_page_of_the_trace_events_and_writes_the_page()
    {
        var folder = Directory.CreateTempSubdirectory("pumpgw-summary-").FullName;
        try
        {
            var path = Path.Combine(folder, "review.svg");
            var telemetry = new StandInTelemetry(SampleSummary.Events(), pageSize: 400);

            var (exit, console, _, error) = await RunAsync(Options(new ReportTarget(path, ReportFormat.Svg), json: false), new StandInReports(SampleSummary.Summary()), telemetry);

            Assert.Equal(0, exit);
            Assert.Empty(error);
            Assert.Contains($"report written to {path}", console, StringComparison.Ordinal);
            Assert.True(telemetry.Requests.Count > 2);
            var first = telemetry.Requests[0];
            Assert.Equal("pump-1", first.DeviceId);
            Assert.Equal(DayTrace.Kinds, first.Kinds);
            Assert.Equal(SampleSummary.Start.AddDays(-1), first.From.ToDateTimeOffset());
            Assert.Equal(SampleSummary.Start.AddDays(3), first.To.ToDateTimeOffset());
            Assert.Equal(telemetry.Requests.Skip(1).Select(r => r.PageToken), telemetry.TokensGiven);

            // The page drew the events of the last page too: the third day's occlusion is in it.
            var svg = await File.ReadAllTextAsync(path);
            Assert.StartsWith("<?xml", svg, StringComparison.Ordinal);
            Assert.Contains("Wed 2026-11-04", svg, StringComparison.Ordinal);
            Assert.Contains(">occlusion<", svg.Replace("\n", "", StringComparison.Ordinal).Replace("\t", "", StringComparison.Ordinal), StringComparison.Ordinal);
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    [Fact]
    public async Task For_a_pump_whose_glucose_is_its_wearers_cgm_the_traces_read_the_glucose_of_the_device_the_summary_names()
    {
        var pumpEvents = SampleSummary.Events().Where(e => e.Kind != Proto.TelemetryKind.Glucose).ToList();
        var cgmEvents = SampleSummary.Events().Where(e => e.Kind == Proto.TelemetryKind.Glucose).Select(e => new Proto.TelemetryEvent(e) { DeviceId = "cgms-1" }).ToList();
        var path = Path.Combine(Path.GetTempPath(), $"pumpgw-summary-{Guid.NewGuid():N}.svg");
        try
        {
            var telemetry = new StandInTelemetry([.. pumpEvents, .. cgmEvents], pageSize: 400);
            var summary = SampleSummary.Summary();
            summary.GlucoseDeviceIds.Add("cgms-1");
            var (exit, _, _, error) = await RunAsync(Options(new ReportTarget(path, ReportFormat.Svg), json: false), new StandInReports(summary), telemetry);

            Assert.Equal(0, exit);
            Assert.Empty(error);
            var cgmRequest = Assert.Single(telemetry.Requests, r => r.DeviceId == "cgms-1" && r.PageToken.Length == 0);
            Assert.Equal([Proto.TelemetryKind.Glucose], cgmRequest.Kinds);
            Assert.Equal(SampleSummary.Start.AddDays(-1), cgmRequest.From.ToDateTimeOffset());
            Assert.DoesNotContain("no glucose readings", await File.ReadAllTextAsync(path), StringComparison.Ordinal);

            // A summary that names no other device: only the pump's own events, which hold no glucose here.
            telemetry.Requests.Clear();
            (exit, _, _, _) = await RunAsync(Options(new ReportTarget(path, ReportFormat.Svg), json: false), new StandInReports(SampleSummary.Summary()), telemetry);
            Assert.Equal(0, exit);
            Assert.DoesNotContain(telemetry.Requests, r => r.DeviceId == "cgms-1");
            Assert.Contains("no glucose readings", await File.ReadAllTextAsync(path), StringComparison.Ordinal);
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public async Task A_gateway_that_fails_gives_exit_code_1_and_a_readable_message()
    {
        var reports = new StandInReports(new RpcException(new Grpc.Core.Status(StatusCode.Unimplemented, "GetSummary")));

        var (exit, console, output, error) = await RunAsync(Options(report: null, json: false), reports, new StandInTelemetry([]));

        Assert.Equal(1, exit);
        Assert.Empty(console);
        Assert.Empty(output);
        Assert.Equal("pumpgw: Unimplemented: GetSummary This gateway does not serve that call yet.", error.Trim());
    }

    [Fact]
    public async Task A_page_token_handed_out_twice_stops_the_paging_with_an_error()
    {
        var telemetry = new StandInTelemetry(SampleSummary.Events(), pageSize: 400, repeatToken: true);
        var path = Path.Combine(Path.GetTempPath(), $"pumpgw-never-{Guid.NewGuid():N}.png");

        var (exit, _, _, error) = await RunAsync(Options(new ReportTarget(path, ReportFormat.Png), json: false), new StandInReports(SampleSummary.Summary()), telemetry);

        Assert.Equal(1, exit);
        Assert.Contains("twice", error, StringComparison.Ordinal);
        Assert.False(File.Exists(path));
    }

    private static SummaryOptions Options(ReportTarget? report, bool json) =>
        new("pump-1", new SummaryPeriod(SampleSummary.Start, SampleSummary.Start.AddDays(3)), report, json);

    private static async Task<(int Exit, string Console, string Output, string Error)> RunAsync(SummaryOptions options, StandInReports reports, StandInTelemetry telemetry)
    {
        var (console, output, error) = (new StringWriter(), new StringWriter(), new StringWriter());
        var ansi = AnsiConsole.Create(new AnsiConsoleSettings
        {
            Ansi = AnsiSupport.No,
            ColorSystem = ColorSystemSupport.NoColors,
            Out = new AnsiConsoleOutput(console),
            Interactive = InteractionSupport.No,
        });
        ansi.Profile.Width = 220;
        var exit = await SummaryCommand.RunAsync(options, reports, telemetry, ansi, output, error, CancellationToken.None);
        return (exit, console.ToString(), output.ToString(), error.ToString());
    }

    private static AsyncUnaryCall<T> Answer<T>(Task<T> response) =>
        new(response, Task.FromResult(new Metadata()), () => Grpc.Core.Status.DefaultSuccess, () => [], () => { });

    /// <summary>ReportService answering GetSummary with one summary (or failing), and keeping the requests.</summary>
    private sealed class StandInReports : Proto.ReportService.ReportServiceClient
    {
        private readonly Task<Proto.Summary> _answer;

        public StandInReports(Proto.Summary summary) => _answer = Task.FromResult(summary);

        public StandInReports(RpcException failure) => _answer = Task.FromException<Proto.Summary>(failure);

        public List<Proto.GetSummaryRequest> Requests { get; } = [];

        public override AsyncUnaryCall<Proto.Summary> GetSummaryAsync(Proto.GetSummaryRequest request, CallOptions options)
        {
            Requests.Add(request.Clone());
            return Answer(_answer);
        }
    }

    /// <summary>TelemetryService serving the events of the requested device, range and kinds in pages, as the gateway does.</summary>
    private sealed class StandInTelemetry(IReadOnlyList<Proto.TelemetryEvent> events, int pageSize = 1000, bool repeatToken = false) : Proto.TelemetryService.TelemetryServiceClient
    {
        public List<Proto.QueryHistoryRequest> Requests { get; } = [];

        public List<string> TokensGiven { get; } = [];

        public override AsyncUnaryCall<Proto.QueryHistoryResponse> QueryHistoryAsync(Proto.QueryHistoryRequest request, CallOptions options)
        {
            Requests.Add(request.Clone());
            var matching = events
                .Where(e => e.DeviceId == request.DeviceId && request.Kinds.Contains(e.Kind))
                .Where(e => request.From is null || e.UtcTime.ToDateTimeOffset() >= request.From.ToDateTimeOffset())
                .Where(e => request.To is null || e.UtcTime.ToDateTimeOffset() < request.To.ToDateTimeOffset())
                .OrderBy(e => e.Sequence)
                .ToList();
            var skip = request.PageToken.Length == 0 ? 0 : int.Parse(request.PageToken, CultureInfo.InvariantCulture);
            var response = new Proto.QueryHistoryResponse();
            response.Events.AddRange(matching.Skip(skip).Take(pageSize));
            if (skip + pageSize < matching.Count)
            {
                response.NextPageToken = repeatToken ? pageSize.ToString(CultureInfo.InvariantCulture) : (skip + pageSize).ToString(CultureInfo.InvariantCulture);
                TokensGiven.Add(response.NextPageToken);
            }

            return Answer(Task.FromResult(response));
        }
    }
}
