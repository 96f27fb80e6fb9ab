using System.Collections.Immutable;
using System.Diagnostics;
using System.Diagnostics.Metrics;
using Cache.Core;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Cache.Shared;
using Cache.Shared.SingleFlight;
using Cache.Shared.Telemetry;
using Cache.Async.InMemory;
using Cache.Async.Recording;
using Cache.Async.Concurrency;

namespace Cache.Async;

/// <summary>
/// A thread-safe in-process LRU + TTL cache. Each operation reads the time from the injected
/// <see cref="TimeProvider"/>, applies a pure <see cref="CacheState{TKey, TValue}"/> transition,
/// publishes the new state, then logs and counts what the transition reported. Expiry follows the
/// provider's monotonic clock, so a wall-clock jump neither expires nor revives anything, and a
/// <c>FakeTimeProvider</c> moves the cache through time deterministically.
/// </summary>
/// <remarks>
/// Lookups read the published state without the lock and record each hit in a lossless buffer; the
/// next write (or a full buffer, a snapshot or the stats) applies the recorded hits in order, as one
/// pure transition, before anything else. Sequential use is therefore exact LRU, and hits cost no
/// lock and no copy.
/// </remarks>
public sealed partial class InMemoryCache : ICache, IDisposable
{
    private const int HitRingCapacity = 256;
    private readonly Lock _gate = new();
    private readonly TimeProvider _timeProvider;
    private readonly long _origin;
    private readonly bool _onSystemClock;
    private readonly ILogger _logger;
    private readonly CacheMetrics _metrics;
    private readonly ITimer? _sweep;
    private readonly FlightTable _flights;
    private readonly RemovalDispatcher _removalEvents;
    private readonly TraceRecorder? _recorder;
    private readonly CacheCounters _counters = new();

    // The hits served without the lock, in order, until a writer applies them as one batch
    // (Caffeine's read buffer made lossless: a full ring is drained, never dropped, so sequential
    // use stays exact LRU). Every hit passes through once, so the count added is the hit count.
    private readonly OrderedRing<CacheEntryHandle<string, object?>> _uses = new(HitRingCapacity);
    private readonly CacheEntryHandle<string, object?>[] _draining = new CacheEntryHandle<string, object?>[HitRingCapacity];
    private volatile CacheState<string, object?> _state;

    // The view Snapshot handed out of the current state, so that snapshots with no change between
    // them are one object; dropped whenever the state changes, so it never pins an old one.
    private CacheState<string, object?>? _view;
    private volatile bool _disposed;

    /// <summary>
    /// The name of the meter every in-memory cache reports to, for a <c>MeterListener</c> or
    /// OpenTelemetry's <c>AddMeter</c>. Each measurement carries the tags <c>cache.name</c> (the
    /// options' <see cref="InMemoryCacheOptions.Name"/>) and <c>cache.backend</c> (<c>in-memory</c>).
    /// </summary>
    public const string MeterName = "ExactCache.InMemory";

    /// <summary>Creates a cache.</summary>
    /// <param name="options">Name, capacity, default TTL and sweep interval; null for the defaults.</param>
    /// <param name="timeProvider">The clock; null for <see cref="TimeProvider.System"/>.</param>
    /// <param name="logger">Where hits, misses and evictions (Debug) and failures (Warning) go; null for none.</param>
    /// <param name="meterFactory">Where the cache's meter comes from (the host's, for OpenTelemetry); null for a meter of the cache's own, disposed with it.</param>
    /// <exception cref="ArgumentException">Name is null, empty or white space.</exception>
    /// <exception cref="ArgumentOutOfRangeException">
    /// MaxSize is less than 1, DefaultTtl is zero or negative and not infinite, or
    /// ExpirationScanInterval is zero, negative and not infinite, or longer than
    /// <see cref="InMemoryCacheOptions.MaxExpirationScanInterval"/>.
    /// </exception>
    public InMemoryCache(
        InMemoryCacheOptions? options = null,
        TimeProvider? timeProvider = null,
        ILogger<InMemoryCache>? logger = null,
        IMeterFactory? meterFactory = null)
    {
        // Every option is checked before anything starts (the recorder's writer, the sweep timer).
        options ??= new InMemoryCacheOptions();
        (CacheOptions coreOptions, TimeSpan? sweepInterval) = options.Checked();

        _flights = new FlightTable(_gate);
        _removalEvents = new RemovalDispatcher(RaiseEntryRemoved);
        _timeProvider = timeProvider ?? TimeProvider.System;
        _origin = _timeProvider.GetTimestamp();
        _onSystemClock = ReferenceEquals(_timeProvider, TimeProvider.System);
        _logger = (ILogger?)logger ?? NullLogger.Instance;
        _state = CacheState<string, object?>.Empty(coreOptions);
        _metrics = new CacheMetrics(meterFactory, MeterName, options.Name, "in-memory", () => _state.Count);
        _recorder = options.Recorder is { } trace ? new TraceRecorder(trace, coreOptions, _logger) : null;
        if (sweepInterval is { } period)
        {
            _sweep = _timeProvider.CreateTimer(static cache => ((InMemoryCache)cache!).Sweep(), this, period, period);
        }
    }

    /// <summary>
    /// An entry left the cache: Evicted, Expired, Removed, Replaced or Cleared. Each removal is
    /// raised once, in the order the transitions happened, after the new state is published, on a
    /// thread that made one of those transitions (no thread-pool hop); handlers never run
    /// concurrently. A handler that throws is logged at Warning and the cache carries on. A handler
    /// may use the cache; the events its own writes cause are raised after it returns.
    /// </summary>
    public event EventHandler<CacheEntryRemovedEventArgs>? EntryRemoved;

    /// <inheritdoc/>
    public ValueTask<T?> GetAsync<T>(string key, CancellationToken cancellationToken = default) =>
        new(Read<T>(key, cancellationToken).Value);

    /// <inheritdoc/>
    public ValueTask<CacheLookup<T>> TryGetAsync<T>(string key, CancellationToken cancellationToken = default) =>
        new(Read<T>(key, cancellationToken));

    /// <inheritdoc/>
    public ValueTask SetAsync<T>(string key, T value, TimeSpan? ttl = null, CancellationToken cancellationToken = default)
    {
        ThrowIfUnusable(key, cancellationToken);
        var removals = default(RemovalLog<string, object?>);
        lock (_gate)
        {
            ApplyUsesLocked();
            StoreLocked(key, value, ttl, ref removals);
            _flights.DetachLocked(key);
        }

        Report(removals.AsSpan());
        return default;
    }

    /// <inheritdoc/>
    public ValueTask<bool> ExistsAsync(string key, CancellationToken cancellationToken = default)
    {
        ThrowIfUnusable(key, cancellationToken);

        // A peek needs no lock: the published state is immutable.
        return new(_state.ContainsKey(key, Now()));
    }

    /// <inheritdoc/>
    public ValueTask<bool> RemoveAsync(string key, CancellationToken cancellationToken = default)
    {
        ThrowIfUnusable(key, cancellationToken);
        RemoveResult<string, object?> result;
        lock (_gate)
        {
            // Stryker disable once Statement : this transition does not choose by recency; hits applied after it stamp only entries still stored, so the order is the same.
            ApplyUsesLocked();
            TimeSpan now = Now();
            result = _state.Remove(key, now);
            _recorder?.Record(TraceOperation.Remove, key, now);
            PublishLocked(result.State, result.Removals.AsSpan());
            _flights.DetachLocked(key);
        }

        Report(result.Removals.AsSpan());
        return new(result.Removed);
    }

    /// <inheritdoc/>
    public ValueTask ClearAsync(CancellationToken cancellationToken = default)
    {
        ThrowIfUnusable(cancellationToken);
        TransitionResult<string, object?> result;
        lock (_gate)
        {
            // Stryker disable once Statement : this transition does not choose by recency; hits applied after it stamp only entries still stored, so the order is the same.
            ApplyUsesLocked();
            TimeSpan now = Now();
            result = _state.Clear(now);
            _recorder?.Record(TraceOperation.Clear, null, now);
            PublishLocked(result.State, result.Removals.AsSpan());
            _flights.ClearLocked();
        }

        Report(result.Removals.AsSpan());
        return default;
    }

    /// <inheritdoc/>
    public ValueTask<T> GetOrSetAsync<T>(
        string key,
        Func<CancellationToken, ValueTask<T>> factory,
        TimeSpan? ttl = null,
        CancellationToken cancellationToken = default)
    {
        ThrowIfUnusable(key, cancellationToken);
        ArgumentNullException.ThrowIfNull(factory);
        ThrowIfInvalid(ttl);

        LookupOutcome lookup = ReadWithoutLock<T>(key);
        Flight? flight = null;
        // Stryker disable once Boolean : JoinLocked assigns it before it is read; the initializer only satisfies definite assignment.
        bool starts = false;
        if (lookup.Kind != LookupKind.Hit)
        {
            lock (_gate)
            {
                lookup = ReadLocked<T>(key);
                if (lookup.Kind != LookupKind.Hit)
                {
                    flight = _flights.JoinLocked(key, out starts);
                }
            }
        }

        Account<T>(key, lookup);
        if (flight is null)
        {
            return new((T)lookup.Entry!.Value!);
        }

        if (starts)
        {
            _ = RunFlightAsync(key, flight, factory, ttl);
        }

        return _flights.AwaitAsync(key, flight, factory, _logger, cancellationToken);
    }

    /// <inheritdoc/>
    /// <remarks>Every answer comes from one published state; hits are recorded as single Gets' are, and an expired entry is left for the next write to remove.</remarks>
    public ValueTask<IReadOnlyDictionary<string, T>> GetManyAsync<T>(IEnumerable<string> keys, CancellationToken cancellationToken = default)
    {
        string[] batch = BatchArguments.Keys(keys);
        ThrowIfUnusable(cancellationToken);
        TimeSpan now = Now();
        CacheState<string, object?> state = _state;
        var found = new Dictionary<string, T>(batch.Length, StringComparer.Ordinal);
        foreach (string key in batch)
        {
            CacheEntryHandle<string, object?> entry = state.Find(key);
            LookupKind kind = Classify<T>(entry, entry.Exists && entry.IsExpiredAt(now));
            if (kind == LookupKind.Hit)
            {
                RecordUse(entry);
                found[key] = (T)entry.Value!;
            }

            Account<T>(key, new LookupOutcome(kind, entry, [], now));
        }

        return new(found);
    }

    /// <inheritdoc/>
    /// <remarks>One pure transition (the core's SetMany) published at once; a batch larger than MaxSize keeps its last MaxSize keys.</remarks>
    public ValueTask SetManyAsync<T>(IEnumerable<KeyValuePair<string, T>> items, TimeSpan? ttl = null, CancellationToken cancellationToken = default)
    {
        KeyValuePair<string, T>[] batch = BatchArguments.Items(items);
        ThrowIfUnusable(cancellationToken); // the TTL is checked by the core's SetMany, before anything happens
        IEnumerable<KeyValuePair<string, object?>> boxed = batch.Select(static item => KeyValuePair.Create(item.Key, (object?)item.Value));
        TransitionResult<string, object?> result;
        lock (_gate)
        {
            ApplyUsesLocked();
            TimeSpan now = Now();
            result = ttl is { } given ? _state.SetMany(boxed, given, now) : _state.SetMany(boxed, now);
            foreach (KeyValuePair<string, T> item in batch)
            {
                _recorder?.Record(TraceOperation.Set, item.Key, now, ttl);
            }

            PublishLocked(result.State, result.Removals.AsSpan());
            _counters.Sets += batch.Length;
            foreach (KeyValuePair<string, T> item in batch)
            {
                _flights.DetachLocked(item.Key);
            }
        }

        Report(result.Removals.AsSpan());
        return default;
    }

    /// <inheritdoc/>
    /// <remarks>One pure transition (the core's RemoveMany) published at once.</remarks>
    public ValueTask<int> RemoveManyAsync(IEnumerable<string> keys, CancellationToken cancellationToken = default)
    {
        string[] batch = BatchArguments.Keys(keys);
        ThrowIfUnusable(cancellationToken);
        RemoveManyResult<string, object?> result;
        lock (_gate)
        {
            // Stryker disable once Statement : this transition does not choose by recency; hits applied after it stamp only entries still stored, so the order is the same.
            ApplyUsesLocked();
            TimeSpan now = Now();
            result = _state.RemoveMany(batch, now);
            foreach (string key in batch)
            {
                _recorder?.Record(TraceOperation.Remove, key, now);
            }

            PublishLocked(result.State, result.Removals.AsSpan());
            foreach (string key in batch)
            {
                _flights.DetachLocked(key);
            }
        }

        Report(result.Removals.AsSpan());
        return new(result.Removed);
    }

    /// <inheritdoc/>
    public ValueTask<CacheStats> GetStatsAsync(CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        return new(GetStats());
    }

    /// <summary>The cache's statistics at one instant.</summary>
    /// <returns>Counters since the cache was created, and the entries stored now.</returns>
    /// <exception cref="ObjectDisposedException">The cache was disposed.</exception>
    public CacheStats GetStats()
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        CacheStats counted;
        CacheState<string, object?> state;
        TimeSpan now;
        lock (_gate)
        {
            // Stryker disable once Statement : the counts do not depend on the order of recency; hits applied later stamp the same entries.
            ApplyUsesLocked();
            state = _state;
            now = Now();
            counted = _counters.ToStats(_uses.Added, state.Options.MaxSize);
        }

        int expired = state.CountExpired(now);
        return counted with { ActiveEntries = state.Count - expired, ExpiredEntries = expired };
    }

    /// <summary>
    /// The published immutable state, in O(1). Nothing the cache does later changes it, so it can
    /// be read, enumerated or run forward ("what would this Set evict?") at leisure. Running it
    /// forward costs that line one copy of the state at its first hit or write (O(n)), never the
    /// cache: the cache's own next write costs what it would have cost without the snapshot.
    /// </summary>
    /// <returns>The current state; its times are measured from the cache's creation.</returns>
    /// <exception cref="ObjectDisposedException">The cache was disposed.</exception>
    public CacheState<string, object?> Snapshot()
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        lock (_gate)
        {
            ApplyUsesLocked();

            // A snapshot: running it forward forks its own line, and the cache keeps its logs.
            return _view ??= _state.AsSnapshot();
        }
    }

    /// <summary>
    /// The time on this cache's monotonic timeline: elapsed since it was created, by its
    /// <see cref="TimeProvider"/>. <see cref="Snapshot"/>'s states measure time on this timeline,
    /// so this is the <c>now</c> to give them for a dry run ("what would this Set evict?").
    /// </summary>
    /// <returns>The elapsed time.</returns>
    public TimeSpan GetElapsedTime() => Now();

    /// <summary>Stops the expiration sweep and cancels running factories. Later calls throw <see cref="ObjectDisposedException"/>.</summary>
    public void Dispose()
    {
        lock (_gate)
        {
            // Stryker disable once Statement,Block : disposing again abandons no flight, and the timer, meter and recorder each dispose idempotently.
            if (_disposed)
            {
                return;
            }

            _disposed = true;
        }

        _sweep?.Dispose();
        _flights.AbandonAll();

        _metrics.Dispose();
        _recorder?.Dispose();
    }

    /// <summary>The cache's instruments, for tests that listen to this cache alone.</summary>
    internal CacheMetrics Metrics => _metrics;

    /// <summary>The time on the monotonic timeline the core runs on: elapsed since the cache was created.</summary>
    internal TimeSpan Now() =>
        // Stryker disable once Conditional : TimeProvider.System reads the same Stopwatch; the branch only saves two virtual calls.
        _onSystemClock ? Stopwatch.GetElapsedTime(_origin) : _timeProvider.GetElapsedTime(_origin); // the same value, without two virtual calls

    private static bool IsOf<T>(object? value) => value is T || (value is null && default(T) is null);

    private static void ThrowIfInvalid(TimeSpan? ttl)
    {
        if (ttl is { } given)
        {
            CacheTtl.ThrowIfInvalid(given, nameof(ttl));
        }
    }

    private void StoreLocked(string key, object? value, TimeSpan? ttl, ref RemovalLog<string, object?> removals)
    {
        TimeSpan now = Now();
        CacheState<string, object?> state = _state.Set(key, value, ttl, now, ref removals);
        _recorder?.Record(TraceOperation.Set, key, now, ttl);
        PublishLocked(state, removals.AsSpan());
        _counters.Sets++;
    }

    private void PublishLocked(CacheState<string, object?> state, ReadOnlySpan<CacheRemoval<string, object?>> removals)
    {
        _state = state;
        _view = null;
        _counters.Count(removals);
        // Stryker disable once Logical : queuing no removal, or removals nobody handles, raises nothing either way.
        if (!removals.IsEmpty && EntryRemoved is not null)
        {
            _removalEvents.Enqueue(removals);
        }
    }

    private void RaiseEntryRemoved(CacheRemoval<string, object?> removal)
    {
        try
        {
            EntryRemoved?.Invoke(this, new CacheEntryRemovedEventArgs(removal.Key, removal.Value, removal.Reason, removal.Eviction));
        }
#pragma warning disable CA1031 // A subscriber's exception is its own: logged, and the cache carries on.
        catch (Exception exception)
#pragma warning restore CA1031
        {
            CacheLog.EntryRemovedHandlerFailed(_logger, removal.Key, removal.Reason, exception);
        }
    }

    private Task RunFlightAsync<T>(string key, Flight flight, Func<CancellationToken, ValueTask<T>> factory, TimeSpan? ttl) =>
        _flights.RunAsync(
            key,
            flight,
            factory,
            value =>
            {
                ImmutableArray<CacheRemoval<string, object?>> stored = [];
                lock (_gate)
                {
                    ApplyUsesLocked();
                    if (_flights.DetachOwnLocked(key, flight) && !_disposed)
                    {
                        var removals = default(RemovalLog<string, object?>);
                        StoreLocked(key, value, ttl, ref removals);
                        stored = removals.ToImmutable();
                    }
                }

                Report(stored.AsSpan());
                return ValueTask.CompletedTask;
            },
            _logger);

    private void Sweep()
    {
        TransitionResult<string, object?> result;
        lock (_gate)
        {
            if (_disposed)
            {
                return;
            }

            // Stryker disable once Statement : expiry does not choose by recency; hits applied after it stamp only entries still stored, so the order is the same.
            ApplyUsesLocked();
            result = _state.Expire(Now());

            // The sweep also lets go of what earlier writes removed, so an idle cache pins no dead value.
            PublishLocked(result.State.TrimExcess(), result.Removals.AsSpan());
        }

        Report(result.Removals.AsSpan());
    }

    /// <summary>Logs and records the removals a transition reported, then raises the queued removal events, outside the lock.</summary>
    private void Report(ReadOnlySpan<CacheRemoval<string, object?>> removals)
    {
        foreach (CacheRemoval<string, object?> removal in removals)
        {
            switch (removal.Reason)
            {
                case RemovalReason.Evicted:
                    _metrics.Evicted();
                    CacheLog.Evicted(_logger, removal.Key);
                    break;
                case RemovalReason.Expired:
                    _metrics.Expired();
                    CacheLog.Expired(_logger, removal.Key);
                    break;
                default:
                    break;
            }
        }

        _removalEvents.Deliver();
    }

    private void ThrowIfUnusable(string key, CancellationToken cancellationToken) =>
        RequestGuard.ThrowIfUnusable(key, _disposed, this, cancellationToken);

    private void ThrowIfUnusable(CancellationToken cancellationToken) =>
        RequestGuard.ThrowIfUnusable(_disposed, this, cancellationToken);
}
