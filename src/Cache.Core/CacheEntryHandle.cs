using Cache.Core.Representation;

namespace Cache.Core;

/// <summary>
/// An entry as <see cref="CacheState{TKey, TValue}.Find(TKey)"/> found it in one state, without the read
/// being recorded: its key and value, whether it can expire, and the token that
/// <see cref="CacheState{TKey, TValue}.Touch(ReadOnlySpan{CacheEntryHandle{TKey, TValue}})"/> takes to make
/// it the most recently used later. A shell serves hits from a published state with it, without a
/// transition and without a lock, and applies the recorded uses in order at its next write.
/// </summary>
/// <typeparam name="TKey">The key type.</typeparam>
/// <typeparam name="TValue">The value type.</typeparam>
/// <remarks>
/// The default handle finds nothing. A handle reads the entry it was found with, whatever happened
/// to the key since: it is a read of the state it came from, as every state is a value.
/// </remarks>
[System.Diagnostics.CodeAnalysis.SuppressMessage("Performance", "CA1815:Override equals and operator equals on value types", Justification = "A token for Touch, not a value: compare what it reads (Key, Value).")]
public readonly struct CacheEntryHandle<TKey, TValue>
    where TKey : notnull
{
    // The only field: a span of handles is a span of entries (CacheState.Touch reads it as one).
    private readonly Entry<TKey, TValue>? _entry;

    internal CacheEntryHandle(Entry<TKey, TValue>? entry) => _entry = entry;

    /// <summary>Whether the state stored an entry (expired or not) under the key.</summary>
    public bool Exists => _entry is not null;

    /// <summary>The key of the entry.</summary>
    /// <exception cref="InvalidOperationException">The handle found nothing.</exception>
    public TKey Key => Entry.Key;

    /// <summary>The value of the entry, whether or not it has expired.</summary>
    /// <exception cref="InvalidOperationException">The handle found nothing.</exception>
    public TValue Value => Entry.Value;

    /// <summary>Whether the entry has a deadline: one that cannot expire is judged without reading a clock.</summary>
    /// <exception cref="InvalidOperationException">The handle found nothing.</exception>
    public bool CanExpire => Entry.CanExpire;

    internal Entry<TKey, TValue> Entry =>
        _entry ?? throw new InvalidOperationException("The handle found no entry; check Exists first.");

    /// <summary>Whether the entry has expired at <paramref name="now"/> (now &gt;= its deadline).</summary>
    /// <param name="now">The time, on the timeline the state was written with.</param>
    /// <returns>True from the entry's deadline on; false for an entry that cannot expire.</returns>
    /// <exception cref="InvalidOperationException">The handle found nothing.</exception>
    public bool IsExpiredAt(TimeSpan now) => Entry.IsExpiredAt(now);
}
