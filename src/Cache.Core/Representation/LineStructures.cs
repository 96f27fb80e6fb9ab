using System.Collections.Immutable;

namespace Cache.Core.Representation;

/// <summary>
/// The references a state shares with its neighbours in its line: the options, the table, the two
/// logs and the rarely changed sets and flags. A state keeps one reference to these and, by value,
/// only what moves at every transition (its tails, heads, counts and version), so a transition
/// allocates a small state and, until a rebuild or fork changes a structure, no new one of these.
/// </summary>
internal sealed class LineStructures<TKey, TValue>
    where TKey : notnull
{
    private LineStructures(
        CacheOptions options,
        EntryTable<TKey, TValue> table,
        ImmutableHashSet<Entry<TKey, TValue>>? hidden,
        AppendLog<Entry<TKey, TValue>> recencyLog,
        AppendLog<Entry<TKey, TValue>> deadlineLog,
        ImmutableSortedSet<Entry<TKey, TValue>> outOfOrder,
        bool sharesLogs,
        bool holdsRemoved,
        AppendLog<Entry<TKey, TValue>> mainLog,
        SketchHistory? sketch)
    {
        MainLog = mainLog;
        Sketch = sketch;
        Options = options;
        Table = table;
        Hidden = hidden;
        RecencyLog = recencyLog;
        DeadlineLog = deadlineLog;
        OutOfOrder = outOfOrder;
        SharesLogs = sharesLogs;
        HoldsRemoved = holdsRemoved;
    }

    public CacheOptions Options { get; }

    public EntryTable<TKey, TValue> Table { get; }

    /// <summary>See <see cref="EntryIndex{TKey, TValue}.Hidden"/>.</summary>
    public ImmutableHashSet<Entry<TKey, TValue>>? Hidden { get; }

    public AppendLog<Entry<TKey, TValue>> RecencyLog { get; }

    public AppendLog<Entry<TKey, TValue>> DeadlineLog { get; }

    /// <summary>See <see cref="DeadlineOrder{TKey, TValue}.OutOfOrder"/>.</summary>
    public ImmutableSortedSet<Entry<TKey, TValue>> OutOfOrder { get; }

    /// <summary>The main space's log, probation's and protected's records (W-TinyLFU); the window's is <see cref="RecencyLog"/>.</summary>
    public AppendLog<Entry<TKey, TValue>> MainLog { get; }

    /// <summary>The line's frequency sketch (W-TinyLFU); null under LRU.</summary>
    public SketchHistory? Sketch { get; }

    /// <summary>A view of another line's state (a snapshot): it never appends to the logs it shares with that line, so its first append forks.</summary>
    public bool SharesLogs { get; }

    /// <summary>The logs may still reference entries removed since they were last rebuilt (TrimExcess).</summary>
    public bool HoldsRemoved { get; }

    /// <summary><paramref name="previous"/> when it holds exactly these structures; new ones otherwise.</summary>
    public static LineStructures<TKey, TValue> Of(
        LineStructures<TKey, TValue>? previous,
        CacheOptions options,
        EntryIndex<TKey, TValue> entries,
        RecencyOrder<TKey, TValue> recency,
        DeadlineOrder<TKey, TValue> deadlines,
        bool sharesLogs,
        bool holdsRemoved,
        SegmentParts<TKey, TValue> segments)
    {
        // Stryker disable once all : reusing the structures or building equal ones gives every answer the same; reuse only saves an allocation.
        if (previous is not null
            && previous.Options == options
            && previous.Table == entries.Table
            && previous.Hidden == entries.Hidden
            && previous.RecencyLog == recency.Log
            && previous.DeadlineLog == deadlines.Log
            && previous.OutOfOrder == deadlines.OutOfOrder
            && previous.SharesLogs == sharesLogs
            && previous.HoldsRemoved == holdsRemoved
            && previous.MainLog == segments.Main.Log
            && previous.Sketch == segments.Sketch)
        {
            return previous;
        }

        return new LineStructures<TKey, TValue>(
            options, entries.Table, entries.Hidden, recency.Log, deadlines.Log, deadlines.OutOfOrder, sharesLogs, holdsRemoved, segments.Main.Log, segments.Sketch);
    }
}
