namespace Cache.Core.Representation;

/// <summary>
/// A recency order of a state: the part <c>[Head, Tail)</c> of an append-only log of entries, in
/// the order they were last set or hit. A Set or hit appends a record and tags the entry with it
/// (<see cref="Entry{TKey, TValue}.LastUse"/>); the entry's earlier records go stale and are skipped,
/// so the least recently used entry is the first live record. No hit copies anything.
/// </summary>
/// <remarks>
/// <para>
/// A log holds one segment (the window's, which under LRU is the whole cache) or, when it keeps a
/// mark a record (<see cref="AppendLog{T}.IsMarked"/>), W-TinyLFU's main space: probation's records
/// unmarked, protected's marked, each segment with its own head, <see cref="Head"/> and
/// <see cref="ProtectedHead"/>. One log for both keeps an entry's moves between them in order, so
/// any state reads its own segment of an entry from its records alone (<see cref="CollectLive"/>).
/// </para>
/// <para>
/// A record is live in a state when its entry is still stored in that state and the record is the
/// entry's last one in the state's history. Stamps are positions: the record in slot <c>i</c> has
/// stamp <c>Log.Base + i</c>, and every stamp a state's own history wrote in a log is below its
/// horizon there. Only the state that wins a log's next slot writes tags, only on entries it stores,
/// and always at or past the horizon of every other state that stores the same entry; so an entry a
/// state stores whose tag is below that state's horizon in the tag's log tells it the truth in one read.
/// </para>
/// <para>
/// A tag at or past the horizon was written by a later state. The earlier state cannot tell from it
/// where its own last record of the entry is, and it does not search (a search per record made old
/// states quadratic): it answers <see cref="Liveness.Unknown"/>, and <see cref="CacheState{TKey, TValue}"/>
/// forks, copying its live entries once, so that its line shares no entry, and so no tag, with any other.
/// </para>
/// </remarks>
internal readonly struct RecencyOrder<TKey, TValue>
    where TKey : notnull
{
    // A new log holds this many times the live entries: compaction, which reads every record, then
    // comes once per (Spare - 1) x Count uses. More spare, cheaper hits; less, fewer bytes an entry.
    private const int Spare = 3;

    /// <summary>An order of the window's log (under LRU, the only one).</summary>
    public RecencyOrder(AppendLog<Entry<TKey, TValue>> log, int head, int tail)
        : this(log, head, tail, tail)
    {
    }

    /// <summary>An order of a log: of the main space's, with probation's head and protected's.</summary>
    public RecencyOrder(AppendLog<Entry<TKey, TValue>> log, int head, int protectedHead, int tail)
    {
        Log = log;
        Head = head;
        ProtectedHead = protectedHead;
        Tail = tail;
    }

    public AppendLog<Entry<TKey, TValue>> Log { get; }

    /// <summary>The first record that may be live in the window's order, or in probation's.</summary>
    public int Head { get; }

    /// <summary>The first record that may be live in protected's order (the main space's log only).</summary>
    public int ProtectedHead { get; }

    public int Tail { get; }

    /// <summary>The stamp the next record gets; every stamp in this state's history of the log is below it.</summary>
    public long Horizon => Log.Base + Tail;

    /// <summary>Whether this is the main space's log (probation and protected) rather than the window's.</summary>
    public bool IsMain => Log.IsMarked;

    // The first record either segment of the log may still need.
    // Stryker disable once Conditional : a window's order keeps its protected head at or past its head (the tail it was made with), so the least of the two is its head.
    private int Start => IsMain ? Math.Min(Head, ProtectedHead) : Head;

    /// <summary>An empty order from <paramref name="baseStamp"/>: the main space's when <paramref name="main"/>, else the window's.</summary>
    public static RecencyOrder<TKey, TValue> Empty(long baseStamp, bool main) => new(new AppendLog<Entry<TKey, TValue>>(0, baseStamp, main), 0, 0, 0);

    /// <summary>
    /// Appends uses of <paramref name="used"/> in order, in <paramref name="segment"/>, tagging each
    /// entry. <paramref name="count"/> is how many entries the log's segments store with them, and
    /// <paramref name="otherHorizon"/> is the state's horizon in its other log. False, with nothing
    /// appended, when this state does not own the log: the caller must fork first.
    /// </summary>
    public bool TryAppend(ReadOnlySpan<Entry<TKey, TValue>> used, Segment segment, EntryIndex<TKey, TValue> entries, int count, long otherHorizon, out RecencyOrder<TKey, TValue> appended)
    {
        bool marked = segment == Segment.Protected;
        RecencyOrder<TKey, TValue> order = this;
        while (!used.IsEmpty)
        {
            int room = order.Log.Capacity - order.Tail;
            if (room == 0)
            {
                // A separate local: an out argument must not alias the struct the method reads.
                if (!order.TryCompact(entries, count, used.Length, otherHorizon, out RecencyOrder<TKey, TValue> compacted))
                // Stryker disable once Block : the refusal no owner reaches (see Refused).
                {
                    // Stryker disable once all : unreachable while the line's version claim guards every append; the log's own guard.
                    return Refused(out appended);
                }

                order = compacted;

                // Stryker disable once Statement : without it the next lines claim 0 slots of the new log and loop back here.
                continue;
            }

            int claimed = Math.Min(room, used.Length);
            if (!order.Log.TryClaim(order.Tail, claimed))
            // Stryker disable once Block : the refusal no owner reaches (see Refused).
            {
                // Stryker disable once all : unreachable while the line's version claim guards every append; the log's own guard.
                return Refused(out appended);
            }

            for (int i = 0; i < claimed; i++)
            {
                Entry<TKey, TValue> entry = used[i];
                order.Write(order.Tail + i, entry, marked);
                entry.Use(UseTag.Of(order.Horizon + i, segment));
            }

            order = new RecencyOrder<TKey, TValue>(order.Log, order.Head, order.ProtectedHead, order.Tail + claimed);
            used = used[claimed..];
        }

        appended = order;
        return true;
    }

    /// <summary>
    /// The least recently used live entry of <paramref name="segment"/> and the order without it
    /// (<see cref="Liveness.Live"/>); <see cref="Liveness.Stale"/> when the segment stores none;
    /// <see cref="Liveness.Unknown"/> when a later state has used this state's entries, so that only a fork can tell.
    /// </summary>
    public Liveness TryTakeLeastRecent(Segment segment, EntryIndex<TKey, TValue> entries, long otherHorizon, out Entry<TKey, TValue> entry, out RecencyOrder<TKey, TValue> rest)
    {
        int head = HeadOf(segment);

        // Stryker disable once Equality,Update : the state stores an entry whenever it evicts, and keeps its head at a live
        // record (or one only a fork can judge), so the first record answers.
        for (int position = head; position < Tail; position++)
        {
            Entry<TKey, TValue> candidate = Log[position];
            Liveness recency = Of(candidate, position, entries, otherHorizon);

            // Stryker disable once Logical : as above, the first record answers: Live of this segment or Unknown.
            if (recency == Liveness.Unknown || (recency == Liveness.Live && SegmentAt(position) == segment))
            {
                ScanMeter.Read(position - head + 1);
                entry = candidate;
                rest = WithHead(segment, position + 1);
                return recency;
            }
        }

        ScanMeter.Read(Tail - head);
        entry = null!;
        rest = WithHead(segment, Tail);
        return Liveness.Stale;
    }

    /// <summary>The order with its heads moved past records that are not their segment's live ones, so that the next scan starts at one (or one only a fork can judge).</summary>
    public RecencyOrder<TKey, TValue> SkipStale(EntryIndex<TKey, TValue> entries, long otherHorizon)
    {
        RecencyOrder<TKey, TValue> order = Skipped(IsMain ? Segment.Probation : Segment.Window, entries, otherHorizon);

        // Stryker disable once Conditional : a window's log has no protected record, so its protected head has nothing to pass.
        return IsMain ? order.Skipped(Segment.Protected, entries, otherHorizon) : order;
    }

    /// <summary>
    /// Fills <paramref name="first"/> (the window's or probation's) and <paramref name="second"/>
    /// (protected's), both empty, with the live entries of this log's segments, each from the least
    /// to the most recently used, passing over the entries already in <paramref name="seen"/> and adding the rest
    /// to it. Reads records, not tags, so it answers for any state; costs time and space in
    /// proportion to the log. Read the main space's log first: an entry it holds has left the window.
    /// </summary>
    public void CollectLive(EntryIndex<TKey, TValue> entries, HashSet<Entry<TKey, TValue>> seen, List<Entry<TKey, TValue>> first, List<Entry<TKey, TValue>>? second)
    {
        // Walking back from the tail, an entry's first record is its last use.
        int start = Start;
        ScanMeter.Read(Tail - start);
        for (int position = Tail - 1; position >= start; position--)
        {
            Entry<TKey, TValue> entry = Log[position];
            if (seen.Add(entry) && entries.Holds(entry))
            {
                (SegmentAt(position) == Segment.Protected ? second! : first).Add(entry);
            }
        }

        first.Reverse();
        second?.Reverse();
    }

    /// <summary>
    /// A fresh log holding <paramref name="first"/> then <paramref name="second"/> (the main space's
    /// protected entries, when <paramref name="main"/>), each in order, tagged from <paramref name="baseStamp"/>:
    /// the entries are a fork's own copies, which no other state reads.
    /// </summary>
    public static RecencyOrder<TKey, TValue> Of(IReadOnlyList<Entry<TKey, TValue>> first, IReadOnlyList<Entry<TKey, TValue>> second, long baseStamp, int room, bool main)
    {
        int count = first.Count + second.Count;
        var order = new RecencyOrder<TKey, TValue>(new AppendLog<Entry<TKey, TValue>>(Spare * (count + room), baseStamp, main), 0, 0, 0);
        Segment firstSegment = main ? Segment.Probation : Segment.Window;
        for (int i = 0; i < count; i++)
        {
            (Entry<TKey, TValue> entry, Segment segment) = i < first.Count ? (first[i], firstSegment) : (second[i - first.Count], Segment.Protected);
            order.Write(i, entry, segment == Segment.Protected);
            entry.Use(UseTag.Of(baseStamp + i, segment));
        }

        return new RecencyOrder<TKey, TValue>(order.Log.Filled(count), 0, 0, count);
    }

    /// <summary>
    /// Seals the log and moves the live records to a new one with room to spare, stamped from this
    /// state's horizon, so the new log references nothing but the entries stored. False when another
    /// state sealed or extended the log first: this state has to fork instead.
    /// </summary>
    public bool TryRebuild(EntryIndex<TKey, TValue> entries, int count, long otherHorizon, out RecencyOrder<TKey, TValue> rebuilt) =>
        TryCompact(entries, count, 0, otherHorizon, out rebuilt);

    /// <summary>The segment of the record at <paramref name="position"/>: the log's, or in the main space's log, the one its mark says.</summary>
    private Segment SegmentAt(int position) => !IsMain ? Segment.Window : Log.MarkAt(position) ? Segment.Protected : Segment.Probation;

    private int HeadOf(Segment segment) => segment == Segment.Protected ? ProtectedHead : Head;

    private RecencyOrder<TKey, TValue> WithHead(Segment segment, int head) =>
        segment == Segment.Protected ? new(Log, Head, head, Tail) : new(Log, head, ProtectedHead, Tail);

    private void Write(int position, Entry<TKey, TValue> entry, bool marked)
    {
        if (IsMain)
        {
            Log.Write(position, entry, marked);
        }
        else
        {
            Log.Write(position, entry);
        }
    }

    /// <summary>The order with <paramref name="segment"/>'s head moved past the records that are not its live ones.</summary>
    private RecencyOrder<TKey, TValue> Skipped(Segment segment, EntryIndex<TKey, TValue> entries, long otherHorizon)
    {
        int from = HeadOf(segment);
        int head = from;
        while (head < Tail && Of(Log[head], head, entries, otherHorizon) is var recency
            && (recency == Liveness.Stale || (recency == Liveness.Live && SegmentAt(head) != segment)))
        {
            head++;
        }

        ScanMeter.Read(head - from);
        // Stryker disable once Conditional,Equality : returning this or an equal copy is the same order.
        return head == from ? this : WithHead(segment, head);
    }

    /// <summary>
    /// Whether the record at <paramref name="position"/> is <paramref name="entry"/>'s last use in this
    /// state (in whichever of the log's segments), in one read and at most one lookup.
    /// </summary>
    private Liveness Of(Entry<TKey, TValue> entry, int position, EntryIndex<TKey, TValue> entries, long otherHorizon)
    {
        // The tag first: it rules out most stale records with one read and no trie lookup.
        long tag = entry.LastUse;
        bool here = UseTag.IsMain(UseTag.SegmentOf(tag)) == IsMain;
        long stamp = UseTag.StampOf(tag);
        if (stamp < (here ? Horizon : otherHorizon))
        {
            // This state's own history wrote the tag: the record is live exactly when the tag names it.
            return here && stamp == Log.Base + position && entries.Holds(entry) ? Liveness.Live : Liveness.Stale;
        }

        // A later state has used or moved the entry since: this state's records alone could tell, so fork.
        return entries.Holds(entry) ? Liveness.Unknown : Liveness.Stale;
    }

    /// <summary>
    /// The log is full: seal it and move the live records to a new log with room to spare, stamped
    /// from this state's horizon. False when another state sealed or extended it first.
    /// </summary>
    private bool TryCompact(EntryIndex<TKey, TValue> entries, int count, int wanted, long otherHorizon, out RecencyOrder<TKey, TValue> compacted)
    {
        if (!Log.TryClaim(Tail, 1))
        // Stryker disable once Block : the refusal no owner reaches (see Refused).
        {
            // Stryker disable once all : unreachable while the line's version claim guards every append; the log's own guard.
            return Refused(out compacted);
        }

        // The sealed log is this line's alone, so the live entries' tags can move to the new one,
        // which starts at this state's horizon: past every stamp any other state has seen.
        long baseStamp = Horizon;
        var order = new RecencyOrder<TKey, TValue>(new AppendLog<Entry<TKey, TValue>>(Spare * (count + wanted), baseStamp, IsMain), 0, 0, 0);
        int start = Start;
        ScanMeter.Read(Tail - start);

        // The main space's log is copied a segment at a time, probation's records then protected's, each
        // in its order: then neither head has the other's records to pass over in the new log.
        int filled = 0;
        if (!CopyLive(order, IsMain ? Segment.Probation : Segment.Window, start, entries, otherHorizon, retagged: false, ref filled))
        {
            // Stryker disable once all : unreachable for the state that sealed the log (no later
            // state can tag its entries); were it ever reached, a fork is still correct.
            return Refused(out compacted);
        }

        int protectedHead = filled;
        if (IsMain && !CopyLive(order, Segment.Protected, start, entries, otherHorizon, retagged: true, ref filled))
        {
            // Stryker disable once all : as above.
            return Refused(out compacted);
        }

        compacted = new RecencyOrder<TKey, TValue>(order.Log.Filled(filled), 0, protectedHead, filled);
        return true;
    }

    /// <summary>
    /// Copies the live records of <paramref name="segment"/> from <paramref name="start"/> on to
    /// <paramref name="order"/>'s new log, retagging their entries; false when a record only a fork
    /// can judge is met. When this compaction has <paramref name="retagged"/> entries already, a tag
    /// at or past this log's horizon is one of those: a later record of its entry, in the new log.
    /// </summary>
    private bool CopyLive(RecencyOrder<TKey, TValue> order, Segment segment, int start, EntryIndex<TKey, TValue> entries, long otherHorizon, bool retagged, ref int filled)
    {
        for (int position = start; position < Tail; position++)
        {
            // The mark first: a record of the other segment is passed over without reading its entry.
            if (SegmentAt(position) != segment)
            {
                continue;
            }

            Entry<TKey, TValue> entry = Log[position];
            // (An entry in the main space's log never goes back to the window, so its tag is the main space's.)
            // Stryker disable once Equality : the first entry retagged, at the horizon itself, has no protected record in range (a live
            // protected record before its own would be protected's least recent, demoted before it), so > and >= agree.
            if (retagged && UseTag.StampOf(entry.LastUse) >= Horizon)
            {
                continue;
            }

            switch (Of(entry, position, entries, otherHorizon))
            {
                case Liveness.Live:
                    order.Write(filled, entry, segment == Segment.Protected);
                    entry.Use(UseTag.Of(order.Log.Base + filled, segment));
                    filled++;
                    break;
                // Stryker disable once all : unreachable for the state that sealed the log (no later
                // state can tag its entries).
                case Liveness.Unknown:
                    return false;
                default:
                    break;
            }
        }

        return true;
    }

    /// <summary>The answer of a refused append or compaction: false, and this order unchanged.</summary>
    // Stryker disable once all : reached only by the guards above that no owner reaches.
    private bool Refused(out RecencyOrder<TKey, TValue> unchanged)
    {
        unchanged = this;
        return false;
    }
}

/// <summary>What one record of a recency log is to the state reading it.</summary>
internal enum Liveness
{
    /// <summary>Not the last use of an entry the state stores.</summary>
    Stale,

    /// <summary>The last use of an entry the state stores.</summary>
    Live,

    /// <summary>The state stores the entry, but a later state has stamped it: only a fork can tell.</summary>
    Unknown,
}
