using Cache.Core;

namespace Cache.Async;

/// <summary>
/// The running counts behind <see cref="CacheStats"/>. Mutated only under the cache's lock, so a
/// snapshot taken under that lock is consistent (Hits + Misses equals the lookups made).
/// </summary>
internal sealed class CacheCounters
{
    public long Hits { get; set; }

    public long Misses { get; set; }

    public long Sets { get; set; }

    public long Removals { get; set; }

    public long Evictions { get; set; }

    public long Expirations { get; set; }

    /// <summary>Counts what a transition reported removing.</summary>
    public void Count<TKey, TValue>(IEnumerable<CacheRemoval<TKey, TValue>> removals)
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
    public CacheStats ToStats(int maxSize) => new()
    {
        Hits = Hits,
        Misses = Misses,
        Sets = Sets,
        Removals = Removals,
        Evictions = Evictions,
        Expirations = Expirations,
        MaxSize = maxSize,
    };
}
