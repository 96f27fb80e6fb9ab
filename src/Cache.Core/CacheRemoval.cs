namespace Cache.Core;

/// <summary>One entry that a transition removed, with its value and why it went.</summary>
/// <typeparam name="TKey">The key type.</typeparam>
/// <typeparam name="TValue">The value type.</typeparam>
/// <param name="Key">The key of the entry.</param>
/// <param name="Value">The value the entry held.</param>
/// <param name="Reason">Why the entry left.</param>
public readonly record struct CacheRemoval<TKey, TValue>(TKey Key, TValue Value, RemovalReason Reason)
    where TKey : notnull;
