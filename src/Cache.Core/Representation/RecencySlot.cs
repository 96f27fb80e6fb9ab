namespace Cache.Core.Representation;

/// <summary>A key's place in the recency order; the smallest stamp is the least recently used.</summary>
internal readonly record struct RecencySlot<TKey>(long Stamp, TKey Key)
{
    /// <summary>Orders slots by stamp alone: stamps are unique within a state.</summary>
    public static readonly IComparer<RecencySlot<TKey>> ByStamp =
        Comparer<RecencySlot<TKey>>.Create(static (a, b) => a.Stamp.CompareTo(b.Stamp));
}
