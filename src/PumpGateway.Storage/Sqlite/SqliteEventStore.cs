using System.Globalization;
using System.Threading.Channels;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging;
using PumpGateway.Devices;
using PumpGateway.Ports;
using PumpGateway.Telemetry;

namespace PumpGateway.Storage.Sqlite;

/// <summary>
/// The embedded store: SQLite in WAL mode with synchronous=FULL, so a returned append survives a
/// crash or power loss. One writer task owns the only write connection and commits whatever
/// appends are waiting in one transaction (group commit); readers use their own connections,
/// which WAL lets run beside the writer.
/// </summary>
public sealed partial class SqliteEventStore : IEventStore
{
    private const int SchemaVersion = 1;

    private readonly SqliteStoreOptions _options;
    private readonly ILogger<SqliteEventStore> _logger;
    private readonly TimeProvider _clock;
    private readonly string _connectionString;
    private readonly Channel<PendingAppend> _queue;
    private Task? _writer;
    private int _disposed;

    public SqliteEventStore(SqliteStoreOptions options, ILogger<SqliteEventStore> logger, TimeProvider clock)
    {
        _options = options;
        _logger = logger;
        _clock = clock;
        _connectionString = new SqliteConnectionStringBuilder
        {
            DataSource = options.DatabasePath,
            Mode = SqliteOpenMode.ReadWriteCreate,
            Cache = SqliteCacheMode.Private,
            Pooling = true,
            DefaultTimeout = 30,
        }.ToString();
        _queue = Channel.CreateBounded<PendingAppend>(new BoundedChannelOptions(options.QueueCapacity) { SingleReader = true });
    }

    public event Action<IReadOnlyList<StoredEvent>>? Committed;

    public async Task InitializeAsync(CancellationToken cancellationToken)
    {
        ObjectDisposedException.ThrowIf(_disposed != 0, this);
        var folder = Path.GetDirectoryName(Path.GetFullPath(_options.DatabasePath));
        if (folder is not null)
        {
            Directory.CreateDirectory(folder);
        }

        var connection = await OpenAsync(cancellationToken);
        await using (connection)
        {
            await ExecuteAsync(connection, "PRAGMA journal_mode=WAL;", cancellationToken);
            var version = Convert.ToInt32(await ScalarAsync(connection, "PRAGMA user_version;", cancellationToken), CultureInfo.InvariantCulture);
            if (version > SchemaVersion)
            {
                throw new InvalidOperationException($"The database {_options.DatabasePath} has schema version {version}, newer than this gateway's {SchemaVersion}.");
            }

            if (version < 1)
            {
                await ExecuteAsync(connection, SqliteSchema.Version1, cancellationToken);
            }
        }

        _writer = Task.Run(WriteLoopAsync, CancellationToken.None);
    }

    public async Task<AppendResult> AppendAsync(IReadOnlyList<TelemetryEvent> events, IReadOnlyList<DownloadCursor> cursors, CancellationToken cancellationToken)
    {
        ObjectDisposedException.ThrowIf(_disposed != 0, this);
        if (_writer is null)
        {
            throw new InvalidOperationException("InitializeAsync has not been called.");
        }

        foreach (var cursor in cursors)
        {
            ArgumentOutOfRangeException.ThrowIfNegative(cursor.Position, nameof(cursors));
        }

        foreach (var e in events)
        {
            if (!e.IsStamped)
            {
                throw new ArgumentException($"A {e.Kind} event without its identity, device or time basis cannot be stored.", nameof(events));
            }
        }

        // Serialized here, on the caller's thread, so the single writer only writes.
        var rows = events.Select(e => new EventRow(e, TelemetryJson.Serialize(e))).ToArray();
        var pending = new PendingAppend(rows, cursors);
        await _queue.Writer.WriteAsync(pending, cancellationToken);
        return await pending.Completion.Task.WaitAsync(cancellationToken);
    }

    public async Task UpsertDeviceAsync(DeviceRecord device, CancellationToken cancellationToken)
    {
        var connection = await OpenAsync(cancellationToken);
        await using (connection)
        {
            await using var command = connection.CreateCommand();
            command.CommandText = """
                INSERT INTO devices (device_id, family, category, model, serial_number, product_name, firmware, endpoint, first_seen, last_seen, clock_offset_ticks)
                VALUES ($id, $family, $category, $model, $serial, $product, $firmware, $endpoint, $first, $last, $offset)
                ON CONFLICT(device_id) DO UPDATE SET
                  family = excluded.family, category = excluded.category, model = excluded.model, serial_number = excluded.serial_number,
                  product_name = excluded.product_name, firmware = excluded.firmware, endpoint = excluded.endpoint,
                  first_seen = min(devices.first_seen, excluded.first_seen), last_seen = excluded.last_seen, clock_offset_ticks = excluded.clock_offset_ticks;
                """;
            var identity = device.Identity;
            command.Parameters.AddWithValue("$id", device.Id.Value);
            command.Parameters.AddWithValue("$family", identity.Family);
            command.Parameters.AddWithValue("$category", (int)identity.Category);
            command.Parameters.AddWithValue("$model", identity.Model);
            command.Parameters.AddWithValue("$serial", identity.SerialNumber);
            command.Parameters.AddWithValue("$product", (object?)identity.ProductName ?? DBNull.Value);
            command.Parameters.AddWithValue("$firmware", (object?)identity.FirmwareVersion ?? DBNull.Value);
            command.Parameters.AddWithValue("$endpoint", device.TransportEndpoint);
            command.Parameters.AddWithValue("$first", device.FirstSeen.UtcTicks);
            command.Parameters.AddWithValue("$last", device.LastSeen.UtcTicks);
            command.Parameters.AddWithValue("$offset", (object?)device.LastClockOffset?.Ticks ?? DBNull.Value);
            await command.ExecuteNonQueryAsync(cancellationToken);
        }
    }

    public Task<IReadOnlyList<DeviceRecord>> ListDevicesAsync(CancellationToken cancellationToken) =>
        QueryListAsync(DeviceSelect + " ORDER BY device_id;", _ => { }, ReadDevice, cancellationToken);

    public async Task<DeviceRecord?> GetDeviceAsync(DeviceId device, CancellationToken cancellationToken) =>
        (await QueryListAsync(DeviceSelect + " WHERE device_id = $id;", p => p.AddWithValue("$id", device.Value), ReadDevice, cancellationToken)).SingleOrDefault();

    public async Task<DownloadCursor?> GetCursorAsync(DeviceId device, string stream, CancellationToken cancellationToken) =>
        (await QueryListAsync(
            "SELECT device_id, stream, position, updated FROM cursors WHERE device_id = $id AND stream = $stream;",
            p =>
            {
                p.AddWithValue("$id", device.Value);
                p.AddWithValue("$stream", stream);
            },
            ReadCursor,
            cancellationToken)).SingleOrDefault();

    public Task<IReadOnlyList<DownloadCursor>> GetCursorsAsync(DeviceId device, CancellationToken cancellationToken) =>
        QueryListAsync(
            "SELECT device_id, stream, position, updated FROM cursors WHERE device_id = $id ORDER BY stream;",
            p => p.AddWithValue("$id", device.Value),
            ReadCursor,
            cancellationToken);

    public Task<IReadOnlyList<StoredEvent>> ReadAfterAsync(long afterSequence, int limit, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(afterSequence);
        ArgumentOutOfRangeException.ThrowIfLessThan(limit, 1);
        return QueryListAsync(
            "SELECT sequence, payload FROM events WHERE sequence > $after ORDER BY sequence LIMIT $limit;",
            p =>
            {
                p.AddWithValue("$after", afterSequence);
                p.AddWithValue("$limit", limit);
            },
            ReadEvent,
            cancellationToken);
    }

    public Task<IReadOnlyList<StoredEvent>> QueryAsync(HistoryQuery query, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(query.Limit, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(query.Limit, 10001);
        ArgumentOutOfRangeException.ThrowIfNegative(query.AfterSequence);
        var sql = new System.Text.StringBuilder("SELECT sequence, payload FROM events WHERE sequence > $after");
        if (query.Device is not null)
        {
            sql.Append(" AND device_id = $device");
        }

        if (query.FromUtc is not null)
        {
            sql.Append(" AND utc_ticks >= $from");
        }

        if (query.ToUtc is not null)
        {
            sql.Append(" AND utc_ticks < $to");
        }

        if (query.Kinds.Count > 0)
        {
            sql.Append(" AND kind IN (").AppendJoin(',', query.Kinds.Select(k => ((int)k).ToString(CultureInfo.InvariantCulture))).Append(')');
        }

        sql.Append(" ORDER BY sequence LIMIT $limit;");
        return QueryListAsync(
            sql.ToString(),
            p =>
            {
                p.AddWithValue("$after", query.AfterSequence);
                p.AddWithValue("$limit", query.Limit);
                if (query.Device is { } device)
                {
                    p.AddWithValue("$device", device.Value);
                }

                if (query.FromUtc is { } from)
                {
                    p.AddWithValue("$from", from.UtcTicks);
                }

                if (query.ToUtc is { } to)
                {
                    p.AddWithValue("$to", to.UtcTicks);
                }
            },
            ReadEvent,
            cancellationToken);
    }

    public async Task<long> GetHeadSequenceAsync(CancellationToken cancellationToken)
    {
        var connection = await OpenAsync(cancellationToken);
        await using (connection)
        {
            return Convert.ToInt64(await ScalarAsync(connection, "SELECT coalesce(max(sequence), 0) FROM events;", cancellationToken), CultureInfo.InvariantCulture);
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        _queue.Writer.TryComplete();
        if (_writer is not null)
        {
            await _writer.WaitAsync(TimeSpan.FromSeconds(30)).ConfigureAwait(false);
        }

        SqliteConnection.ClearAllPools();
    }

    private const string DeviceSelect =
        "SELECT device_id, family, category, model, serial_number, product_name, firmware, endpoint, first_seen, last_seen, clock_offset_ticks FROM devices";

    private static DeviceRecord ReadDevice(SqliteDataReader r) => new(
        new DeviceIdentity(r.GetString(1), (DeviceCategory)r.GetInt32(2), r.GetString(3), r.GetString(4), r.IsDBNull(5) ? null : r.GetString(5), r.IsDBNull(6) ? null : r.GetString(6)),
        r.GetString(7),
        new DateTimeOffset(r.GetInt64(8), TimeSpan.Zero),
        new DateTimeOffset(r.GetInt64(9), TimeSpan.Zero),
        r.IsDBNull(10) ? null : TimeSpan.FromTicks(r.GetInt64(10)));

    private static DownloadCursor ReadCursor(SqliteDataReader r) =>
        new(new DeviceId(r.GetString(0)), r.GetString(1), r.GetInt64(2), new DateTimeOffset(r.GetInt64(3), TimeSpan.Zero));

    private static StoredEvent ReadEvent(SqliteDataReader r) => new(r.GetInt64(0), TelemetryJson.Deserialize(r.GetString(1)));

    private async Task<IReadOnlyList<T>> QueryListAsync<T>(string sql, Action<SqliteParameterCollection> bind, Func<SqliteDataReader, T> read, CancellationToken cancellationToken)
    {
        ObjectDisposedException.ThrowIf(_disposed != 0, this);
        var connection = await OpenAsync(cancellationToken);
        await using (connection)
        {
            await using var command = connection.CreateCommand();
            command.CommandText = sql;
            bind(command.Parameters);
            await using var reader = await command.ExecuteReaderAsync(cancellationToken);
            var results = new List<T>();
            while (await reader.ReadAsync(cancellationToken))
            {
                results.Add(read(reader));
            }

            return results;
        }
    }

    private async Task<SqliteConnection> OpenAsync(CancellationToken cancellationToken)
    {
        var connection = new SqliteConnection(_connectionString);
        await connection.OpenAsync(cancellationToken);

        // Per connection: synchronous is not persistent, and foreign keys are off by default.
        await ExecuteAsync(connection, "PRAGMA synchronous=FULL; PRAGMA foreign_keys=ON; PRAGMA busy_timeout=30000;", cancellationToken);
        return connection;
    }

    private static async Task ExecuteAsync(SqliteConnection connection, string sql, CancellationToken cancellationToken)
    {
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    private static async Task<object?> ScalarAsync(SqliteConnection connection, string sql, CancellationToken cancellationToken)
    {
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        return await command.ExecuteScalarAsync(cancellationToken);
    }

    private async Task WriteLoopAsync()
    {
        var connection = await OpenAsync(CancellationToken.None);
        await using (connection)
        {
            using var writer = new SqliteBatchWriter(connection);
            var batch = new List<PendingAppend>(_options.MaxBatchSize);
            while (await _queue.Reader.WaitToReadAsync().ConfigureAwait(false))
            {
                batch.Clear();
                while (batch.Count < _options.MaxBatchSize && _queue.Reader.TryRead(out var pending))
                {
                    batch.Add(pending);
                }

                IReadOnlyList<StoredEvent> committed;
                try
                {
                    committed = writer.Commit(batch, _clock.GetUtcNow());
                }
                catch (Exception ex) when (ex is SqliteException or InvalidOperationException or IOException)
                {
                    LogCommitFailed(ex, batch.Count);
                    foreach (var pending in batch)
                    {
                        pending.Completion.TrySetException(ex);
                    }

                    continue;
                }

                if (committed.Count > 0)
                {
                    try
                    {
                        Committed?.Invoke(committed);
                    }
                    catch (Exception ex)
                    {
                        // A listener's bug must not stop the store; the events are committed.
                        LogListenerFailed(ex);
                    }
                }

                foreach (var pending in batch)
                {
                    pending.Completion.TrySetResult(pending.Result!);
                }
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "A commit of {Appends} appends failed; each caller gets the error and nothing of it is stored")]
    private partial void LogCommitFailed(Exception exception, int appends);

    [LoggerMessage(Level = LogLevel.Error, Message = "A listener of committed events failed")]
    private partial void LogListenerFailed(Exception exception);
}

internal sealed record EventRow(TelemetryEvent Event, string Payload);

internal sealed class PendingAppend(IReadOnlyList<EventRow> rows, IReadOnlyList<DownloadCursor> cursors)
{
    public IReadOnlyList<EventRow> Rows { get; } = rows;

    public IReadOnlyList<DownloadCursor> Cursors { get; } = cursors;

    public TaskCompletionSource<AppendResult> Completion { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public AppendResult? Result { get; set; }
}
