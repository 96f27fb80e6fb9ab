namespace Cache.Replay;

/// <summary>Seconds given as a double, as a <see cref="TimeSpan"/> only when one can hold them.</summary>
internal static class Seconds
{
    // 2^63 ticks, exactly representable as a double: anything below it fits a long.
    private const double TickLimit = 9_223_372_036_854_775_808.0;

    /// <summary>
    /// The TimeSpan of <paramref name="seconds"/>, truncated to ticks as TimeSpan.FromSeconds does;
    /// false for NaN, an infinity, or a value beyond TimeSpan's range (where FromSeconds throws).
    /// </summary>
    public static bool TryToTimeSpan(double seconds, out TimeSpan time)
    {
        double ticks = seconds * TimeSpan.TicksPerSecond;
        bool fits = ticks is > -TickLimit and < TickLimit; // false for NaN too
        time = fits ? TimeSpan.FromTicks((long)ticks) : default;
        return fits;
    }
}
