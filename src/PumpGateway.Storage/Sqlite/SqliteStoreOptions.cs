namespace PumpGateway.Storage.Sqlite;

public sealed record SqliteStoreOptions
{
    public required string DatabasePath { get; init; }

    /// <summary>Appends the writer gathers into one transaction at most (group commit).</summary>
    public int MaxBatchSize { get; init; } = 256;

    /// <summary>Appends waiting for the writer at most; further callers wait for room.</summary>
    public int QueueCapacity { get; init; } = 4096;
}
