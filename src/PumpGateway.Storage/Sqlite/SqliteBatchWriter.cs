using System.Globalization;
using Microsoft.Data.Sqlite;
using PumpGateway.Ports;

namespace PumpGateway.Storage.Sqlite;

/// <summary>The writer task's prepared statements: one transaction per batch of appends.</summary>
internal sealed class SqliteBatchWriter : IDisposable
{
    private readonly SqliteConnection _connection;
    private readonly SqliteCommand _insertEvent;
    private readonly SqliteCommand _upsertCursor;

    public SqliteBatchWriter(SqliteConnection connection)
    {
        _connection = connection;
        _insertEvent = connection.CreateCommand();
        _insertEvent.CommandText = """
            INSERT INTO events (sequence, event_id, device_id, kind, utc_ticks, device_time, payload, stored_ticks)
            VALUES ($sequence, $id, $device, $kind, $utc, $deviceTime, $payload, $stored)
            ON CONFLICT(event_id) DO NOTHING;
            """;
        foreach (var name in new[] { "$id", "$device", "$kind", "$utc", "$deviceTime", "$payload", "$stored", "$sequence" })
        {
            _insertEvent.Parameters.Add(new SqliteParameter { ParameterName = name });
        }

        _upsertCursor = connection.CreateCommand();
        _upsertCursor.CommandText = """
            INSERT INTO cursors (device_id, stream, position, updated) VALUES ($device, $stream, $position, $updated)
            ON CONFLICT(device_id, stream) DO UPDATE SET position = excluded.position, updated = excluded.updated;
            """;
        foreach (var name in new[] { "$device", "$stream", "$position", "$updated" })
        {
            _upsertCursor.Parameters.Add(new SqliteParameter { ParameterName = name });
        }
    }

    /// <summary>Commits every append of the batch, or none; sets each append's result on success.</summary>
    public IReadOnlyList<StoredEvent> Commit(IReadOnlyList<PendingAppend> batch, DateTimeOffset now)
    {
        var committed = new List<StoredEvent>();
        var results = new AppendResult[batch.Count];
        var next = HeadSequence() + 1;
        using (var transaction = _connection.BeginTransaction())
        {
            _insertEvent.Transaction = transaction;
            _upsertCursor.Transaction = transaction;
            for (var i = 0; i < batch.Count; i++)
            {
                var appended = new List<StoredEvent>();
                var duplicates = 0;
                foreach (var row in batch[i].Rows)
                {
                    var e = row.Event;
                    var p = _insertEvent.Parameters;
                    p[0].Value = e.Id.Value;
                    p[1].Value = e.Device.Value;
                    p[2].Value = (int)e.Kind;
                    p[3].Value = e.Utc.UtcTicks;
                    p[4].Value = e.DeviceTime.Clock.ToString("yyyy-MM-ddTHH:mm:ss.FFFFFFF", CultureInfo.InvariantCulture);
                    p[5].Value = row.Payload;
                    p[6].Value = now.UtcTicks;
                    p[7].Value = next;
                    if (_insertEvent.ExecuteNonQuery() == 1)
                    {
                        var stored = new StoredEvent(next++, e);
                        appended.Add(stored);
                        committed.Add(stored);
                    }
                    else
                    {
                        duplicates++;
                    }
                }

                foreach (var cursor in batch[i].Cursors)
                {
                    var p = _upsertCursor.Parameters;
                    p[0].Value = cursor.Device.Value;
                    p[1].Value = cursor.Stream;
                    p[2].Value = cursor.Position;
                    p[3].Value = cursor.UpdatedUtc.UtcTicks;
                    _upsertCursor.ExecuteNonQuery();
                }

                results[i] = new AppendResult(appended, duplicates, 0);
            }

            transaction.Commit();
        }

        var head = next - 1;
        for (var i = 0; i < batch.Count; i++)
        {
            batch[i].Result = results[i] with { HeadSequence = head };
        }

        return committed;
    }

    public void Dispose()
    {
        _insertEvent.Dispose();
        _upsertCursor.Dispose();
    }

    private long HeadSequence()
    {
        using var command = _connection.CreateCommand();
        command.CommandText = "SELECT coalesce(max(sequence), 0) FROM events;";
        return (long)command.ExecuteScalar()!;
    }
}
