namespace Cache.Core.Representation;

/// <summary>
/// An array that states share and only ever append to. A state sees the slots before its own end
/// and nothing after; those never change, so every state reads its part safely from any thread.
/// Only the state that ends exactly where the log's claims end may write the next slots (it wins
/// <see cref="TryClaim"/>); any other state that wants to append copies what it sees first. This is
/// how one line of states appends in place, as a mutable list would, without any state changing.
/// </summary>
/// <remarks>
/// The slots live in chunks of 1,024, allocated as the log reaches them: a log for a large cache
/// never lands on the large object heap, whose allocations would cost a full collection.
/// </remarks>
internal sealed class AppendLog<T>
    where T : class
{
    private const int ChunkBits = 10;
    private const int ChunkSize = 1 << ChunkBits;
    // Items in a one-field struct: a store into an array of a generic class type would pay the
    // array covariance check on every append; a struct array pays none.
    private readonly Slot[]?[] _chunks;

    // One bit a slot, in a log that keeps marks (the main space's: set for a protected record).
    private readonly ulong[]?[]? _marks;
    private int _claimed;

    /// <summary>An empty log with room for at least <paramref name="capacity"/> slots, with a mark a slot when <paramref name="marked"/>.</summary>
    public AppendLog(int capacity, long baseStamp, bool marked = false)
    {
        _chunks = new Slot[]?[(capacity + ChunkSize - 1) >> ChunkBits];
        _marks = marked ? new ulong[]?[_chunks.Length] : null;
        Base = baseStamp;
    }

    /// <summary>Whether the log keeps a mark a slot.</summary>
    public bool IsMarked => _marks is not null;

    /// <summary>The stamp of slot 0: slot <c>i</c> was written at stamp <c>Base + i</c>.</summary>
    public long Base { get; }

    public int Capacity => _chunks.Length << ChunkBits;

    public T this[int position] => _chunks[position >> ChunkBits]![position & (ChunkSize - 1)].Item;

    /// <summary>
    /// Claims <paramref name="count"/> slots from <paramref name="end"/>, for the state whose part
    /// of the log ends there. False when another state has claimed past that end: the log is not
    /// this state's to extend. Claiming past the capacity seals the log for good.
    /// </summary>
    /// <remarks>
    /// Only a transition that has claimed its line's next version (<see cref="EntryTable{TKey, TValue}.TryClaim"/>,
    /// one compare-and-swap) appends, so no two threads ever claim here at once: a read and a
    /// write suffice, and the check stays as the log's own guard.
    /// </remarks>
    public bool TryClaim(int end, int count)
    {
        bool mine = Volatile.Read(ref _claimed) == end;
        if (mine)
        {
            Volatile.Write(ref _claimed, end + count);
        }

        return mine;
    }

    /// <summary>Writes a slot this state has claimed, or a slot of a log no other state has seen yet.</summary>
    public void Write(int position, T value)
    {
        int index = position >> ChunkBits;
        Slot[]? chunk = _chunks[index];
        if (chunk is null)
        {
            chunk = new Slot[ChunkSize];
            _chunks[index] = chunk;
        }

        chunk[position & (ChunkSize - 1)].Item = value;
    }

    /// <summary>Writes a slot as <see cref="Write(int, T)"/> does, with its mark (a log that keeps marks).</summary>
    // Stryker disable Bitwise,Arithmetic : positions are never negative (>> and >>> agree), and a longer array of marks only holds more zeros.
    public void Write(int position, T value, bool mark)
    {
        Write(position, value);
        int index = position >> ChunkBits;
        ulong[] marks = _marks![index] ??= new ulong[ChunkSize / 64];
        int bit = position & (ChunkSize - 1);
        ulong word = marks[bit >> 6];
        ulong flag = 1UL << (bit & 63);

        // One writer; a reader of an earlier slot reads the whole word, old or new, and its own bit is the same in both.
        Volatile.Write(ref marks[bit >> 6], mark ? word | flag : word & ~flag);
    }

    /// <summary>The mark of a written slot of a log that keeps marks.</summary>
    public bool MarkAt(int position)
    {
        int bit = position & (ChunkSize - 1);
        return (Volatile.Read(ref _marks![position >> ChunkBits]![bit >> 6]) & (1UL << (bit & 63))) != 0;
    }

    // Stryker restore Bitwise,Arithmetic

    /// <summary>Marks the first <paramref name="count"/> slots of a log no other state has seen yet as written.</summary>
    public AppendLog<T> Filled(int count)
    {
        _claimed = count;
        return this;
    }

    private struct Slot
    {
        public T Item;
    }
}
