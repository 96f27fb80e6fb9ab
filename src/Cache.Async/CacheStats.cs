namespace Cache.Async;

/// <summary>
/// A cache's statistics at one instant. Counters run from the cache's creation and survive Clear;
/// entry counts describe what is stored now.
/// </summary>
public sealed record CacheStats
{
    /// <summary>Lookups (Get, TryGet, GetOrSet) that found a live entry.</summary>
    public long Hits { get; init; }

    /// <summary>Lookups (Get, TryGet, GetOrSet) that did not.</summary>
    public long Misses { get; init; }

    /// <summary>Hits / (Hits + Misses); 0 before any lookup.</summary>
    public double HitRate => Hits + Misses == 0 ? 0 : (double)Hits / (Hits + Misses);

    /// <summary>Values stored, by Set and by GetOrSet's factory.</summary>
    public long Sets { get; init; }

    /// <summary>Remove calls that removed a live entry.</summary>
    public long Removals { get; init; }

    /// <summary>Live entries removed to make room (capacity only).</summary>
    public long Evictions { get; init; }

    /// <summary>Expired entries removed, by any path, each counted once.</summary>
    public long Expirations { get; init; }

    /// <summary>Entries stored and live now.</summary>
    public long ActiveEntries { get; init; }

    /// <summary>Entries stored that have expired but are not yet removed.</summary>
    public long ExpiredEntries { get; init; }

    /// <summary>ActiveEntries + ExpiredEntries.</summary>
    public long TotalEntries => ActiveEntries + ExpiredEntries;

    /// <summary>The most entries the cache stores; 0 where the backend sets no such bound.</summary>
    public long MaxSize { get; init; }

    /// <summary>TotalEntries * 100 / MaxSize; 0 where MaxSize is 0.</summary>
    public double UtilizationPercent => MaxSize == 0 ? 0 : TotalEntries * 100.0 / MaxSize;
}
