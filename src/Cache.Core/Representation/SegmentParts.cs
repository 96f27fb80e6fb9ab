namespace Cache.Core.Representation;

/// <summary>
/// What a state has only under W-TinyLFU: the main space's order (probation's and protected's, in
/// one log; the window's is the state's recency order), the line's frequency sketch with this
/// state's place in its history, and the window's and protected segment's sizes. Under LRU, empty:
/// a shared empty log, no sketch.
/// </summary>
internal readonly struct SegmentParts<TKey, TValue>
    where TKey : notnull
{
    private static readonly AppendLog<Entry<TKey, TValue>> NoLog = new(0, 0);

    public SegmentParts(RecencyOrder<TKey, TValue> main, SketchHistory? sketch, int sketchPosition, int windowCount, int protectedCount)
    {
        Main = main;
        Sketch = sketch;
        SketchPosition = sketchPosition;
        WindowCount = windowCount;
        ProtectedCount = protectedCount;
    }

    /// <summary>The parts of a state under LRU.</summary>
    public static SegmentParts<TKey, TValue> None { get; } = new(new(NoLog, 0, 0, 0), null, 0, 0, 0);

    /// <summary>The main space's order: probation's records and protected's, in one log.</summary>
    public RecencyOrder<TKey, TValue> Main { get; }

    public SketchHistory? Sketch { get; }

    public int SketchPosition { get; }

    public int WindowCount { get; }

    public int ProtectedCount { get; }

    /// <summary>The parts of an empty state under <paramref name="options"/>, its recency stamps from <paramref name="baseStamp"/> on.</summary>
    public static SegmentParts<TKey, TValue> Empty(CacheOptions options, long baseStamp) =>
        options.Policy == EvictionPolicy.TinyLfu
            ? new(RecencyOrder<TKey, TValue>.Empty(baseStamp, main: true), SketchHistory.Start(new FrequencySketch(options.MaxSize), options.MaxSize), 0, 0, 0)
            : None;
}
