using System.Collections.Immutable;

namespace Cache.Core;

/// <summary>The result of Expire, Evict or Clear: the new state and the entries removed, in order.</summary>
/// <typeparam name="TKey">The key type.</typeparam>
/// <typeparam name="TValue">The value type.</typeparam>
/// <param name="State">The state after the transition.</param>
/// <param name="Removals">The entries the transition removed, each with its reason.</param>
public readonly record struct TransitionResult<TKey, TValue>(
    CacheState<TKey, TValue> State,
    ImmutableArray<CacheRemoval<TKey, TValue>> Removals)
    where TKey : notnull;
