using System.Collections.Immutable;

namespace Cache.Core;

/// <summary>
/// Collects the removals of one transition. Allocates nothing until the first removal, and only the
/// final one-element array for the common single removal (a replaced or evicted entry).
/// </summary>
internal struct RemovalLog<TKey, TValue>
    where TKey : notnull
{
    private CacheRemoval<TKey, TValue> _first;
    private ImmutableArray<CacheRemoval<TKey, TValue>>.Builder? _more;

    public int Count { readonly get; private set; }

    public void Add(TKey key, TValue value, RemovalReason reason)
    {
        var removal = new CacheRemoval<TKey, TValue>(key, value, reason);
        if (Count == 0)
        {
            _first = removal;
        }
        else
        {
            _more ??= ImmutableArray.CreateBuilder<CacheRemoval<TKey, TValue>>();
            _more.Add(removal);
        }

        Count++;
    }

    public readonly ImmutableArray<CacheRemoval<TKey, TValue>> ToImmutable()
    {
        if (Count <= 1)
        {
            return Count == 0 ? [] : [_first];
        }

        var all = ImmutableArray.CreateBuilder<CacheRemoval<TKey, TValue>>(Count);
        all.Add(_first);
        all.AddRange(_more!);
        return all.MoveToImmutable();
    }
}
