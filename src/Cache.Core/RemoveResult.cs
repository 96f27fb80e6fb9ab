using System.Collections.Immutable;

namespace Cache.Core;

/// <summary>The result of a Remove: the new state, whether a live entry was removed, and every entry removed.</summary>
/// <typeparam name="TKey">The key type.</typeparam>
/// <typeparam name="TValue">The value type.</typeparam>
/// <param name="State">The state after the Remove.</param>
/// <param name="Removed">True only when the key held a live entry, which is now gone.</param>
/// <param name="Removals">The entries removed: expired ones, then the key's own entry if it was live.</param>
public readonly record struct RemoveResult<TKey, TValue>(
    CacheState<TKey, TValue> State,
    bool Removed,
    ImmutableArray<CacheRemoval<TKey, TValue>> Removals)
    where TKey : notnull;
