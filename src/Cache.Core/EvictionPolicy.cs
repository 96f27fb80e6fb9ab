namespace Cache.Core;

/// <summary>Which entry a full cache gives up for a new one.</summary>
public enum EvictionPolicy
{
    /// <summary>
    /// Exact LRU: the least recently used live entry. The default, and the contract's: every answer
    /// equals a textbook LRU's, hit for hit.
    /// </summary>
    Lru,

    /// <summary>
    /// W-TinyLFU (Einziger, Friedman and Manes, 2017, as Caffeine runs it): new keys enter a window
    /// LRU of 1 % of the capacity; a key pushed out of it is admitted to the main space (a segmented
    /// LRU, 4/5 protected) only if a frequency sketch counts it more often than the entry it would
    /// evict. It hits more often than LRU on skewed traffic and keeps its hot set through a scan.
    /// </summary>
    TinyLfu,
}
