using PumpGateway.Clinical;

namespace PumpGateway.Core.Tests.Clinical;

/// <summary>
/// The AGP: slots of clinic-local time of day and percentiles by linear interpolation between
/// closest ranks (h = (n − 1) × p, value = x[⌊h⌋] + (h − ⌊h⌋)(x[⌊h⌋+1] − x[⌊h⌋]), 0-based ranks).
/// </summary>
public sealed class AgpProfileTests
{
    private static readonly TimeZoneInfo Paris = TimeZoneInfo.FindSystemTimeZoneById("Europe/Paris");

    [Fact]
    public void The_percentiles_of_1_to_100_are_the_closest_rank_interpolations()
    {
        // 100 days at 08:05 CET (07:05 UTC), values 1..100 in shuffled order.
        var order = Enumerable.Range(1, 100).OrderBy(v => (v * 37) % 101).ToArray();
        var readings = order.Select((v, day) => (new DateTimeOffset(2025, 11, 1, 7, 5, 0, TimeSpan.Zero).AddDays(day), (double)v));

        var agp = AgpProfile.Compute(readings, Paris, TimeSpan.FromMinutes(15));
        var slot = agp.Slots[32];

        Assert.Equal(new TimeOnly(8, 0), slot.Start);
        Assert.Equal(100, slot.Readings);

        // P5: h = 99 × 0.05 = 4.95 → x[4] = 5, x[5] = 6 → 5 + 0.95 × 1 = 5.95
        Assert.Equal(5.95, slot.P5!.Value, 9);

        // P25: h = 24.75 → 25 + 0.75 = 25.75
        Assert.Equal(25.75, slot.P25!.Value, 9);

        // P50: h = 49.5 → 50 + 0.5 = 50.5
        Assert.Equal(50.5, slot.P50!.Value, 9);

        // P75: h = 74.25 → 75 + 0.25 = 75.25
        Assert.Equal(75.25, slot.P75!.Value, 9);

        // P95: h = 94.05 → 95 + 0.05 = 95.05
        Assert.Equal(95.05, slot.P95!.Value, 9);
        Assert.Equal(100, agp.Slots.Sum(s => s.Readings));
    }

    [Fact]
    public void Four_values_interpolate_between_their_ranks()
    {
        // 10, 20, 30, 40 (given 40, 10, 30, 20): h = 3p.
        // P5 h 0.15 → 10 + 0.15 × 10 = 11.5; P25 h 0.75 → 17.5; P50 h 1.5 → 25; P75 h 2.25 → 32.5; P95 h 2.85 → 38.5
        var at = new DateTimeOffset(2026, 1, 5, 11, 50, 0, TimeSpan.Zero); // 12:50 CET: slot 51 (12:45)
        double[] values = [40, 10, 30, 20];
        var agp = AgpProfile.Compute(values.Select((v, i) => (at.AddDays(i), v)), Paris, AgpProfile.DefaultSlotLength);

        var slot = agp.Slots[51];
        Assert.Equal(new TimeOnly(12, 45), slot.Start);
        Assert.Equal(11.5, slot.P5!.Value, 9);
        Assert.Equal(17.5, slot.P25!.Value, 9);
        Assert.Equal(25, slot.P50!.Value, 9);
        Assert.Equal(32.5, slot.P75!.Value, 9);
        Assert.Equal(38.5, slot.P95!.Value, 9);
    }

    [Fact]
    public void One_value_is_every_percentile_and_an_empty_slot_has_none()
    {
        var agp = AgpProfile.Compute([(new DateTimeOffset(2026, 1, 5, 0, 0, 0, TimeSpan.Zero), 123.0)], Paris, AgpProfile.DefaultSlotLength);

        var filled = agp.Slots[4]; // 00:00 UTC = 01:00 CET
        Assert.Equal(1, filled.Readings);
        Assert.Equal([123.0, 123.0, 123.0, 123.0, 123.0], new[] { filled.P5, filled.P25, filled.P50, filled.P75, filled.P95 });

        var empty = agp.Slots[0];
        Assert.Equal(0, empty.Readings);
        Assert.Null(empty.P5);
        Assert.Null(empty.P50);
        Assert.Null(empty.P95);
    }

    [Fact]
    public void A_day_is_96_slots_of_15_minutes_from_midnight()
    {
        var agp = AgpProfile.Compute([], Paris, AgpProfile.DefaultSlotLength);

        Assert.Equal(TimeSpan.FromMinutes(15), agp.SlotLength);
        Assert.Equal(96, agp.Slots.Count);
        Assert.Equal(new TimeOnly(0, 0), agp.Slots[0].Start);
        Assert.Equal(new TimeOnly(0, 15), agp.Slots[1].Start);
        Assert.Equal(new TimeOnly(23, 45), agp.Slots[95].Start);
        Assert.Equal(24, AgpProfile.Compute([], Paris, TimeSpan.FromHours(1)).Slots.Count);
    }

    [Fact]
    public void Readings_fall_in_the_slot_of_their_clinic_local_time_across_daylight_saving_changes()
    {
        (DateTimeOffset, double)[] readings =
        [
            (new DateTimeOffset(2026, 1, 15, 7, 10, 0, TimeSpan.Zero), 110),  // 08:10 CET → slot 32 (08:00)
            (new DateTimeOffset(2026, 7, 15, 6, 10, 0, TimeSpan.Zero), 130),  // 08:10 CEST → slot 32
            (new DateTimeOffset(2026, 3, 29, 0, 30, 0, TimeSpan.Zero), 90),   // 01:30 CET → slot 6
            (new DateTimeOffset(2026, 3, 29, 1, 30, 0, TimeSpan.Zero), 95),   // 03:30 CEST (02:xx skipped) → slot 14
            (new DateTimeOffset(2026, 10, 25, 0, 30, 0, TimeSpan.Zero), 100), // 02:30 CEST → slot 10
            (new DateTimeOffset(2026, 10, 25, 1, 30, 0, TimeSpan.Zero), 200), // 02:30 CET, the repeated hour → slot 10
        ];

        var agp = AgpProfile.Compute(readings, Paris, AgpProfile.DefaultSlotLength);

        Assert.Equal(2, agp.Slots[32].Readings);
        Assert.Equal(120, agp.Slots[32].P50); // (110 + 130) / 2
        Assert.Equal(1, agp.Slots[6].Readings);
        Assert.Equal(1, agp.Slots[14].Readings);
        Assert.Equal(2, agp.Slots[10].Readings);
        Assert.Equal(150, agp.Slots[10].P50); // (100 + 200) / 2
        Assert.Equal(6, agp.Slots.Sum(s => s.Readings));

        // In UTC the same readings fall elsewhere: 07:10 and 06:10 are slots 28 and 24.
        var utc = AgpProfile.Compute(readings, TimeZoneInfo.Utc, AgpProfile.DefaultSlotLength);
        Assert.Equal(1, utc.Slots[28].Readings);
        Assert.Equal(1, utc.Slots[24].Readings);
        Assert.Equal(0, utc.Slots[32].Readings);
    }

    [Fact]
    public void A_slot_starts_inclusive_and_ends_exclusive()
    {
        var justBefore = new DateTimeOffset(2026, 1, 5, 7, 15, 0, TimeSpan.Zero).AddTicks(-1); // 08:14:59.9999999 CET
        var onTheEdge = new DateTimeOffset(2026, 1, 5, 7, 15, 0, TimeSpan.Zero);               // 08:15 CET

        var agp = AgpProfile.Compute([(justBefore, 100.0), (onTheEdge, 200.0)], Paris, AgpProfile.DefaultSlotLength);

        Assert.Equal(100, agp.Slots[32].P50);
        Assert.Equal(200, agp.Slots[33].P50);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(-15)]
    [InlineData(7)]    // 1440 / 7 is not whole
    [InlineData(1441)] // longer than a day
    public void A_slot_length_that_does_not_divide_a_day_is_refused(int minutes)
    {
        Assert.Throws<ArgumentException>(() => AgpProfile.Compute([], Paris, TimeSpan.FromMinutes(minutes)));
    }
}
