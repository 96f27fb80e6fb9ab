namespace Cache.Core.Representation;

/// <summary>
/// A stored entry: the key, its hash, the value and the deadline never change. The last use (a
/// <see cref="UseTag"/>: a stamp and the segment it is in) is the one field that moves, and only
/// forward along one line of states (see <see cref="RecencyOrder{TKey, TValue}"/>): a hit, or a
/// W-TinyLFU move to another segment, then costs a store instead of a copy.
/// </summary>
internal sealed class Entry<TKey, TValue>
    where TKey : notnull
{
    private long _lastUse;

    // Set once, by the newest state of the line that stores the entry, when that state replaces or
    // removes it: then that state (and only it) knows the entry is gone without a lookup.
    private volatile bool _superseded;

    public Entry(TKey key, int hash, TValue value, long deadline, long writeStamp, bool outOfOrder, long lastUse)
    {
        Key = key;
        Hash = hash;
        Value = value;
        Deadline = deadline;
        WriteStamp = writeStamp;
        OutOfOrder = outOfOrder;
        _lastUse = lastUse;
    }

    public TKey Key { get; }

    public int Hash { get; }

    public TValue Value { get; }

    /// <summary>Ticks on the state's timeline, or <see cref="Expiry.Never"/>.</summary>
    public long Deadline { get; }

    /// <summary>Orders entries written in the same tick: earlier writes expire first.</summary>
    public long WriteStamp { get; }

    /// <summary>
    /// Whether the deadline index keeps this entry in its sorted set, because its deadline came
    /// before one already appended to the in-order log.
    /// </summary>
    public bool OutOfOrder { get; }

    /// <summary>Whether the entry has a deadline: one that never expires is judged without a clock.</summary>
    public bool CanExpire => Deadline != Expiry.Never;

    /// <summary>Whether the entry has expired at <paramref name="now"/>.</summary>
    public bool IsExpiredAt(TimeSpan now) => Expiry.IsDue(Deadline, now);

    /// <summary>The <see cref="UseTag"/> of the entry's latest record in the line of states that owns it: its stamp and segment.</summary>
    public long LastUse => Volatile.Read(ref _lastUse);

    /// <summary>Whether the newest state of the entry's line has replaced or removed it; older states of the line may still store it.</summary>
    public bool IsSuperseded => _superseded;

    /// <summary>Records that the newest state of the entry's line replaced or removed it. Only that state calls it.</summary>
    public void Supersede() => _superseded = true;

    /// <summary>Moves the last use forward, to a <see cref="UseTag"/>. Only the state that owns the next slot of the log it names calls it.</summary>
    public void Use(long tag) => Volatile.Write(ref _lastUse, tag);

    /// <summary>
    /// Whether <paramref name="other"/>, an entry of the same key, is this write of it: this entry,
    /// or a copy that a fork made of it (<see cref="Detach"/> keeps what the write set). Two lines
    /// that forked apart can give different writes the same stamp; those are the same write only if
    /// nothing can tell them apart (the same deadline and the same value, the same object for a reference).
    /// </summary>
    public bool IsSameWrite(Entry<TKey, TValue> other) =>
        ReferenceEquals(this, other) || (WriteStamp == other.WriteStamp && Deadline == other.Deadline && IsSameValue(Value, other.Value));

    /// <summary>A copy that no other line of states shares, for a state that has to fork; the fork's new log stamps it.</summary>
    public Entry<TKey, TValue> Detach() => new(Key, Hash, Value, Deadline, WriteStamp, outOfOrder: false, lastUse: 0);

    private static bool IsSameValue(TValue value, TValue other) =>
        typeof(TValue).IsValueType ? EqualityComparer<TValue>.Default.Equals(value, other) : ReferenceEquals(value, other);
}
