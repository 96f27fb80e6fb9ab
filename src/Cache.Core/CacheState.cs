using System.Collections.Immutable;
using System.Diagnostics.CodeAnalysis;
using Cache.Core.Representation;

namespace Cache.Core;

/// <summary>
/// An immutable LRU + TTL cache: a value, like a string. Every transition (Set, Get, Remove,
/// Evict, Expire, Clear) takes the current time as an argument and returns a new state together
/// with what happened; the state it was called on is never changed.
/// </summary>
/// <remarks>
/// <para>
/// Time is a point on a monotonic timeline, given as the time elapsed since an origin that the
/// caller fixes for the life of the state (the shell uses the moment the cache was created). An
/// entry set at <c>t</c> with TTL <c>d</c> is live while <c>now &lt; t + d</c> and expired from
/// <c>now &gt;= t + d</c>. The same state, arguments and time always give the same result.
/// </para>
/// <para>
/// Rules: at most <see cref="CacheOptions.MaxSize"/> entries are stored, expired ones included.
/// Every write (Set, Remove, Evict, Expire, Clear) first removes every entry that has come due.
/// A Set of a new key while the state is full then evicts the least recently used entry;
/// overwriting a key never evicts. A hit of Get and every Set make the key the most recently used;
/// <see cref="TryPeek"/> and <see cref="ContainsKey"/> change nothing.
/// </para>
/// </remarks>
/// <typeparam name="TKey">The key type.</typeparam>
/// <typeparam name="TValue">The value type; null is a value like any other.</typeparam>
public sealed class CacheState<TKey, TValue>
    where TKey : notnull
{
    private static readonly ImmutableSortedSet<RecencySlot<TKey>> NoRecency =
        ImmutableSortedSet.Create(RecencySlot<TKey>.ByStamp);

    private static readonly ImmutableSortedSet<DeadlineSlot<TKey>> NoDeadlines =
        ImmutableSortedSet.Create(DeadlineSlot<TKey>.ByDeadline);

    private readonly ImmutableDictionary<TKey, Entry<TValue>> _entries;
    private readonly ImmutableSortedSet<RecencySlot<TKey>> _byRecency;
    private readonly ImmutableSortedSet<DeadlineSlot<TKey>> _byDeadline;
    private readonly long _nextStamp;

    private CacheState(
        CacheOptions options,
        ImmutableDictionary<TKey, Entry<TValue>> entries,
        ImmutableSortedSet<RecencySlot<TKey>> byRecency,
        ImmutableSortedSet<DeadlineSlot<TKey>> byDeadline,
        long nextStamp)
    {
        Options = options;
        _entries = entries;
        _byRecency = byRecency;
        _byDeadline = byDeadline;
        _nextStamp = nextStamp;
    }

    /// <summary>An empty state with the given options.</summary>
    /// <param name="options">The capacity and default TTL.</param>
    /// <returns>A state that stores nothing.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="options"/> is null.</exception>
    [SuppressMessage("Design", "CA1000:Do not declare static members on generic types", Justification = "The contract's name, as ImmutableDictionary<TKey, TValue>.Empty.")]
    public static CacheState<TKey, TValue> Empty(CacheOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        return new CacheState<TKey, TValue>(options, ImmutableDictionary<TKey, Entry<TValue>>.Empty, NoRecency, NoDeadlines, 0);
    }

    /// <summary>The capacity and default TTL of this state.</summary>
    public CacheOptions Options { get; }

    /// <summary>How many entries are stored, expired-but-not-yet-removed ones included.</summary>
    public int Count => _entries.Count;

    /// <summary>
    /// The stored keys, expired ones included, from the least to the most recently used: the first
    /// is the one a Set at capacity would evict if nothing had expired.
    /// </summary>
    public IEnumerable<TKey> Keys => _byRecency.Select(static slot => slot.Key);

    /// <summary>Whether <paramref name="key"/> holds a live entry. A peek: changes no recency.</summary>
    /// <param name="key">The key.</param>
    /// <param name="now">The current time.</param>
    /// <returns>True when the key holds an entry that has not expired at <paramref name="now"/>.</returns>
    public bool ContainsKey(TKey key, TimeSpan now) => TryPeek(key, now, out _);

    /// <summary>The value of a live entry, without changing its recency.</summary>
    /// <param name="key">The key.</param>
    /// <param name="now">The current time.</param>
    /// <param name="value">The value when the key holds a live entry.</param>
    /// <returns>True when the key holds an entry that has not expired at <paramref name="now"/>.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="key"/> is null.</exception>
    public bool TryPeek(TKey key, TimeSpan now, [MaybeNullWhen(false)] out TValue value)
    {
        ArgumentNullException.ThrowIfNull(key);
        if (_entries.TryGetValue(key, out Entry<TValue> entry) && !Expiry.IsDue(entry.Deadline, now))
        {
            value = entry.Value;
            return true;
        }

        value = default;
        return false;
    }

    /// <summary>How many stored entries have expired at <paramref name="now"/> but are not yet removed.</summary>
    /// <param name="now">The current time.</param>
    /// <returns>The count; it costs time in proportion to itself.</returns>
    public int CountExpired(TimeSpan now)
    {
        int expired = 0;
        foreach (DeadlineSlot<TKey> slot in _byDeadline)
        {
            if (!Expiry.IsDue(slot.Deadline, now))
            {
                break;
            }

            expired++;
        }

        return expired;
    }

    /// <summary>Stores <paramref name="value"/> under <paramref name="key"/> with the default TTL.</summary>
    /// <param name="key">The key.</param>
    /// <param name="value">The value; null is a value.</param>
    /// <param name="now">The current time.</param>
    /// <returns>The new state, whether the key was added or replaced, and every entry removed.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="key"/> is null.</exception>
    public SetResult<TKey, TValue> Set(TKey key, TValue value, TimeSpan now) =>
        Store(key, value, Expiry.DeadlineOf(now, Options.DefaultTtl), now);

    /// <summary>Stores <paramref name="value"/> under <paramref name="key"/> with the given TTL.</summary>
    /// <param name="key">The key.</param>
    /// <param name="value">The value; null is a value.</param>
    /// <param name="ttl">
    /// A positive TTL, or <see cref="Timeout.InfiniteTimeSpan"/> for an entry that never expires.
    /// A TTL whose deadline would overflow also never expires.
    /// </param>
    /// <param name="now">The current time.</param>
    /// <returns>The new state, whether the key was added or replaced, and every entry removed.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="key"/> is null.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="ttl"/> is zero or negative and not infinite.</exception>
    public SetResult<TKey, TValue> Set(TKey key, TValue value, TimeSpan ttl, TimeSpan now)
    {
        Expiry.ThrowIfInvalid(ttl, nameof(ttl));
        return Store(key, value, Expiry.DeadlineOf(now, ttl), now);
    }

    /// <summary>
    /// Looks <paramref name="key"/> up. A hit makes the key the most recently used; an expired
    /// entry is a miss and is removed.
    /// </summary>
    /// <param name="key">The key.</param>
    /// <param name="now">The current time.</param>
    /// <returns>The new state, whether it was a hit, the value, and the expired entry removed if any.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="key"/> is null.</exception>
    public GetResult<TKey, TValue> Get(TKey key, TimeSpan now)
    {
        ArgumentNullException.ThrowIfNull(key);
        if (!_entries.TryGetValue(key, out Entry<TValue> entry))
        {
            return new GetResult<TKey, TValue>(this, found: false, default!, []);
        }

        if (Expiry.IsDue(entry.Deadline, now))
        {
            var log = default(RemovalLog<TKey, TValue>);
            log.Add(key, entry.Value, RemovalReason.Expired);
            return new GetResult<TKey, TValue>(Drop(key, entry), found: false, default!, log.ToImmutable());
        }

        return new GetResult<TKey, TValue>(Touch(key, entry), found: true, entry.Value, []);
    }

    /// <summary>Removes the entry of <paramref name="key"/>.</summary>
    /// <param name="key">The key.</param>
    /// <param name="now">The current time.</param>
    /// <returns>The new state, whether a live entry was removed, and every entry removed.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="key"/> is null.</exception>
    public RemoveResult<TKey, TValue> Remove(TKey key, TimeSpan now)
    {
        ArgumentNullException.ThrowIfNull(key);
        var log = default(RemovalLog<TKey, TValue>);
        CacheState<TKey, TValue> state = ExpireDue(now, ref log);
        if (!state._entries.TryGetValue(key, out Entry<TValue> entry))
        {
            return new RemoveResult<TKey, TValue>(state, Removed: false, log.ToImmutable());
        }

        log.Add(key, entry.Value, RemovalReason.Removed);
        return new RemoveResult<TKey, TValue>(state.Drop(key, entry), Removed: true, log.ToImmutable());
    }

    /// <summary>Removes every entry that has expired at <paramref name="now"/>, soonest deadline first.</summary>
    /// <param name="now">The current time.</param>
    /// <returns>The new state and the entries removed; it costs time in proportion to what it removes.</returns>
    public TransitionResult<TKey, TValue> Expire(TimeSpan now)
    {
        var log = default(RemovalLog<TKey, TValue>);
        CacheState<TKey, TValue> state = ExpireDue(now, ref log);
        return new TransitionResult<TKey, TValue>(state, log.ToImmutable());
    }

    /// <summary>
    /// Frees room for one entry the way a Set at capacity does: removes every expired entry, or,
    /// when none has expired, the least recently used live entry.
    /// </summary>
    /// <param name="now">The current time.</param>
    /// <returns>The new state and the entries removed.</returns>
    public TransitionResult<TKey, TValue> Evict(TimeSpan now)
    {
        var log = default(RemovalLog<TKey, TValue>);
        CacheState<TKey, TValue> state = ExpireDue(now, ref log);
        if (log.Count == 0 && state.Count > 0)
        {
            state = state.EvictLeastRecentlyUsed(ref log);
        }

        return new TransitionResult<TKey, TValue>(state, log.ToImmutable());
    }

    /// <summary>
    /// Removes every entry: the expired ones as <see cref="RemovalReason.Expired"/>, then the live
    /// ones, least recently used first, as <see cref="RemovalReason.Cleared"/>.
    /// </summary>
    /// <param name="now">The current time.</param>
    /// <returns>An empty state with the same options, and the entries removed.</returns>
    public TransitionResult<TKey, TValue> Clear(TimeSpan now)
    {
        var log = default(RemovalLog<TKey, TValue>);
        CacheState<TKey, TValue> state = ExpireDue(now, ref log);
        foreach (RecencySlot<TKey> slot in state._byRecency)
        {
            log.Add(slot.Key, state._entries[slot.Key].Value, RemovalReason.Cleared);
        }

        var empty = new CacheState<TKey, TValue>(Options, _entries.Clear(), NoRecency, NoDeadlines, _nextStamp);
        return new TransitionResult<TKey, TValue>(empty, log.ToImmutable());
    }

    /// <summary>
    /// Checks that every index agrees with the entries and that the bound holds; throws
    /// <see cref="InvalidOperationException"/> naming the first broken invariant.
    /// The tests call it after every step.
    /// </summary>
    // Stryker disable all : the integrity check is the tests' oracle, not behaviour; a weakened
    // copy of it cannot be caught by the behaviour it guards.
    internal void CheckIntegrity()
    {
        Require(_entries.Count <= Options.MaxSize, $"{_entries.Count} entries stored with MaxSize {Options.MaxSize}");
        Require(_byRecency.Count == _entries.Count, $"{_byRecency.Count} recency slots for {_entries.Count} entries");

        int expiring = 0;
        foreach ((TKey key, Entry<TValue> entry) in _entries)
        {
            Require(entry.WriteStamp <= entry.UseStamp && entry.UseStamp < _nextStamp, $"entry {key} has stamps out of order");
            Require(
                _byRecency.TryGetValue(new RecencySlot<TKey>(entry.UseStamp, key), out RecencySlot<TKey> used)
                    && _entries.KeyComparer.Equals(used.Key, key),
                $"entry {key} is missing from the recency order");

            if (entry.Deadline != Expiry.Never)
            {
                expiring++;
                Require(
                    _byDeadline.TryGetValue(new DeadlineSlot<TKey>(entry.Deadline, entry.WriteStamp, key), out DeadlineSlot<TKey> due)
                        && _entries.KeyComparer.Equals(due.Key, key),
                    $"entry {key} is missing from the deadline index");
            }
        }

        Require(_byDeadline.Count == expiring, $"{_byDeadline.Count} deadline slots for {expiring} expiring entries");

        static void Require(bool condition, string broken)
        {
            if (!condition)
            {
                throw new InvalidOperationException($"Cache state integrity broken: {broken}.");
            }
        }
    }

    // Stryker restore all
    private SetResult<TKey, TValue> Store(TKey key, TValue value, long deadline, TimeSpan now)
    {
        ArgumentNullException.ThrowIfNull(key);
        var log = default(RemovalLog<TKey, TValue>);
        CacheState<TKey, TValue> state = ExpireDue(now, ref log);
        SetOutcome outcome = SetOutcome.Added;
        if (state._entries.TryGetValue(key, out Entry<TValue> old))
        {
            // Overwriting never evicts: the key's own slot is reused.
            log.Add(key, old.Value, RemovalReason.Replaced);
            state = state.Drop(key, old);
            outcome = SetOutcome.Replaced;
        }
        else if (state.Count >= Options.MaxSize)
        {
            state = state.EvictLeastRecentlyUsed(ref log);
        }

        return new SetResult<TKey, TValue>(state.Add(key, value, deadline), outcome, log.ToImmutable());
    }

    private CacheState<TKey, TValue> ExpireDue(TimeSpan now, ref RemovalLog<TKey, TValue> log)
    {
        CacheState<TKey, TValue> state = this;
        while (state._byDeadline.Count > 0 && Expiry.IsDue(state._byDeadline.Min.Deadline, now))
        {
            TKey key = state._byDeadline.Min.Key;
            Entry<TValue> entry = state._entries[key];
            log.Add(key, entry.Value, RemovalReason.Expired);
            state = state.Drop(key, entry);
        }

        return state;
    }

    private CacheState<TKey, TValue> EvictLeastRecentlyUsed(ref RemovalLog<TKey, TValue> log)
    {
        TKey key = _byRecency.Min.Key;
        Entry<TValue> entry = _entries[key];
        log.Add(key, entry.Value, RemovalReason.Evicted);
        return Drop(key, entry);
    }

    private CacheState<TKey, TValue> Add(TKey key, TValue value, long deadline)
    {
        long stamp = _nextStamp;
        return new CacheState<TKey, TValue>(
            Options,
            _entries.Add(key, new Entry<TValue>(value, deadline, stamp, stamp)),
            _byRecency.Add(new RecencySlot<TKey>(stamp, key)),
            deadline == Expiry.Never ? _byDeadline : _byDeadline.Add(new DeadlineSlot<TKey>(deadline, stamp, key)),
            stamp + 1);
    }

    private CacheState<TKey, TValue> Drop(TKey key, Entry<TValue> entry) =>
        new(
            Options,
            _entries.Remove(key),
            _byRecency.Remove(new RecencySlot<TKey>(entry.UseStamp, key)),
            _byDeadline.Remove(new DeadlineSlot<TKey>(entry.Deadline, entry.WriteStamp, key)),
            _nextStamp);

    private CacheState<TKey, TValue> Touch(TKey key, Entry<TValue> entry)
    {
        long stamp = _nextStamp;
        return new CacheState<TKey, TValue>(
            Options,
            _entries.SetItem(key, entry with { UseStamp = stamp }),
            _byRecency.Remove(new RecencySlot<TKey>(entry.UseStamp, key)).Add(new RecencySlot<TKey>(stamp, key)),
            _byDeadline,
            stamp + 1);
    }
}
