using System.Diagnostics.Metrics;
using Grpc.Core;

namespace PumpGateway.Service.Grpc;

/// <summary>
/// The response stream of a subscription (Subscribe, WatchAlarms, WatchDevices), for a client that must keep
/// reading. HTTP/2 flow control holds a write for as long as the client leaves its window full; a write held
/// longer than the write timeout ends the call with RESOURCE_EXHAUSTED, so a client that stopped reading
/// holds the gateway's resources for at most that long, and learns where to resume when it reads again.
/// </summary>
internal sealed class SubscriberStream<T>
{
    private readonly IServerStreamWriter<T> _stream;
    private readonly TimeSpan _writeTimeout;
    private readonly TimeProvider _clock;

    public SubscriberStream(IServerStreamWriter<T> stream, TimeSpan writeTimeout, TimeProvider clock)
    {
        _stream = stream;
        _writeTimeout = writeTimeout;
        _clock = clock;
    }

    /// <param name="stoppedReading">
    /// What the client is told if this write is held too long: where it stopped and how to resume. The message
    /// being written then is already in the transport's buffer, and reaches a client that reads again before the status.
    /// </param>
    public async Task WriteAsync(T message, Func<string> stoppedReading, CancellationToken cancellationToken)
    {
        var write = _stream.WriteAsync(message, cancellationToken);
        try
        {
            await write.WaitAsync(_writeTimeout, _clock, cancellationToken);
        }
        catch (TimeoutException)
        {
            // The held write ends with the call; its outcome is of no interest any more.
            _ = write.ContinueWith(static held => held.Exception, CancellationToken.None, TaskContinuationOptions.OnlyOnFaulted, TaskScheduler.Default);
            SubscriberCuts.Counter.Add(1, new KeyValuePair<string, object?>("type", typeof(T).Name));
            throw new RpcException(new Status(StatusCode.ResourceExhausted, stoppedReading()));
        }
    }

    /// <summary>The status of a sequenced subscription cut at <paramref name="lastSequence"/>.</summary>
    public static string StoppedReadingAt(ulong lastSequence) =>
        $"The subscriber stopped reading at sequence {lastSequence}; resume with after_sequence={lastSequence}.";
}

/// <summary>Subscribers cut because they stopped reading: the metric <c>pumpgateway.subscribers.cut</c>, tagged with the message type of the stream.</summary>
internal static class SubscriberCuts
{
    public const string MeterName = "PumpGateway.Streaming";

    private static readonly Meter Meter = new(MeterName);

    public static readonly Counter<long> Counter = Meter.CreateCounter<long>("pumpgateway.subscribers.cut", description: "Subscriptions ended because the client stopped reading for longer than the write timeout.");
}
