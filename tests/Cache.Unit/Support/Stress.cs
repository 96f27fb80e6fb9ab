using System.Globalization;

namespace Cache.Unit.Support;

/// <summary>
/// How many operations a storm test runs. Under the mutation gate, test.sh sets
/// CACHE_STRESS_SCALE=0.1: each mutant meets storms a tenth the size, which kill what the full
/// storms kill (docs/mutation.md compares the two reports); every other run uses the full size.
/// </summary>
internal static class Stress
{
    private static readonly double Scale =
        double.TryParse(Environment.GetEnvironmentVariable("CACHE_STRESS_SCALE"), NumberStyles.Float, CultureInfo.InvariantCulture, out double scale)
        && scale is > 0 and <= 1
            ? scale
            : 1;

    /// <summary><paramref name="operations"/> at the run's scale, at least one.</summary>
    public static int Scaled(int operations) => Math.Max(1, (int)(operations * Scale));
}
