namespace PumpGateway.Storage.Sqlite;

internal static class SqliteSchema
{
    /// <summary>
    /// The writer assigns sequences itself (not AUTOINCREMENT, which spends a number on every
    /// duplicate skipped), so they are contiguous. Events are append-only, and the database itself refuses an UPDATE or DELETE of one, so
    /// no code path (nor a hand-run statement) can rewrite history.
    /// </summary>
    public const string Version1 = """
        BEGIN;
        CREATE TABLE devices (
            device_id TEXT PRIMARY KEY,
            family TEXT NOT NULL,
            category INTEGER NOT NULL,
            model TEXT NOT NULL,
            serial_number TEXT NOT NULL,
            product_name TEXT,
            firmware TEXT,
            endpoint TEXT NOT NULL,
            first_seen INTEGER NOT NULL,
            last_seen INTEGER NOT NULL,
            clock_offset_ticks INTEGER
        );
        CREATE TABLE events (
            sequence INTEGER PRIMARY KEY,
            event_id TEXT NOT NULL UNIQUE,
            device_id TEXT NOT NULL,
            kind INTEGER NOT NULL,
            utc_ticks INTEGER NOT NULL,
            device_time TEXT NOT NULL,
            payload TEXT NOT NULL,
            stored_ticks INTEGER NOT NULL
        );
        CREATE INDEX events_by_device_time ON events (device_id, utc_ticks);
        CREATE INDEX events_by_kind ON events (kind, sequence);
        CREATE TRIGGER events_append_only_update BEFORE UPDATE ON events BEGIN SELECT RAISE(ABORT, 'events are append-only'); END;
        CREATE TRIGGER events_append_only_delete BEFORE DELETE ON events BEGIN SELECT RAISE(ABORT, 'events are append-only'); END;
        CREATE TABLE cursors (
            device_id TEXT NOT NULL,
            stream TEXT NOT NULL,
            position INTEGER NOT NULL,
            updated INTEGER NOT NULL,
            PRIMARY KEY (device_id, stream)
        );
        PRAGMA user_version = 1;
        COMMIT;
        """;
}
