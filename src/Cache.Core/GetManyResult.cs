using System.Collections.Immutable;

namespace Cache.Core;

/// <summary>What <see cref="CacheState{TKey, TValue}.GetMany"/> did.</summary>
/// <typeparam name="TKey">The key type.</typeparam>
/// <typeparam name="TValue">The value type.</typeparam>
/// <param name="State">The new state: every hit made its key the most recently used, in order.</param>
/// <param name="Found">The keys that hit, with their values.</param>
/// <param name="Hits">Lookups that hit (a key asked for twice counts twice).</param>
/// <param name="Misses">Lookups that missed.</param>
/// <param name="Removals">The expired entries the lookups removed.</param>
public readonly record struct GetManyResult<TKey, TValue>(
    CacheState<TKey, TValue> State,
    ImmutableDictionary<TKey, TValue> Found,
    int Hits,
    int Misses,
    ImmutableArray<CacheRemoval<TKey, TValue>> Removals)
    where TKey : notnull;
