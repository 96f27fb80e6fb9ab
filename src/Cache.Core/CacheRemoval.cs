namespace Cache.Core;

/// <summary>One entry that a transition removed, with its value and why it went.</summary>
/// <typeparam name="TKey">The key type.</typeparam>
/// <typeparam name="TValue">The value type.</typeparam>
/// <param name="Key">The key of the entry.</param>
/// <param name="Value">The value the entry held.</param>
/// <param name="Reason">Why the entry left.</param>
public readonly record struct CacheRemoval<TKey, TValue>(TKey Key, TValue Value, RemovalReason Reason)
    where TKey : notnull
{
    /// <summary>
    /// For an eviction (<see cref="RemovalReason.Evicted"/>), which decision of the policy took the
    /// entry: under LRU always <see cref="EvictionDecision.LeastRecentlyUsed"/>; under W-TinyLFU the
    /// window, probation or protected segment it was evicted from, or <see cref="EvictionDecision.Refused"/>.
    /// <see cref="EvictionDecision.None"/> for every other removal.
    /// </summary>
    public EvictionDecision Eviction { get; init; }
}
