using System.Runtime.CompilerServices;

namespace Cache.Core;

/// <summary>
/// The rule every backend applies to a TTL it is given: positive, or
/// <see cref="Timeout.InfiniteTimeSpan"/> for an entry that never expires.
/// </summary>
public static class CacheTtl
{
    /// <summary>Throws when <paramref name="ttl"/> is zero or negative and not infinite.</summary>
    /// <param name="ttl">The TTL to check.</param>
    /// <param name="paramName">The name of the caller's parameter; filled in by the compiler.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="ttl"/> is zero or negative and not <see cref="Timeout.InfiniteTimeSpan"/>.</exception>
    public static void ThrowIfInvalid(TimeSpan ttl, [CallerArgumentExpression(nameof(ttl))] string? paramName = null)
    {
        if (ttl <= TimeSpan.Zero && ttl != Timeout.InfiniteTimeSpan)
        {
            throw new ArgumentOutOfRangeException(
                paramName,
                ttl,
                "A TTL must be positive, or Timeout.InfiniteTimeSpan for an entry that never expires.");
        }
    }
}
