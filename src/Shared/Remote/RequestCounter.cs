using Cache.Async;
using Cache.Shared.Telemetry;
using Microsoft.Extensions.Logging;

namespace Cache.Shared.Remote;

/// <summary>
/// What a server backend counts of its own calls: hits and misses (also as metrics and Debug log
/// lines), sets and removals. The servers' own counts (evictions, expirations, entries) are not
/// this client's, so its <see cref="CacheStats"/> leave them 0.
/// </summary>
/// <param name="metrics">The cache's instruments.</param>
/// <param name="logger">Where hits and misses go, at Debug.</param>
internal sealed class RequestCounter(CacheMetrics metrics, ILogger logger)
{
    private long _hits;
    private long _misses;
    private long _sets;
    private long _removals;

    /// <summary>Counts one lookup of <paramref name="key"/>.</summary>
    public void Lookup(string key, bool hit)
    {
        if (hit)
        {
            Interlocked.Increment(ref _hits);
            metrics.Hit();
            RequestLog.Hit(logger, key);
        }
        else
        {
            Interlocked.Increment(ref _misses);
            metrics.Miss();
            RequestLog.Miss(logger, key);
        }
    }

    /// <summary>Counts values stored.</summary>
    public void Stored(long count = 1) => Interlocked.Add(ref _sets, count);

    /// <summary>Counts live entries removed.</summary>
    public void Removed(long count = 1) => Interlocked.Add(ref _removals, count);

    /// <summary>The counts so far.</summary>
    public CacheStats Stats() => new()
    {
        Hits = Interlocked.Read(ref _hits),
        Misses = Interlocked.Read(ref _misses),
        Sets = Interlocked.Read(ref _sets),
        Removals = Interlocked.Read(ref _removals),
    };
}
