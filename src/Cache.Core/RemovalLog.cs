using System.Collections.Immutable;
using System.Diagnostics.CodeAnalysis;
using System.Runtime.InteropServices;

namespace Cache.Core;

/// <summary>
/// The removals of a transition, collected by
/// <see cref="CacheState{TKey, TValue}.Set(TKey, TValue, TimeSpan?, TimeSpan, ref RemovalLog{TKey, TValue})"/>.
/// Allocates nothing until the second removal: the common single removal (a replaced or evicted
/// entry) stays inline, so a shell reads it as a span and only a caller that asks for an array pays for one.
/// </summary>
/// <typeparam name="TKey">The key type.</typeparam>
/// <typeparam name="TValue">The value type.</typeparam>
/// <remarks>
/// Start from <c>default</c>, pass it by reference, then read it; only the core adds to it. A copy is
/// a value of its own: what is added to one copy later is not seen by the other.
/// </remarks>
[System.Diagnostics.CodeAnalysis.SuppressMessage("Performance", "CA1815:Override equals and operator equals on value types", Justification = "A mutable buffer passed by reference, never compared.")]
public struct RemovalLog<TKey, TValue>
    where TKey : notnull
{
    private CacheRemoval<TKey, TValue> _first;

    // Every removal, the first included, once there are two or more. A copy of the log shares the
    // list: each copy reads only its own Count of it, and one that appends where another copy
    // already has takes a list of its own first, so copies behave as the values they look like.
    private List<CacheRemoval<TKey, TValue>>? _all;

    /// <summary>The number of removals collected.</summary>
    public int Count { readonly get; private set; }

    internal void Add(TKey key, TValue value, RemovalReason reason, EvictionDecision eviction = EvictionDecision.None)
    {
        var removal = new CacheRemoval<TKey, TValue>(key, value, reason) { Eviction = eviction };
        if (Count == 0)
        {
            _first = removal;
        }
        else
        {
            _all ??= [_first];
            if (_all.Count != Count)
            {
                _all = _all.GetRange(0, Count);
            }

            _all.Add(removal);
        }

        Count++;
    }

    /// <summary>The removals in order, valid while this log is.</summary>
    /// <returns>A span over the removals; empty when there were none.</returns>
    [UnscopedRef]
    public readonly ReadOnlySpan<CacheRemoval<TKey, TValue>> AsSpan() =>
        _all is { } all ? CollectionsMarshal.AsSpan(all)[..Count] : Count == 1 ? new ReadOnlySpan<CacheRemoval<TKey, TValue>>(in _first) : default;

    /// <summary>The removals in order, as an array of their own.</summary>
    /// <returns>The removals; empty when there were none.</returns>
    public readonly ImmutableArray<CacheRemoval<TKey, TValue>> ToImmutable() => ImmutableArray.Create(AsSpan());
}
