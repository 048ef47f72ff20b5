using BenchmarkDotNet.Attributes;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging.Abstractions;
using PumpGateway.Storage.Sqlite;
using PumpGateway.Telemetry;

namespace PumpGateway.Benchmarks;

/// <summary>
/// Appending a batch of 1,000 events (a day and a half of readings) to the SQLite store — serialised, checked for
/// duplicates, sequenced, committed with synchronous=FULL — against the baseline of raw batched inserts of the same
/// rows (payloads serialised beforehand) in one transaction on a database with the same settings.
/// </summary>
[MemoryDiagnoser]
public class StoreBenchmarks : IDisposable
{
    private const int BatchSize = 1000;

    private readonly string _folder = Directory.CreateTempSubdirectory("pumpgw-store-bench-").FullName;
    private SqliteEventStore? _store;
    private SqliteConnection? _raw;
    private List<TelemetryEvent> _batch = [];
    private List<(string Id, string Device, int Kind, long Ticks, string Payload)> _rows = [];
    private int _round;

    [GlobalSetup]
    public void Setup()
    {
        _store = new SqliteEventStore(new SqliteStoreOptions { DatabasePath = Path.Combine(_folder, "store.db") }, NullLogger<SqliteEventStore>.Instance, TimeProvider.System);
        _store.InitializeAsync(CancellationToken.None).GetAwaiter().GetResult();
        _raw = new SqliteConnection($"Data Source={Path.Combine(_folder, "raw.db")}");
        _raw.Open();
        using var command = _raw.CreateCommand();
        command.CommandText = """
            PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL;
            CREATE TABLE events (sequence INTEGER PRIMARY KEY, event_id TEXT NOT NULL UNIQUE, device_id TEXT NOT NULL, kind INTEGER NOT NULL, utc_ticks INTEGER NOT NULL, payload TEXT NOT NULL);
            CREATE INDEX events_by_device_time ON events (device_id, utc_ticks);
            """;
        command.ExecuteNonQuery();
    }

    /// <summary>A fresh batch each round: the store skips ids it already has.</summary>
    [IterationSetup]
    public void NextBatch()
    {
        _batch = [.. BenchmarkTelemetry.Days(4, firstId: _round++ * 10_000).OfType<GlucoseReading>().Take(BatchSize)];
        _rows = [.. _batch.Select(e => (e.Id.Value, e.Device.Value, (int)e.Kind, e.Utc.UtcTicks, TelemetryJson.Serialize(e)))];
    }

    [Benchmark(Baseline = true)]
    public void RawBatchedInsert()
    {
        using var transaction = _raw!.BeginTransaction();
        using var insert = _raw.CreateCommand();
        insert.CommandText = "INSERT INTO events (event_id, device_id, kind, utc_ticks, payload) VALUES ($id, $device, $kind, $ticks, $payload);";
        var id = insert.Parameters.Add("$id", SqliteType.Text);
        var device = insert.Parameters.Add("$device", SqliteType.Text);
        var kind = insert.Parameters.Add("$kind", SqliteType.Integer);
        var ticks = insert.Parameters.Add("$ticks", SqliteType.Integer);
        var payload = insert.Parameters.Add("$payload", SqliteType.Text);
        foreach (var row in _rows)
        {
            (id.Value, device.Value, kind.Value, ticks.Value, payload.Value) = (row.Id, row.Device, row.Kind, row.Ticks, row.Payload);
            insert.ExecuteNonQuery();
        }

        transaction.Commit();
    }

    [Benchmark]
    public int StoreAppend() => _store!.AppendAsync(_batch, [], CancellationToken.None).GetAwaiter().GetResult().Appended.Count;

    [GlobalCleanup]
    public void Dispose()
    {
        Dispose(disposing: true);
        GC.SuppressFinalize(this);
    }

    protected virtual void Dispose(bool disposing)
    {
        if (!disposing || _store is null)
        {
            return;
        }

        _store.DisposeAsync().AsTask().GetAwaiter().GetResult();
        _raw!.Dispose();
        SqliteConnection.ClearAllPools();
        Directory.Delete(_folder, recursive: true);
        _store = null;
    }
}
