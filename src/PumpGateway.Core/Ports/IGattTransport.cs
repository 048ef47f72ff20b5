using System.Threading.Channels;

namespace PumpGateway.Ports;

/// <summary>
/// A Bluetooth LE link to one device, as a driver sees it: the device's GATT database after
/// service discovery, reads, writes and one ordered stream of notifications and indications.
/// One stream, not one per characteristic: a profile's control-point indication that ends a
/// transfer must be seen after the notifications it ends (IDS / CGMS record access).
/// </summary>
public interface IGattTransport : ITransport
{
    /// <summary>The services and characteristics found; empty until <see cref="ITransport.OpenAsync"/> has returned.</summary>
    IReadOnlyList<GattServiceInfo> Services { get; }

    /// <summary>Whether the device is bonded (paired with keys stored), as the stack reports it.</summary>
    bool IsBonded { get; }

    /// <summary>
    /// Notifications and indications of every characteristic subscribed to, in arrival order.
    /// Completes with a <see cref="TransportException"/> when the link drops (which <c>ReadAllAsync</c>
    /// and <c>WaitToReadAsync</c> throw as it is).
    /// </summary>
    ChannelReader<GattNotification> Notifications { get; }

    ValueTask<byte[]> ReadAsync(GattCharacteristicId characteristic, CancellationToken cancellationToken);

    ValueTask WriteAsync(GattCharacteristicId characteristic, ReadOnlyMemory<byte> value, GattWriteKind kind, CancellationToken cancellationToken);

    /// <summary>Enables notifications or indications (whichever the characteristic has) into <see cref="Notifications"/>.</summary>
    ValueTask SubscribeAsync(GattCharacteristicId characteristic, CancellationToken cancellationToken);
}

/// <summary>A characteristic by its service and its own UUID (a UUID alone is not unique in a GATT database).</summary>
public readonly record struct GattCharacteristicId(Guid Service, Guid Characteristic)
{
    public override string ToString() => $"{GattUuid.ToShortString(Service)}/{GattUuid.ToShortString(Characteristic)}";
}

public enum GattWriteKind
{
    /// <summary>Write request: the device acknowledges (or refuses) it.</summary>
    WithResponse = 1,

    /// <summary>Write command: no acknowledgement.</summary>
    WithoutResponse = 2,
}

public sealed record GattServiceInfo(Guid Uuid, IReadOnlyList<GattCharacteristicInfo> Characteristics);

/// <param name="Flags">As BlueZ names them: <c>read</c>, <c>write</c>, <c>write-without-response</c>, <c>notify</c>, <c>indicate</c>, …</param>
public sealed record GattCharacteristicInfo(Guid Uuid, IReadOnlyList<string> Flags);

/// <param name="ReceivedAt">The gateway's clock when the value arrived.</param>
public sealed record GattNotification(GattCharacteristicId Characteristic, byte[] Value, DateTimeOffset ReceivedAt);

/// <summary>Bluetooth SIG UUIDs: 16-bit assigned numbers live in the Bluetooth base UUID.</summary>
public static class GattUuid
{
    private const string BaseSuffix = "-0000-1000-8000-00805f9b34fb";

    /// <summary>The 128-bit form of a 16-bit assigned number, e.g. 0x183A.</summary>
    public static Guid FromShort(ushort assignedNumber) => Guid.Parse($"0000{assignedNumber:x4}{BaseSuffix}");

    /// <summary>The 16-bit assigned number for a UUID in the Bluetooth base, else null.</summary>
    public static ushort? ToShort(Guid uuid)
    {
        var text = uuid.ToString("D");
        return text.StartsWith("0000", StringComparison.Ordinal) && text.EndsWith(BaseSuffix, StringComparison.Ordinal)
            ? Convert.ToUInt16(text[4..8], 16)
            : null;
    }

    public static string ToShortString(Guid uuid) => ToShort(uuid) is { } assigned ? $"0x{assigned:X4}" : uuid.ToString("D");
}

/// <summary>
/// The device (or its stack) answered a GATT request with an error: the link is still up, the
/// request was refused (an ATT error such as 0x81 "bad E2E-CRC", a write the device does not permit).
/// </summary>
public sealed class GattErrorException : IOException
{
    public GattErrorException(string errorName, string message)
        : base(message)
    {
        ErrorName = errorName;
    }

    public GattErrorException()
        : this("unknown", "the GATT request was refused")
    {
    }

    public GattErrorException(string message)
        : this("unknown", message)
    {
    }

    public GattErrorException(string message, Exception innerException)
        : base(message, innerException)
    {
        ErrorName = "unknown";
    }

    /// <summary>The stack's name for the error, e.g. <c>org.bluez.Error.NotPermitted</c>.</summary>
    public string ErrorName { get; }
}
