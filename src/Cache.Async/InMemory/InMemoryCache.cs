using System.Collections.Immutable;
using System.Diagnostics.Metrics;
using Cache.Core;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Cache.Async;

/// <summary>
/// A thread-safe in-process LRU + TTL cache. Each operation reads the time from the injected
/// <see cref="TimeProvider"/>, applies a pure <see cref="CacheState{TKey, TValue}"/> transition,
/// publishes the new state, then logs and counts what the transition reported. Expiry follows the
/// provider's monotonic clock, so a wall-clock jump neither expires nor revives anything, and a
/// <c>FakeTimeProvider</c> moves the cache through time deterministically.
/// </summary>
public sealed class InMemoryCache : ICache, IDisposable
{
    private readonly Lock _gate = new();
    private readonly TimeProvider _timeProvider;
    private readonly long _origin;
    private readonly ILogger _logger;
    private readonly CacheMetrics _metrics;
    private readonly ITimer? _sweep;
    private readonly Dictionary<string, Flight> _flights = new(StringComparer.Ordinal);
    private readonly CacheCounters _counters = new();
    private volatile CacheState<string, object?> _state;
    private volatile bool _disposed;

    /// <summary>Creates a cache.</summary>
    /// <param name="options">Capacity, default TTL and sweep interval; null for the defaults.</param>
    /// <param name="timeProvider">The clock; null for <see cref="TimeProvider.System"/>.</param>
    /// <param name="logger">Where hits, misses and evictions (Debug) and failures (Warning) go; null for none.</param>
    /// <exception cref="ArgumentOutOfRangeException">
    /// MaxSize is less than 1, DefaultTtl is zero or negative and not infinite, or
    /// ExpirationScanInterval is zero or negative.
    /// </exception>
    public InMemoryCache(
        InMemoryCacheOptions? options = null,
        TimeProvider? timeProvider = null,
        ILogger<InMemoryCache>? logger = null)
        : this(options, timeProvider, logger, meterFactory: null)
    {
    }

    internal InMemoryCache(
        InMemoryCacheOptions? options,
        TimeProvider? timeProvider,
        ILogger? logger,
        IMeterFactory? meterFactory)
    {
        options ??= new InMemoryCacheOptions();
        var coreOptions = new CacheOptions { MaxSize = options.MaxSize, DefaultTtl = options.DefaultTtl };
        TimeSpan? sweepInterval = options.ExpirationScanInterval;
        if (sweepInterval is { } interval && interval != Timeout.InfiniteTimeSpan)
        {
            ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(interval, TimeSpan.Zero, nameof(options.ExpirationScanInterval));
        }

        _timeProvider = timeProvider ?? TimeProvider.System;
        _origin = _timeProvider.GetTimestamp();
        _logger = logger ?? NullLogger.Instance;
        _state = CacheState<string, object?>.Empty(coreOptions);
        _metrics = new CacheMetrics(meterFactory, () => _state.Count);
        if (sweepInterval is { } period && period != Timeout.InfiniteTimeSpan)
        {
            _sweep = _timeProvider.CreateTimer(static cache => ((InMemoryCache)cache!).Sweep(), this, period, period);
        }
    }

    /// <inheritdoc/>
    public ValueTask<T?> GetAsync<T>(string key, CancellationToken cancellationToken = default) =>
        new(Lookup<T>(key, cancellationToken).Value);

    /// <inheritdoc/>
    public ValueTask<CacheLookup<T>> TryGetAsync<T>(string key, CancellationToken cancellationToken = default) =>
        new(Lookup<T>(key, cancellationToken));

    /// <inheritdoc/>
    public ValueTask SetAsync<T>(string key, T value, TimeSpan? ttl = null, CancellationToken cancellationToken = default)
    {
        ThrowIfUnusable(key, cancellationToken);
        SetResult<string, object?> result;
        lock (_gate)
        {
            result = StoreLocked(key, value, ttl);
            DetachFlightLocked(key);
        }

        Report(result.Removals);
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
            result = _state.Remove(key, Now());
            PublishLocked(result.State, result.Removals);
            DetachFlightLocked(key);
        }

        Report(result.Removals);
        return new(result.Removed);
    }

    /// <inheritdoc/>
    public ValueTask ClearAsync(CancellationToken cancellationToken = default)
    {
        ThrowIfUnusable(cancellationToken);
        TransitionResult<string, object?> result;
        lock (_gate)
        {
            result = _state.Clear(Now());
            PublishLocked(result.State, result.Removals);
            _flights.Clear();
        }

        Report(result.Removals);
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

        TypedLookup lookup;
        Flight? flight = null;
        bool starts = false;
        lock (_gate)
        {
            lookup = LookupLocked<T>(key);
            if (!lookup.Hit)
            {
                if (!_flights.TryGetValue(key, out flight))
                {
                    flight = new Flight();
                    _flights.Add(key, flight);
                    starts = true;
                }

                flight.Waiters++;
            }
        }

        ReportLookup<T>(key, lookup);
        if (flight is null)
        {
            return new((T)lookup.Result.Value!);
        }

        if (starts)
        {
            _ = RunFlightAsync(key, flight, factory, ttl);
        }

        return AwaitFlightAsync(key, flight, factory, cancellationToken);
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
            state = _state;
            now = Now();
            counted = _counters.ToStats(state.Options.MaxSize);
        }

        int expired = state.CountExpired(now);
        return counted with { ActiveEntries = state.Count - expired, ExpiredEntries = expired };
    }

    /// <summary>
    /// The published immutable state, in O(1). Nothing the cache does later changes it, so it can
    /// be read, enumerated or run forward ("what would this Set evict?") at leisure.
    /// </summary>
    /// <returns>The current state; its times are measured from the cache's creation.</returns>
    /// <exception cref="ObjectDisposedException">The cache was disposed.</exception>
    public CacheState<string, object?> Snapshot()
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        return _state;
    }

    /// <summary>Stops the expiration sweep and cancels running factories. Later calls throw <see cref="ObjectDisposedException"/>.</summary>
    public void Dispose()
    {
        Flight[] flights;
        lock (_gate)
        {
            if (_disposed)
            {
                return;
            }

            _disposed = true;
            flights = [.. _flights.Values];
        }

        _sweep?.Dispose();
        foreach (Flight flight in flights)
        {
            flight.Abandon();
        }

        _metrics.Dispose();
    }

    /// <summary>The cache's instruments, for tests that listen to this cache alone.</summary>
    internal CacheMetrics Metrics => _metrics;

    /// <summary>The time on the monotonic timeline the core runs on: elapsed since the cache was created.</summary>
    internal TimeSpan Now() => _timeProvider.GetElapsedTime(_origin);

    private static bool IsOf<T>(object? value) => value is T || (value is null && default(T) is null);


    private static void ThrowIfInvalid(TimeSpan? ttl)
    {
        if (ttl is { } given)
        {
            Expiry.ThrowIfInvalid(given, nameof(ttl));
        }
    }

    private CacheLookup<T> Lookup<T>(string key, CancellationToken cancellationToken)
    {
        ThrowIfUnusable(key, cancellationToken);
        TypedLookup lookup;
        lock (_gate)
        {
            lookup = LookupLocked<T>(key);
        }

        ReportLookup<T>(key, lookup);
        return lookup.Hit ? new CacheLookup<T>(true, (T?)lookup.Result.Value) : default;
    }

    /// <summary>
    /// Applies a Get, decides once whether it is a hit of type <typeparamref name="T"/>, and counts
    /// one hit or miss. A live value of another type is a miss and not a use, so its state is not
    /// published.
    /// </summary>
    private TypedLookup LookupLocked<T>(string key)
    {
        GetResult<string, object?> result = _state.Get(key, Now());
        bool hit = result.TryGetValue(out object? value) && IsOf<T>(value);
        if (hit || !result.Found)
        {
            PublishLocked(result.State, result.Removals);
        }

        if (hit)
        {
            _counters.Hits++;
        }
        else
        {
            _counters.Misses++;
        }

        return new TypedLookup(result, hit);
    }

    /// <summary>Logs and records what a lookup found, outside the lock.</summary>
    private void ReportLookup<T>(string key, TypedLookup lookup)
    {
        Report(lookup.Result.Removals);
        if (lookup.Hit)
        {
            _metrics.Hits.Add(1);
            CacheLog.Hit(_logger, key);
            return;
        }

        _metrics.Misses.Add(1);
        if (lookup.Result.TryGetValue(out object? wrongType))
        {
            CacheLog.TypeMismatch(_logger, key, wrongType!.GetType().FullName!, typeof(T).FullName!);
        }
        else
        {
            CacheLog.Miss(_logger, key);
        }
    }

    private SetResult<string, object?> StoreLocked(string key, object? value, TimeSpan? ttl)
    {
        TimeSpan now = Now();
        SetResult<string, object?> result = ttl is { } given ? _state.Set(key, value, given, now) : _state.Set(key, value, now);
        PublishLocked(result.State, result.Removals);
        _counters.Sets++;
        return result;
    }

    private void PublishLocked(CacheState<string, object?> state, ImmutableArray<CacheRemoval<string, object?>> removals)
    {
        _state = state;
        _counters.Count(removals);
    }

    /// <summary>A write of the key wins over a factory running for it: the run will not store.</summary>
    private void DetachFlightLocked(string key) => _flights.Remove(key);

    private async Task RunFlightAsync<T>(string key, Flight flight, Func<CancellationToken, ValueTask<T>> factory, TimeSpan? ttl)
    {
        T value;
        try
        {
            value = await factory(flight.Token).ConfigureAwait(false);
        }
#pragma warning disable CA1031 // The factory's exception, whatever it is, goes to every waiting caller.
        catch (Exception exception)
#pragma warning restore CA1031
        {
            lock (_gate)
            {
                DetachOwnFlightLocked(key, flight);
            }

            CacheLog.FactoryFailed(_logger, key, exception);
            flight.Completion.SetException(exception);

            // Observed here, so a run whose waiters all gave up raises no UnobservedTaskException.
            _ = flight.Completion.Task.Exception;
            return;
        }

        SetResult<string, object?>? stored = null;
        lock (_gate)
        {
            if (DetachOwnFlightLocked(key, flight) && !_disposed)
            {
                stored = StoreLocked(key, value, ttl);
            }
        }

        if (stored is { } result)
        {
            Report(result.Removals);
        }

        flight.Completion.SetResult(value);
    }

    /// <summary>Unregisters a finished run; true when it was still registered, so its value may be stored.</summary>
    private bool DetachOwnFlightLocked(string key, Flight flight)
    {
        if (_flights.TryGetValue(key, out Flight? current) && ReferenceEquals(current, flight))
        {
            _flights.Remove(key);
            return true;
        }

        return false;
    }

    private async ValueTask<T> AwaitFlightAsync<T>(
        string key,
        Flight flight,
        Func<CancellationToken, ValueTask<T>> factory,
        CancellationToken cancellationToken)
    {
        object? value;
        try
        {
            value = await flight.Completion.Task.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            LeaveFlight(key, flight);
            throw;
        }

        if (IsOf<T>(value))
        {
            return (T)value!;
        }

        // The shared run was started by a caller asking for another type: make this caller's own.
        CacheLog.TypeMismatch(_logger, key, value!.GetType().FullName!, typeof(T).FullName!);
        return await factory(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>A caller stopped waiting; when none is left, the run is unregistered and its token cancelled.</summary>
    private void LeaveFlight(string key, Flight flight)
    {
        bool abandoned;
        lock (_gate)
        {
            flight.Waiters--;
            abandoned = flight.Waiters == 0 && !flight.Completion.Task.IsCompleted;
            if (abandoned)
            {
                DetachOwnFlightLocked(key, flight);
            }
        }

        if (abandoned)
        {
            flight.Abandon();
        }
    }

    private void Sweep()
    {
        TransitionResult<string, object?> result;
        lock (_gate)
        {
            if (_disposed)
            {
                return;
            }

            result = _state.Expire(Now());
            PublishLocked(result.State, result.Removals);
        }

        Report(result.Removals);
    }

    /// <summary>Logs and records the removals a transition reported, outside the lock.</summary>
    private void Report(ImmutableArray<CacheRemoval<string, object?>> removals)
    {
        foreach (CacheRemoval<string, object?> removal in removals)
        {
            switch (removal.Reason)
            {
                case RemovalReason.Evicted:
                    _metrics.Evictions.Add(1);
                    CacheLog.Evicted(_logger, removal.Key);
                    break;
                case RemovalReason.Expired:
                    _metrics.Expirations.Add(1);
                    CacheLog.Expired(_logger, removal.Key);
                    break;
                default:
                    break;
            }
        }
    }

    private void ThrowIfUnusable(string key, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(key);
        ThrowIfUnusable(cancellationToken);
    }

    private void ThrowIfUnusable(CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        ObjectDisposedException.ThrowIf(_disposed, this);
    }

    /// <summary>A Get and whether it was a hit of the type asked for (a live value of another type is not).</summary>
    private readonly record struct TypedLookup(GetResult<string, object?> Result, bool Hit);
}
