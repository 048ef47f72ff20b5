using Google.Protobuf.WellKnownTypes;
using Grpc.Core;
using Microsoft.Extensions.DependencyInjection;
using PumpGateway.Service.DeviceManagement;
using Proto = PumpGateway.Api.V1;

namespace PumpGateway.Service.Tests;

/// <summary>One gateway for every case: a known, undocked receiver with <see cref="Head"/> stored readings.</summary>
public sealed class InvalidRequestGateway : IAsyncLifetime
{
    public const int Head = 10;

    internal InProcessGateway Gateway { get; private set; } = null!;

    public string DeviceId { get; private set; } = "";

    public async Task InitializeAsync()
    {
        Gateway = await InProcessGateway.StartAsync();
        var device = await TestTelemetry.AddDeviceAsync(Gateway.Store, TestTelemetry.Receiver());
        await TestTelemetry.AppendAsync(Gateway.Store, TestTelemetry.Readings(device, 0, Head));
        DeviceId = device.Value;
    }

    public async Task DisposeAsync() => await Gateway.DisposeAsync();
}

/// <summary>
/// Every RPC of DeviceService, TelemetryService, ReportService and DiagnosticsService, with each field a client can
/// get wrong: the call ends with the status that names the mistake and a message that says what is wrong, never
/// UNKNOWN or INTERNAL. RPCs without a field to get wrong are in the table too, answering normally.
/// </summary>
public sealed class InvalidRequestTests(InvalidRequestGateway fixture) : IClassFixture<InvalidRequestGateway>
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);

    private const string Unknown = "dexcom-SM99999999";
    private const string Malformed = "not a device id!";

    private static readonly Timestamp Day1 = Timestamp.FromDateTimeOffset(TestTelemetry.Start);
    private static readonly Timestamp Day2 = Timestamp.FromDateTimeOffset(TestTelemetry.Start.AddDays(1));

    /// <summary>Nanos outside 0..999,999,999: not a timestamp at all (ToDateTimeOffset throws).</summary>
    private static readonly Timestamp NegativeNanos = new() { Seconds = Day1.Seconds, Nanos = -1 };

    /// <summary>10000-01-01T00:00:00Z: past the last instant a Timestamp (and a DateTimeOffset) can hold.</summary>
    private static readonly Timestamp Year10000 = new() { Seconds = 253_402_300_800 };

    /// <summary>0001-01-01T00:00:00Z: a valid Timestamp, but a report's lead-in days before it do not exist.</summary>
    private static readonly Timestamp Year1 = new() { Seconds = -62_135_596_800 };

    /// <summary>9999-12-31: a valid Timestamp, but a report's lead-out day after it does not exist.</summary>
    private static readonly Timestamp LastDay = Timestamp.FromDateTimeOffset(new DateTimeOffset(9999, 12, 31, 0, 0, 0, TimeSpan.Zero));

    private static readonly Dictionary<string, Case> Cases = new Case[]
    {
        // DeviceService
        new("ListDevices takes nothing to get wrong", StatusCode.OK, "", (c, _, t) => c.Devices.ListDevicesAsync(new Proto.ListDevicesRequest(), cancellationToken: t).ResponseAsync),
        new("GetDevice without a device id", StatusCode.InvalidArgument, "device_id is required", (c, _, t) => c.Devices.GetDeviceAsync(new Proto.GetDeviceRequest(), cancellationToken: t).ResponseAsync),
        new("GetDevice with a malformed device id", StatusCode.InvalidArgument, "device_id is not a device id", (c, _, t) => c.Devices.GetDeviceAsync(new Proto.GetDeviceRequest { DeviceId = Malformed }, cancellationToken: t).ResponseAsync),
        new("GetDevice of an unknown device", StatusCode.NotFound, $"No device {Unknown}", (c, _, t) => c.Devices.GetDeviceAsync(new Proto.GetDeviceRequest { DeviceId = Unknown }, cancellationToken: t).ResponseAsync),
        new("WatchDevices takes nothing to get wrong", StatusCode.OK, "", WatchDevicesAsync),
        new("DownloadHistory without a device id", StatusCode.InvalidArgument, "device_id is required", (c, _, t) => FirstAsync(c.Devices.DownloadHistory(new Proto.DownloadHistoryRequest(), cancellationToken: t), t)),
        new("DownloadHistory with a malformed device id", StatusCode.InvalidArgument, "device_id is not a device id", (c, _, t) => FirstAsync(c.Devices.DownloadHistory(new Proto.DownloadHistoryRequest { DeviceId = Malformed }, cancellationToken: t), t)),
        new("DownloadHistory of an unknown device", StatusCode.NotFound, $"No device {Unknown}", (c, _, t) => FirstAsync(c.Devices.DownloadHistory(new Proto.DownloadHistoryRequest { DeviceId = Unknown }, cancellationToken: t), t)),
        new("DownloadHistory of a device not docked", StatusCode.FailedPrecondition, "is not docked", (c, d, t) => FirstAsync(c.Devices.DownloadHistory(new Proto.DownloadHistoryRequest { DeviceId = d }, cancellationToken: t), t)),

        // TelemetryService.Subscribe
        new("Subscribe with a malformed device id", StatusCode.InvalidArgument, "device_id is not a device id", (c, _, t) => FirstAsync(c.Telemetry.Subscribe(new Proto.SubscribeRequest { DeviceId = Malformed }, cancellationToken: t), t)),
        new("Subscribe to an unknown device", StatusCode.NotFound, $"No device {Unknown}", (c, _, t) => FirstAsync(c.Telemetry.Subscribe(new Proto.SubscribeRequest { DeviceId = Unknown }, cancellationToken: t), t)),
        new("Subscribe after a sequence beyond the head", StatusCode.OutOfRange, $"after_sequence {InvalidRequestGateway.Head + 1} is beyond the head sequence {InvalidRequestGateway.Head}", (c, _, t) => FirstAsync(c.Telemetry.Subscribe(new Proto.SubscribeRequest { AfterSequence = InvalidRequestGateway.Head + 1 }, cancellationToken: t), t)),
        new("Subscribe after the largest sequence a uint64 holds", StatusCode.OutOfRange, "is beyond the head sequence", (c, _, t) => FirstAsync(c.Telemetry.Subscribe(new Proto.SubscribeRequest { AfterSequence = ulong.MaxValue }, cancellationToken: t), t)),
        new("Subscribe to an unspecified telemetry kind", StatusCode.InvalidArgument, "not a telemetry kind", (c, _, t) => FirstAsync(c.Telemetry.Subscribe(new Proto.SubscribeRequest { Kinds = { Proto.TelemetryKind.Unspecified } }, cancellationToken: t), t)),
        new("Subscribe to a telemetry kind the proto does not define", StatusCode.InvalidArgument, "not a telemetry kind", (c, _, t) => FirstAsync(c.Telemetry.Subscribe(new Proto.SubscribeRequest { Kinds = { (Proto.TelemetryKind)99 } }, cancellationToken: t), t)),

        // TelemetryService.QueryHistory
        new("QueryHistory without a device id", StatusCode.InvalidArgument, "device_id is required", (c, _, t) => Query(c, new Proto.QueryHistoryRequest(), t)),
        new("QueryHistory with a malformed device id", StatusCode.InvalidArgument, "device_id is not a device id", (c, _, t) => Query(c, new Proto.QueryHistoryRequest { DeviceId = Malformed }, t)),
        new("QueryHistory of an unknown device", StatusCode.NotFound, $"No device {Unknown}", (c, _, t) => Query(c, new Proto.QueryHistoryRequest { DeviceId = Unknown }, t)),
        new("QueryHistory from a time not before its end", StatusCode.InvalidArgument, "must be before", (c, d, t) => Query(c, new Proto.QueryHistoryRequest { DeviceId = d, From = Day2, To = Day1 }, t)),
        new("QueryHistory from an empty period", StatusCode.InvalidArgument, "must be before", (c, d, t) => Query(c, new Proto.QueryHistoryRequest { DeviceId = d, From = Day1, To = Day1 }, t)),
        new("QueryHistory from a timestamp with negative nanos", StatusCode.InvalidArgument, "from is not a valid timestamp", (c, d, t) => Query(c, new Proto.QueryHistoryRequest { DeviceId = d, From = NegativeNanos }, t)),
        new("QueryHistory to a timestamp past year 9999", StatusCode.InvalidArgument, "to is not a valid timestamp", (c, d, t) => Query(c, new Proto.QueryHistoryRequest { DeviceId = d, To = Year10000 }, t)),
        new("QueryHistory from year 1", StatusCode.InvalidArgument, "outside the times the gateway accepts", (c, d, t) => Query(c, new Proto.QueryHistoryRequest { DeviceId = d, From = Year1 }, t)),
        new("QueryHistory with a page size above the maximum", StatusCode.InvalidArgument, "page_size 10001 is above the maximum 10000", (c, d, t) => Query(c, new Proto.QueryHistoryRequest { DeviceId = d, PageSize = 10_001 }, t)),
        new("QueryHistory with the largest page size a uint32 holds", StatusCode.InvalidArgument, "is above the maximum", (c, d, t) => Query(c, new Proto.QueryHistoryRequest { DeviceId = d, PageSize = uint.MaxValue }, t)),
        new("QueryHistory with a page token that is not a number", StatusCode.InvalidArgument, "page_token is not one this server issued", (c, d, t) => Query(c, new Proto.QueryHistoryRequest { DeviceId = d, PageToken = "abc" }, t)),
        new("QueryHistory with a negative page token", StatusCode.InvalidArgument, "page_token is not one this server issued", (c, d, t) => Query(c, new Proto.QueryHistoryRequest { DeviceId = d, PageToken = "-1" }, t)),
        new("QueryHistory with a page token of zero", StatusCode.InvalidArgument, "page_token is not one this server issued", (c, d, t) => Query(c, new Proto.QueryHistoryRequest { DeviceId = d, PageToken = "0" }, t)),
        new("QueryHistory with a page token written with a leading zero", StatusCode.InvalidArgument, "page_token is not one this server issued", (c, d, t) => Query(c, new Proto.QueryHistoryRequest { DeviceId = d, PageToken = "05" }, t)),
        new("QueryHistory with a page token beyond the head", StatusCode.InvalidArgument, "page_token is not one this server issued", (c, d, t) => Query(c, new Proto.QueryHistoryRequest { DeviceId = d, PageToken = "11" }, t)),
        new("QueryHistory with a page token beyond a long", StatusCode.InvalidArgument, "page_token is not one this server issued", (c, d, t) => Query(c, new Proto.QueryHistoryRequest { DeviceId = d, PageToken = "99999999999999999999" }, t)),
        new("QueryHistory of a telemetry kind the proto does not define", StatusCode.InvalidArgument, "not a telemetry kind", (c, d, t) => Query(c, new Proto.QueryHistoryRequest { DeviceId = d, Kinds = { (Proto.TelemetryKind)99 } }, t)),
        new("QueryHistory with a page token issued before, from the middle", StatusCode.OK, "", (c, d, t) => Query(c, new Proto.QueryHistoryRequest { DeviceId = d, PageToken = "5", PageSize = 1 }, t)),

        // ReportService
        new("GetSummary without a device id", StatusCode.InvalidArgument, "device_id is required", (c, _, t) => Summary(c, new Proto.GetSummaryRequest { From = Day1, To = Day2 }, t)),
        new("GetSummary with a malformed device id", StatusCode.InvalidArgument, "device_id is not a device id", (c, _, t) => Summary(c, new Proto.GetSummaryRequest { DeviceId = Malformed, From = Day1, To = Day2 }, t)),
        new("GetSummary of an unknown device", StatusCode.NotFound, $"No device {Unknown}", (c, _, t) => Summary(c, new Proto.GetSummaryRequest { DeviceId = Unknown, From = Day1, To = Day2 }, t)),
        new("GetSummary without a start", StatusCode.InvalidArgument, "from is required", (c, d, t) => Summary(c, new Proto.GetSummaryRequest { DeviceId = d, To = Day2 }, t)),
        new("GetSummary without an end", StatusCode.InvalidArgument, "to is required", (c, d, t) => Summary(c, new Proto.GetSummaryRequest { DeviceId = d, From = Day1 }, t)),
        new("GetSummary from a time not before its end", StatusCode.InvalidArgument, "must be before", (c, d, t) => Summary(c, new Proto.GetSummaryRequest { DeviceId = d, From = Day2, To = Day1 }, t)),
        new("GetSummary over more than 400 days", StatusCode.InvalidArgument, "at most 400 days", (c, d, t) => Summary(c, new Proto.GetSummaryRequest { DeviceId = d, From = Timestamp.FromDateTimeOffset(TestTelemetry.Start.AddDays(-401)), To = Day1 }, t)),
        new("GetSummary from a timestamp with negative nanos", StatusCode.InvalidArgument, "from is not a valid timestamp", (c, d, t) => Summary(c, new Proto.GetSummaryRequest { DeviceId = d, From = NegativeNanos, To = Day2 }, t)),
        new("GetSummary to a timestamp past year 9999", StatusCode.InvalidArgument, "to is not a valid timestamp", (c, d, t) => Summary(c, new Proto.GetSummaryRequest { DeviceId = d, From = Day1, To = Year10000 }, t)),
        new("GetSummary of the first day of year 1", StatusCode.InvalidArgument, "from (0001-01-01T00:00:00.0000000+00:00) is outside the times the gateway accepts", (c, d, t) => Summary(c, new Proto.GetSummaryRequest { DeviceId = d, From = Year1, To = new Timestamp { Seconds = Year1.Seconds + 86_400 } }, t)),
        new("GetSummary of the last day of year 9999", StatusCode.InvalidArgument, "outside the times the gateway accepts", (c, d, t) => Summary(c, new Proto.GetSummaryRequest { DeviceId = d, From = LastDay, To = new Timestamp { Seconds = LastDay.Seconds + 86_399 } }, t)),

        // DiagnosticsService
        new("GetDiagnostics without a device id", StatusCode.InvalidArgument, "device_id is required", (c, _, t) => c.Diagnostics.GetDiagnosticsAsync(new Proto.GetDiagnosticsRequest(), cancellationToken: t).ResponseAsync),
        new("GetDiagnostics with a malformed device id", StatusCode.InvalidArgument, "device_id is not a device id", (c, _, t) => c.Diagnostics.GetDiagnosticsAsync(new Proto.GetDiagnosticsRequest { DeviceId = Malformed }, cancellationToken: t).ResponseAsync),
        new("GetDiagnostics of an unknown device", StatusCode.NotFound, $"No device {Unknown}", (c, _, t) => c.Diagnostics.GetDiagnosticsAsync(new Proto.GetDiagnosticsRequest { DeviceId = Unknown }, cancellationToken: t).ResponseAsync),
        new("WatchAlarms after a sequence beyond the head", StatusCode.OutOfRange, $"after_sequence {InvalidRequestGateway.Head + 1} is beyond the head sequence {InvalidRequestGateway.Head}", (c, _, t) => FirstAsync(c.Diagnostics.WatchAlarms(new Proto.WatchAlarmsRequest { AfterSequence = InvalidRequestGateway.Head + 1 }, cancellationToken: t), t)),
        new("WatchAlarms after the largest sequence a uint64 holds", StatusCode.OutOfRange, "is beyond the head sequence", (c, _, t) => FirstAsync(c.Diagnostics.WatchAlarms(new Proto.WatchAlarmsRequest { AfterSequence = ulong.MaxValue }, cancellationToken: t), t)),
        new("WatchAlarms after the head itself", StatusCode.OK, "", (c, _, t) => FirstAsync(c.Diagnostics.WatchAlarms(new Proto.WatchAlarmsRequest { AfterSequence = InvalidRequestGateway.Head }, cancellationToken: t), t)),
    }.ToDictionary(c => c.Name);

    public static TheoryData<string> CaseNames => [.. Cases.Keys];

    [Theory]
    [MemberData(nameof(CaseNames))]
    public async Task Each_request_gets_the_status_that_names_its_mistake_and_a_message_that_says_what_it_is(string name)
    {
        var @case = Cases[name];
        using var cancel = new CancellationTokenSource(Timeout);
        var call = @case.Call(fixture.Gateway, fixture.DeviceId, cancel.Token);
        if (@case.Expected == StatusCode.OK)
        {
            await call.WaitAsync(cancel.Token);
            return;
        }

        var error = await Assert.ThrowsAsync<RpcException>(() => call.WaitAsync(cancel.Token));
        Assert.Equal(@case.Expected, error.StatusCode);
        Assert.Contains(@case.Message, error.Status.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public void The_table_holds_every_rpc_of_the_four_services()
    {
        var services = new[]
        {
            Proto.DeviceService.Descriptor, Proto.TelemetryService.Descriptor, Proto.ReportService.Descriptor, Proto.DiagnosticsService.Descriptor,
        };
        var tested = Cases.Keys.Select(name => name.Split(' ')[0]).ToHashSet();
        Assert.All(services.SelectMany(s => s.Methods), method => Assert.Contains(method.Name, tested));
    }

    private static Task Query(InProcessGateway c, Proto.QueryHistoryRequest request, CancellationToken cancellationToken) =>
        c.Telemetry.QueryHistoryAsync(request, cancellationToken: cancellationToken).ResponseAsync;

    private static Task Summary(InProcessGateway c, Proto.GetSummaryRequest request, CancellationToken cancellationToken) =>
        c.Reports.GetSummaryAsync(request, cancellationToken: cancellationToken).ResponseAsync;

    /// <summary>A streaming call's first message, or the status it ended with.</summary>
    private static async Task FirstAsync<T>(AsyncServerStreamingCall<T> call, CancellationToken cancellationToken)
    {
        using (call)
        {
            Assert.True(await call.ResponseStream.MoveNext(cancellationToken), "The stream ended without a message or an error.");
        }
    }

    /// <summary>A device event published once the watch is open reaches it.</summary>
    private static async Task WatchDevicesAsync(InProcessGateway c, string device, CancellationToken cancellationToken)
    {
        using var call = c.Devices.WatchDevices(new Proto.WatchDevicesRequest(), cancellationToken: cancellationToken);
        var hub = c.Services.GetRequiredService<DeviceEventHub>();
        var first = call.ResponseStream.MoveNext(cancellationToken);
        while (!first.IsCompleted)
        {
            hub.Publish(new DeviceEvent(TestTelemetry.Start, "serial:/dev/ttyTEST", null, DeviceEventKind.Disconnected) { Reason = "test" });
            await Task.WhenAny(first, Task.Delay(50, cancellationToken));
        }

        Assert.True(await first);
    }

    private sealed record Case(string Name, StatusCode Expected, string Message, Func<InProcessGateway, string, CancellationToken, Task> Call);
}
