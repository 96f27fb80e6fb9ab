using Cache.Core;

namespace Cache.Async;

/// <summary>
/// Settings of an <see cref="InMemoryCache"/>, mutable for the options pattern. The cache checks
/// them when it is constructed.
/// </summary>
public sealed class InMemoryCacheOptions
{
    /// <summary>
    /// The cache's name: the <c>cache.name</c> tag of its metrics, and the key it is registered under
    /// by <c>AddInMemoryCache(name, ...)</c>, which sets it. Not empty; default "default".
    /// </summary>
    public string Name { get; set; } = "default";

    /// <summary>The most entries stored, expired-but-not-yet-removed ones included. At least 1; default 1000.</summary>
    public int MaxSize { get; set; } = 1000;

    /// <summary>
    /// The TTL of an entry set without one: positive, or <see cref="Timeout.InfiniteTimeSpan"/>. Default one hour.
    /// </summary>
    public TimeSpan DefaultTtl { get; set; } = TimeSpan.FromHours(1);

    /// <summary>
    /// Which entry a full cache gives up for a new key. Default <see cref="EvictionPolicy.Lru"/>,
    /// exact LRU (the contract's); <see cref="EvictionPolicy.TinyLfu"/> hits more often on skewed
    /// traffic and keeps its hot set through a scan (docs/benchmarks.md has the figures).
    /// </summary>
    public EvictionPolicy Policy { get; set; } = EvictionPolicy.Lru;

    /// <summary>
    /// The longest <see cref="ExpirationScanInterval"/>: 0xFFFFFFFE ms (about 49.7 days), the
    /// longest period <see cref="System.Threading.Timer"/> accepts.
    /// </summary>
    public static readonly TimeSpan MaxExpirationScanInterval = TimeSpan.FromMilliseconds(0xFFFFFFFE);

    private static readonly TimeSpan TimerResolution = TimeSpan.FromMilliseconds(1);

    /// <summary>
    /// How often a timer from the cache's TimeProvider removes expired entries; null or
    /// <see cref="Timeout.InfiniteTimeSpan"/> turns the sweep off. Default one minute.
    /// Expired entries are never returned either way; the sweep only frees their memory sooner.
    /// Otherwise it must be positive and at most <see cref="MaxExpirationScanInterval"/> (about
    /// 49.7 days, the longest period a <see cref="System.Threading.Timer"/> takes); the cache's
    /// constructor refuses anything else with an <see cref="ArgumentOutOfRangeException"/> naming
    /// this option. An interval under one millisecond is rounded up to one millisecond, the
    /// timer's resolution (the system timer would truncate it to zero and sweep only once).
    /// </summary>
    public TimeSpan? ExpirationScanInterval { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>
    /// Where to write an access trace (operation, a 64-bit hash of the key, the time on the cache's
    /// monotonic clock, a Set's TTL; never keys or values), for <c>tools/Cache.Replay</c> to size a
    /// cache from real traffic. Null (the default) records nothing. Recording costs a hash and one
    /// compare-and-swap into a bounded ring an operation; a background task does the writing. If the
    /// stream falls behind until the ring is full, records are lost (counted, logged and marked in the
    /// trace) rather than callers kept waiting; a stream that throws (from its first write on) stops
    /// the recording, logged. The header too is written by the background task, so a stalled stream
    /// never holds up the constructor. The cache writes what is queued and flushes when disposed,
    /// waiting at most 2 seconds of wall time for a stream that stalls; what is still unwritten then
    /// is abandoned, counted and logged. The stream stays the caller's to close.
    /// </summary>
    public Stream? Recorder { get; set; }

    /// <summary>
    /// Checks every option, the one set of rules the cache's constructor and the options validator
    /// both apply, and returns the core's options and the sweep timer's period (null when off).
    /// </summary>
    /// <exception cref="ArgumentException">Name is null, empty or white space.</exception>
    /// <exception cref="ArgumentOutOfRangeException">An option is out of its range; the exception names it.</exception>
    internal (CacheOptions Core, TimeSpan? SweepPeriod) Checked()
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(Name, nameof(Name));
        return (new CacheOptions { MaxSize = MaxSize, DefaultTtl = DefaultTtl, Policy = Policy }, SweepPeriodOf(ExpirationScanInterval));
    }

    /// <summary>The sweep timer's period for <paramref name="interval"/>; null when the sweep is off.</summary>
    /// <exception cref="ArgumentOutOfRangeException">The interval is one the timer cannot take.</exception>
    internal static TimeSpan? SweepPeriodOf(TimeSpan? interval)
    {
        if (interval is not { } given || given == Timeout.InfiniteTimeSpan)
        {
            return null;
        }

        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(given, TimeSpan.Zero, nameof(ExpirationScanInterval));
        ArgumentOutOfRangeException.ThrowIfGreaterThan(given, MaxExpirationScanInterval, nameof(ExpirationScanInterval));
        // Stryker disable once Equality : at the resolution both branches give the same period.
        return given < TimerResolution ? TimerResolution : given;
    }
}
