using System.Collections.Immutable;

namespace Cache.Core;

/// <summary>
/// Batches: each is the fold of its single-key transitions, in order, returned as one new state.
/// The state a batch is called on never changes, so a batch is atomic by construction: a caller
/// publishes its state whole or not at all, and an argument error part-way leaves nothing behind.
/// </summary>
public sealed partial class CacheState<TKey, TValue>
{
    /// <summary>Stores every item in order with the default TTL: the same state and removals as those Sets one by one.</summary>
    /// <param name="items">The items; a key that comes twice ends with its last value.</param>
    /// <param name="now">The current time.</param>
    /// <returns>The new state and every entry removed, in the order the Sets removed them.</returns>
    /// <remarks>A batch larger than MaxSize keeps its last MaxSize keys: each Set evicts the least recently used, the batch's own earlier items included.</remarks>
    /// <exception cref="ArgumentNullException"><paramref name="items"/> or one of its keys is null.</exception>
    public TransitionResult<TKey, TValue> SetMany(IEnumerable<KeyValuePair<TKey, TValue>> items, TimeSpan now) =>
        SetMany(items, Options.DefaultTtl, now);

    /// <summary>Stores every item in order with the given TTL: the same state and removals as those Sets one by one.</summary>
    /// <param name="items">The items; a key that comes twice ends with its last value.</param>
    /// <param name="ttl">The TTL of every item, as in <see cref="Set(TKey, TValue, TimeSpan, TimeSpan)"/>.</param>
    /// <param name="now">The current time.</param>
    /// <returns>The new state and every entry removed, in the order the Sets removed them.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="items"/> or one of its keys is null.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="ttl"/> is zero or negative and not infinite.</exception>
    public TransitionResult<TKey, TValue> SetMany(IEnumerable<KeyValuePair<TKey, TValue>> items, TimeSpan ttl, TimeSpan now)
    {
        ArgumentNullException.ThrowIfNull(items);
        CacheTtl.ThrowIfInvalid(ttl);
        CacheState<TKey, TValue> state = this;
        ImmutableArray<CacheRemoval<TKey, TValue>>.Builder removals = ImmutableArray.CreateBuilder<CacheRemoval<TKey, TValue>>();
        foreach (KeyValuePair<TKey, TValue> item in items)
        {
            SetResult<TKey, TValue> set = state.Set(item.Key, item.Value, ttl, now);
            state = set.State;
            removals.AddRange(set.Removals);
        }

        return new TransitionResult<TKey, TValue>(state, removals.DrainToImmutable());
    }

    /// <summary>Looks every key up in order: the same state, hits and removals as those Gets one by one.</summary>
    /// <param name="keys">The keys; a key that comes twice is looked up twice.</param>
    /// <param name="now">The current time.</param>
    /// <returns>The new state, the keys found with their values, the hit and miss counts, and the expired entries removed.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="keys"/> or one of them is null.</exception>
    public GetManyResult<TKey, TValue> GetMany(IEnumerable<TKey> keys, TimeSpan now)
    {
        ArgumentNullException.ThrowIfNull(keys);
        CacheState<TKey, TValue> state = this;
        ImmutableDictionary<TKey, TValue>.Builder found = ImmutableDictionary.CreateBuilder<TKey, TValue>();
        ImmutableArray<CacheRemoval<TKey, TValue>>.Builder removals = ImmutableArray.CreateBuilder<CacheRemoval<TKey, TValue>>();
        int hits = 0;
        int misses = 0;
        foreach (TKey key in keys)
        {
            GetResult<TKey, TValue> get = state.Get(key, now);
            state = get.State;
            removals.AddRange(get.Removals);
            if (get.TryGetValue(out TValue? value))
            {
                found[key] = value;
                hits++;
            }
            else
            {
                misses++;
            }
        }

        return new GetManyResult<TKey, TValue>(state, found.ToImmutable(), hits, misses, removals.DrainToImmutable());
    }

    /// <summary>Removes every key in order: the same state and removals as those Removes one by one.</summary>
    /// <param name="keys">The keys.</param>
    /// <param name="now">The current time.</param>
    /// <returns>The new state, how many live entries were removed, and every entry removed.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="keys"/> or one of them is null.</exception>
    public RemoveManyResult<TKey, TValue> RemoveMany(IEnumerable<TKey> keys, TimeSpan now)
    {
        ArgumentNullException.ThrowIfNull(keys);
        CacheState<TKey, TValue> state = this;
        ImmutableArray<CacheRemoval<TKey, TValue>>.Builder removals = ImmutableArray.CreateBuilder<CacheRemoval<TKey, TValue>>();
        int removed = 0;
        foreach (TKey key in keys)
        {
            RemoveResult<TKey, TValue> remove = state.Remove(key, now);
            state = remove.State;
            removals.AddRange(remove.Removals);
            removed += remove.Removed ? 1 : 0;
        }

        return new RemoveManyResult<TKey, TValue>(state, removed, removals.DrainToImmutable());
    }
}
