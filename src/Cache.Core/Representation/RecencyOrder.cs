namespace Cache.Core.Representation;

/// <summary>
/// The recency order of a state: the part <c>[Head, Tail)</c> of an append-only log of entries, in
/// the order they were last set or hit. A Set or hit appends a record and stamps the entry with it
/// (<see cref="Entry{TKey, TValue}.LastUse"/>); the entry's earlier records go stale and are skipped,
/// so the least recently used entry is the first live record. No hit copies anything.
/// </summary>
/// <remarks>
/// <para>
/// A record is live in a state when its entry is still stored in that state and the record is the
/// entry's last one in <c>[Head, Tail)</c>. Stamps are positions: the record in slot <c>i</c> has
/// stamp <c>Log.Base + i</c>, and every stamp a state's own history wrote is below its
/// <see cref="Horizon"/>. Only the state that wins the log's next slot writes stamps, only on
/// entries it stores, and always at or past the horizon of every other state that stores the same
/// entry; so an entry a state stores whose stamp is below that state's horizon tells it the truth in
/// one read.
/// </para>
/// <para>
/// A stamp at or past the horizon was written by a later state. The earlier state cannot tell from
/// it where its own last record of the entry is, and it does not search (a search per record made
/// old states quadratic): it answers <see cref="Liveness.Unknown"/>, and
/// <see cref="CacheState{TKey, TValue}"/> forks, copying its live entries once, so that its line
/// shares no entry, and so no stamp, with any other.
/// </para>
/// </remarks>
internal readonly struct RecencyOrder<TKey, TValue>
    where TKey : notnull
{
    // A new log holds this many times the live entries: compaction, which reads every record, then
    // comes once per (Spare - 1) x Count uses. More spare, cheaper hits; less, fewer bytes an entry.
    private const int Spare = 3;

    public RecencyOrder(AppendLog<Entry<TKey, TValue>> log, int head, int tail)
    {
        Log = log;
        Head = head;
        Tail = tail;
    }

    public AppendLog<Entry<TKey, TValue>> Log { get; }

    public int Head { get; }

    public int Tail { get; }

    /// <summary>The stamp the next record gets; every stamp in this state's history is below it.</summary>
    public long Horizon => Log.Base + Tail;

    public static RecencyOrder<TKey, TValue> Empty(long baseStamp) => new(new AppendLog<Entry<TKey, TValue>>(0, baseStamp), 0, 0);

    /// <summary>
    /// Appends uses of <paramref name="used"/> in order, stamping each entry. False, with nothing
    /// appended, when this state does not own the log: the caller must fork first.
    /// </summary>
    public bool TryAppend(ReadOnlySpan<Entry<TKey, TValue>> used, EntryIndex<TKey, TValue> entries, int count, out RecencyOrder<TKey, TValue> appended)
    {
        RecencyOrder<TKey, TValue> order = this;
        while (!used.IsEmpty)
        {
            int room = order.Log.Capacity - order.Tail;
            if (room == 0)
            {
                // A separate local: an out argument must not alias the struct the method reads.
                if (!order.TryCompact(entries, count, used.Length, out RecencyOrder<TKey, TValue> compacted))
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
                order.Log.Write(order.Tail + i, entry);
                entry.Use(order.Horizon + i);
            }

            order = new RecencyOrder<TKey, TValue>(order.Log, order.Head, order.Tail + claimed);
            used = used[claimed..];
        }

        appended = order;
        return true;
    }

    /// <summary>
    /// The least recently used live entry and the order without it (<see cref="Liveness.Live"/>);
    /// <see cref="Liveness.Stale"/> when no entry is stored; <see cref="Liveness.Unknown"/> when a
    /// later state has used this state's entries, so that only a fork can tell.
    /// </summary>
    public Liveness TryTakeLeastRecent(EntryIndex<TKey, TValue> entries, out Entry<TKey, TValue> entry, out RecencyOrder<TKey, TValue> rest)
    {
        // Stryker disable once Equality,Update : the state stores an entry whenever it evicts, and keeps its head at a live
        // record (or one only a fork can judge), so the first record answers.
        for (int position = Head; position < Tail; position++)
        {
            Entry<TKey, TValue> candidate = Log[position];
            Liveness recency = Of(candidate, position, entries);
            if (recency != Liveness.Stale)
            {
                ScanMeter.Read(position - Head + 1);
                entry = candidate;
                rest = new RecencyOrder<TKey, TValue>(Log, position + 1, Tail);
                return recency;
            }
        }

        ScanMeter.Read(Tail - Head);
        entry = null!;
        rest = new RecencyOrder<TKey, TValue>(Log, Tail, Tail);
        return Liveness.Stale;
    }

    /// <summary>The order with its head moved past stale records, so that the next scan starts at a live one (or one only a fork can judge).</summary>
    public RecencyOrder<TKey, TValue> SkipStale(EntryIndex<TKey, TValue> entries)
    {
        int head = Head;
        while (head < Tail && Of(Log[head], head, entries) == Liveness.Stale)
        {
            head++;
        }

        ScanMeter.Read(head - Head);
        // Stryker disable once Conditional,Equality : returning this or an equal copy is the same order.
        return head == Head ? this : new RecencyOrder<TKey, TValue>(Log, head, Tail);
    }

    /// <summary>The live entries from the least to the most recently used; costs time and space in proportion to the log.</summary>
    public List<Entry<TKey, TValue>> Live(EntryIndex<TKey, TValue> entries)
    {
        // Walking back from the tail, an entry's first record is its last use.
        ScanMeter.Read(Tail - Head);
        var seen = new HashSet<Entry<TKey, TValue>>(ReferenceEqualityComparer.Instance);
        var live = new List<Entry<TKey, TValue>>();
        for (int position = Tail - 1; position >= Head; position--)
        {
            Entry<TKey, TValue> entry = Log[position];
            if (seen.Add(entry) && entries.Holds(entry))
            {
                live.Add(entry);
            }
        }

        live.Reverse();
        return live;
    }

    /// <summary>A fresh log holding <paramref name="live"/> in order, stamped from <paramref name="baseStamp"/>.</summary>
    public static RecencyOrder<TKey, TValue> Of(IReadOnlyList<Entry<TKey, TValue>> live, long baseStamp, int room)
    {
        var log = new AppendLog<Entry<TKey, TValue>>(Spare * (live.Count + room), baseStamp);
        for (int i = 0; i < live.Count; i++)
        {
            log.Write(i, live[i]);
        }

        return new RecencyOrder<TKey, TValue>(log.Filled(live.Count), 0, live.Count);
    }

    /// <summary>Whether the record at <paramref name="position"/> is <paramref name="entry"/>'s last use in this state, in one read and at most one lookup.</summary>
    private Liveness Of(Entry<TKey, TValue> entry, int position, EntryIndex<TKey, TValue> entries)
    {
        // The stamp first: it rules out most stale records with one read and no trie lookup.
        long lastUse = entry.LastUse;
        if (lastUse < Horizon)
        {
            return lastUse == Log.Base + position && entries.Holds(entry) ? Liveness.Live : Liveness.Stale;
        }

        // A later state has used the entry since: this state's records alone could tell, so fork.
        return entries.Holds(entry) ? Liveness.Unknown : Liveness.Stale;
    }

    /// <summary>
    /// Seals the log and moves the live records to a new one with room to spare, stamped from this
    /// state's horizon, so the new log references nothing but the entries stored. False when another
    /// state sealed or extended the log first: this state has to fork instead.
    /// </summary>
    public bool TryRebuild(EntryIndex<TKey, TValue> entries, int count, out RecencyOrder<TKey, TValue> rebuilt) =>
        TryCompact(entries, count, 0, out rebuilt);

    /// <summary>
    /// The log is full: seal it and move the live records to a new log with room to spare, stamped
    /// from this state's horizon. False when another state sealed or extended it first.
    /// </summary>
    private bool TryCompact(EntryIndex<TKey, TValue> entries, int count, int wanted, out RecencyOrder<TKey, TValue> compacted)
    {
        if (!Log.TryClaim(Tail, 1))
        // Stryker disable once Block : the refusal no owner reaches (see Refused).
        {
            // Stryker disable once all : unreachable while the line's version claim guards every append; the log's own guard.
            return Refused(out compacted);
        }

        // The sealed log is this line's alone, so the live entries' stamps can move to the new one,
        // which starts at this state's horizon: past every stamp any other state has seen.
        long baseStamp = Horizon;
        var log = new AppendLog<Entry<TKey, TValue>>(Spare * (count + wanted), baseStamp);
        int filled = 0;
        ScanMeter.Read(Tail - Head);
        for (int position = Head; position < Tail; position++)
        {
            Entry<TKey, TValue> entry = Log[position];
            switch (Of(entry, position, entries))
            {
                case Liveness.Live:
                    log.Write(filled, entry);
                    entry.Use(baseStamp + filled);
                    filled++;
                    break;
                // Stryker disable once all : unreachable for the state that sealed the log (no later
                // state can stamp its entries); were it ever reached, a fork is still correct.
                case Liveness.Unknown:
                    compacted = this;
                    return false;
                default:
                    break;
            }
        }

        compacted = new RecencyOrder<TKey, TValue>(log.Filled(filled), 0, filled);
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
