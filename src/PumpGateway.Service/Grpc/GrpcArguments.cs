using System.Globalization;
using Google.Protobuf.WellKnownTypes;
using Grpc.Core;
using PumpGateway.Devices;
using PumpGateway.Ports;
using PumpGateway.Telemetry;
using Proto = PumpGateway.Api.V1;

namespace PumpGateway.Service.Grpc;

/// <summary>
/// The one way each RPC reads its request fields: whatever a client sends either parses or ends the
/// call with INVALID_ARGUMENT, NOT_FOUND or OUT_OF_RANGE and a message naming the field — never an
/// exception that reaches the client as UNKNOWN.
/// </summary>
internal static class GrpcArguments
{
    /// <summary>
    /// The instants a request may name. The lower bound leaves room for the days a report reads before its period
    /// and the clinic's offset (a <see cref="DateTimeOffset"/> near year 1 overflows); no device records before 1970.
    /// </summary>
    public static readonly DateTimeOffset EarliestTime = DateTimeOffset.UnixEpoch;

    /// <summary>The upper bound, with the same room after a period (<see cref="DateTimeOffset.MaxValue"/> is 9999-12-31).</summary>
    public static readonly DateTimeOffset LatestTime = new(9999, 1, 1, 0, 0, 0, TimeSpan.Zero);

    public static DeviceId ParseDeviceId(string deviceId)
    {
        if (deviceId.Length == 0)
        {
            throw InvalidArgument("device_id is required.");
        }

        try
        {
            return new DeviceId(deviceId);
        }
        catch (ArgumentException)
        {
            throw InvalidArgument("device_id is not a device id (letters, digits, '-' and '_', at most 64).");
        }
    }

    /// <summary>A device the store knows, or NOT_FOUND.</summary>
    public static async Task<DeviceRecord> KnownDeviceAsync(IEventStore store, string deviceId, CancellationToken cancellationToken)
    {
        var id = ParseDeviceId(deviceId);
        return await store.GetDeviceAsync(id, cancellationToken)
            ?? throw new RpcException(new Status(StatusCode.NotFound, $"No device {deviceId}."));
    }

    /// <summary>A required timestamp.</summary>
    public static DateTimeOffset ParseTime(Timestamp? time, string field) =>
        ParseOptionalTime(time, field) ?? throw InvalidArgument($"{field} is required.");

    /// <summary>A timestamp that may be left out (null), within <see cref="EarliestTime"/> and <see cref="LatestTime"/>.</summary>
    public static DateTimeOffset? ParseOptionalTime(Timestamp? time, string field)
    {
        if (time is null)
        {
            return null;
        }

        DateTimeOffset value;
        try
        {
            value = time.ToDateTimeOffset();
        }
        catch (InvalidOperationException)
        {
            throw InvalidArgument($"{field} is not a valid timestamp (seconds {time.Seconds}, nanos {time.Nanos}).");
        }

        return value < EarliestTime || value >= LatestTime
            ? throw InvalidArgument($"{field} ({value:O}) is outside the times the gateway accepts ({EarliestTime:yyyy-MM-dd} to {LatestTime:yyyy-MM-dd}).")
            : value;
    }

    /// <summary>Both ends of a period given: the start must come first.</summary>
    public static void RequireOrdered(DateTimeOffset? from, DateTimeOffset? to)
    {
        if (from is not null && to is not null && from >= to)
        {
            throw InvalidArgument($"from ({from:O}) must be before to ({to:O}).");
        }
    }

    /// <summary>Telemetry kinds to keep; empty keeps all. Unspecified or unknown values are refused, not ignored.</summary>
    public static HashSet<TelemetryKind> ParseKinds(IEnumerable<Proto.TelemetryKind> kinds)
    {
        var set = new HashSet<TelemetryKind>();
        foreach (var kind in kinds)
        {
            if (kind == Proto.TelemetryKind.Unspecified || !System.Enum.IsDefined((TelemetryKind)(int)kind))
            {
                throw InvalidArgument($"kinds holds {kind}, which is not a telemetry kind.");
            }

            set.Add(ProtoMapper.FromProto(kind));
        }

        return set;
    }

    /// <summary>
    /// A stream's resume cursor: at most the head. The store never purges, so every cursor up to the head
    /// is still readable; a store that purged would answer OUT_OF_RANGE here for a cursor before its tail too.
    /// </summary>
    public static async Task<long> ParseAfterSequenceAsync(IEventStore store, ulong afterSequence, CancellationToken cancellationToken)
    {
        var head = await store.GetHeadSequenceAsync(cancellationToken);
        return afterSequence > (ulong)head
            ? throw new RpcException(new Status(StatusCode.OutOfRange, $"after_sequence {afterSequence} is beyond the head sequence {head}."))
            : (long)afterSequence;
    }

    /// <summary>A page size: 0 asks for the default; above the maximum is a mistake, not a request for everything.</summary>
    public static int ParsePageSize(uint pageSize, int defaultSize, int maxSize) =>
        pageSize == 0 ? defaultSize
        : pageSize > maxSize ? throw InvalidArgument($"page_size {pageSize} is above the maximum {maxSize}.")
        : (int)pageSize;

    /// <summary>The page token a previous page issued: the sequence its last event had, written out by <see cref="PageToken"/>.</summary>
    public static async Task<long> ParsePageTokenAsync(IEventStore store, string token, CancellationToken cancellationToken)
    {
        if (token.Length == 0)
        {
            return 0;
        }

        // Issued tokens are canonical (no sign, no leading zero) and never beyond the head.
        if (!long.TryParse(token, NumberStyles.None, CultureInfo.InvariantCulture, out var after)
            || after <= 0
            || PageToken(after) != token
            || after > await store.GetHeadSequenceAsync(cancellationToken))
        {
            throw InvalidArgument("page_token is not one this server issued: pass next_page_token from the previous page, or nothing for the first.");
        }

        return after;
    }

    public static string PageToken(long lastSequence) => lastSequence.ToString(CultureInfo.InvariantCulture);

    /// <summary>Stored events the read side refuses (a negative amount, a reading without a value): the store holds something the drivers should never have written.</summary>
    public static RpcException UnusableHistory(DeviceId device, ArgumentException problem) =>
        new(new Status(StatusCode.DataLoss, $"The stored events of device {device} cannot be read for a report: {problem.Message}"));

    private static RpcException InvalidArgument(string message) => new(new Status(StatusCode.InvalidArgument, message));
}
