using System.Collections.Immutable;

namespace Cache.Core.Representation;

/// <summary>
/// The entries that can expire, soonest deadline first (earlier write first on a tie), so that
/// expiring costs in proportion to what expires. Deadlines mostly arrive in order (one TTL, a clock
/// that moves forward): those go to an append-only log, <c>[Head, Tail)</c>, where a removed or
/// replaced entry's record simply goes stale. A deadline earlier than the last one logged (a
/// shorter TTL, or a time given out of order) goes to a sorted set instead.
/// </summary>
/// <remarks>
/// The index counts its stale records (<see cref="Stale"/>), so the state can rebuild the log once
/// they outnumber the live ones: then no scan of the log reads more stale records than there are
/// entries, and a removed value is not kept reachable by an idle log for long.
/// </remarks>
internal readonly struct DeadlineOrder<TKey, TValue>
    where TKey : notnull
{
    private static readonly Comparer<Entry<TKey, TValue>> SoonestFirst = Comparer<Entry<TKey, TValue>>.Create(
        static (a, b) => a.Deadline != b.Deadline ? a.Deadline.CompareTo(b.Deadline) : a.WriteStamp.CompareTo(b.WriteStamp));

    private static readonly ImmutableSortedSet<Entry<TKey, TValue>> NoneOutOfOrder = ImmutableSortedSet.Create<Entry<TKey, TValue>>(SoonestFirst);

    public DeadlineOrder(AppendLog<Entry<TKey, TValue>> log, int head, int tail, ImmutableSortedSet<Entry<TKey, TValue>> outOfOrder, int stale)
    {
        Log = log;
        Head = head;
        Tail = tail;
        OutOfOrder = outOfOrder;
        Stale = stale;
    }

    public AppendLog<Entry<TKey, TValue>> Log { get; }

    public int Head { get; }

    public int Tail { get; }

    public ImmutableSortedSet<Entry<TKey, TValue>> OutOfOrder { get; }

    /// <summary>How many records in <c>[Head, Tail)</c> are of entries no longer stored.</summary>
    public int Stale { get; }

    /// <summary>Whether the stale records outnumber the live ones (and a few): time to rebuild the log.</summary>
    // Stryker disable once all : the threshold decides when a rebuild's work is done, never an answer.
    public bool IsMostlyStale => Stale > Math.Max(Tail - Head - Stale, 16);

    public static DeadlineOrder<TKey, TValue> Empty() => new(new AppendLog<Entry<TKey, TValue>>(0, 0), 0, 0, NoneOutOfOrder, 0);

    /// <summary>A fresh index of <paramref name="entries"/>, every one of them in the log.</summary>
    public static DeadlineOrder<TKey, TValue> Of(IEnumerable<Entry<TKey, TValue>> entries)
    {
        Entry<TKey, TValue>[] expiring = [.. entries.Where(static e => e.Deadline != Expiry.Never)];
        Array.Sort(expiring, SoonestFirst);
        var log = new AppendLog<Entry<TKey, TValue>>(2 * expiring.Length, 0);
        for (int i = 0; i < expiring.Length; i++)
        {
            log.Write(i, expiring[i]);
        }

        return new(log.Filled(expiring.Length), 0, expiring.Length, NoneOutOfOrder, 0);
    }

    /// <summary>Whether an entry with <paramref name="deadline"/> would go to the sorted set rather than the log.</summary>
    public bool IsOutOfOrder(long deadline) => Tail > Head && deadline < Log[Tail - 1].Deadline;

    /// <summary>The index with <paramref name="entry"/> added; an entry that never expires is not indexed.</summary>
    public DeadlineOrder<TKey, TValue> Add(Entry<TKey, TValue> entry, EntryIndex<TKey, TValue> entries, int count)
    {
        if (entry.Deadline == Expiry.Never)
        {
            return this;
        }

        if (entry.OutOfOrder)
        {
            return new DeadlineOrder<TKey, TValue>(Log, Head, Tail, OutOfOrder.Add(entry), Stale);
        }

        if (Tail < Log.Capacity && Log.TryClaim(Tail, 1))
        {
            Log.Write(Tail, entry);
            return new DeadlineOrder<TKey, TValue>(Log, Head, Tail + 1, OutOfOrder, Stale);
        }

        // Full, or another state has appended past this one: copy the live records.
        AppendLog<Entry<TKey, TValue>> log = CopyStored(entries, count + 1, out int filled);
        log.Write(filled++, entry);
        return new DeadlineOrder<TKey, TValue>(log.Filled(filled), 0, filled, OutOfOrder, 0);
    }

    /// <summary>The same index with a new log that references only entries still stored.</summary>
    public DeadlineOrder<TKey, TValue> Rebuilt(EntryIndex<TKey, TValue> entries, int count)
    {
        AppendLog<Entry<TKey, TValue>> log = CopyStored(entries, count, out int filled);
        return new DeadlineOrder<TKey, TValue>(log.Filled(filled), 0, filled, OutOfOrder, 0);
    }

    /// <summary>The index without <paramref name="entry"/>, which is being removed from the state.</summary>
    public DeadlineOrder<TKey, TValue> Remove(Entry<TKey, TValue> entry) =>
        entry.OutOfOrder ? new DeadlineOrder<TKey, TValue>(Log, Head, Tail, OutOfOrder.Remove(entry), Stale)
        : entry.Deadline != Expiry.Never ? new DeadlineOrder<TKey, TValue>(Log, Head, Tail, OutOfOrder, Stale + 1) // its log record goes stale
        : this;

    /// <summary>The index with its head moved past stale records, so that the next scan starts at a live one.</summary>
    public DeadlineOrder<TKey, TValue> SkipStale(EntryIndex<TKey, TValue> entries)
    {
        int head = Head;
        while (head < Tail && !entries.Holds(Log[head]))
        {
            head++;
        }

        ScanMeter.Read(head - Head);
        // Stryker disable once Conditional,Equality : returning this or an equal copy is the same index.
        return head == Head ? this : new DeadlineOrder<TKey, TValue>(Log, head, Tail, OutOfOrder, Stale - (head - Head));
    }

    /// <summary>A new log, with room for <paramref name="count"/> records and as many more, holding this one's records of entries still stored.</summary>
    private AppendLog<Entry<TKey, TValue>> CopyStored(EntryIndex<TKey, TValue> entries, int count, out int filled)
    {
        ScanMeter.Read(Tail - Head);
        var log = new AppendLog<Entry<TKey, TValue>>(2 * count, 0);
        filled = 0;
        for (int position = Head; position < Tail; position++)
        {
            Entry<TKey, TValue> logged = Log[position];
            if (entries.Holds(logged))
            {
                log.Write(filled++, logged);
            }
        }

        return log;
    }

    /// <summary>
    /// The stored entry with the soonest deadline if it is due at <paramref name="now"/>, and the index
    /// without it; false when nothing stored is due (the index returned has skipped stale due records).
    /// </summary>
    public bool TryTakeDue(TimeSpan now, EntryIndex<TKey, TValue> entries, out Entry<TKey, TValue> due, out DeadlineOrder<TKey, TValue> rest)
    {
        int head = Head;
        Entry<TKey, TValue>? logged = null;
        for (; head < Tail; head++)
        {
            Entry<TKey, TValue> candidate = Log[head];
            if (!Expiry.IsDue(candidate.Deadline, now))
            {
                break;
            }

            if (entries.Holds(candidate))
            {
                logged = candidate;
                break;
            }
        }

        ScanMeter.Read(head - Head + 1);
        Entry<TKey, TValue>? sorted = OutOfOrder.Count > 0 && Expiry.IsDue(OutOfOrder.Min!.Deadline, now) ? OutOfOrder.Min : null;
        if (sorted is not null && (logged is null || SoonestFirst.Compare(sorted, logged) < 0))
        {
            due = sorted;
            rest = new DeadlineOrder<TKey, TValue>(Log, head, Tail, OutOfOrder.Remove(sorted), Stale - (head - Head));
            return true;
        }

        if (logged is not null)
        {
            due = logged;
            rest = new DeadlineOrder<TKey, TValue>(Log, head + 1, Tail, OutOfOrder, Stale - (head - Head));
            return true;
        }

        due = null!;
        // Stryker disable once Conditional,Equality : returning this or an equal copy is the same index.
        rest = head == Head ? this : new DeadlineOrder<TKey, TValue>(Log, head, Tail, OutOfOrder, Stale - (head - Head));
        return false;
    }

    /// <summary>How many stored entries are due at <paramref name="now"/>.</summary>
    public int CountDue(TimeSpan now, EntryIndex<TKey, TValue> entries)
    {
        int due = 0;
        int position = Head;
        for (; position < Tail && Expiry.IsDue(Log[position].Deadline, now); position++)
        {
            if (entries.Holds(Log[position]))
            {
                due++;
            }
        }

        ScanMeter.Read(position - Head);

        foreach (Entry<TKey, TValue> entry in OutOfOrder)
        {
            if (!Expiry.IsDue(entry.Deadline, now))
            {
                break;
            }

            due++;
        }

        return due;
    }
}
