using System.Globalization;
using System.Text;
using Grpc.Core;
using Grpc.Net.Client;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging.Abstractions;
using PumpGateway.Service.Grpc;
using PumpGateway.Storage.Sqlite;
using Proto = PumpGateway.Api.V1;

namespace PumpGateway.EndToEnd.Tests.CrashSafety;

/// <summary>Where in the gateway's work a kill is aimed.</summary>
internal enum KillPoint
{
    /// <summary>A new wearer's devices are downloading: killed at a random event of the download.</summary>
    Download,

    /// <summary>Killed the moment the subscriber receives one of the first few live events: its commit has just returned, and the next may be on its way.</summary>
    Commit,

    /// <summary>First downloads done, live telemetry streaming: killed a random delay later.</summary>
    Live,
}

/// <summary>
/// Kills a <c>pumpgw demo</c> with SIGKILL again and again on one database file, a subscriber
/// following it throughout. After each kill the file is read as the next start will find it: every
/// event the subscriber was sent is there with the same sequence, id and content, event ids are
/// unique and sequences contiguous. After each restart the subscriber resumes after the last
/// sequence it received and must get exactly the next ones: what it holds is always the stored
/// history's beginning, in order.
/// </summary>
internal sealed class CrashCampaign
{
    private readonly int _kills;
    private readonly Random _random;
    private readonly string _database;
    private readonly List<Proto.TelemetryEvent> _received = [];
    private readonly HashSet<string> _receivedIds = new(StringComparer.Ordinal);
    private readonly CrashFigures _figures;

    public CrashCampaign(int kills, int seed, string database)
    {
        _kills = kills;
        _random = new Random(seed);
        _database = database;
        _figures = new CrashFigures(seed);
    }

    public async Task<CrashFigures> RunAsync()
    {
        var wearer = 1;
        long head = 0;
        for (var kill = 0; kill < _kills; kill++)
        {
            var point = (KillPoint)(kill % 3);
            if (point == KillPoint.Download && kill > 0)
            {
                wearer++;
            }

            await RunUntilKilledAsync(point, wearer);
            head = await CheckStoredAsync();
            if (_figures.Violations.Count > 0)
            {
                // What follows a first violation only repeats it: the subscriber's history and the store have parted.
                _figures.StoppedAfterKill = kill + 1;
                return _figures;
            }
        }

        // One last start: the subscriber resumes and catches up to everything the kills left stored.
        _figures.StoredAtLastKill = head;
        await ResumeToHeadAsync(wearer, head);
        await CheckStoredAsync();
        return _figures;
    }

    private async Task RunUntilKilledAsync(KillPoint point, int wearer)
    {
        await using var gateway = await GatewayChild.StartListeningAsync(_database, wearer);
        var killAtEvent = point switch
        {
            KillPoint.Download => _random.Next(1, 1000),
            KillPoint.Commit => _random.Next(1, 6),
            _ => 0,
        };
        var liveDelay = TimeSpan.FromMilliseconds(_random.Next(0, 2000));
        var streamingAtKill = false;

        void KillNow()
        {
            streamingAtKill = gateway.Streaming.IsCompleted;
            gateway.Kill();
        }

        var follow = FollowAsync(gateway, killAtEvent, KillNow, countFromStreaming: point == KillPoint.Commit);
        var trigger = point switch
        {
            // A download is over when the demo streams; if the chosen event had not come by then, the kill lands at the download's end.
            KillPoint.Download => Task.WhenAny(follow, gateway.Streaming),
            KillPoint.Commit => follow,
            _ => gateway.Streaming.ContinueWith(_ => Task.Delay(liveDelay), TaskScheduler.Default).Unwrap(),
        };
        try
        {
            await trigger.WaitAsync(GatewayChild.Timeout);
        }
        catch (TimeoutException)
        {
            _figures.LateKills++;
        }

        if (!gateway.Killed)
        {
            KillNow();
        }

        await gateway.WaitGoneAsync();
        await follow.WaitAsync(GatewayChild.Timeout);
        _figures.Count(point, streamingAtKill);
    }

    private async Task ResumeToHeadAsync(int wearer, long head)
    {
        await using var gateway = await GatewayChild.StartListeningAsync(_database, wearer);
        var resumedFrom = _received.Count;
        var follow = FollowAsync(gateway, killAtEvent: 0, gateway.Kill, stopAt: head);
        try
        {
            await follow.WaitAsync(GatewayChild.Timeout);
        }
        catch (TimeoutException)
        {
            _figures.Violation($"the last restart: a subscriber resuming after #{resumedFrom} got only to #{_received.Count} within {GatewayChild.Timeout.TotalSeconds} s, while #{head} was stored");
        }

        gateway.Kill();
        await gateway.WaitGoneAsync();
        await follow.WaitAsync(GatewayChild.Timeout);
    }

    /// <summary>
    /// Subscribes after the last sequence received and takes events until the gateway dies, the
    /// <paramref name="killAtEvent"/>-th event of this run (killing it on receipt), or <paramref name="stopAt"/>.
    /// </summary>
    /// <param name="countFromStreaming">
    /// Count events towards <paramref name="killAtEvent"/> only once the demo streams live: those are
    /// fresh commits, where a catching-up subscriber's are old ones read back from the store.
    /// </param>
    private async Task FollowAsync(GatewayChild gateway, int killAtEvent, Action kill, long stopAt = long.MaxValue, bool countFromStreaming = false)
    {
        var resumedAfter = _received.Count;
        using var channel = GrpcChannel.ForAddress(gateway.Address);
        var client = new Proto.TelemetryService.TelemetryServiceClient(channel);
        using var stop = new CancellationTokenSource();
        var taken = 0;
        try
        {
            using var call = client.Subscribe(new Proto.SubscribeRequest { AfterSequence = (ulong)resumedAfter }, cancellationToken: stop.Token);
            while (_received.Count < stopAt && await call.ResponseStream.MoveNext(stop.Token))
            {
                if (call.ResponseStream.Current.Event is not { } received)
                {
                    continue;
                }

                if (killAtEvent > 0 && (!countFromStreaming || gateway.Streaming.IsCompleted) && ++taken == killAtEvent)
                {
                    kill();
                }

                var expected = _received.Count + 1;
                if ((long)received.Sequence != expected)
                {
                    _figures.Violation($"a subscriber resuming after #{resumedAfter} got #{received.Sequence} where #{expected} was next ({received.EventId})");
                    return;
                }

                if (!_receivedIds.Add(received.EventId))
                {
                    _figures.Violation($"#{received.Sequence} repeats event id {received.EventId}, sent before as #{_received.FindIndex(e => e.EventId == received.EventId) + 1}");
                }

                _received.Add(received);
                _figures.EventsReceived++;
                if (killAtEvent > 0 && taken == killAtEvent)
                {
                    return;
                }
            }
        }
        catch (RpcException) when (gateway.Killed)
        {
            // The gateway died under the stream.
        }
        catch (RpcException ex) when (ex.StatusCode == StatusCode.OutOfRange)
        {
            _figures.Violation($"a subscriber resuming after #{resumedAfter} was refused: {ex.Status.Detail}");
        }
        catch (IOException) when (gateway.Killed)
        {
            // The connection broke mid-message.
        }
        catch (RpcException ex)
        {
            _figures.Violation($"the stream of a subscriber resuming after #{resumedAfter} broke while the gateway was not killed: {ex.Status}; gateway: {await gateway.EndAsync()}");
            return;
        }

        if (!gateway.Killed && _received.Count < stopAt)
        {
            _figures.Violation($"the stream of a subscriber resuming after #{resumedAfter} ended while the gateway was not killed; gateway: {await gateway.EndAsync()}");
        }
    }

    /// <summary>
    /// Reads the database file as a restart finds it (the gateway is dead) and checks it against
    /// what the subscriber was sent; returns the head sequence.
    /// </summary>
    private async Task<long> CheckStoredAsync()
    {
        long head = 0;
        var ids = new HashSet<string>(StringComparer.Ordinal);
        var store = new SqliteEventStore(new SqliteStoreOptions { DatabasePath = _database }, NullLogger<SqliteEventStore>.Instance, TimeProvider.System);
        await using (store)
        {
            using var deadline = new CancellationTokenSource(GatewayChild.Timeout);
            await store.InitializeAsync(deadline.Token);
            while (true)
            {
                var batch = await store.ReadAfterAsync(head, 5000, deadline.Token);
                if (batch.Count == 0)
                {
                    break;
                }

                foreach (var stored in batch)
                {
                    if (stored.Sequence != head + 1)
                    {
                        _figures.Violation($"the stored sequence jumps from #{head} to #{stored.Sequence}");
                    }

                    head = stored.Sequence;
                    var proto = ProtoMapper.ToProto(stored);
                    if (!ids.Add(proto.EventId))
                    {
                        _figures.Violation($"event id {proto.EventId} is stored twice (again as #{stored.Sequence})");
                    }

                    if (stored.Sequence <= _received.Count)
                    {
                        var sent = _received[(int)stored.Sequence - 1];
                        if (!sent.Equals(proto))
                        {
                            _figures.Violation($"#{stored.Sequence} was sent as {sent} and is stored as {proto}");
                        }

                        _figures.EventsChecked++;
                    }
                }
            }
        }

        SqliteConnection.ClearAllPools();
        if (head < _received.Count)
        {
            _figures.Violation($"the store ends at #{head}, but the subscriber was sent up to #{_received.Count}: #{head + 1} to #{_received.Count} are lost");
        }

        _figures.StoredEvents = head;
        return head;
    }
}

/// <summary>What a crash campaign did and found.</summary>
internal sealed class CrashFigures(int seed)
{
    private readonly Dictionary<KillPoint, int> _kills = [];
    private readonly List<string> _violations = [];

    public int Seed { get; } = seed;

    public int Kills => _kills.Values.Sum();

    public int KillsWhileDownloading { get; private set; }

    public int KillsWhileStreaming { get; private set; }

    /// <summary>Kills whose trigger had not come within the timeout (the gateway was killed then anyway).</summary>
    public int LateKills { get; set; }

    public long EventsReceived { get; set; }

    /// <summary>Stored events compared with what the subscriber was sent, summed over every check.</summary>
    public long EventsChecked { get; set; }

    public long StoredEvents { get; set; }

    /// <summary>The head sequence the last kill left, which the subscriber must reach after the last restart.</summary>
    public long StoredAtLastKill { get; set; }

    public IReadOnlyList<string> Violations => _violations;

    public int KillsAt(KillPoint point) => _kills.GetValueOrDefault(point);

    public void Count(KillPoint point, bool streaming)
    {
        _kills[point] = KillsAt(point) + 1;
        if (streaming)
        {
            KillsWhileStreaming++;
        }
        else
        {
            KillsWhileDownloading++;
        }
    }

    /// <summary>The kill after which the campaign stopped, at its first violation; 0 when it ran to the end.</summary>
    public int StoppedAfterKill { get; set; }

    public void Violation(string text) => _violations.Add(text.Length > 1500 ? text[..1500] + " …" : text);

    public override string ToString()
    {
        var text = new StringBuilder();
        text.AppendLine(CultureInfo.InvariantCulture, $"seed {Seed}: {Kills} kills (SIGKILL): {KillsAt(KillPoint.Download)} aimed at a download, {KillsAt(KillPoint.Commit)} at a commit just streamed, {KillsAt(KillPoint.Live)} during live streaming; {KillsWhileDownloading} landed before the first downloads were done, {KillsWhileStreaming} after; {LateKills} late (trigger timed out)");
        text.AppendLine(CultureInfo.InvariantCulture, $"events received by the subscriber: {EventsReceived}; stored events compared with what was sent: {EventsChecked} (over {Kills + 1} checks); stored at the last kill: {StoredAtLastKill}, at the end: {StoredEvents}");
        text.AppendLine(CultureInfo.InvariantCulture, $"violations: {_violations.Count}{(StoppedAfterKill > 0 ? $" (the campaign stopped after kill {StoppedAfterKill})" : string.Empty)}");
        foreach (var violation in _violations.Take(20))
        {
            text.AppendLine(CultureInfo.InvariantCulture, $"  {violation}");
        }

        return text.ToString();
    }
}
