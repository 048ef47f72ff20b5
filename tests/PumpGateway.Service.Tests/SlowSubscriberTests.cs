using System.Diagnostics.Metrics;
using Grpc.Core;
using Microsoft.Extensions.DependencyInjection;
using PumpGateway.Devices;
using PumpGateway.Service.DeviceManagement;
using PumpGateway.Service.Grpc;
using PumpGateway.Service.Streaming;
using PumpGateway.Telemetry;
using Xunit.Abstractions;
using Proto = PumpGateway.Api.V1;

namespace PumpGateway.Service.Tests;

/// <summary>Measures the process's managed memory: nothing else may run beside it.</summary>
[CollectionDefinition(nameof(SlowSubscriberTests), DisableParallelization = true)]
public sealed class SlowSubscriberCollection;

/// <summary>
/// Clients that stop reading their subscription (HTTP/2 flow control then holds the server's writes):
/// the gateway's memory stays bounded, the other subscribers get everything, and the stuck one is cut
/// with where to resume once its writes have been held longer than the write timeout.
/// </summary>
[Collection(nameof(SlowSubscriberTests))]
public sealed class SlowSubscriberTests(ITestOutputHelper output)
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(120);

    /// <summary>More than a 64 KiB window and the server's response buffer hold (a reading is about 100 bytes on the wire).</summary>
    private const int FillCount = 5000;

    private const int AppendBatch = 250;

    /// <summary>Long enough that a subscriber that does read is never held that long on a loaded machine.</summary>
    private const string WriteTimeout = "00:00:03";

    /// <summary>Fifty times what a bounded queue measured, a third of what an unbounded one did.</summary>
    private const long MemoryBound = 4 * 1024 * 1024;

    [Fact]
    public async Task A_subscriber_stuck_without_reading_keeps_memory_bounded_while_the_others_receive_every_event()
    {
        // scripts/slow-clients runs the long version: more events, more stuck subscribers.
        var largeCount = Setting("PUMPGW_SLOW_CLIENTS_EVENTS", 40_000);
        var stuckCount = Setting("PUMPGW_SLOW_CLIENTS_STUCK", 1);

        // A write timeout far beyond the test: the stuck subscribers stay subscribed and stuck throughout.
        await using var gateway = await InProcessGateway.StartAsync(new Dictionary<string, string?>
        {
            ["Gateway:Streaming:WriteTimeout"] = "01:00:00",
            ["Gateway:Streaming:SubscriberQueueCapacity"] = "1024",
        });
        var device = await TestTelemetry.AddDeviceAsync(gateway.Store, TestTelemetry.Receiver());
        var broadcaster = gateway.Services.GetRequiredService<TelemetryBroadcaster>();

        using var cancel = new CancellationTokenSource(Timeout + TimeSpan.FromMilliseconds(largeCount * stuckCount));
        var stuckChannels = Enumerable.Range(0, stuckCount).Select(_ => gateway.OpenSeparateChannel()).ToList();
        var stuck = stuckChannels.Select(channel => new Proto.TelemetryService.TelemetryServiceClient(channel).Subscribe(new Proto.SubscribeRequest(), cancellationToken: cancel.Token)).ToList();
        var fast = Enumerable.Range(0, 2).Select(_ => gateway.Telemetry.Subscribe(new Proto.SubscribeRequest(), cancellationToken: cancel.Token)).ToList();
        try
        {
            foreach (var call in stuck.Concat(fast))
            {
                await ReadHeartbeatAsync(call, cancel.Token);
            }

            await AppendReadingsAsync(gateway, device, 0, FillCount);
            foreach (var call in fast)
            {
                await ExpectSequencesAsync(call, 1, FillCount, cancel.Token);
            }

            var before = GC.GetTotalMemory(forceFullCollection: true);
            await AppendReadingsAsync(gateway, device, FillCount, largeCount);
            foreach (var call in fast)
            {
                await ExpectSequencesAsync(call, FillCount + 1, largeCount, cancel.Token);
            }

            var after = GC.GetTotalMemory(forceFullCollection: true);

            // The stuck subscribers were still there: the memory was measured with them holding on.
            Assert.Equal(stuckCount + fast.Count, broadcaster.SubscriberCount);

            // Measured: the gateway's managed memory grows by under 0.1 MB here; with the subscriber's queue unbounded
            // (capacity 10,000,000) the 40,000 readings queued for it grow it by 11.7 MB.
            var bound = MemoryBound * stuckCount;
            output.WriteLine($"slow-clients: {stuckCount} stuck, {fast.Count} fast subscribers; {largeCount} events appended while stuck, each fast one received all; managed memory grew {after - before} bytes (bound {bound})");
            Assert.True(after - before < bound, $"Managed memory grew by {after - before:N0} bytes while {stuckCount} subscriber(s) were stuck during {largeCount:N0} appends (bound {bound:N0}).");

            // Reading again, each catches up from the store and has lost nothing.
            foreach (var call in stuck)
            {
                await ExpectSequencesAsync(call, 1, FillCount + largeCount, cancel.Token);
            }
        }
        finally
        {
            foreach (var call in stuck.Concat(fast))
            {
                call.Dispose();
            }

            foreach (var channel in stuckChannels)
            {
                channel.Dispose();
            }
        }
    }

    [Fact]
    public async Task A_subscriber_that_stops_reading_is_cut_with_where_to_resume_and_resuming_there_misses_nothing()
    {
        await using var gateway = await InProcessGateway.StartAsync(new Dictionary<string, string?> { ["Gateway:Streaming:WriteTimeout"] = WriteTimeout });
        var device = await TestTelemetry.AddDeviceAsync(gateway.Store, TestTelemetry.Receiver());
        var broadcaster = gateway.Services.GetRequiredService<TelemetryBroadcaster>();

        using var cancel = new CancellationTokenSource(Timeout);
        using var slowChannel = gateway.OpenSeparateChannel();
        var slowClient = new Proto.TelemetryService.TelemetryServiceClient(slowChannel);
        using var slow = slowClient.Subscribe(new Proto.SubscribeRequest(), cancellationToken: cancel.Token);
        using var fast = gateway.Telemetry.Subscribe(new Proto.SubscribeRequest(), cancellationToken: cancel.Token);
        await ReadHeartbeatAsync(slow, cancel.Token);
        await ReadHeartbeatAsync(fast, cancel.Token);

        // The fast subscriber reads while the events are appended: it is never held for the write timeout.
        var fastRead = ReadEventsAsync(fast, FillCount, cancel.Token);
        await AppendReadingsAsync(gateway, device, 0, FillCount);
        Assert.Equal(Sequences(1, FillCount), (await fastRead).Select(e => e.Sequence));
        await WaitUntilAsync(() => broadcaster.SubscriberCount == 1, cancel.Token);

        var (beforeCut, cut) = await ReadUntilCutAsync(slow, e => e.Event, cancel.Token);
        Assert.Equal(StatusCode.ResourceExhausted, cut.StatusCode);
        var last = beforeCut[^1].Sequence;
        Assert.Contains($"stopped reading at sequence {last}; resume with after_sequence={last}", cut.Status.Detail, StringComparison.Ordinal);
        Assert.Equal(Sequences(1, (int)last), beforeCut.Select(e => e.Sequence));
        Assert.True(last < FillCount, $"The subscriber was sent all {FillCount} events: it was never stuck.");

        var fastReadMore = ReadEventsAsync(fast, 1000, cancel.Token);
        await AppendReadingsAsync(gateway, device, FillCount, 1000);
        using var resumed = slowClient.Subscribe(new Proto.SubscribeRequest { AfterSequence = last }, cancellationToken: cancel.Token);
        Assert.Equal(Sequences((int)last + 1, FillCount + 1000 - (int)last), (await ReadEventsAsync(resumed, FillCount + 1000 - (int)last, cancel.Token)).Select(e => e.Sequence));
        Assert.Equal(Sequences(FillCount + 1, 1000), (await fastReadMore).Select(e => e.Sequence));
    }

    [Fact]
    public async Task An_alarm_watcher_that_stops_reading_is_cut_with_where_to_resume_and_resuming_there_misses_nothing()
    {
        const int alarmCount = 2000;
        await using var gateway = await InProcessGateway.StartAsync(new Dictionary<string, string?> { ["Gateway:Streaming:WriteTimeout"] = WriteTimeout });
        var device = await TestTelemetry.AddDeviceAsync(gateway.Store, TestTelemetry.Receiver());
        var broadcaster = gateway.Services.GetRequiredService<TelemetryBroadcaster>();

        using var cancel = new CancellationTokenSource(Timeout);
        using var slowChannel = gateway.OpenSeparateChannel();
        var slowClient = new Proto.DiagnosticsService.DiagnosticsServiceClient(slowChannel);
        using var slow = slowClient.WatchAlarms(new Proto.WatchAlarmsRequest(), cancellationToken: cancel.Token);
        using var fast = gateway.Diagnostics.WatchAlarms(new Proto.WatchAlarmsRequest(), cancellationToken: cancel.Token);
        await ReadHeartbeatAsync(slow, cancel.Token);
        await ReadHeartbeatAsync(fast, cancel.Token);

        // Raised and cleared in turn, each episode its own instance, so that every transition has an episode.
        var builder = new EventBuilder(device);
        var alarms = Enumerable.Range(0, alarmCount)
            .Select(i => (TelemetryEvent)builder.Alarm(TestTelemetry.Start.AddMinutes(i), i % 2 == 0 ? AlarmTransition.Raised : AlarmTransition.Cleared, AlarmKind.Occlusion, key: (i / 2).ToString(System.Globalization.CultureInfo.InvariantCulture)))
            .ToList();
        var fastRead = ReadEventsAsync(fast, alarmCount, u => u.Update?.Event, cancel.Token);
        foreach (var chunk in alarms.Chunk(AppendBatch))
        {
            await TestTelemetry.AppendAsync(gateway.Store, chunk);
        }

        Assert.Equal(Sequences(1, alarmCount), (await fastRead).Select(e => e.Sequence));
        await WaitUntilAsync(() => broadcaster.SubscriberCount == 1, cancel.Token);

        var (beforeCut, cut) = await ReadUntilCutAsync(slow, u => u.Update?.Event, cancel.Token);
        Assert.Equal(StatusCode.ResourceExhausted, cut.StatusCode);
        var last = beforeCut[^1].Sequence;
        Assert.Contains($"stopped reading at sequence {last}; resume with after_sequence={last}", cut.Status.Detail, StringComparison.Ordinal);
        Assert.Equal(Sequences(1, (int)last), beforeCut.Select(e => e.Sequence));
        Assert.True(last < alarmCount, $"The watcher was sent all {alarmCount} alarms: it was never stuck.");

        using var resumed = slowClient.WatchAlarms(new Proto.WatchAlarmsRequest { AfterSequence = last }, cancellationToken: cancel.Token);
        Assert.Equal(Sequences((int)last + 1, alarmCount - (int)last), (await ReadEventsAsync(resumed, alarmCount - (int)last, u => u.Update?.Event, cancel.Token)).Select(e => e.Sequence));
    }

    [Fact]
    public async Task A_device_watcher_that_stops_reading_is_cut_and_can_watch_again()
    {
        // Fewer than the hub's queue of 1024 holds, so that only the write timeout can end the watch,
        // but about 1 KB each: more than a 64 KiB window and the server's response buffer.
        const int eventCount = 900;
        var reason = new string('x', 1000);
        using var cuts = new CutCounter(nameof(Proto.DeviceEvent));
        await using var gateway = await InProcessGateway.StartAsync(new Dictionary<string, string?> { ["Gateway:Streaming:WriteTimeout"] = WriteTimeout });
        var hub = gateway.Services.GetRequiredService<DeviceEventHub>();

        using var cancel = new CancellationTokenSource(Timeout);
        using var slowChannel = gateway.OpenSeparateChannel();
        var slowClient = new Proto.DeviceService.DeviceServiceClient(slowChannel);
        using var slow = slowClient.WatchDevices(new Proto.WatchDevicesRequest(), cancellationToken: cancel.Token);
        using var fast = gateway.Devices.WatchDevices(new Proto.WatchDevicesRequest(), cancellationToken: cancel.Token);

        // Device events are not stored: a watch is known to be live once it has received one.
        var published = 0;
        foreach (var call in new[] { slow, fast })
        {
            var received = call.ResponseStream.MoveNext(cancel.Token);
            while (!received.IsCompleted)
            {
                hub.Publish(Disconnected(published++, ""));
                await Task.WhenAny(received, Task.Delay(50, cancel.Token));
            }

            Assert.True(await received);
        }

        // The fast watcher reads what is left of the warm-up, then keeps up in bursts of 100.
        for (var burst = 0; burst < eventCount / 100; burst++)
        {
            for (var i = 0; i < 100; i++)
            {
                hub.Publish(Disconnected(published++, reason));
            }

            while (!fast.ResponseStream.Current.Disconnected.Reason.EndsWith($"test {published - 1}", StringComparison.Ordinal))
            {
                Assert.True(await fast.ResponseStream.MoveNext(cancel.Token));
            }
        }

        await WaitUntilAsync(() => cuts.Count > 0, cancel.Token);
        var (beforeCut, cut) = await ReadUntilCutAsync(slow, e => e, cancel.Token);
        Assert.Equal(StatusCode.ResourceExhausted, cut.StatusCode);
        Assert.Contains("stopped reading; watch again", cut.Status.Detail, StringComparison.Ordinal);
        Assert.True(beforeCut.Count < published, $"The watcher was sent all {published} events: it was never stuck.");

        using var again = slowClient.WatchDevices(new Proto.WatchDevicesRequest(), cancellationToken: cancel.Token);
        var next = again.ResponseStream.MoveNext(cancel.Token);
        while (!next.IsCompleted)
        {
            hub.Publish(Disconnected(published++, ""));
            await Task.WhenAny(next, Task.Delay(50, cancel.Token));
        }

        Assert.True(await next);
    }

    private static DeviceEvent Disconnected(int number, string reason) =>
        new(TestTelemetry.Start, "serial:/dev/ttyTEST", null, DeviceEventKind.Disconnected) { Reason = $"{reason}test {number}" };

    private static async Task AppendReadingsAsync(InProcessGateway gateway, DeviceId device, int first, int count)
    {
        for (var start = first; start < first + count; start += AppendBatch)
        {
            await TestTelemetry.AppendAsync(gateway.Store, TestTelemetry.Readings(device, start, Math.Min(AppendBatch, first + count - start)));
        }
    }

    private static int Setting(string variable, int fallback) =>
        int.TryParse(Environment.GetEnvironmentVariable(variable), System.Globalization.CultureInfo.InvariantCulture, out var value) && value > 0 ? value : fallback;

    private static IEnumerable<ulong> Sequences(int first, int count) => Enumerable.Range(first, count).Select(i => (ulong)i);

    private static async Task ReadHeartbeatAsync<T>(AsyncServerStreamingCall<T> call, CancellationToken cancellationToken)
    {
        Assert.True(await call.ResponseStream.MoveNext(cancellationToken));
    }

    /// <summary>Reads events numbered <paramref name="first"/> on, in order, without keeping them (they would weigh in the memory measured).</summary>
    private static async Task ExpectSequencesAsync(AsyncServerStreamingCall<Proto.SubscribeResponse> call, int first, int count, CancellationToken cancellationToken)
    {
        var expected = (ulong)first;
        while (expected < (ulong)(first + count))
        {
            Assert.True(await call.ResponseStream.MoveNext(cancellationToken), $"The stream ended before sequence {expected}.");
            if (call.ResponseStream.Current.Event is { } e)
            {
                Assert.Equal(expected++, e.Sequence);
            }
        }
    }

    private static Task<List<Proto.TelemetryEvent>> ReadEventsAsync(AsyncServerStreamingCall<Proto.SubscribeResponse> call, int count, CancellationToken cancellationToken) =>
        ReadEventsAsync(call, count, r => r.Event, cancellationToken);

    private static async Task<List<Proto.TelemetryEvent>> ReadEventsAsync<T>(AsyncServerStreamingCall<T> call, int count, Func<T, Proto.TelemetryEvent?> eventOf, CancellationToken cancellationToken)
    {
        var events = new List<Proto.TelemetryEvent>();
        while (events.Count < count)
        {
            Assert.True(await call.ResponseStream.MoveNext(cancellationToken), $"The stream ended after {events.Count} of {count} events.");
            if (eventOf(call.ResponseStream.Current) is { } e)
            {
                events.Add(e);
            }
        }

        return events;
    }

    /// <summary>Everything the stream still delivers, then the status it was ended with.</summary>
    private static async Task<(List<TEvent> Received, RpcException Cut)> ReadUntilCutAsync<T, TEvent>(AsyncServerStreamingCall<T> call, Func<T, TEvent?> eventOf, CancellationToken cancellationToken)
        where TEvent : class
    {
        var received = new List<TEvent>();
        try
        {
            while (await call.ResponseStream.MoveNext(cancellationToken))
            {
                if (eventOf(call.ResponseStream.Current) is { } e)
                {
                    received.Add(e);
                }
            }
        }
        catch (RpcException ex) when (ex.StatusCode != StatusCode.Cancelled)
        {
            return (received, ex);
        }

        throw new Xunit.Sdk.XunitException($"The stream ended normally after {received.Count} events instead of being cut.");
    }

    /// <summary>Counts the gateway's cuts of one stream type (the metric <c>pumpgateway.subscribers.cut</c>).</summary>
    private sealed class CutCounter : IDisposable
    {
        private readonly MeterListener _listener = new();
        private long _count;

        public CutCounter(string type)
        {
            _listener.InstrumentPublished = (instrument, listener) =>
            {
                if (instrument.Meter.Name == SubscriberCuts.MeterName)
                {
                    listener.EnableMeasurementEvents(instrument);
                }
            };
            _listener.SetMeasurementEventCallback<long>((_, value, tags, _) =>
            {
                foreach (var tag in tags)
                {
                    if (tag.Key == "type" && Equals(tag.Value, type))
                    {
                        Interlocked.Add(ref _count, value);
                    }
                }
            });
            _listener.Start();
        }

        public long Count => Interlocked.Read(ref _count);

        public void Dispose() => _listener.Dispose();
    }

    private static async Task WaitUntilAsync(Func<bool> condition, CancellationToken cancellationToken)
    {
        while (!condition())
        {
            await Task.Delay(20, cancellationToken);
        }
    }
}
