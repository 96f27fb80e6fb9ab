using Cache.Core;

namespace Cache.Async.InMemory;

/// <summary>
/// The running counts behind <see cref="CacheStats"/>. Misses are counted atomically, since most
/// are served without the lock; the rest are mutated only under the cache's lock. Hits are the
/// uses added to the cache's ring of hits.
/// </summary>
internal sealed class CacheCounters
{
    private long _misses;

    public long Misses => Volatile.Read(ref _misses);

    public long Sets { get; set; }

    public long Removals { get; set; }

    public long Evictions { get; set; }

    public long Expirations { get; set; }

    public void CountMiss() => Interlocked.Increment(ref _misses);

    /// <summary>Counts what a transition reported removing.</summary>
    public void Count<TKey, TValue>(ReadOnlySpan<CacheRemoval<TKey, TValue>> removals)
        where TKey : notnull
    {
        foreach (CacheRemoval<TKey, TValue> removal in removals)
        {
            switch (removal.Reason)
            {
                case RemovalReason.Expired:
                    Expirations++;
                    break;
                case RemovalReason.Evicted:
                    Evictions++;
                    break;
                case RemovalReason.Removed:
                    Removals++;
                    break;
                default:
                    // Replaced and Cleared entries are counted by the Set or Clear itself.
                    break;
            }
        }
    }

    /// <summary>The counters as stats; the caller adds the entry counts, which it reads from the state.</summary>
    public CacheStats ToStats(long hits, int maxSize) => new()
    {
        Hits = hits,
        Misses = Misses,
        Sets = Sets,
        Removals = Removals,
        Evictions = Evictions,
        Expirations = Expirations,
        MaxSize = maxSize,
    };
}
