using System.Numerics;
using System.Runtime.CompilerServices;

namespace Cache.Core.Representation;

/// <summary>
/// The hash table behind a line of states, partially persistent (Driscoll, Sarnak, Sleator and
/// Tarjan, "Making data structures persistent", 1989): the newest state of the line writes it in
/// place, and every older state still reads exactly its own past. Nodes go to a log and never change:
/// slot <c>i</c> holds an entry, or the record that the entry was removed, and the link to the next
/// older node of its bucket. A state reads the slots before its own tail and nothing after, newest
/// first, so the first node of a key it meets is that key's version in that state.
/// </summary>
/// <remarks>
/// <para>
/// A write appends a node and publishes it with one write of its bucket's head; a reader on another
/// thread sees the chain from before or after that write, both whole. Only the line's newest state
/// writes, and only after it has claimed the next version (<see cref="TryClaim"/>), so two states
/// never write the same slot. A full table is never written again: the line moves its live entries
/// to a new one (<see cref="Rebuilt"/>), so that stale nodes cost O(1) amortized and memory stays
/// bounded.
/// </para>
/// <para>
/// Slots, links and buckets live in chunks of 1,024, allocated as the log reaches them: a table for
/// a large cache never lands on the large object heap, whose allocations cost a full collection.
/// </para>
/// </remarks>
internal sealed class EntryTable<TKey, TValue>
    where TKey : notnull
{
    // A new table holds this many times the live entries: a rebuild, which reads every slot, then
    // comes once per (Spare - 1) x Count writes. More spare, cheaper writes; less, fewer bytes an entry.
    private const int Spare = 2;
    private const int MinCapacity = 16;

    // A link is a slot + 1 shifted left by two: every slot below 2^29 - 1 keeps it positive.
    private const int MaxCapacity = (1 << 29) - 2;

    // The two low bits of a slot's link word.
    private const int Removal = 1;
    private const int Superseded = 2;
    private const int ChunkBits = 10;
    private const int ChunkSize = 1 << ChunkBits;
    private const int ChunkMask = ChunkSize - 1;

    // Entries in a one-field struct: a store into an array of a generic class type would pay the
    // array covariance check on every write; a struct array pays none.
    private readonly Node[]?[] _nodes;

    // Per slot: (the next older node's slot + 1, or 0) << 2, | Removal when the node records a
    // removal, | Superseded once the line's newest state has replaced or removed the node's entry
    // (only that state's rebuild reads the mark; every other state judges by its own tail).
    private readonly int[]?[] _links;

    // Per bucket: the newest node's slot + 1, or 0 when the bucket is empty.
    private readonly int[][] _heads;
    private readonly int _bucketMask;
    private readonly int _capacity;

    // The version of the line's newest state: the one state that may write the next slot.
    private long _version;

    private EntryTable(int capacity, long version)
    {
        _capacity = capacity;
        int chunks = ChunkOf(capacity + ChunkMask);
        _nodes = new Node[]?[chunks];
        _links = new int[]?[chunks];

        // About one bucket a live entry: chains stay under two nodes, stale ones included.
        // Stryker disable once Arithmetic : a sizing choice: more buckets cost memory, never an answer.
        int buckets = (int)BitOperations.RoundUpToPowerOf2((uint)(capacity / Spare));
        _bucketMask = buckets - 1;
        _heads = new int[ChunkOf(buckets + ChunkMask)][];
        for (int i = 0; i < _heads.Length; i++)
        {
            // Stryker disable once Linq : a larger chunk than the buckets need is unused space, never an answer.
            _heads[i] = new int[Math.Min(ChunkSize, buckets)];
        }

        _version = version;
    }

    /// <summary>How many slots the table has; a state whose tail is here has to move to a new table to write.</summary>
    public int Capacity => _capacity;

    /// <summary>A table with room for <paramref name="count"/> entries and as many more writes, whose newest state is <paramref name="version"/>.</summary>
    public static EntryTable<TKey, TValue> WithRoomFor(int count, long version) =>
        new((int)Math.Min(Math.Max((long)Spare * count, MinCapacity), MaxCapacity), version);

    /// <summary>
    /// Makes the state at <paramref name="version"/> the one that writes next, as version
    /// <paramref name="version"/> + 1. False when another state of the line has claimed it first:
    /// this state is not the newest, and must not write.
    /// </summary>
    public bool TryClaim(long version) => Interlocked.CompareExchange(ref _version, version + 1, version) == version;

    /// <summary>The entry stored under <paramref name="key"/> in the state whose tail is <paramref name="tail"/>, or null.</summary>
    public Entry<TKey, TValue>? Find(TKey key, int hash, int tail)
    {
        int link = Volatile.Read(ref Head(hash));
        while (link != 0)
        {
            int slot = link - 1;
            int chained = LinkAt(slot);
            if (slot < tail)
            {
                Entry<TKey, TValue> node = NodeAt(slot);
                if (node.Hash == hash && EqualityComparer<TKey>.Default.Equals(node.Key, key))
                {
                    return (chained & Removal) == 0 ? node : null;
                }
            }

            link = NextOf(chained);
        }

        return null;
    }

    /// <summary>Whether <paramref name="entry"/> itself (not just its key) is stored in the state whose tail is <paramref name="tail"/>.</summary>
    public bool Holds(Entry<TKey, TValue> entry, int tail)
    {
        int link = Volatile.Read(ref Head(entry.Hash));
        while (link != 0)
        {
            int slot = link - 1;
            int chained = LinkAt(slot);
            if (slot < tail)
            {
                Entry<TKey, TValue> node = NodeAt(slot);
                if (ReferenceEquals(node, entry))
                {
                    return (chained & Removal) == 0;
                }

                if (node.Hash == entry.Hash && EqualityComparer<TKey>.Default.Equals(node.Key, entry.Key))
                {
                    return false;
                }
            }

            link = NextOf(chained);
        }

        return false;
    }

    /// <summary>
    /// Marks the node of <paramref name="entry"/>, stored in the line's newest state (whose tail is
    /// <paramref name="tail"/>), as replaced or removed, so that the next rebuild leaves it behind
    /// without searching. Only that state calls it; readers ignore the mark.
    /// </summary>
    public void Supersede(Entry<TKey, TValue> entry, int tail)
    {
        int link = Head(entry.Hash);
        while (link != 0)
        {
            int slot = link - 1;
            ref int chained = ref LinkAt(slot);
            // Stryker disable once Equality : the newest state's tail is past every node, so the check never excludes one.
            if (slot < tail && ReferenceEquals(NodeAt(slot), entry) && (chained & Removal) == 0)
            {
                // One write of the whole word: a reader sees the link with or without the mark.
                Volatile.Write(ref chained, chained | Superseded);

                // Stryker disable once Statement : the entry has one node; walking on marks nothing more.
                return;
            }

            link = NextOf(chained);
        }
    }

    /// <summary>
    /// Writes slot <paramref name="slot"/>: <paramref name="entry"/>, or the record of its removal.
    /// Only the state that claimed the version and whose tail is <paramref name="slot"/> calls it, below the capacity.
    /// </summary>
    public void Write(int slot, Entry<TKey, TValue> entry, bool removal)
    {
        int chunk = ChunkOf(slot);
        Node[]? nodes = _nodes[chunk];
        if (nodes is null)
        {
            int length = Math.Min(ChunkSize, _capacity);
            nodes = new Node[length];
            _nodes[chunk] = nodes;
            _links[chunk] = new int[length];
        }

        nodes[slot & ChunkMask].Entry = entry;
        ref int head = ref Head(entry.Hash);
        _links[chunk]![slot & ChunkMask] = (head << 2) | (removal ? Removal | Superseded : 0);

        // The node is whole before its bucket points at it: a reader that sees it sees all of it.
        Volatile.Write(ref head, slot + 1);
    }

    /// <summary>
    /// The entries stored in the state whose tail is <paramref name="tail"/>, in no particular
    /// order; costs time in proportion to the slots.
    /// </summary>
    public IEnumerable<Entry<TKey, TValue>> Live(int tail)
    {
        for (int bucket = 0; bucket <= _bucketMask; bucket++)
        {
            int link = Volatile.Read(ref _heads[ChunkOf(bucket)][OffsetOf(bucket)]);
            while (link != 0)
            {
                int slot = link - 1;
                int chained = LinkAt(slot);
                if (slot < tail && (chained & Removal) == 0 && IsNewestOfItsKey(bucket, slot, tail))
                {
                    yield return NodeAt(slot);
                }

                link = NextOf(chained);
            }
        }
    }

    /// <summary>
    /// A new table holding the <paramref name="count"/> entries stored in the line's newest state,
    /// whose tail is <paramref name="tail"/>, with room for as many more writes, for that state at
    /// <paramref name="version"/>; <paramref name="filled"/> is the new tail. One pass over the
    /// slots in order: a node is kept when nothing marked it replaced or removed.
    /// </summary>
    public EntryTable<TKey, TValue> Rebuilt(int tail, int count, long version, out int filled)
    {
        // Stryker disable once Arithmetic : room for one write more or less only moves the next rebuild.
        EntryTable<TKey, TValue> table = WithRoomFor(count + 1, version);
        filled = 0;
        for (int chunk = 0; chunk << ChunkBits < tail; chunk++)
        {
            Node[] nodes = _nodes[chunk]!;
            int[] links = _links[chunk]!;
            int end = Math.Min(nodes.Length, tail - (chunk << ChunkBits));
            for (int i = 0; i < end; i++)
            {
                if ((links[i] & Superseded) == 0)
                {
                    table.Write(filled++, nodes[i].Entry, removal: false);
                }
            }
        }

        return table;
    }

    // Stryker disable all : the table's shape check is part of the tests' oracle, not behaviour.

    /// <summary>Checks the table's shape for the state whose tail is <paramref name="tail"/>; returns the first broken rule, or null.</summary>
    public string? FindShapeFault(int tail)
    {
        if (tail < 0 || tail > _capacity)
        {
            return $"the tail {tail} is outside the {_capacity} slots";
        }

        var seen = new HashSet<int>();
        for (int bucket = 0; bucket <= _bucketMask; bucket++)
        {
            int link = Volatile.Read(ref _heads[ChunkOf(bucket)][OffsetOf(bucket)]);
            int previous = int.MaxValue;
            while (link != 0)
            {
                int slot = link - 1;
                if (slot >= previous || !seen.Add(slot))
                {
                    return "a chain is not ordered newest first, or a node is in two chains";
                }

                Entry<TKey, TValue> node = NodeAt(slot);
                if ((node.Hash & _bucketMask) != bucket || node.Hash != EqualityComparer<TKey>.Default.GetHashCode(node.Key))
                {
                    return "an entry is filed under the wrong hash";
                }

                previous = slot;
                link = NextOf(LinkAt(slot));
            }
        }

        return null;
    }

    // Stryker restore all
    private ref int Head(int hash)
    {
        int bucket = hash & _bucketMask;
        return ref _heads[ChunkOf(bucket)][OffsetOf(bucket)];
    }

    // Stryker disable once Bitwise : slots are never negative, so >> and >>> agree.
    private static int ChunkOf(int slot) => slot >> ChunkBits;

    private static int OffsetOf(int slot) => slot & ChunkMask;

    // Stryker disable once Bitwise : a link word is never negative (MaxCapacity), so >>> and >> agree.
    private static int NextOf(int chained) => chained >>> 2;

    private Entry<TKey, TValue> NodeAt(int slot) => _nodes[ChunkOf(slot)]![OffsetOf(slot)].Entry;

    private ref int LinkAt(int slot) => ref _links[ChunkOf(slot)]![OffsetOf(slot)];

    /// <summary>Whether no node newer than <paramref name="slot"/> in its bucket, and visible at <paramref name="tail"/>, has its key.</summary>
    private bool IsNewestOfItsKey(int bucket, int slot, int tail)
    {
        Entry<TKey, TValue> entry = NodeAt(slot);
        int link = Volatile.Read(ref _heads[ChunkOf(bucket)][OffsetOf(bucket)]);
        while (link - 1 != slot)
        {
            int newer = link - 1;
            Entry<TKey, TValue> node = NodeAt(newer);
            if (newer < tail && node.Hash == entry.Hash && EqualityComparer<TKey>.Default.Equals(node.Key, entry.Key))
            {
                return false;
            }

            link = NextOf(LinkAt(newer));
        }

        return true;
    }

    private struct Node
    {
        public Entry<TKey, TValue> Entry;
    }
}
