using Cache.Core;

namespace Cache.Async;

/// <summary>An entry that left an <see cref="InMemoryCache"/>, and why.</summary>
public sealed class CacheEntryRemovedEventArgs : EventArgs
{
    internal CacheEntryRemovedEventArgs(string key, object? value, RemovalReason reason, EvictionDecision eviction = EvictionDecision.None)
    {
        Key = key;
        Value = value;
        Reason = reason;
        Eviction = eviction;
    }

    /// <summary>The entry's key.</summary>
    public string Key { get; }

    /// <summary>The value it held.</summary>
    public object? Value { get; }

    /// <summary>Why it left: Expired, Evicted, Removed, Replaced or Cleared.</summary>
    public RemovalReason Reason { get; }

    /// <summary>
    /// For an eviction, which decision of the cache's policy took the entry (the least recently used
    /// under LRU; under W-TinyLFU the segment it left, or refused on admission); <see cref="EvictionDecision.None"/> otherwise.
    /// </summary>
    public EvictionDecision Eviction { get; }
}
