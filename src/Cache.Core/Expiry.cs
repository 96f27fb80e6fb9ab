namespace Cache.Core;

/// <summary>
/// The deadline an entry gets from its TTL (which TTLs are valid: <see cref="CacheTtl"/>).
/// A deadline is a tick count on the same monotonic timeline as <c>now</c>.
/// </summary>
internal static class Expiry
{
    /// <summary>The deadline of an entry that never expires.</summary>
    public const long Never = long.MaxValue;

    /// <summary>
    /// The deadline of an entry set at <paramref name="now"/> with a valid <paramref name="ttl"/>:
    /// <see cref="Never"/> for an infinite TTL or one whose deadline would overflow.
    /// </summary>
    public static long DeadlineOf(TimeSpan now, TimeSpan ttl)
    {
        // A negative `now` cannot overflow with a positive TTL, so only the room above a
        // positive `now` matters.
        bool overflows = ttl.Ticks > long.MaxValue - Math.Max(now.Ticks, 0);
        return ttl == Timeout.InfiniteTimeSpan || overflows ? Never : now.Ticks + ttl.Ticks;
    }

    /// <summary>An entry is live while now &lt; deadline, and expired from now &gt;= deadline.</summary>
    public static bool IsDue(long deadline, TimeSpan now) => deadline != Never && now.Ticks >= deadline;
}
