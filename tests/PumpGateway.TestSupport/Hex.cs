using System.Globalization;

namespace PumpGateway.TestSupport;

public static class Hex
{
    /// <summary>Parses hex digits, ignoring white space, dashes, colons and a leading 0x per byte group.</summary>
    public static byte[] Parse(string text)
    {
        var digits = new System.Text.StringBuilder(text.Length);
        foreach (var token in text.Split([' ', '\t', '\r', '\n', ',', ':', '-'], StringSplitOptions.RemoveEmptyEntries))
        {
            digits.Append(token.StartsWith("0x", StringComparison.OrdinalIgnoreCase) ? token[2..] : token);
        }

        return Convert.FromHexString(digits.ToString());
    }

    public static string Format(ReadOnlySpan<byte> bytes) => Convert.ToHexString(bytes).ToLower(CultureInfo.InvariantCulture);
}
