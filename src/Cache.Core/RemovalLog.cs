using System.Collections.Immutable;

namespace Cache.Core;

/// <summary>
/// Collects the removals of one transition. Allocates nothing until the first removal, so a
/// transition that removes nothing reports an empty array for free.
/// </summary>
internal struct RemovalLog<TKey, TValue>
    where TKey : notnull
{
    private ImmutableArray<CacheRemoval<TKey, TValue>>.Builder? _removals;

    public readonly int Count => _removals?.Count ?? 0;

    public void Add(TKey key, TValue value, RemovalReason reason)
    {
        _removals ??= ImmutableArray.CreateBuilder<CacheRemoval<TKey, TValue>>();
        _removals.Add(new CacheRemoval<TKey, TValue>(key, value, reason));
    }

    public readonly ImmutableArray<CacheRemoval<TKey, TValue>> ToImmutable() =>
        _removals is null ? [] : _removals.DrainToImmutable();
}
