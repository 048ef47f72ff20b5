using System.Security.Cryptography;
using System.Text;

namespace PumpGateway.Devices;

/// <summary>
/// The gateway's name for one physical device. It is derived from the family and the serial
/// number by a one-way hash, so it can appear in logs, URLs and event ids without exposing the
/// serial number (a device identifier is protected health information in most jurisdictions).
/// </summary>
public readonly record struct DeviceId
{
    public DeviceId(string value)
    {
        if (string.IsNullOrWhiteSpace(value) || value.Length > 64 || value.Any(c => !(char.IsAsciiLetterOrDigit(c) || c is '-' or '_')))
        {
            throw new ArgumentException("A device id is 1 to 64 ASCII letters, digits, '-' or '_'.", nameof(value));
        }

        Value = value;
    }

    public string Value { get; }

    /// <summary>Derives the stable id of a device: <c>{family}-{first 16 hex digits of SHA-256(family|serial)}</c>.</summary>
    public static DeviceId FromSerial(string family, string serialNumber)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(family);
        ArgumentException.ThrowIfNullOrWhiteSpace(serialNumber);
        Span<byte> hash = stackalloc byte[32];
        SHA256.HashData(Encoding.UTF8.GetBytes(family + "|" + serialNumber), hash);
        return new DeviceId(family + "-" + Convert.ToHexStringLower(hash[..8]));
    }

    public override string ToString() => Value;
}
