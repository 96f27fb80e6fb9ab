namespace Cache.Core.Representation;

/// <summary>
/// The frequency sketch of a line of states, kept so that every state has exactly its own counters.
/// The newest state of the line increments the live sketch in place (a hit costs no copy). Every
/// <see cref="Interval"/> increments the line starts a checkpoint: a copy of the counters, and a log
/// of the key hashes incremented after it. A state keeps its checkpoint and how many of those
/// increments are its own, so any state, however old, rebuilds its counters exactly (a copy and a
/// replay) when it has to decide for itself: when it forks. A checkpoint is reachable only from the
/// states after it, so the collector frees old ones with the states that needed them.
/// </summary>
internal sealed class SketchHistory
{
    private const int ChunkSize = 1024;

    // The hashes incremented since the checkpoint, in chunks as the log reaches them.
    private readonly int[]?[] _chunks;
    private readonly FrequencySketch _checkpoint;
    private int _claimed;

    private SketchHistory(FrequencySketch live, FrequencySketch checkpoint, int interval)
    {
        Live = live;
        _checkpoint = checkpoint;
        Interval = interval;
        // Stryker disable once Arithmetic : a longer array of chunks only holds more nulls.
        _chunks = new int[]?[(interval + ChunkSize - 1) / ChunkSize];
    }

    /// <summary>The counters of the line's newest state: only the state that owns the line's next version increments them.</summary>
    public FrequencySketch Live { get; }

    /// <summary>Increments between checkpoints: the capacity (at least 64), so a replay costs no more than the fork that needs it.</summary>
    public int Interval { get; }

    /// <summary>A history for a new line, its counters <paramref name="live"/> (which it now owns), with a checkpoint of them.</summary>
    public static SketchHistory Start(FrequencySketch live, int capacity) => new(live, live.Clone(), Math.Max(64, capacity));

    /// <summary>
    /// Counts an access, for the state at <paramref name="position"/> in this history, which must own
    /// the line: increments the live counters and logs the hash. Returns the history and position of
    /// the state after it: a new checkpoint when this one is full.
    /// </summary>
    public (SketchHistory History, int Position) Increment(int position, int hash)
    {
        if (!TryClaim(position))
        {
            // Stryker disable once String : the message is for a reader of a bug report; the tests check the type.
            throw new InvalidOperationException("Only the newest state of a line counts in its sketch.");
        }

        Live.Increment(hash);
        Write(position, hash);
        if (position + 1 < Interval)
        {
            return (this, position + 1);
        }

        // Full: the next state starts a checkpoint of its own, with the same live counters.
        return (new SketchHistory(Live, Live.Clone(), Interval), 0);
    }

    /// <summary>The counters of the state at <paramref name="position"/>: a copy of the checkpoint with its own increments replayed.</summary>
    public FrequencySketch CountersAt(int position)
    {
        FrequencySketch counters = _checkpoint.Clone();
        for (int i = 0; i < position; i++)
        {
            counters.Increment(_chunks[i / ChunkSize]![i % ChunkSize]);
        }

        return counters;
    }

    /// <summary>Whether the state at <paramref name="position"/> is the newest of the line, so that the live counters are its own.</summary>
    public bool IsNewestAt(int position) => Volatile.Read(ref _claimed) == position;

    private bool TryClaim(int position)
    {
        // One writer at a time: only the transition that claimed the line's next version gets here.
        bool mine = Volatile.Read(ref _claimed) == position;
        if (mine)
        {
            Volatile.Write(ref _claimed, position + 1);
        }

        return mine;
    }

    private void Write(int position, int hash)
    {
        int[]? chunk = _chunks[position / ChunkSize];
        if (chunk is null)
        {
            chunk = new int[ChunkSize];
            _chunks[position / ChunkSize] = chunk;
        }

        chunk[position % ChunkSize] = hash;
    }
}
