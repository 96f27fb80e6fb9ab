using System.Collections.Immutable;
using System.Diagnostics.CodeAnalysis;
using System.Runtime.InteropServices;

namespace Cache.Core;

/// <summary>
/// Collects the removals of one transition. Allocates nothing until the second removal: the common
/// single removal (a replaced or evicted entry) stays inline, so the shell reads it as a span and
/// only a caller that asks for an array pays for one.
/// </summary>
internal struct RemovalLog<TKey, TValue>
    where TKey : notnull
{
    private CacheRemoval<TKey, TValue> _first;

    // Every removal, the first included, once there are two or more.
    private List<CacheRemoval<TKey, TValue>>? _all;

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
            _all ??= [_first];
            _all.Add(removal);
        }

        Count++;
    }

    /// <summary>The removals in order, valid while this log is.</summary>
    [UnscopedRef]
    public readonly ReadOnlySpan<CacheRemoval<TKey, TValue>> AsSpan() =>
        _all is { } all ? CollectionsMarshal.AsSpan(all) : Count == 1 ? new ReadOnlySpan<CacheRemoval<TKey, TValue>>(in _first) : default;

    public readonly ImmutableArray<CacheRemoval<TKey, TValue>> ToImmutable() => ImmutableArray.Create(AsSpan());
}
