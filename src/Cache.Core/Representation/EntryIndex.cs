using System.Collections.Immutable;

namespace Cache.Core.Representation;

/// <summary>
/// The entries a state stores: the first <see cref="Tail"/> slots of its line's
/// <see cref="EntryTable{TKey, TValue}"/>, less the entries it has <see cref="Hidden"/>. The line's
/// newest state writes the table in place (<see cref="Put"/>, <see cref="Removed"/>); any other state
/// that removes an entry hides it instead, and forks at its first append, as it does for the logs.
/// </summary>
internal readonly struct EntryIndex<TKey, TValue>
    where TKey : notnull
{
    private static readonly ImmutableHashSet<Entry<TKey, TValue>> NoneHidden =
        ImmutableHashSet.Create<Entry<TKey, TValue>>(ReferenceEqualityComparer.Instance);

    // Whether this index is the line's newest state's, inside the transition that writes it: then
    // an entry of the line is stored exactly when that state has not superseded it, read in one field.
    private readonly bool _newest;

    public EntryIndex(EntryTable<TKey, TValue> table, int tail, ImmutableHashSet<Entry<TKey, TValue>>? hidden)
        : this(table, tail, hidden, newest: false)
    {
    }

    private EntryIndex(EntryTable<TKey, TValue> table, int tail, ImmutableHashSet<Entry<TKey, TValue>>? hidden, bool newest)
    {
        Table = table;
        Tail = tail;
        Hidden = hidden;
        _newest = newest;
    }

    public EntryTable<TKey, TValue> Table { get; }

    /// <summary>The slots of <see cref="Table"/> this state reads: those its own history wrote.</summary>
    public int Tail { get; }

    /// <summary>Entries this state removed without owning the table (null when none): read as absent.</summary>
    public ImmutableHashSet<Entry<TKey, TValue>>? Hidden { get; }

    /// <summary>Whether the table holds nodes of entries no longer stored (replaced, removed, or the records of removals), for the line's newest state storing <paramref name="count"/>.</summary>
    public bool HoldsStale(int count) => Tail != count;

    public static EntryIndex<TKey, TValue> Empty(long version) => new(EntryTable<TKey, TValue>.WithRoomFor(0, version), 0, hidden: null);

    /// <summary>A fresh table for a line of its own, holding <paramref name="entries"/>, with room for <paramref name="room"/> more.</summary>
    public static EntryIndex<TKey, TValue> Of(IReadOnlyList<Entry<TKey, TValue>> entries, int room, long version)
    {
        var table = EntryTable<TKey, TValue>.WithRoomFor(entries.Count + room, version);
        for (int i = 0; i < entries.Count; i++)
        {
            table.Write(i, entries[i], removal: false);
        }

        return new EntryIndex<TKey, TValue>(table, entries.Count, hidden: null);
    }

    /// <summary>The hash the table files <paramref name="key"/> under.</summary>
    public static int HashOf(TKey key) => EqualityComparer<TKey>.Default.GetHashCode(key);

    /// <summary>The entry stored under <paramref name="key"/>, or null.</summary>
    public Entry<TKey, TValue>? Find(TKey key, int hash)
    {
        Entry<TKey, TValue>? entry = Table.Find(key, hash, Tail);
        return entry is not null && Hidden is not null && Hidden.Contains(entry) ? null : entry;
    }

    /// <summary>
    /// Whether <paramref name="entry"/>, an entry of this state's line (one its logs reference), is
    /// stored here: one field for the line's newest state while it writes, a lookup otherwise.
    /// </summary>
    // Stryker disable once Conditional : the lookup gives the same answer, only slower.
    public bool Holds(Entry<TKey, TValue> entry) => _newest ? !entry.IsSuperseded : HoldsAny(entry);

    /// <summary>Whether <paramref name="entry"/> itself (not just its key), from any state of any line, is stored here.</summary>
    public bool HoldsAny(Entry<TKey, TValue> entry) => Table.Holds(entry, Tail) && (Hidden is null || !Hidden.Contains(entry));

    /// <summary>This index, for the transition that has just claimed the line's next version (or forked): see <see cref="Holds"/>.</summary>
    // Stryker disable once Boolean : without the mark Holds looks entries up, with the same answers.
    public EntryIndex<TKey, TValue> AsNewest() => new(Table, Tail, Hidden, newest: true);

    /// <summary>
    /// The index with <paramref name="entry"/> stored, replacing <paramref name="replaced"/>, the
    /// entry this index stores under the key, if any. Only the line's newest state, once it has
    /// claimed <paramref name="version"/>, calls it; <paramref name="count"/> is how many entries it stores before.
    /// </summary>
    public EntryIndex<TKey, TValue> Put(Entry<TKey, TValue> entry, Entry<TKey, TValue>? replaced, int count, long version)
    {
        if (replaced is not null)
        {
            replaced.Supersede();
            Table.Supersede(replaced, Tail);
        }

        return Written(entry, removal: false, count, version);
    }

    /// <summary>
    /// The index without <paramref name="entry"/>, a stored entry: the line's newest state, which
    /// <paramref name="owned"/> says, records the removal in the table; any other state hides it.
    /// </summary>
    public EntryIndex<TKey, TValue> Removed(Entry<TKey, TValue> entry, int count, bool owned, long version)
    {
        if (!owned)
        {
            return new(Table, Tail, (Hidden ?? NoneHidden).Add(entry));
        }

        entry.Supersede();
        Table.Supersede(entry, Tail);
        return Written(entry, removal: true, count, version);
    }

    /// <summary>The same entries in a new table of the line's newest state, holding nothing else.</summary>
    public EntryIndex<TKey, TValue> Rebuilt(int count, long version)
    {
        EntryTable<TKey, TValue> table = Table.Rebuilt(Tail, count, version, out int filled);
        return new EntryIndex<TKey, TValue>(table, filled, hidden: null, _newest);
    }

    /// <summary>Every entry stored, in no particular order; costs time in proportion to the table.</summary>
    public IEnumerable<Entry<TKey, TValue>> Live()
    {
        ImmutableHashSet<Entry<TKey, TValue>>? hidden = Hidden;
        return Table.Live(Tail).Where(entry => hidden is null || !hidden.Contains(entry));
    }

    private EntryIndex<TKey, TValue> Written(Entry<TKey, TValue> entry, bool removal, int count, long version)
    {
        EntryIndex<TKey, TValue> index = this;
        if (index.Tail == index.Table.Capacity)
        {
            // Full: the live entries move to a new table, which this line alone writes from now on.
            index = index.Rebuilt(count, version);
            // Stryker disable once Block : a record of the removal in the new table changes no answer; it keeps the removed value reachable until the next rebuild, as the logs' stale records do.
            if (removal)
            {
                // The rebuild left the removed entry behind: the new table needs no record of it,
                // and a record would keep its value reachable until the next rebuild.
                return index;
            }
        }

        index.Table.Write(index.Tail, entry, removal);
        return new EntryIndex<TKey, TValue>(index.Table, index.Tail + 1, hidden: null, _newest);
    }
}
