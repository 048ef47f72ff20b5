using PumpGateway.Protocol;

namespace PumpGateway.Devices.Ids;

/// <summary>
/// The E2E-Counter sequence of one connection, per characteristic: the first value carries 1, each
/// next one the previous + 1, and 255 is followed by 1 (0 is never used). A repeated or skipped
/// counter is reported (ATT error 0x82 on the server side); the checker then follows the received
/// counter so that one lost value is reported once, not on every value after it. Kept apart from
/// the codecs, which stay pure; one instance per connection and direction, not thread-safe.
/// </summary>
public sealed class IdsE2eCounter
{
    private readonly Dictionary<IdsCharacteristic, byte> _last = [];

    /// <summary>The counter that follows <paramref name="counter"/>.</summary>
    public static byte Following(byte counter) => counter is 0 or 255 ? (byte)1 : (byte)(counter + 1);

    public byte Expected(IdsCharacteristic characteristic) => _last.TryGetValue(characteristic, out var last) ? Following(last) : (byte)1;

    /// <summary>Accepts the counter of a received value, or throws when it breaks the sequence.</summary>
    public void Check(IdsCharacteristic characteristic, byte counter)
    {
        var expected = Expected(characteristic);
        if (counter == expected)
        {
            _last[characteristic] = counter;
            return;
        }

        var repeated = _last.TryGetValue(characteristic, out var last) && last == counter;
        if (counter != 0)
        {
            _last[characteristic] = counter;
        }

        var what = counter == 0 ? "0, which is never used" : repeated ? $"{counter} again" : $"{counter}, skipping from {expected}";
        throw new ProtocolException(ProtocolErrorKind.OutOfRange, 0, $"{characteristic} E2E-Counter is {what}; expected {expected}");
    }

    /// <summary>The counter to send with the next value written to <paramref name="characteristic"/>.</summary>
    public byte Next(IdsCharacteristic characteristic)
    {
        var next = Expected(characteristic);
        _last[characteristic] = next;
        return next;
    }

    /// <summary>A new connection starts every sequence again at 1.</summary>
    public void Reset() => _last.Clear();
}
