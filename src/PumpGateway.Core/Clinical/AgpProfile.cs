namespace PumpGateway.Clinical;

/// <summary>
/// The Ambulatory Glucose Profile: every reading of the period folded onto one day of clinic-local
/// time of day, each slot summarised by its 5th, 25th, 50th, 75th and 95th percentiles. Local time,
/// because the profile shows the wearer's day (meals, sleep): on a spring-forward day the 02:00
/// slots get nothing, on a fall-back day they get two hours' worth.
/// </summary>
public sealed record AgpProfile(TimeSpan SlotLength, IReadOnlyList<AgpSlot> Slots)
{
    /// <summary>96 slots of 15 minutes, the AGP report's resolution.</summary>
    public static readonly TimeSpan DefaultSlotLength = TimeSpan.FromMinutes(15);

    /// <exception cref="ArgumentException">The slot length is not positive, does not divide a day into whole slots, or a value is negative, NaN or infinite.</exception>
    public static AgpProfile Compute(IEnumerable<(DateTimeOffset Utc, double MgDl)> readings, TimeZoneInfo zone, TimeSpan slotLength)
    {
        ArgumentNullException.ThrowIfNull(readings);
        ArgumentNullException.ThrowIfNull(zone);
        if (slotLength <= TimeSpan.Zero || TimeSpan.TicksPerDay % slotLength.Ticks != 0)
        {
            throw new ArgumentException($"An AGP slot must divide a day into whole slots ({slotLength} does not).", nameof(slotLength));
        }

        var slotCount = (int)(TimeSpan.TicksPerDay / slotLength.Ticks);
        var values = new List<double>?[slotCount];
        foreach (var (utc, mgDl) in readings)
        {
            if (!double.IsFinite(mgDl) || mgDl < 0)
            {
                throw new ArgumentException($"The reading at {utc:O} has no usable glucose value ({mgDl} mg/dL).", nameof(readings));
            }

            var slot = (int)(ClinicTime.LocalTimeOfDay(utc, zone).Ticks / slotLength.Ticks);
            (values[slot] ??= []).Add(mgDl);
        }

        var slots = new AgpSlot[slotCount];
        for (var i = 0; i < slotCount; i++)
        {
            var start = TimeOnly.FromTimeSpan(TimeSpan.FromTicks(slotLength.Ticks * i));
            if (values[i] is not { } slotValues)
            {
                slots[i] = new AgpSlot(start, 0, null, null, null, null, null);
                continue;
            }

            slotValues.Sort();
            slots[i] = new AgpSlot(
                start,
                slotValues.Count,
                Percentile(slotValues, 5),
                Percentile(slotValues, 25),
                Percentile(slotValues, 50),
                Percentile(slotValues, 75),
                Percentile(slotValues, 95));
        }

        return new AgpProfile(slotLength, slots);
    }

    /// <summary>
    /// The p-th percentile of sorted values by linear interpolation between closest ranks (numpy
    /// "linear", Excel PERCENTILE.INC): rank h = (n − 1) × p / 100, then x[⌊h⌋] + (h − ⌊h⌋) × (x[⌊h⌋+1] − x[⌊h⌋]).
    /// </summary>
    internal static double Percentile(IReadOnlyList<double> sorted, int percent)
    {
        if (sorted.Count == 0 || percent is < 0 or > 100)
        {
            throw new ArgumentException("A percentile needs values and a percent from 0 to 100.", nameof(sorted));
        }

        // (n − 1) × p is an integer; dividing once keeps h as exact as a double allows.
        var rank = (sorted.Count - 1) * (double)percent / 100;
        var below = (int)Math.Floor(rank);
        if (below >= sorted.Count - 1)
        {
            return sorted[^1];
        }

        var fraction = rank - below;
        return sorted[below] + (fraction * (sorted[below + 1] - sorted[below]));
    }
}

/// <summary>One slot of the AGP: readings whose clinic-local time of day falls in <c>[Start, Start + SlotLength)</c>; percentiles null when it has none.</summary>
public sealed record AgpSlot(TimeOnly Start, int Readings, double? P5, double? P25, double? P50, double? P75, double? P95);
