using System.Diagnostics.CodeAnalysis;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
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
public sealed partial class CacheState<TKey, TValue>
    where TKey : notnull
{
    // The structures this state shares with its line, and by value its own place in them: a
    // transition allocates this small object and, until a rebuild or fork, nothing else.
    private readonly LineStructures<TKey, TValue> _line;

    // The state's place in its line: the line's table lets the state at its newest version write.
    private readonly long _version;
    private readonly int _entryTail;
    private readonly int _recencyHead;
    private readonly int _recencyTail;
    private readonly int _deadlineHead;
    private readonly int _deadlineTail;
    private readonly int _deadlineStale;

    // W-TinyLFU's own (SegmentParts): the main space's order (probation's head, protected's, and
    // their log's tail), the place in the line's sketch history, and the window's and protected
    // segment's sizes. Zero under LRU.
    private readonly int _probationHead;
    private readonly int _protectedHead;
    private readonly int _mainTail;
    private readonly int _sketchPosition;
    private readonly int _windowCount;
    private readonly int _protectedCount;

    private CacheState(
        CacheOptions options,
        EntryIndex<TKey, TValue> entries,
        long version,
        int count,
        RecencyOrder<TKey, TValue> recency,
        DeadlineOrder<TKey, TValue> deadlines,
        bool sharesLogs,
        bool holdsRemoved,
        SegmentParts<TKey, TValue> segments,
        LineStructures<TKey, TValue>? line = null)
    {
        _line = LineStructures<TKey, TValue>.Of(line, options, entries, recency, deadlines, sharesLogs, holdsRemoved, segments);
        _version = version;
        Count = count;
        _entryTail = entries.Tail;
        _recencyHead = recency.Head;
        _recencyTail = recency.Tail;
        _deadlineHead = deadlines.Head;
        _deadlineTail = deadlines.Tail;
        _deadlineStale = deadlines.Stale;
        _probationHead = segments.Main.Head;
        _protectedHead = segments.Main.ProtectedHead;
        _mainTail = segments.Main.Tail;
        _sketchPosition = segments.SketchPosition;
        _windowCount = segments.WindowCount;
        _protectedCount = segments.ProtectedCount;
    }

    /// <summary>An empty state with the given options.</summary>
    /// <param name="options">The capacity and default TTL.</param>
    /// <returns>A state that stores nothing.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="options"/> is null.</exception>
    [SuppressMessage("Design", "CA1000:Do not declare static members on generic types", Justification = "The contract's name, as ImmutableDictionary<TKey, TValue>.Empty.")]
    public static CacheState<TKey, TValue> Empty(CacheOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        return new CacheState<TKey, TValue>(
            options, EntryIndex<TKey, TValue>.Empty(0), 0, 0, RecencyOrder<TKey, TValue>.Empty(0, main: false), DeadlineOrder<TKey, TValue>.Empty(), sharesLogs: false, holdsRemoved: false, SegmentParts<TKey, TValue>.Empty(options, 0));
    }

    /// <summary>The capacity and default TTL of this state.</summary>
    public CacheOptions Options => _line.Options;

    /// <summary>How many entries are stored, expired-but-not-yet-removed ones included.</summary>
    public int Count { get; }

    private EntryIndex<TKey, TValue> Index => new(_line.Table, _entryTail, _line.Hidden);

    private RecencyOrder<TKey, TValue> Recency => new(_line.RecencyLog, _recencyHead, _recencyTail);

    private DeadlineOrder<TKey, TValue> Deadlines => new(_line.DeadlineLog, _deadlineHead, _deadlineTail, _line.OutOfOrder, _deadlineStale);

    private SegmentParts<TKey, TValue> Segments => new(
        new(_line.MainLog, _probationHead, _protectedHead, _mainTail), _line.Sketch, _sketchPosition, _windowCount, _protectedCount);

    /// <summary>
    /// The stored keys, expired ones included, in the order the policy gives them up: under LRU from
    /// the least to the most recently used, so the first is the one a Set at capacity would evict if
    /// nothing had expired; under W-TinyLFU probation, protected, then the window, each least
    /// recently used first.
    /// </summary>
    public IEnumerable<TKey> Keys
    {
        get
        {
            foreach (Entry<TKey, TValue> entry in Order(Index, Recency, Segments))
            {
                yield return entry.Key;
            }
        }
    }

    /// <summary>
    /// The stored entries, expired ones included, in the order of <see cref="Keys"/>, with their
    /// values and deadlines. The state never changes, so this is a consistent point-in-time
    /// view however long the enumeration takes and whatever the cache does meanwhile.
    /// </summary>
    public IEnumerable<CacheEntry<TKey, TValue>> Entries
    {
        get
        {
            foreach (Entry<TKey, TValue> entry in Order(Index, Recency, Segments))
            {
                yield return new CacheEntry<TKey, TValue>(
                    entry.Key, entry.Value, entry.Deadline == Expiry.Never ? null : TimeSpan.FromTicks(entry.Deadline));
            }
        }
    }

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
        if (FindEntry(key) is { } entry && !entry.IsExpiredAt(now))
        {
            value = entry.Value;
            return true;
        }

        value = default;
        return false;
    }

    /// <summary>How many stored entries have expired at <paramref name="now"/> but are not yet removed.</summary>
    /// <param name="now">The current time.</param>
    /// <returns>The count; it costs time in proportion to itself plus the removed entries whose deadlines have also passed, which a line keeps below its stored count.</returns>
    public int CountExpired(TimeSpan now) => Deadlines.CountDue(now, Index);

    /// <summary>Stores <paramref name="value"/> under <paramref name="key"/> with the default TTL.</summary>
    /// <param name="key">The key.</param>
    /// <param name="value">The value; null is a value.</param>
    /// <param name="now">The current time.</param>
    /// <returns>The new state, whether the key was added or replaced, and every entry removed.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="key"/> is null.</exception>
    public SetResult<TKey, TValue> Set(TKey key, TValue value, TimeSpan now)
    {
        var log = default(RemovalLog<TKey, TValue>);
        CacheState<TKey, TValue> state = Store(key, value, Expiry.DeadlineOf(now, Options.DefaultTtl), now, ref log, out SetOutcome outcome);
        return new SetResult<TKey, TValue>(state, outcome, log.ToImmutable());
    }

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
        CacheTtl.ThrowIfInvalid(ttl);
        var log = default(RemovalLog<TKey, TValue>);
        CacheState<TKey, TValue> state = Store(key, value, Expiry.DeadlineOf(now, ttl), now, ref log, out SetOutcome outcome);
        return new SetResult<TKey, TValue>(state, outcome, log.ToImmutable());
    }

    /// <summary>
    /// Stores <paramref name="value"/> under <paramref name="key"/> with <paramref name="ttl"/>, or the
    /// default TTL when it is null, and adds every entry removed to <paramref name="removals"/>: the
    /// <see cref="Set(TKey, TValue, TimeSpan, TimeSpan)"/> of a shell that reads its removals without
    /// allocating an array (the common single removal, a replaced or evicted entry, stays inline).
    /// </summary>
    /// <param name="key">The key.</param>
    /// <param name="value">The value; null is a value.</param>
    /// <param name="ttl">A positive TTL, <see cref="Timeout.InfiniteTimeSpan"/>, or null for the default TTL.</param>
    /// <param name="now">The current time.</param>
    /// <param name="removals">The log the removals of this transition are added to, in order.</param>
    /// <returns>The new state.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="key"/> is null.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="ttl"/> is zero or negative and not infinite.</exception>
    public CacheState<TKey, TValue> Set(TKey key, TValue value, TimeSpan? ttl, TimeSpan now, ref RemovalLog<TKey, TValue> removals)
    {
        if (ttl is { } given)
        {
            CacheTtl.ThrowIfInvalid(given, nameof(ttl));
        }

        return Store(key, value, Expiry.DeadlineOf(now, ttl ?? Options.DefaultTtl), now, ref removals, out _);
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
        Entry<TKey, TValue>? entry = FindEntry(key);
        if (entry is null)
        {
            return new GetResult<TKey, TValue>(this, found: false, default!, []);
        }

        if (entry.IsExpiredAt(now))
        {
            var log = default(RemovalLog<TKey, TValue>);
            log.Add(key, entry.Value, RemovalReason.Expired);
            var draft = new Draft(this);
            draft.Drop(entry);
            return new GetResult<TKey, TValue>(draft.ToState(), found: false, default!, log.ToImmutable());
        }

        return new GetResult<TKey, TValue>(Use([entry]), found: true, entry.Value, []);
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
        var draft = new Draft(this);
        draft.ExpireDue(now, ref log);
        if (draft.Entries.Find(key, EntryIndex<TKey, TValue>.HashOf(key)) is not { } entry)
        {
            return new RemoveResult<TKey, TValue>(draft.ToState(), Removed: false, log.ToImmutable());
        }

        log.Add(key, entry.Value, RemovalReason.Removed);
        draft.Drop(entry);
        return new RemoveResult<TKey, TValue>(draft.ToState(), Removed: true, log.ToImmutable());
    }

    /// <summary>Removes every entry that has expired at <paramref name="now"/>, soonest deadline first.</summary>
    /// <param name="now">The current time.</param>
    /// <returns>The new state and the entries removed; it costs time in proportion to what it removes.</returns>
    public TransitionResult<TKey, TValue> Expire(TimeSpan now)
    {
        var log = default(RemovalLog<TKey, TValue>);
        var draft = new Draft(this);
        draft.ExpireDue(now, ref log);
        return new TransitionResult<TKey, TValue>(draft.ToState(), log.ToImmutable());
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
        var draft = new Draft(this);
        draft.ExpireDue(now, ref log);

        // Stryker disable once Equality : with nothing stored, EvictFirst finds nothing to evict.
        if (log.Count == 0 && draft.Count > 0)
        {
            draft.EvictFirst(ref log);
        }

        return new TransitionResult<TKey, TValue>(draft.ToState(), log.ToImmutable());
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
        var draft = new Draft(this);
        draft.ExpireDue(now, ref log);
        foreach (Entry<TKey, TValue> entry in Order(draft.Entries, draft.Recency, draft.Segments))
        {
            log.Add(entry.Key, entry.Value, RemovalReason.Cleared);
        }

        var empty = new CacheState<TKey, TValue>(
            Options,
            EntryIndex<TKey, TValue>.Empty(0),
            0,
            0,
            RecencyOrder<TKey, TValue>.Empty(draft.Recency.Horizon, main: false),
            DeadlineOrder<TKey, TValue>.Empty(),
            sharesLogs: false,
            holdsRemoved: false,
            SegmentParts<TKey, TValue>.Empty(Options, draft.Recency.Horizon));
        return new TransitionResult<TKey, TValue>(empty, log.ToImmutable());
    }

    /// <summary>
    /// The same state (entries, values, deadlines and recency) with internal indexes that hold
    /// nothing else: entries removed, evicted, expired or replaced earlier in this state's line stay
    /// referenced by its indexes until they are rebuilt, and this rebuilds them, so those values can
    /// be collected once no older state is held. The background sweep of the shell calls it.
    /// </summary>
    /// <returns>This state when its indexes hold no removed entry; otherwise an equal state.</returns>
    /// <remarks>Costs time in proportion to the state's size; every answer of the result is this state's.</remarks>
    public CacheState<TKey, TValue> TrimExcess()
    {
        if (!_line.HoldsRemoved)
        {
            return this;
        }

        var draft = new Draft(this);
        draft.Rebuild();
        return draft.ToState();
    }

    /// <summary>
    /// The entry stored under <paramref name="key"/>, expired or not, as a handle; a handle that finds
    /// nothing when the key holds nothing. Changes nothing and records no use: a shell reads a published
    /// state with it without a lock, and reads its clock only for an entry that can expire.
    /// </summary>
    /// <param name="key">The key.</param>
    /// <returns>The entry's handle; <see cref="CacheEntryHandle{TKey, TValue}.Exists"/> is false when the key holds nothing.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="key"/> is null.</exception>
    public CacheEntryHandle<TKey, TValue> Find(TKey key) => new(FindEntry(key));

    /// <summary>The entry stored under <paramref name="key"/>, expired or not; null when the key holds nothing.</summary>
    internal Entry<TKey, TValue>? FindEntry(TKey key)
    {
        ArgumentNullException.ThrowIfNull(key);
        return Index.Find(key, EntryIndex<TKey, TValue>.HashOf(key));
    }

    /// <summary>
    /// Applies uses that were served without a transition (reads through <see cref="Find(TKey)"/>), in
    /// order: each write this state still stores becomes the most recently used, as a hit of
    /// <see cref="Get"/> makes it, whichever state of its line the handle was found in. A handle of a
    /// write this state does not store (removed or replaced since, or another line's own write of
    /// the key), or that found nothing, is passed over.
    /// </summary>
    /// <param name="used">The handles of the entries used, oldest use first.</param>
    /// <returns>The new state; this state when no handle is of an entry it stores.</returns>
    /// <remarks>Expiry is not judged here: the shell serves only live entries, and a later transition expires the rest.</remarks>
    public CacheState<TKey, TValue> Touch(ReadOnlySpan<CacheEntryHandle<TKey, TValue>> used)
    {
        // Stryker disable once Block : an empty batch changes nothing either way; the check only spares a draft.
        if (used.IsEmpty)
        {
            return this;
        }

        // A handle's only field is its entry: the span is read as the entries it holds, without a copy.
        return Use(MemoryMarshal.CreateReadOnlySpan(
            ref Unsafe.As<CacheEntryHandle<TKey, TValue>, Entry<TKey, TValue>?>(ref MemoryMarshal.GetReference(used)), used.Length));
    }

    /// <summary>Makes the entries this state stores the most recently used, in order; the others are passed over.</summary>
    private CacheState<TKey, TValue> Use(ReadOnlySpan<Entry<TKey, TValue>?> used)
    {
        var draft = new Draft(this);
        draft.Use(used);
        return draft.ToState();
    }

    /// <summary>
    /// This state for someone else to run forward (a snapshot handed out by a shell): equal in every
    /// answer. The difference is only who pays: its first write copies the logs it shares with the
    /// line this state came from, so that line, the shell's live one, keeps writing in place.
    /// </summary>
    /// <returns>A state equal to this one in every answer; this state when it already is such a snapshot.</returns>
    public CacheState<TKey, TValue> AsSnapshot() =>
        _line.SharesLogs ? this : new CacheState<TKey, TValue>(Options, Index, _version, Count, Recency, Deadlines, sharesLogs: true, _line.HoldsRemoved, Segments, _line);

    /// <summary>
    /// Checks that every index agrees with the entries and that the bound holds; throws
    /// <see cref="InvalidOperationException"/> naming the first broken invariant.
    /// The tests call it after every step.
    /// </summary>
    // Stryker disable all : the integrity check is the tests' oracle, not behaviour; a weakened
    // copy of it cannot be caught by the behaviour it guards.
    internal void CheckIntegrity()
    {
        Require(Index.Table.FindShapeFault(Index.Tail) is not { } fault, $"hash table: {Index.Table.FindShapeFault(Index.Tail)}");
        var stored = new HashSet<Entry<TKey, TValue>>(Index.Live(), ReferenceEqualityComparer.Instance);
        Require(stored.All(Index.Holds) && stored.All(e => ReferenceEquals(Index.Find(e.Key, e.Hash), e)), "the table does not find an entry it stores");
        Require(stored.Count == Count, $"{stored.Count} entries stored with Count {Count}");
        Require(Count <= Options.MaxSize, $"{Count} entries stored with MaxSize {Options.MaxSize}");

        List<Entry<TKey, TValue>> byRecency = Order(Index, Recency, Segments);
        Require(byRecency.Count == Count && stored.SetEquals(byRecency), $"{byRecency.Count} entries in the recency order for {Count} stored");
        Require(Recency.Head <= Recency.Tail && Recency.Tail <= Recency.Log.Capacity, "the recency order's bounds are out of the log");
        if (Options.Policy == EvictionPolicy.TinyLfu)
        {
            SegmentParts<TKey, TValue> segments = Segments;
            (List<Entry<TKey, TValue>> window, List<Entry<TKey, TValue>> probation, List<Entry<TKey, TValue>> @protected) = Live(Index, Recency, segments.Main);
            Require(segments.WindowCount == window.Count, $"window size {segments.WindowCount} for {window.Count} stored there");
            Require(segments.ProtectedCount == @protected.Count, $"protected size {segments.ProtectedCount} for {@protected.Count} stored there");
            Require(segments.WindowCount <= WindowMax(Options) && segments.ProtectedCount <= ProtectedMax(Options), "a segment over its size");
            foreach ((List<Entry<TKey, TValue>> part, Segment segment) in (ReadOnlySpan<(List<Entry<TKey, TValue>>, Segment)>)[(window, Segment.Window), (probation, Segment.Probation), (@protected, Segment.Protected)])
            {
                // A tag this state's own history wrote names the segment its records put the entry in.
                // One read of each tag: the line's newest state may be moving the entry on another thread.
                Require(part.All(e => e.LastUse is var tag && (!IsOwnTag(tag, Recency, segments.Main) || UseTag.SegmentOf(tag) == segment)), $"an entry tagged outside {segment}, where its records are");
            }
        }
        else
        {
            Require(stored.All(e => UseTag.SegmentOf(e.LastUse) == Segment.Window), "an LRU entry outside the window");
            Require(Segments.WindowCount == Count, $"window size {Segments.WindowCount} under LRU for {Count} stored");
        }

        long previous = long.MinValue;
        var logged = new HashSet<Entry<TKey, TValue>>(ReferenceEqualityComparer.Instance);
        for (int position = Deadlines.Head; position < Deadlines.Tail; position++)
        {
            Entry<TKey, TValue> entry = Deadlines.Log[position];
            Require(entry.Deadline >= previous, "the deadline log is out of order");
            previous = entry.Deadline;
            if (stored.Contains(entry))
            {
                Require(logged.Add(entry) && !entry.OutOfOrder, $"entry {entry.Key} is logged twice or also sorted");
            }
        }

        int staleDeadlines = 0;
        for (int position = Deadlines.Head; position < Deadlines.Tail; position++)
        {
            staleDeadlines += stored.Contains(Deadlines.Log[position]) ? 0 : 1;
        }

        Require(staleDeadlines == Deadlines.Stale, $"{staleDeadlines} stale deadline records counted as {Deadlines.Stale}");

        foreach (Entry<TKey, TValue> entry in Deadlines.OutOfOrder)
        {
            Require(stored.Contains(entry) && entry.OutOfOrder, $"the sorted deadlines hold {entry.Key}, which is not stored there");
        }

        int expiring = stored.Count(static e => e.Deadline != Expiry.Never);
        Require(logged.Count + Deadlines.OutOfOrder.Count == expiring, $"{logged.Count + Deadlines.OutOfOrder.Count} deadlines indexed for {expiring} expiring entries");

        static void Require(bool condition, string broken)
        {
            if (!condition)
            {
                throw new InvalidOperationException($"Cache state integrity broken: {broken}.");
            }
        }
    }

    // Stryker restore all
    private CacheState<TKey, TValue> Store(TKey key, TValue value, long deadline, TimeSpan now, ref RemovalLog<TKey, TValue> log, out SetOutcome outcome)
    {
        ArgumentNullException.ThrowIfNull(key);
        var draft = new Draft(this);
        draft.ExpireDue(now, ref log);
        int hash = EntryIndex<TKey, TValue>.HashOf(key);
        outcome = SetOutcome.Added;
        Entry<TKey, TValue>? old = draft.Entries.Find(key, hash);
        if (old is not null)
        {
            // Overwriting never evicts: the key's own slot is reused.
            log.Add(key, old.Value, RemovalReason.Replaced);
            outcome = SetOutcome.Replaced;
        }
        else if (draft.Count >= Options.MaxSize && Options.Policy == EvictionPolicy.Lru)
        {
            draft.EvictLeastRecentlyUsed(ref log);
        }

        // Under W-TinyLFU the new key goes in first: the window's overflow then decides what leaves.
        draft.Put(key, hash, value, deadline, old, ref log);
        return draft.ToState();
    }

    /// <summary>The window's size under W-TinyLFU: 1 % of the capacity, at least one entry.</summary>
    private static int WindowMax(CacheOptions options) => Math.Max(1, options.MaxSize / 100);

    /// <summary>The protected segment's size under W-TinyLFU: four fifths of the main space.</summary>
    private static int ProtectedMax(CacheOptions options) => (options.MaxSize - WindowMax(options)) * 4 / 5;

    /// <summary>The stored entries in the order the policy gives them up (<see cref="Keys"/>).</summary>
    private static List<Entry<TKey, TValue>> Order(EntryIndex<TKey, TValue> entries, RecencyOrder<TKey, TValue> window, SegmentParts<TKey, TValue> segments)
    {
        // Under LRU the main space's order is empty, and the window is the whole order.
        (List<Entry<TKey, TValue>> inWindow, List<Entry<TKey, TValue>> probation, List<Entry<TKey, TValue>> @protected) = Live(entries, window, segments.Main);
        return [.. probation, .. @protected, .. inWindow];
    }

    /// <summary>Each segment's live entries, least recently used first, read from the records (so for any state, whoever has tagged its entries since).</summary>
    private static (List<Entry<TKey, TValue>> Window, List<Entry<TKey, TValue>> Probation, List<Entry<TKey, TValue>> Protected) Live(
        EntryIndex<TKey, TValue> entries, RecencyOrder<TKey, TValue> window, RecencyOrder<TKey, TValue> main)
    {
        var seen = new HashSet<Entry<TKey, TValue>>(ReferenceEqualityComparer.Instance);
        List<Entry<TKey, TValue>> inWindow = [];
        List<Entry<TKey, TValue>> probation = [];
        List<Entry<TKey, TValue>> @protected = [];

        // The main space first: an entry never goes back to the window, so one it holds has left it.
        main.CollectLive(entries, seen, probation, @protected);
        window.CollectLive(entries, seen, inWindow, null);
        return (inWindow, probation, @protected);
    }

    /// <summary>Whether a tag was written by the history of the state whose logs' orders are <paramref name="window"/> and <paramref name="main"/> (else by a later state).</summary>
    private static bool IsOwnTag(long tag, RecencyOrder<TKey, TValue> window, RecencyOrder<TKey, TValue> main) =>
        UseTag.StampOf(tag) < (UseTag.IsMain(UseTag.SegmentOf(tag)) ? main.Horizon : window.Horizon);

    /// <summary>
    /// A state under construction inside one transition: the steps (expire, evict, drop, put, use)
    /// change it in place and <see cref="ToState"/> publishes the result once.
    /// </summary>
    private struct Draft
    {
        private readonly CacheState<TKey, TValue> _origin;
        private bool _changed;

        // Whether this transition writes its line's table and logs (it claimed the next version, or
        // forked a line of its own), and whether it already tried to.
        private bool _owned;
        private bool _claimTried;

        public Draft(CacheState<TKey, TValue> origin)
        {
            _origin = origin;
            Entries = origin.Index;
            Version = origin._version;
            Count = origin.Count;
            Recency = origin.Recency;
            Deadlines = origin.Deadlines;
            SharesLogs = origin._line.SharesLogs;
            HoldsRemoved = origin._line.HoldsRemoved;
            SegmentParts<TKey, TValue> segments = origin.Segments;
            Main = segments.Main;
            Sketch = segments.Sketch;
            SketchPosition = segments.SketchPosition;
            WindowCount = segments.WindowCount;
            ProtectedCount = segments.ProtectedCount;
        }

        public EntryIndex<TKey, TValue> Entries { get; private set; }

        public long Version { get; private set; }

        public int Count { get; private set; }

        public RecencyOrder<TKey, TValue> Recency { get; private set; }

        public DeadlineOrder<TKey, TValue> Deadlines { get; private set; }

        /// <summary>Whether the logs are another line's, so that appending has to fork first.</summary>
        public bool SharesLogs { get; private set; }

        /// <summary>Whether the logs may reference entries removed since they were built.</summary>
        public bool HoldsRemoved { get; private set; }

        /// <summary>W-TinyLFU's main space: probation's order and protected's, in one log (the window's is <see cref="Recency"/>).</summary>
        public RecencyOrder<TKey, TValue> Main { get; private set; }

        /// <summary>The line's frequency sketch history (W-TinyLFU), and this draft's place in it.</summary>
        public SketchHistory? Sketch { get; private set; }

        public int SketchPosition { get; private set; }

        public int WindowCount { get; private set; }

        public int ProtectedCount { get; private set; }

        public readonly SegmentParts<TKey, TValue> Segments => new(Main, Sketch, SketchPosition, WindowCount, ProtectedCount);

        private readonly bool IsTinyLfu => Sketch is not null;

        private readonly CacheOptions Options => _origin.Options;
        /// <summary>
        /// The new state, or the origin when nothing changed. Each line keeps both logs' heads at a
        /// live record and rebuilds the deadline log once its stale records outnumber the live ones,
        /// so that no state of it scans a stale prefix, however often it is asked (amortized: each
        /// record is passed once a line).
        /// </summary>
        public readonly CacheState<TKey, TValue> ToState()
        {
            if (!_changed)
            {
                return _origin;
            }

            // The recency log was compacted (or forked): the deadline log and the table are rebuilt
            // with it, so that hits alone, with no sweep, also let go of removed values in time.
            bool compacted = Recency.Log != _origin._line.RecencyLog || Main.Log != _origin._line.MainLog;
            DeadlineOrder<TKey, TValue> deadlines = Deadlines.SkipStale(Entries);
            // Stryker disable once Equality : rebuilding a log with no stale record is wasted work, not a different answer.
            if (deadlines.IsMostlyStale || (deadlines.Stale > 0 && compacted))
            {
                deadlines = deadlines.Rebuilt(Entries, Count);
            }

            EntryIndex<TKey, TValue> entries = Entries;
            if (compacted && _owned && entries.HoldsStale(Count))
            {
                entries = entries.Rebuilt(Count, Version);
            }

            var segments = new SegmentParts<TKey, TValue>(Main.SkipStale(entries, Recency.Horizon), Sketch, SketchPosition, WindowCount, ProtectedCount);
            return new CacheState<TKey, TValue>(_origin.Options, entries, Version, Count, Recency.SkipStale(entries, Main.Horizon), deadlines, SharesLogs, HoldsRemoved, segments, _origin._line);
        }

        /// <summary>Removes every entry due at <paramref name="now"/>, soonest deadline first.</summary>
        public void ExpireDue(TimeSpan now, ref RemovalLog<TKey, TValue> log)
        {
            while (true)
            {
                bool taken = Deadlines.TryTakeDue(now, Entries, out Entry<TKey, TValue> due, out DeadlineOrder<TKey, TValue> rest);
                Segment segment = Segment.Window;
                if (taken && !TrySegmentOf(due, out segment))
                {
                    // Its segment is a later state's to tell: this state forks, and expires its own copy.
                    Own();
                    taken = Deadlines.TryTakeDue(now, Entries, out due, out rest);
                    segment = taken ? SegmentOf(due) : segment;
                }

                // Keep the stale due records skipped on the way skipped, so no later write reads them again.
                _changed |= rest.Head != Deadlines.Head;
                Deadlines = rest;
                if (!taken)
                {
                    return;
                }

                log.Add(due.Key, due.Value, RemovalReason.Expired);
                Unstore(due, segment);
            }
        }

        public void EvictLeastRecentlyUsed(ref RemovalLog<TKey, TValue> log)
        {
            if (TakeFirst(Segment.Window) is { } entry)
            {
                log.Add(entry.Key, entry.Value, RemovalReason.Evicted, EvictionDecision.LeastRecentlyUsed);
                Drop(entry, Segment.Window);
            }
        }

        /// <summary>
        /// Frees room with no newcomer to weigh (Evict): under LRU the least recently used entry;
        /// under W-TinyLFU the first of probation, else of protected, else of the window.
        /// </summary>
        public void EvictFirst(ref RemovalLog<TKey, TValue> log)
        {
            if (!IsTinyLfu)
            {
                EvictLeastRecentlyUsed(ref log);
                return;
            }

            foreach (Segment segment in (ReadOnlySpan<Segment>)[Segment.Probation, Segment.Protected, Segment.Window])
            {
                // The segment is the one whose order gave the entry up, not a second read of its tag,
                // which the line's newest state may be moving on another thread.
                if (TakeFirst(segment) is { } victim)
                {
                    log.Add(victim.Key, victim.Value, RemovalReason.Evicted, DecisionOf(segment));
                    Drop(victim, segment);
                    return;
                }
            }
        }

        /// <summary>Removes <paramref name="entry"/>, a stored entry found by its key, from the entries and the deadlines.</summary>
        public void Drop(Entry<TKey, TValue> entry)
        {
            if (!TrySegmentOf(entry, out Segment segment))
            {
                // Its segment is a later state's to tell: drop this state's own copy of it.
                Own();
                entry = Entries.Find(entry.Key, entry.Hash)!;
                segment = SegmentOf(entry);
            }

            Drop(entry, segment);
        }

        /// <summary>Removes <paramref name="entry"/>, a stored entry in <paramref name="segment"/>, from the entries and the deadlines.</summary>
        private void Drop(Entry<TKey, TValue> entry, Segment segment)
        {
            Deadlines = Deadlines.Remove(entry);
            Unstore(entry, segment);
        }

        /// <summary>Rebuilds the table and the logs from the entries stored, in place when this line owns them, so they reference nothing else.</summary>
        public void Rebuild()
        {
            // A fork builds everything fresh from the live entries; the line's newest state rebuilds in place.
            if (!Own())
            {
                // Stryker disable once all : a throw no owner can reach: only the line's newest state seals its log.
                Recency = Rebuilt(Recency, LogCount(Segment.Window), Main.Horizon);
                if (IsTinyLfu)
                {
                    Main = Rebuilt(Main, LogCount(Segment.Probation), Recency.Horizon);
                }

                Deadlines = Deadlines.Rebuilt(Entries, Count);
                Entries = Entries.Rebuilt(Count, Version);
                HoldsRemoved = false;
                _changed = true;
            }
        }

        /// <summary>
        /// Stores a new entry as the most recently used, replacing <paramref name="replaced"/>, the
        /// key's entry read from this draft, if any. Under W-TinyLFU the write is an access: counted
        /// in the sketch, a replaced entry in probation moves up to protected, and a new key enters
        /// the window, whose overflow may cost an entry (added to <paramref name="log"/>).
        /// </summary>
        public void Put(TKey key, int hash, TValue value, long deadline, Entry<TKey, TValue>? replaced, ref RemovalLog<TKey, TValue> log)
        {
            if (Own())
            {
                // The fork copied the entries: replace the copy.
                replaced = Entries.Find(key, hash);
            }

            bool full = replaced is null && Count >= Options.MaxSize;
            Segment? from = replaced is null ? null : SegmentOf(replaced);
            Segment segment = from switch { null => Segment.Window, Segment.Probation => Segment.Protected, { } other => other };
            if (IsTinyLfu)
            {
                CountAccess(hash);
            }

            // Every write appends one record to some segment's log, so the sum of their horizons
            // orders a line's writes (under LRU it is the one log's horizon).
            long writeStamp = Recency.Horizon + Main.Horizon;
            Entry<TKey, TValue> entry = new(key, hash, value, deadline, writeStamp, outOfOrder: Deadlines.IsOutOfOrder(deadline), lastUse: 0);
            Entries = Entries.Put(entry, replaced, Count, Version);
            if (replaced is null)
            {
                Count++;
            }
            else
            {
                Deadlines = Deadlines.Remove(replaced);
                HoldsRemoved = true;
                Sized(from!.Value, -1);
            }

            Deadlines = Deadlines.Add(entry, Entries, Count);
            Sized(segment, 1);
            Append([entry], segment);
            _changed = true;
            if (IsTinyLfu)
            {
                if (replaced is not null)
                {
                    DemoteIfOver();
                }
                else
                {
                    Admit(full, ref log);
                }
            }
        }

        /// <summary>Makes each still-stored entry of <paramref name="read"/> the most recently used, in order.</summary>
        public void Use(ReadOnlySpan<Entry<TKey, TValue>?> read)
        {
            // Only entries this state stores are stamped: an entry read from another state (removed
            // since, or another line's after a fork) is passed over, or its stamp would mislead the
            // states that do store it.
            ReadOnlySpan<Entry<TKey, TValue>> used = Stored(read);
            if (used.IsEmpty)
            {
                return;
            }

            if (Own())
            {
                // The fork copied the entries: use the copies.
                var copies = new Entry<TKey, TValue>[used.Length];
                for (int i = 0; i < used.Length; i++)
                {
                    copies[i] = Entries.Find(used[i].Key, used[i].Hash)!;
                }

                used = copies;
            }

            for (int applied = 0; applied < used.Length; applied += Touch(used[applied..]))
            {
            }

            _changed = true;
        }

        /// <summary>
        /// Applies the first hits of <paramref name="used"/> and returns how many: a run of hits in the
        /// window or in protected, appended to its log at once, or a hit in probation, which moves the
        /// entry up to protected (whose overflow goes back to probation). Under W-TinyLFU each hit is
        /// counted in the sketch; its counts decide admissions only, so counting a run before its
        /// records are appended changes nothing.
        /// </summary>
        private int Touch(ReadOnlySpan<Entry<TKey, TValue>> used)
        {
            Segment segment = SegmentOf(used[0]);
            if (segment == Segment.Probation)
            {
                CountAccess(used[0].Hash);
                Move(used[0], Segment.Probation, Segment.Protected);
                DemoteIfOver();
                return 1;
            }

            // Hits that stay in their segment: a run of them goes to the log in one append, as under LRU.
            int run = 1;

            // Stryker disable once Equality : runs of one hit each give the same logs, one append at a time (and <= reads past the span).
            for (; run < used.Length; run++)
            {
                if (SegmentOf(used[run]) != segment)
                {
                    break;
                }
            }

            if (IsTinyLfu)
            {
                foreach (Entry<TKey, TValue> entry in used[..run])
                {
                    CountAccess(entry.Hash);
                }
            }

            Append(used[..run], segment);
            return run;
        }

        /// <summary>
        /// W-TinyLFU's admission, after a new key entered the window: the window's overflow, its least
        /// recent entry, becomes a candidate for probation. When the state was <paramref name="full"/>,
        /// the candidate stays only if the sketch counts it more often than probation's least recent
        /// entry (else protected's), which then goes; otherwise the candidate itself goes.
        /// </summary>
        private void Admit(bool full, ref RemovalLog<TKey, TValue> log)
        {
            Entry<TKey, TValue>? candidate = null;
            if (WindowCount > WindowMax(Options))
            {
                Entry<TKey, TValue> overflow = TakeFirst(Segment.Window)!;
                if (Options.MaxSize == WindowMax(Options))
                {
                    // No main space (a capacity of 1): the window is an LRU of its own.
                    log.Add(overflow.Key, overflow.Value, RemovalReason.Evicted, EvictionDecision.Window);
                    Drop(overflow, Segment.Window);
                    return;
                }

                Move(overflow, Segment.Window, Segment.Probation);
                candidate = overflow;
            }

            // A full state's window was full too: the main space only grows by the window's overflow,
            // so it holds at most its share, and a full state has a full window and a candidate.
            if (!full || candidate is null)
            {
                return;
            }

            // The candidate is probation's most recent record: its least recent is another entry unless
            // it is alone there. The one that leaves is dropped; its record goes stale and is skipped.
            (Entry<TKey, TValue>? victim, Segment from) = PeekFirst(Segment.Probation) is { } first && !ReferenceEquals(first, candidate)
                ? (first, Segment.Probation)
                : (PeekFirst(Segment.Protected), Segment.Protected);
            if (victim is not null && Sketch!.Live.Frequency(candidate.Hash) > Sketch.Live.Frequency(victim.Hash))
            {
                log.Add(victim.Key, victim.Value, RemovalReason.Evicted, DecisionOf(from));
                Drop(victim, from);
            }
            else
            {
                log.Add(candidate.Key, candidate.Value, RemovalReason.Evicted, EvictionDecision.Refused);
                Drop(candidate, Segment.Probation);
            }
        }

        /// <summary>The decision that evicts an entry from <paramref name="segment"/>.</summary>
        private static EvictionDecision DecisionOf(Segment segment) => segment switch
        {
            Segment.Probation => EvictionDecision.Probation,
            Segment.Protected => EvictionDecision.Protected,
            _ => EvictionDecision.Window,
        };

        /// <summary>Protected's overflow, its least recent entry, goes back to probation as its most recent.</summary>
        private void DemoteIfOver()
        {
            if (ProtectedCount > ProtectedMax(Options))
            {
                Move(TakeFirst(Segment.Protected)!, Segment.Protected, Segment.Probation);
            }
        }

        /// <summary>Counts an access in the line's sketch; this draft owns the line.</summary>
        private void CountAccess(int hash) => (Sketch, SketchPosition) = Sketch!.Increment(SketchPosition, hash);

        /// <summary>Moves <paramref name="entry"/> from one segment to another, as its most recent entry: one record and a new tag, nothing copied.</summary>
        private void Move(Entry<TKey, TValue> entry, Segment from, Segment to)
        {
            Sized(from, -1);
            Sized(to, 1);
            Append([entry], to);
        }

        /// <summary>Appends uses of <paramref name="used"/>, stored entries, to <paramref name="segment"/>'s order, in order.</summary>
        private void Append(ReadOnlySpan<Entry<TKey, TValue>> used, Segment segment)
        {
            if (UseTag.IsMain(segment))
            {
                Main = Appended(Main, used, segment);
            }
            else
            {
                Recency = Appended(Recency, used, segment);
            }
        }

        /// <summary>
        /// The segment <paramref name="entry"/> is in, for a transition that writes its line (it claimed
        /// the line's next version, or forked): then no other thread writes the tag. Under LRU, the window.
        /// </summary>
        private static Segment SegmentOf(Entry<TKey, TValue> entry) => UseTag.SegmentOf(entry.LastUse);

        /// <summary>
        /// The segment <paramref name="entry"/>, a stored entry, is in for this state, read from its tag
        /// once: false when a later state of the line wrote the tag, so that only a fork can tell (W-TinyLFU
        /// only: LRU has one segment). The line's newest state always can; any other forks, and reads its
        /// copies. Read once because the newest state may be moving the entry on another thread: a second
        /// read could see its segment instead of this state's.
        /// </summary>
        private readonly bool TrySegmentOf(Entry<TKey, TValue> entry, out Segment segment)
        {
            long tag = entry.LastUse;
            segment = UseTag.SegmentOf(tag);
            return !IsTinyLfu || IsOwnTag(tag, Recency, Main);
        }

        /// <summary>How many stored entries the log of <paramref name="segment"/> holds the live records of: the sizing of its compaction.</summary>
        /// <remarks>Under LRU every entry is in the window: its size is the count.</remarks>
        // Stryker disable once Arithmetic : a larger count only leaves the new log more room.
        private readonly int LogCount(Segment segment) => UseTag.IsMain(segment) ? Count - WindowCount : WindowCount;

        private void Sized(Segment segment, int by)
        {
            if (segment == Segment.Window)
            {
                WindowCount += by;
            }
            else if (segment == Segment.Protected)
            {
                ProtectedCount += by;
            }
        }

        private readonly RecencyOrder<TKey, TValue> OrderOf(Segment segment) => UseTag.IsMain(segment) ? Main : Recency;

        /// <summary>The state's horizon in the log other than <paramref name="segment"/>'s.</summary>
        // Stryker disable once Conditional : the main space's log never holds a record of an entry tagged in the window (an entry never goes back), so its other horizon is never read.
        private readonly long OtherHorizon(Segment segment) => UseTag.IsMain(segment) ? Recency.Horizon : Main.Horizon;

        /// <summary>The least recent live entry of a segment, without taking it; null when the segment is empty.</summary>
        private Entry<TKey, TValue>? PeekFirst(Segment segment) => First(segment, out _);

        /// <summary>Takes a segment's least recent live entry off its order (the caller drops or moves it); null when the segment is empty.</summary>
        private Entry<TKey, TValue>? TakeFirst(Segment segment)
        {
            // With no live entry, the rest is the order emptied of its stale records.
            Entry<TKey, TValue>? entry = First(segment, out RecencyOrder<TKey, TValue> rest);

            // Stryker disable Block : without it the taken entry's record, stale once it is dropped or moved, is passed over by the next scan instead.
            if (UseTag.IsMain(segment))
            {
                Main = rest;
            }
            else
            {
                Recency = rest;
            }

            // Stryker restore Block
            return entry;
        }

        /// <summary>A segment's least recent live entry (null when none) and its order without it; a later state's uses make this draft fork first, as LRU's eviction does.</summary>
        private Entry<TKey, TValue>? First(Segment segment, out RecencyOrder<TKey, TValue> rest)
        {
            Liveness found = OrderOf(segment).TryTakeLeastRecent(segment, Entries, OtherHorizon(segment), out Entry<TKey, TValue> entry, out rest);
            if (found == Liveness.Unknown)
            {
                // A later state has used these entries: a line of this state's own can tell.
                Own();
                found = OrderOf(segment).TryTakeLeastRecent(segment, Entries, OtherHorizon(segment), out entry, out rest);
            }

            // Stryker disable once Conditional : a stale order answers a null entry, and a fork never answers Unknown.
            return found == Liveness.Live ? entry : null;
        }

        /// <summary>
        /// This state's entries for the writes <paramref name="read"/> holds: an entry it stores itself,
        /// or its own copy of the same write (read in a state of the line before it forked, or in a
        /// sibling that still holds the original). Nulls and other writes are passed over. Copied only
        /// when some entry is not stored as it is.
        /// </summary>
        private readonly ReadOnlySpan<Entry<TKey, TValue>> Stored(ReadOnlySpan<Entry<TKey, TValue>?> read)
        {
            foreach (Entry<TKey, TValue>? first in read)
            {
                // Stryker disable once Equality : the copy below is right for any span; this check only spares it when every entry is stored.
                if (first is null || !Entries.HoldsAny(first))
                {
                    var stored = new List<Entry<TKey, TValue>>(read.Length);
                    foreach (Entry<TKey, TValue>? entry in read)
                    {
                        if (entry is null)
                        {
                            continue;
                        }

                        if (Entries.HoldsAny(entry))
                        {
                            stored.Add(entry);
                        }
                        else if (Entries.Find(entry.Key, entry.Hash) is { } own && own.IsSameWrite(entry))
                        {
                            stored.Add(own);
                        }
                    }

                    return stored.ToArray();
                }
            }

            return read!;
        }

        /// <summary>Takes <paramref name="entry"/>, in <paramref name="segment"/>, out of the entries: in the table when this transition owns it, hidden otherwise.</summary>
        private void Unstore(Entry<TKey, TValue> entry, Segment segment)
        {
            Entries = Entries.Removed(entry, Count, TryClaim(), Version);
            Sized(segment, -1);
            Count--;
            HoldsRemoved = true;
            _changed = true;
        }

        private readonly RecencyOrder<TKey, TValue> Appended(RecencyOrder<TKey, TValue> order, ReadOnlySpan<Entry<TKey, TValue>> used, Segment segment) =>
            // Stryker disable once all : a throw no owner can reach: only the line's newest state appends, and it owns its log.
            order.TryAppend(used, segment, Entries, LogCount(segment), OtherHorizon(segment), out RecencyOrder<TKey, TValue> appended)
                ? appended
                : throw new InvalidOperationException("The recency log refused an append of its line's newest state.");

        private readonly RecencyOrder<TKey, TValue> Rebuilt(RecencyOrder<TKey, TValue> order, int count, long otherHorizon) =>
            // Stryker disable once all : a throw no owner can reach: only the line's newest state seals its log.
            order.TryRebuild(Entries, count, otherHorizon, out RecencyOrder<TKey, TValue> rebuilt)
                ? rebuilt
                : throw new InvalidOperationException("The recency log refused a rebuild of its line's newest state.");

        /// <summary>
        /// Makes this transition the writer of its line, before its first append: it claims the next
        /// version when its state is the newest of the line and shares nothing, and forks otherwise.
        /// True when it forked: entries read before are the old line's, and must be read again.
        /// </summary>
        private bool Own()
        {
            if (TryClaim())
            {
                return false;
            }

            Fork();
            return true;
        }

        /// <summary>Claims the next version of the line, once a transition; false when this state may not write the line.</summary>
        private bool TryClaim()
        {
            // Stryker disable once Logical : trying again after a failed claim fails again (a line's version only moves forward, and a hidden set or shared logs stay).
            if (!_owned && !_claimTried)
            {
                // Stryker disable once Boolean : a claim that failed fails again: a line's version only moves forward.
                _claimTried = true;
                if (!SharesLogs && Entries.Hidden is null && Entries.Table.TryClaim(Version))
                {
                    Version++;
                    Entries = Entries.AsNewest();
                    _owned = true;
                }
            }

            return _owned;
        }

        /// <summary>
        /// This state is not the newest of its line, so it may not write the shared table and logs:
        /// it copies its live entries into a table and logs of its own, sharing nothing that a later
        /// state writes, and owns them.
        /// </summary>
        private void Fork()
        {
            ScanMeter.Forked();
            (List<Entry<TKey, TValue>> window, List<Entry<TKey, TValue>> probation, List<Entry<TKey, TValue>> @protected) = Live(Entries, Recency, Main);
            Entry<TKey, TValue>[] copies = new Entry<TKey, TValue>[window.Count + probation.Count + @protected.Count];
            int copied = 0;
            foreach (List<Entry<TKey, TValue>> part in (ReadOnlySpan<List<Entry<TKey, TValue>>>)[probation, @protected, window])
            {
                // Each part's copies in place of its entries, in the same order (empty parts under LRU).
                for (int i = 0; i < part.Count; i++)
                {
                    part[i] = copies[copied++] = part[i].Detach();
                }
            }

            Entries = EntryIndex<TKey, TValue>.Of(copies, room: 1, Version).AsNewest();
            Recency = RecencyOrder<TKey, TValue>.Of(window, [], Recency.Horizon, room: 1, main: false);
            if (IsTinyLfu)
            {
                Main = RecencyOrder<TKey, TValue>.Of(probation, @protected, Main.Horizon, room: 1, main: true);

                // The fork's own counters: exactly this state's, rebuilt from the line's history.
                Sketch = SketchHistory.Start(Sketch!.CountersAt(SketchPosition), Options.MaxSize);
                SketchPosition = 0;
            }

            Deadlines = DeadlineOrder<TKey, TValue>.Of(copies);
            SharesLogs = false;
            HoldsRemoved = false;
            _owned = true;
            _changed = true;
        }

    }
}
