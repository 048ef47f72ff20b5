using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging.Abstractions;
using PumpGateway.Devices;
using PumpGateway.Ports;
using PumpGateway.Storage.Sqlite;
using PumpGateway.Telemetry;

namespace PumpGateway.Storage.Tests;

public sealed class SqliteEventStoreTests : IAsyncLifetime
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);
    private static readonly DateTimeOffset Start = new(2026, 11, 1, 0, 0, 0, TimeSpan.Zero);
    private readonly string _folder = Directory.CreateTempSubdirectory("pumpgw-store-").FullName;
    private readonly DeviceId _device = DeviceId.FromSerial("dexcom", "SM1");

    private string DatabasePath => Path.Combine(_folder, "events.db");

    public Task InitializeAsync() => Task.CompletedTask;

    public Task DisposeAsync()
    {
        SqliteConnection.ClearAllPools();
        Directory.Delete(_folder, recursive: true);
        return Task.CompletedTask;
    }

    [Fact]
    public async Task Appends_get_contiguous_sequences_and_duplicates_are_skipped()
    {
        await using var store = await OpenAsync();
        var first = await store.AppendAsync(Readings(0, 10), [], CancellationToken.None).WaitAsync(Timeout);
        Assert.Equal(Enumerable.Range(1, 10).Select(i => (long)i), first.Appended.Select(e => e.Sequence));

        var again = await store.AppendAsync([.. Readings(5, 10), .. Readings(14, 2)], [], CancellationToken.None).WaitAsync(Timeout);
        Assert.Equal(6, again.Duplicates);
        Assert.Equal([11L, 12, 13, 14, 15, 16], again.Appended.Select(e => e.Sequence));
        Assert.Equal(16, again.HeadSequence);
        Assert.Equal(16, await store.GetHeadSequenceAsync(CancellationToken.None));
    }

    [Fact]
    public async Task Concurrent_appenders_store_everything_exactly_once_with_no_gaps()
    {
        await using var store = await OpenAsync();
        var results = await Task.WhenAll(Enumerable.Range(0, 50).Select(a => store.AppendAsync(Readings(a * 100, 100), [], CancellationToken.None))).WaitAsync(Timeout);
        Assert.All(results, r => Assert.Equal(100, r.Appended.Count));
        var all = await store.ReadAfterAsync(0, 10000, CancellationToken.None);
        Assert.Equal(Enumerable.Range(1, 5000).Select(i => (long)i), all.Select(e => e.Sequence));
        Assert.Equal(5000, all.Select(e => e.Event.Id).Distinct().Count());
    }

    [Fact]
    public async Task Cursors_commit_with_their_events_and_everything_survives_a_reopen()
    {
        await using (var store = await OpenAsync())
        {
            var cursor = new DownloadCursor(_device, "egv", 136, Start);
            await store.AppendAsync(Readings(0, 3), [cursor], CancellationToken.None).WaitAsync(Timeout);
            await store.UpsertDeviceAsync(new DeviceRecord(new DeviceIdentity("dexcom", DeviceCategory.CgmReceiver, "G4Receiver", "SM1", null, "2.0"), "serial:/dev/pts/1", Start, Start, TimeSpan.FromSeconds(-3)), CancellationToken.None);
        }

        await using var reopened = await OpenAsync();
        Assert.Equal(136, (await reopened.GetCursorAsync(_device, "egv", CancellationToken.None))!.Position);
        Assert.Equal(3, (await reopened.ReadAfterAsync(0, 100, CancellationToken.None)).Count);
        var device = Assert.Single(await reopened.ListDevicesAsync(CancellationToken.None));
        Assert.Equal((_device, "SM1", TimeSpan.FromSeconds(-3)), (device.Id, device.Identity.SerialNumber, device.LastClockOffset!.Value));
        Assert.Equal(Readings(0, 3), (await reopened.ReadAfterAsync(0, 100, CancellationToken.None)).Select(e => e.Event));
    }

    [Fact]
    public async Task The_database_runs_in_wal_with_full_sync_and_refuses_to_rewrite_an_event()
    {
        await using var store = await OpenAsync();
        await store.AppendAsync(Readings(0, 1), [], CancellationToken.None).WaitAsync(Timeout);
        await using var connection = new SqliteConnection($"Data Source={DatabasePath}");
        await connection.OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = "PRAGMA journal_mode;";
        Assert.Equal("wal", (string?)await command.ExecuteScalarAsync());
        command.CommandText = "UPDATE events SET payload = '{}';";
        Assert.Contains("append-only", (await Assert.ThrowsAsync<SqliteException>(() => command.ExecuteNonQueryAsync())).Message, StringComparison.Ordinal);
        command.CommandText = "DELETE FROM events;";
        await Assert.ThrowsAsync<SqliteException>(() => command.ExecuteNonQueryAsync());
    }

    [Fact]
    public async Task Committed_batches_are_announced_in_sequence_order()
    {
        await using var store = await OpenAsync();
        var announced = new List<long>();
        store.Committed += batch => { lock (announced) { announced.AddRange(batch.Select(e => e.Sequence)); } };
        await Task.WhenAll(Enumerable.Range(0, 20).Select(a => store.AppendAsync(Readings(a * 10, 10), [], CancellationToken.None))).WaitAsync(Timeout);
        Assert.Equal(Enumerable.Range(1, 200).Select(i => (long)i), announced);
    }

    [Fact]
    public async Task Queries_filter_by_device_time_and_kind_and_page_by_sequence()
    {
        await using var store = await OpenAsync();
        await store.AppendAsync(Readings(0, 50), [], CancellationToken.None).WaitAsync(Timeout);
        var window = await store.QueryAsync(new HistoryQuery(_device, Start.AddMinutes(50), Start.AddMinutes(100), [TelemetryKind.Glucose], 0, 100), CancellationToken.None);
        Assert.Equal(Enumerable.Range(11, 10).Select(i => (long)i), window.Select(e => e.Sequence));
        var page = await store.QueryAsync(new HistoryQuery(null, null, null, [], 45, 100), CancellationToken.None);
        Assert.Equal(5, page.Count);
        Assert.Empty(await store.QueryAsync(new HistoryQuery(_device, null, null, [TelemetryKind.Bolus], 0, 100), CancellationToken.None));
    }

    private async Task<SqliteEventStore> OpenAsync()
    {
        var store = new SqliteEventStore(new SqliteStoreOptions { DatabasePath = DatabasePath }, NullLogger<SqliteEventStore>.Instance, TimeProvider.System);
        await store.InitializeAsync(CancellationToken.None).WaitAsync(Timeout);
        return store;
    }

    private IReadOnlyList<TelemetryEvent> Readings(int first, int count) =>
        [.. Enumerable.Range(first, count).Select(i => (TelemetryEvent)new GlucoseReading
        {
            Id = EventId.For(_device, "egv", i.ToString(System.Globalization.CultureInfo.InvariantCulture)),
            Device = _device,
            DeviceTime = DeviceTimestamp.FromClock(Start.UtcDateTime.AddMinutes(5 * i)),
            Utc = Start.AddMinutes(5 * i),
            TimeBasis = TimeBasis.DockClockOffset,
            Source = GlucoseSource.Sensor,
            MgDl = 100 + i,
            Trend = GlucoseTrend.Flat,
        })];
}
