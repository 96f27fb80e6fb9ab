namespace Cache.Core;

/// <summary>
/// Which decision of the eviction policy removed an entry (<see cref="CacheRemoval{TKey, TValue}.Eviction"/>),
/// so a user can see why an entry went; <see cref="None"/> for removals that are not evictions.
/// </summary>
public enum EvictionDecision
{
    /// <summary>Not an eviction: the entry expired, was removed, replaced or cleared.</summary>
    None,

    /// <summary>Exact LRU: the least recently used live entry.</summary>
    LeastRecentlyUsed,

    /// <summary>W-TinyLFU: the window's least recent entry, where there is no main space to move to (a capacity of 1), or the last one left.</summary>
    Window,

    /// <summary>W-TinyLFU: probation's least recent entry, for a newcomer the sketch counts more often (or, with no newcomer, the first entry the policy gives up).</summary>
    Probation,

    /// <summary>W-TinyLFU: the protected segment's least recent entry, when probation had none to give up.</summary>
    Protected,

    /// <summary>W-TinyLFU: the entry pushed out of the window, counted no more often than the entry it would have evicted: refused on admission.</summary>
    Refused,
}
