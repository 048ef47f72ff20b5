namespace PumpGateway.Fakes;

/// <summary>
/// The seeded noise the emulators' fault switches share: a flipped byte here and there, a chance taken.
/// Callers hold their own lock around a call, since each draws from its own seeded <see cref="Random"/>.
/// </summary>
internal static class LineNoise
{
    /// <summary>
    /// <paramref name="bytes"/> as a noisy line delivers it: each of its first <paramref name="significant"/> bytes
    /// XORed with a random non-zero value with chance <paramref name="probability"/>; the same array when none was hit.
    /// </summary>
    public static byte[] Corrupt(Random random, double probability, byte[] bytes, int significant, ref long corrupted)
    {
        if (probability <= 0)
        {
            return bytes;
        }

        byte[]? hit = null;
        for (var i = 0; i < Math.Min(significant, bytes.Length); i++)
        {
            if (random.NextDouble() < probability)
            {
                hit ??= (byte[])bytes.Clone();
                hit[i] ^= (byte)random.Next(1, 256);
                corrupted++;
            }
        }

        return hit ?? bytes;
    }

    public static bool Chance(Random random, double probability) => probability > 0 && random.NextDouble() < probability;

    /// <exception cref="ArgumentOutOfRangeException">Not between 0 and 1.</exception>
    public static double Probability(double value) =>
        value is >= 0 and <= 1 ? value : throw new ArgumentOutOfRangeException(nameof(value), value, "A probability is between 0 and 1.");
}
