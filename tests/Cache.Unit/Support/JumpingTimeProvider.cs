namespace Cache.Unit.Support;

/// <summary>
/// A clock whose wall time and monotonic time move independently, as on a machine whose clock is
/// corrected by NTP or by hand: FakeTimeProvider moves both together and cannot show the difference.
/// </summary>
internal sealed class JumpingTimeProvider : TimeProvider
{
    private DateTimeOffset _wall = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);
    private long _ticks = 1_000_000;

    public override long TimestampFrequency => TimeSpan.TicksPerSecond;

    public override DateTimeOffset GetUtcNow() => _wall;

    public override long GetTimestamp() => _ticks;

    public void JumpWallClock(TimeSpan by) => _wall += by;

    public void AdvanceMonotonic(TimeSpan by) => _ticks += by.Ticks;
}
