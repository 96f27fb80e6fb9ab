namespace Cache.Core;

/// <summary>One stored entry as a state sees it.</summary>
/// <typeparam name="TKey">The key type.</typeparam>
/// <typeparam name="TValue">The value type.</typeparam>
/// <param name="Key">The key.</param>
/// <param name="Value">The value.</param>
/// <param name="ExpiresAt">The instant on the state's timeline from which the entry is expired; null when it never expires.</param>
public readonly record struct CacheEntry<TKey, TValue>(TKey Key, TValue Value, TimeSpan? ExpiresAt)
    where TKey : notnull;
