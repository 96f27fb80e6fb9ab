using System.Collections.Immutable;

namespace Cache.Core;

/// <summary>What <see cref="CacheState{TKey, TValue}.RemoveMany"/> did.</summary>
/// <typeparam name="TKey">The key type.</typeparam>
/// <typeparam name="TValue">The value type.</typeparam>
/// <param name="State">The new state.</param>
/// <param name="Removed">How many live entries the batch removed.</param>
/// <param name="Removals">Every entry removed: the live ones as Removed, and the expired ones every write clears first.</param>
public readonly record struct RemoveManyResult<TKey, TValue>(
    CacheState<TKey, TValue> State,
    int Removed,
    ImmutableArray<CacheRemoval<TKey, TValue>> Removals)
    where TKey : notnull;
