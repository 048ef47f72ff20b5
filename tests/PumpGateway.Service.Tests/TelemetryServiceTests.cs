using Google.Protobuf.WellKnownTypes;
using Grpc.Core;
using PumpGateway.Devices;
using Proto = PumpGateway.Api.V1;

namespace PumpGateway.Service.Tests;

public sealed class TelemetryServiceTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task Subscribe_from_zero_gets_stored_then_live_events_in_order_once()
    {
        await using var gateway = await InProcessGateway.StartAsync();
        var device = await TestTelemetry.AddDeviceAsync(gateway.Store, TestTelemetry.Receiver());
        await TestTelemetry.AppendAsync(gateway.Store, TestTelemetry.Readings(device, 0, 250));

        using var cancel = new CancellationTokenSource(Timeout);
        using var call = gateway.Telemetry.Subscribe(new Proto.SubscribeRequest { AfterSequence = 0 }, cancellationToken: cancel.Token);
        var received = await ReadEventsAsync(call, 100, cancel.Token);

        // Live events appended while the subscriber is still catching up.
        await TestTelemetry.AppendAsync(gateway.Store, TestTelemetry.Readings(device, 250, 50));
        received.AddRange(await ReadEventsAsync(call, 200, cancel.Token));

        Assert.Equal(Enumerable.Range(1, 300).Select(i => (ulong)i), received.Select(e => e.Sequence));
        Assert.Equal(Enumerable.Range(0, 300).Select(i => $"{device}/egv/{i}"), received.Select(e => e.EventId));
        Assert.All(received, e => Assert.Equal(Proto.TelemetryEvent.DetailOneofCase.Glucose, e.DetailCase));
    }

    [Fact]
    public async Task Subscribe_from_the_middle_gets_exactly_the_rest()
    {
        await using var gateway = await InProcessGateway.StartAsync();
        var device = await TestTelemetry.AddDeviceAsync(gateway.Store, TestTelemetry.Receiver());
        await TestTelemetry.AppendAsync(gateway.Store, TestTelemetry.Readings(device, 0, 40));

        using var cancel = new CancellationTokenSource(Timeout);
        using var call = gateway.Telemetry.Subscribe(new Proto.SubscribeRequest { AfterSequence = 25 }, cancellationToken: cancel.Token);
        var received = await ReadEventsAsync(call, 15, cancel.Token);
        Assert.Equal(Enumerable.Range(26, 15).Select(i => (ulong)i), received.Select(e => e.Sequence));

        var next = await ReadNextAsync(call, cancel.Token);
        Assert.Equal(Proto.SubscribeResponse.PayloadOneofCase.Heartbeat, next.PayloadCase);
        Assert.Equal(40UL, next.Heartbeat.HeadSequence);
    }

    [Fact]
    public async Task A_subscriber_that_stops_reading_loses_nothing_and_does_not_hold_up_another()
    {
        await using var gateway = await InProcessGateway.StartAsync(new Dictionary<string, string?> { ["Gateway:Streaming:SubscriberQueueCapacity"] = "16" });
        var device = await TestTelemetry.AddDeviceAsync(gateway.Store, TestTelemetry.Receiver());

        using var cancel = new CancellationTokenSource(Timeout);
        using var slow = gateway.Telemetry.Subscribe(new Proto.SubscribeRequest(), cancellationToken: cancel.Token);
        using var fast = gateway.Telemetry.Subscribe(new Proto.SubscribeRequest(), cancellationToken: cancel.Token);

        // Both are live (a heartbeat proves the server side has subscribed) before anything is appended.
        Assert.Equal(Proto.SubscribeResponse.PayloadOneofCase.Heartbeat, (await ReadNextAsync(slow, cancel.Token)).PayloadCase);
        Assert.Equal(Proto.SubscribeResponse.PayloadOneofCase.Heartbeat, (await ReadNextAsync(fast, cancel.Token)).PayloadCase);

        for (var batch = 0; batch < 40; batch++)
        {
            await TestTelemetry.AppendAsync(gateway.Store, TestTelemetry.Readings(device, batch * 25, 25));
        }

        // The fast one gets everything while the slow one has read nothing at all.
        var fastReceived = await ReadEventsAsync(fast, 1000, cancel.Token);
        Assert.Equal(Enumerable.Range(1, 1000).Select(i => (ulong)i), fastReceived.Select(e => e.Sequence));

        var slowReceived = await ReadEventsAsync(slow, 1000, cancel.Token);
        Assert.Equal(Enumerable.Range(1, 1000).Select(i => (ulong)i), slowReceived.Select(e => e.Sequence));
    }

    [Fact]
    public async Task Subscribe_filters_by_device_and_kind()
    {
        await using var gateway = await InProcessGateway.StartAsync();
        var first = await TestTelemetry.AddDeviceAsync(gateway.Store, TestTelemetry.Receiver("SM1"));
        var second = await TestTelemetry.AddDeviceAsync(gateway.Store, TestTelemetry.Receiver("SM2"));
        await TestTelemetry.AppendAsync(gateway.Store, [.. TestTelemetry.Readings(first, 0, 10), .. TestTelemetry.Readings(second, 0, 10)]);

        using var cancel = new CancellationTokenSource(Timeout);
        using var call = gateway.Telemetry.Subscribe(
            new Proto.SubscribeRequest { DeviceId = second.Value, Kinds = { Proto.TelemetryKind.Glucose } },
            cancellationToken: cancel.Token);
        var received = await ReadEventsAsync(call, 10, cancel.Token);
        Assert.All(received, e => Assert.Equal(second.Value, e.DeviceId));
        Assert.Equal(Enumerable.Range(11, 10).Select(i => (ulong)i), received.Select(e => e.Sequence));
    }

    [Theory]
    [InlineData("", 1000UL, StatusCode.OutOfRange)]
    [InlineData("dexcom-0000000000000000", 0UL, StatusCode.NotFound)]
    [InlineData("not a device id!", 0UL, StatusCode.InvalidArgument)]
    public async Task Subscribe_rejects_bad_requests_with_the_right_status(string deviceId, ulong after, StatusCode expected)
    {
        await using var gateway = await InProcessGateway.StartAsync();
        using var cancel = new CancellationTokenSource(Timeout);
        using var call = gateway.Telemetry.Subscribe(new Proto.SubscribeRequest { DeviceId = deviceId, AfterSequence = after }, cancellationToken: cancel.Token);
        var error = await Assert.ThrowsAsync<RpcException>(() => call.ResponseStream.MoveNext(cancel.Token));
        Assert.Equal(expected, error.StatusCode);
        Assert.False(string.IsNullOrWhiteSpace(error.Status.Detail));
    }

    [Fact]
    public async Task Subscribe_rejects_an_unknown_kind()
    {
        await using var gateway = await InProcessGateway.StartAsync();
        using var cancel = new CancellationTokenSource(Timeout);
        using var call = gateway.Telemetry.Subscribe(new Proto.SubscribeRequest { Kinds = { (Proto.TelemetryKind)99 } }, cancellationToken: cancel.Token);
        var error = await Assert.ThrowsAsync<RpcException>(() => call.ResponseStream.MoveNext(cancel.Token));
        Assert.Equal(StatusCode.InvalidArgument, error.StatusCode);
    }

    [Fact]
    public async Task QueryHistory_pages_through_a_time_range()
    {
        await using var gateway = await InProcessGateway.StartAsync();
        var device = await TestTelemetry.AddDeviceAsync(gateway.Store, TestTelemetry.Receiver());
        await TestTelemetry.AppendAsync(gateway.Store, TestTelemetry.Readings(device, 0, 100));

        // Readings 10 (inclusive) to 30 (exclusive) by UTC time, 7 to a page.
        var request = new Proto.QueryHistoryRequest
        {
            DeviceId = device.Value,
            From = Timestamp.FromDateTimeOffset(TestTelemetry.Start.AddMinutes(50)),
            To = Timestamp.FromDateTimeOffset(TestTelemetry.Start.AddMinutes(150)),
            PageSize = 7,
        };
        var ids = new List<string>();
        var pages = 0;
        do
        {
            var page = await gateway.Telemetry.QueryHistoryAsync(request).ResponseAsync.WaitAsync(Timeout);
            ids.AddRange(page.Events.Select(e => e.EventId));
            request.PageToken = page.NextPageToken;
            pages++;
        }
        while (request.PageToken.Length > 0);

        Assert.Equal(Enumerable.Range(10, 20).Select(i => $"{device}/egv/{i}"), ids);
        Assert.Equal(3, pages);
    }

    [Theory]
    [InlineData(20000u, null, StatusCode.InvalidArgument)]
    [InlineData(10u, "not-a-token", StatusCode.InvalidArgument)]
    [InlineData(10u, "reversed-range", StatusCode.InvalidArgument)]
    public async Task QueryHistory_rejects_bad_requests(uint pageSize, string? token, StatusCode expected)
    {
        await using var gateway = await InProcessGateway.StartAsync();
        var device = await TestTelemetry.AddDeviceAsync(gateway.Store, TestTelemetry.Receiver());
        var request = new Proto.QueryHistoryRequest { DeviceId = device.Value, PageSize = pageSize };
        if (token == "reversed-range")
        {
            request.From = Timestamp.FromDateTimeOffset(TestTelemetry.Start.AddDays(1));
            request.To = Timestamp.FromDateTimeOffset(TestTelemetry.Start);
        }
        else if (token is not null)
        {
            request.PageToken = token;
        }

        var error = await Assert.ThrowsAsync<RpcException>(() => gateway.Telemetry.QueryHistoryAsync(request).ResponseAsync.WaitAsync(Timeout));
        Assert.Equal(expected, error.StatusCode);
    }

    [Fact]
    public async Task QueryHistory_needs_a_known_device()
    {
        await using var gateway = await InProcessGateway.StartAsync();
        var missing = await Assert.ThrowsAsync<RpcException>(() => gateway.Telemetry.QueryHistoryAsync(new Proto.QueryHistoryRequest()).ResponseAsync.WaitAsync(Timeout));
        Assert.Equal(StatusCode.InvalidArgument, missing.StatusCode);
        var unknown = await Assert.ThrowsAsync<RpcException>(() =>
            gateway.Telemetry.QueryHistoryAsync(new Proto.QueryHistoryRequest { DeviceId = DeviceId.FromSerial("dexcom", "nobody").Value }).ResponseAsync.WaitAsync(Timeout));
        Assert.Equal(StatusCode.NotFound, unknown.StatusCode);
    }

    private static async Task<Proto.SubscribeResponse> ReadNextAsync(AsyncServerStreamingCall<Proto.SubscribeResponse> call, CancellationToken cancellationToken)
    {
        Assert.True(await call.ResponseStream.MoveNext(cancellationToken).WaitAsync(Timeout, cancellationToken));
        return call.ResponseStream.Current;
    }

    /// <summary>Reads until <paramref name="count"/> events arrived, skipping heartbeats.</summary>
    private static async Task<List<Proto.TelemetryEvent>> ReadEventsAsync(AsyncServerStreamingCall<Proto.SubscribeResponse> call, int count, CancellationToken cancellationToken)
    {
        var events = new List<Proto.TelemetryEvent>(count);
        while (events.Count < count)
        {
            var next = await ReadNextAsync(call, cancellationToken);
            if (next.PayloadCase == Proto.SubscribeResponse.PayloadOneofCase.Event)
            {
                events.Add(next.Event);
            }
        }

        return events;
    }
}
