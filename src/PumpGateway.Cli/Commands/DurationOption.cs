using System.CommandLine;
using System.Globalization;
using System.Text.RegularExpressions;

namespace PumpGateway.Cli.Commands;

/// <summary>A duration option that reads what people type: <c>500ms</c>, <c>20s</c>, <c>2m</c>, <c>1h</c>, <c>1d</c>, or <c>hh:mm:ss</c>.</summary>
internal static partial class DurationOption
{
    public static Option<TimeSpan> Create(string name, string description, TimeSpan defaultValue) => new(name)
    {
        Description = description + " (e.g. 20s, 2m, 1h, or hh:mm:ss)",
        DefaultValueFactory = _ => defaultValue,
        CustomParser = result =>
        {
            var text = result.Tokens.Count == 1 ? result.Tokens[0].Value : "";
            if (TryParse(text, out var value) && value >= TimeSpan.Zero)
            {
                return value;
            }

            result.AddError($"{name}: '{text}' is not a duration such as 20s, 2m, 1h or 00:02:00.");
            return default;
        },
    };

    public static bool TryParse(string text, out TimeSpan value)
    {
        var match = Unit().Match(text.Trim());
        if (match.Success)
        {
            var amount = double.Parse(match.Groups["amount"].Value, CultureInfo.InvariantCulture);
            value = match.Groups["unit"].Value switch
            {
                "ms" => TimeSpan.FromMilliseconds(amount),
                "s" => TimeSpan.FromSeconds(amount),
                "m" => TimeSpan.FromMinutes(amount),
                "h" => TimeSpan.FromHours(amount),
                _ => TimeSpan.FromDays(amount),
            };
            return true;
        }

        return TimeSpan.TryParse(text, CultureInfo.InvariantCulture, out value);
    }

    [GeneratedRegex(@"^(?<amount>\d+(\.\d+)?)(?<unit>ms|s|m|h|d)$")]
    private static partial Regex Unit();
}
