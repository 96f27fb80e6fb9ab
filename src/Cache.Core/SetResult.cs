using System.Collections.Immutable;

namespace Cache.Core;

/// <summary>The result of a Set: the new state, what happened to the key, and every entry removed on the way.</summary>
/// <typeparam name="TKey">The key type.</typeparam>
/// <typeparam name="TValue">The value type.</typeparam>
/// <param name="State">The state after the Set.</param>
/// <param name="Outcome">Whether the key's entry was added or replaced.</param>
/// <param name="Removals">
/// The entries the Set removed, in order: expired ones, then the replaced or evicted one.
/// </param>
public readonly record struct SetResult<TKey, TValue>(
    CacheState<TKey, TValue> State,
    SetOutcome Outcome,
    ImmutableArray<CacheRemoval<TKey, TValue>> Removals)
    where TKey : notnull;
