namespace Cache.Core.Representation;

/// <summary>
/// A key's place in the index by deadline. Entries that never expire have no slot, so the index
/// holds only what can come due. The write stamp breaks ties between equal deadlines.
/// </summary>
internal readonly record struct DeadlineSlot<TKey>(long Deadline, long WriteStamp, TKey Key)
{
    /// <summary>Orders slots by deadline, then by write stamp.</summary>
    public static readonly IComparer<DeadlineSlot<TKey>> ByDeadline = Comparer<DeadlineSlot<TKey>>.Create(
        static (a, b) => a.Deadline != b.Deadline ? a.Deadline.CompareTo(b.Deadline) : a.WriteStamp.CompareTo(b.WriteStamp));
}
