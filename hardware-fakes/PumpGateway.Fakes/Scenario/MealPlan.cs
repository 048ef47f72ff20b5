namespace PumpGateway.Fakes.Scenario;

/// <summary>
/// The wearer's planned meals, generated day by day as they are asked for: the glucose-only
/// scenario and the coupled wearer eat the same meals for the same seed. Generating whole days
/// in order keeps a plan independent of how far ahead it was asked.
/// </summary>
internal sealed class MealPlan
{
    private static readonly double[] Hours = [7.5, 12.5, 19.5];

    private readonly Random _random;
    private readonly DateTime _start;
    private readonly int _mealsPerDay;
    private readonly List<MealEntry> _meals = [];
    private DateTime _nextDay;

    public MealPlan(int seed, DateTime start, int mealsPerDay)
    {
        _random = new Random(seed ^ 0x5EED);
        _start = start;
        _mealsPerDay = mealsPerDay;
        _nextDay = start.Date;
    }

    /// <summary>The planned meals of one calendar day (those at or after the start).</summary>
    public IEnumerable<MealEntry> OfDay(DateTime day)
    {
        Extend(day.AddDays(1));
        return _meals.Where(m => m.Time.Date == day.Date);
    }

    /// <summary>Every planned meal before <paramref name="end"/>.</summary>
    public IReadOnlyList<MealEntry> Until(DateTime end)
    {
        Extend(end);
        return [.. _meals.TakeWhile(m => m.Time < end)];
    }

    private void Extend(DateTime end)
    {
        for (; _nextDay < end; _nextDay = _nextDay.AddDays(1))
        {
            for (var i = 0; i < Math.Min(_mealsPerDay, Hours.Length); i++)
            {
                var time = _nextDay.AddHours(Hours[i] + ((_random.NextDouble() - 0.5) * 1.5));
                var carbs = 30 + _random.Next(0, 50);
                if (time >= _start)
                {
                    _meals.Add(new MealEntry(new DateTime(time.Ticks - (time.Ticks % TimeSpan.TicksPerSecond), DateTimeKind.Unspecified), carbs));
                }
            }
        }
    }
}
