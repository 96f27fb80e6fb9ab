using System.Diagnostics;
using System.Diagnostics.CodeAnalysis;
using System.Diagnostics.Metrics;
using Cache.Async;
using Cache.Core;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using StackExchange.Redis;
using Cache.Shared;
using Cache.Shared.Remote;
using Cache.Shared.SingleFlight;
using Cache.Shared.Telemetry;

namespace Cache.Redis;

/// <summary>
/// The <see cref="ICache"/> contract on Redis, through StackExchange.Redis. Entries are strings
/// under <see cref="RedisCacheOptions.KeyPrefix"/> with a millisecond expiry; capacity and recency
/// are the server's (maxmemory with allkeys-lru, an approximate LRU).
/// </summary>
/// <remarks>
/// Redis trouble never reaches the caller: a refused connection, a timeout or a server that goes
/// away mid-call is logged at Warning and answered as a miss / false within
/// <see cref="RedisCacheOptions.OperationTimeout"/>, and the connection recovers by itself. An
/// entry that cannot be read back is deleted. Argument errors, cancellation and use after Dispose
/// throw as on every backend.
/// </remarks>
public sealed class RedisCache : ICache, IDisposable, IAsyncDisposable
{
    private readonly Task<IConnectionMultiplexer> _connection;
    private readonly bool _ownsConnection;
    private readonly KeyNamespace _keys;
    private readonly TimeSpan _defaultTtl;
    private readonly RedisOperations _operations;
    private readonly PayloadCodec _codec;
    private readonly ILogger _logger;
    private readonly CacheMetrics _metrics;

    // Orders a write's command after the check that detaches a running factory, so a factory's
    // value is never sent after a newer Set, Remove or Clear of its key from this process.
    private readonly Lock _gate = new();
    private readonly FlightTable _flights;

    private readonly RequestCounter _counter;
    private readonly LookupFlights _lookups;
    private volatile bool _disposed;

    /// <summary>
    /// The name of the meter every Redis cache reports to, for a <c>MeterListener</c> or
    /// OpenTelemetry's <c>AddMeter</c>. Each measurement carries the tags <c>cache.name</c> (the
    /// options' <see cref="RedisCacheOptions.Name"/>) and <c>cache.backend</c> (<c>redis</c>).
    /// </summary>
    public const string MeterName = "ExactCache.Redis";

    /// <summary>Creates a cache that connects to the server of <see cref="RedisCacheOptions.Configuration"/>, and owns that connection.</summary>
    /// <param name="options">The configuration string, prefix, default TTL, timeout and serializer.</param>
    /// <param name="logger">Where hits and misses (Debug) and failures (Warning) go; null for none.</param>
    /// <exception cref="ArgumentNullException"><paramref name="options"/> or its serializer is null.</exception>
    /// <exception cref="ArgumentException">The configuration string is missing or cannot be parsed, or the prefix is empty.</exception>
    /// <exception cref="ArgumentOutOfRangeException">DefaultTtl or OperationTimeout is zero or negative (DefaultTtl may be infinite).</exception>
    [SuppressMessage("ApiDesign", "RS0026:Do not add multiple public overloads with optional parameters", Justification = "Two constructors that differ in their first parameter (options or a connection): no call is ambiguous.")]
    public RedisCache(RedisCacheOptions options, ILogger<RedisCache>? logger = null)
        : this(options, logger, meterFactory: null)
    {
    }

    /// <summary>
    /// Creates a cache on a connection the caller owns (and configures: give it
    /// <c>abortConnect=false</c> to start while Redis is down). Dispose leaves it open.
    /// </summary>
    /// <param name="connection">The connection.</param>
    /// <param name="options">The prefix, default TTL, timeout and serializer; null for the defaults. Its Configuration is not used.</param>
    /// <param name="logger">Where hits and misses (Debug) and failures (Warning) go; null for none.</param>
    /// <exception cref="ArgumentNullException"><paramref name="connection"/> is null.</exception>
    /// <exception cref="ArgumentException">The prefix is empty.</exception>
    /// <exception cref="ArgumentOutOfRangeException">DefaultTtl or OperationTimeout is zero or negative (DefaultTtl may be infinite).</exception>
    [SuppressMessage("ApiDesign", "RS0026:Do not add multiple public overloads with optional parameters", Justification = "Two constructors that differ in their first parameter (options or a connection): no call is ambiguous.")]
    public RedisCache(IConnectionMultiplexer connection, RedisCacheOptions? options = null, ILogger<RedisCache>? logger = null)
        : this(connection, options, logger, meterFactory: null)
    {
    }

    internal RedisCache(RedisCacheOptions options, ILogger? logger, IMeterFactory? meterFactory)
        : this(Validate(options), logger, meterFactory, connection: null)
    {
    }

    internal RedisCache(IConnectionMultiplexer connection, RedisCacheOptions? options, ILogger? logger, IMeterFactory? meterFactory)
        : this(options ?? new RedisCacheOptions(), logger, meterFactory, connection ?? throw new ArgumentNullException(nameof(connection)))
    {
    }

    private RedisCache(RedisCacheOptions options, ILogger? logger, IMeterFactory? meterFactory, IConnectionMultiplexer? connection)
    {
        options.ThrowIfInvalid(needsConfiguration: connection is null);
        _flights = new FlightTable(_gate);
        _keys = new KeyNamespace(options.KeyPrefix);
        _defaultTtl = options.DefaultTtl;
        _logger = logger ?? NullLogger.Instance;
        _codec = new PayloadCodec(options.Serializer, _logger);
        _metrics = new CacheMetrics(meterFactory, MeterName, options.Name, "redis", entries: null);
        _counter = new RequestCounter(_metrics, _logger);
        _lookups = new LookupFlights(_flights, _counter, _logger);
        if (connection is null)
        {
            _ownsConnection = true;

            // Connecting runs in the background: the service starts at once, whether Redis is up or not.
            _connection = ConnectAsync(ConnectionConfiguration.For(options.Configuration!, options.OperationTimeout));
        }
        else
        {
            _connection = Task.FromResult(connection);
        }

        _operations = new RedisOperations(_connection, options.OperationTimeout, _logger);
    }

    // Every public operation checks its arguments, token and disposal before it returns, so a
    // programming error throws at once, as in memory, and not when the task is awaited.

    /// <inheritdoc/>
    public ValueTask<T?> GetAsync<T>(string key, CancellationToken cancellationToken = default)
    {
        ThrowIfUnusable(key, cancellationToken);
        return GetCoreAsync<T>(key, cancellationToken);
    }

    /// <inheritdoc/>
    public ValueTask<CacheLookup<T>> TryGetAsync<T>(string key, CancellationToken cancellationToken = default)
    {
        ThrowIfUnusable(key, cancellationToken);
        return TryGetCoreAsync<T>(key, cancellationToken);
    }

    /// <inheritdoc/>
    /// <remarks>
    /// A value the serializer cannot write (a cycle, a delegate) is an operational failure, not an
    /// exception: it is logged at Warning (event 13), nothing is stored, and the key's older value
    /// is removed, so it cannot be read as if this Set had not happened.
    /// </remarks>
    public ValueTask SetAsync<T>(string key, T value, TimeSpan? ttl = null, CancellationToken cancellationToken = default)
    {
        ThrowIfUnusable(key, cancellationToken);
        TimeSpan? expiry = ExpiryOf(ttl);
        return SetCoreAsync(key, _codec.EncodeSet(key, value), expiry, cancellationToken);
    }

    /// <inheritdoc/>
    public ValueTask<bool> ExistsAsync(string key, CancellationToken cancellationToken = default)
    {
        ThrowIfUnusable(key, cancellationToken);
        return ExistsCoreAsync(key, cancellationToken);
    }

    /// <inheritdoc/>
    public ValueTask<bool> RemoveAsync(string key, CancellationToken cancellationToken = default)
    {
        ThrowIfUnusable(key, cancellationToken);
        return RemoveCoreAsync(key, cancellationToken);
    }

    /// <inheritdoc/>
    /// <remarks>
    /// SCAN for the prefix's keys and UNLINK them page by page, on every primary; never FLUSHDB, so
    /// keys outside the prefix are untouched. Each round trip is bounded by the operation timeout;
    /// a failure is logged and ends the Clear early.
    /// </remarks>
    public ValueTask ClearAsync(CancellationToken cancellationToken = default)
    {
        ThrowIfUnusable(cancellationToken);
        lock (_gate)
        {
            _flights.ClearLocked();
        }

        return ClearCoreAsync(cancellationToken);
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
        return GetOrSetCoreAsync(key, factory, ExpiryOf(ttl), cancellationToken);
    }

    /// <inheritdoc/>
    /// <remarks>One MGET: the values come from one instant of the server, so a batch written by MULTI/EXEC is seen whole or not at all.</remarks>
    public ValueTask<IReadOnlyDictionary<string, T>> GetManyAsync<T>(IEnumerable<string> keys, CancellationToken cancellationToken = default)
    {
        string[] batch = BatchArguments.Keys(keys);
        ThrowIfUnusable(cancellationToken);
        return GetManyCoreAsync<T>(batch, cancellationToken);
    }

    /// <inheritdoc/>
    /// <remarks>
    /// One MULTI/EXEC transaction of a SET an item. Capacity is the server's, so no batch is cut to a
    /// size here. An item the serializer cannot write is what its own Set would be: logged at
    /// Warning (event 13), its key's older value removed (an UNLINK in the same transaction), and
    /// the other items stored.
    /// </remarks>
    public ValueTask SetManyAsync<T>(IEnumerable<KeyValuePair<string, T>> items, TimeSpan? ttl = null, CancellationToken cancellationToken = default)
    {
        KeyValuePair<string, T>[] batch = BatchArguments.Items(items);
        ThrowIfUnusable(cancellationToken);
        TimeSpan? expiry = ExpiryOf(ttl);
        byte[]?[] payloads = Array.ConvertAll(batch, item => _codec.EncodeSet(item.Key, item.Value));
        return SetManyCoreAsync(Array.ConvertAll(batch, static item => item.Key), payloads, expiry, cancellationToken);
    }

    /// <inheritdoc/>
    /// <remarks>One UNLINK of every key.</remarks>
    public ValueTask<int> RemoveManyAsync(IEnumerable<string> keys, CancellationToken cancellationToken = default)
    {
        string[] batch = BatchArguments.Keys(keys);
        ThrowIfUnusable(cancellationToken);
        return RemoveManyCoreAsync(batch, cancellationToken);
    }

    /// <inheritdoc/>
    /// <remarks>
    /// Hits, misses, sets and removals are counted by this client. Evictions and expirations happen
    /// on the server, for every client at once, and the server does not count keys by prefix, so
    /// they and the entry counts are 0 here (INFO stats and INFO keyspace have the server's view);
    /// MaxSize is 0, as capacity is the server's maxmemory.
    /// </remarks>
    public ValueTask<CacheStats> GetStatsAsync(CancellationToken cancellationToken = default)
    {
        ThrowIfUnusable(cancellationToken);
        return new(_counter.Stats());
    }

    /// <summary>Cancels running factories and closes the connection if the cache opened it. Later calls throw <see cref="ObjectDisposedException"/>.</summary>
    public void Dispose() => DisposeAsync().AsTask().GetAwaiter().GetResult();

    /// <inheritdoc cref="Dispose"/>
    /// <returns>A task that completes when the connection is closed.</returns>
    public async ValueTask DisposeAsync()
    {
        lock (_gate)
        {
            if (_disposed)
            {
                return;
            }

            _disposed = true;
        }

        _flights.AbandonAll();

        _metrics.Dispose();
        if (_ownsConnection)
        {
            try
            {
                IConnectionMultiplexer connection = await _connection.ConfigureAwait(false);
                await connection.DisposeAsync().ConfigureAwait(false);
            }
#pragma warning disable CA1031 // A connection that never opened has nothing to close.
            catch (Exception)
#pragma warning restore CA1031
            {
            }
        }
    }

    /// <summary>The Redis expiry of a TTL: none for never (infinite, or a deadline past DateTime.MaxValue); otherwise whole milliseconds, rounded up.</summary>
    internal static TimeSpan? ExpiryOf(TimeSpan ttl)
    {
        if (ttl == Timeout.InfiniteTimeSpan || ttl.Ticks > DateTime.MaxValue.Ticks - DateTime.UtcNow.Ticks)
        {
            return null;
        }

        return TimeSpan.FromMilliseconds(Math.Ceiling(ttl.TotalMilliseconds));
    }

    private async ValueTask<T?> GetCoreAsync<T>(string key, CancellationToken cancellationToken) =>
        (await TryGetCoreAsync<T>(key, cancellationToken).ConfigureAwait(false)).Value;

    private async ValueTask<CacheLookup<T>> TryGetCoreAsync<T>(string key, CancellationToken cancellationToken)
    {
        CacheLookup<T> lookup = await ReadAsync<T>(key, Stopwatch.GetTimestamp(), cancellationToken).ConfigureAwait(false);
        _counter.Lookup(key, lookup.Found);
        return lookup;
    }

    /// <summary>SET of a payload; UNLINK instead when the value could not be serialized (<paramref name="payload"/> null).</summary>
    private async ValueTask SetCoreAsync(string key, byte[]? payload, TimeSpan? expiry, CancellationToken cancellationToken)
    {
        bool stored = await _operations.RunAsync(
            payload is null ? "UNLINK" : "SET",
            key,
            async (database, started) =>
            {
                Task<bool> sent;
                lock (_gate)
                {
                    _flights.DetachLocked(key); // a write of the key wins over a factory running for it
                    sent = payload is null
                        ? database.KeyDeleteAsync(_keys.Of(key))
                        : database.StringSetAsync(_keys.Of(key), payload, expiry, When.Always);
                }

                await _operations.Within(sent, started, cancellationToken).ConfigureAwait(false);
                return payload is not null;
            },
            fallback: false,
            cancellationToken).ConfigureAwait(false);
        if (stored)
        {
            _counter.Stored();
        }
    }

    // EXISTS does not touch the key's LRU clock: a peek, as the contract asks.
    private ValueTask<bool> ExistsCoreAsync(string key, CancellationToken cancellationToken) =>
        _operations.RunAsync(
            "EXISTS",
            key,
            async (database, started) => await _operations.Within(database.KeyExistsAsync(_keys.Of(key)), started, cancellationToken).ConfigureAwait(false),
            fallback: false,
            cancellationToken);

    private async ValueTask<bool> RemoveCoreAsync(string key, CancellationToken cancellationToken)
    {
        // Redis deletes an expired key when it is looked up, so UNLINK answers 1 only for a live entry.
        bool removed = await _operations.RunAsync(
            "UNLINK",
            key,
            async (database, started) =>
            {
                Task<bool> sent;
                lock (_gate)
                {
                    _flights.DetachLocked(key);
                    sent = database.KeyDeleteAsync(_keys.Of(key)); // UNLINK: the server frees the value off its main thread
                }

                return await _operations.Within(sent, started, cancellationToken).ConfigureAwait(false);
            },
            fallback: false,
            cancellationToken).ConfigureAwait(false);
        if (removed)
        {
            _counter.Removed();
        }

        return removed;
    }

    private async ValueTask ClearCoreAsync(CancellationToken cancellationToken) =>
        await PrefixClear.RunAsync(_operations, _keys, cancellationToken).ConfigureAwait(false);

    /// <summary>
    /// GET, and on a miss the factory, then SET NX (<see cref="LookupFlights"/>). One operation
    /// timeout budgets the run's Redis work, the GET and the SET together, so no caller waits for
    /// Redis longer than one timeout; the factory's own run time is the callers' (the budget's clock
    /// stops while it runs).
    /// </summary>
    private ValueTask<T> GetOrSetCoreAsync<T>(string key, Func<CancellationToken, ValueTask<T>> factory, TimeSpan? expiry, CancellationToken cancellationToken) =>
        _lookups.GetOrSetAsync(
            key,
            factory,
            async () =>
            {
                long started = Stopwatch.GetTimestamp();
                CacheLookup<T> lookup = await ReadAsync<T>(key, started, CancellationToken.None).ConfigureAwait(false);
                return (lookup, Stopwatch.GetTimestamp() - started);
            },
            (value, spent, flight) => StoreAsync(key, flight, value, expiry, Stopwatch.GetTimestamp() - spent),
            () => _disposed,
            this,
            cancellationToken);

    private static RedisCacheOptions Validate(RedisCacheOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        return options;
    }

    private static async Task<IConnectionMultiplexer> ConnectAsync(ConfigurationOptions configuration) =>
        await ConnectionMultiplexer.ConnectAsync(configuration).ConfigureAwait(false);

    /// <summary>GET and read back, within the operation timeout counted from <paramref name="started"/>. Counts nothing.</summary>
    private ValueTask<CacheLookup<T>> ReadAsync<T>(string key, long started, CancellationToken cancellationToken) =>
        _operations.RunAsync(
            "GET",
            key,
            started,
            async (database, started) =>
            {
                RedisKey redisKey = _keys.Of(key);
                RedisValue payload = await _operations.Within(database.StringGetAsync(redisKey), started, cancellationToken).ConfigureAwait(false);
                return _codec.Decode<T>(database, key, redisKey, payload);
            },
            fallback: default(CacheLookup<T>),
            cancellationToken);

    private TimeSpan? ExpiryOf(TimeSpan? ttl)
    {
        if (ttl is { } given)
        {
            CacheTtl.ThrowIfInvalid(given, nameof(ttl));
        }

        return ExpiryOf(ttl ?? _defaultTtl);
    }

    /// <summary>MGET: every value from one instant of the server. Counts one hit or miss a key.</summary>
    private async ValueTask<IReadOnlyDictionary<string, T>> GetManyCoreAsync<T>(string[] keys, CancellationToken cancellationToken)
    {
        var found = new Dictionary<string, T>(keys.Length, StringComparer.Ordinal);
        if (keys.Length == 0)
        {
            return found;
        }

        RedisKey[] redisKeys = Array.ConvertAll(keys, _keys.Of);
        (IDatabase? database, RedisValue[] payloads) = await _operations.RunAsync(
            "MGET",
            keys[0],
            async (database, started) => ((IDatabase?)database, await _operations.Within(database.StringGetAsync(redisKeys), started, cancellationToken).ConfigureAwait(false)),
            fallback: (null, new RedisValue[keys.Length]),
            cancellationToken).ConfigureAwait(false);
        for (int i = 0; i < keys.Length; i++)
        {
            CacheLookup<T> lookup = database is null ? default : _codec.Decode<T>(database, keys[i], redisKeys[i], payloads[i]);
            if (lookup.Found)
            {
                found[keys[i]] = lookup.Value!;
            }

            _counter.Lookup(keys[i], lookup.Found);
        }

        return found;
    }

    /// <summary>One MULTI/EXEC of a SET an item (an UNLINK for an item that could not be serialized): the server applies all of them or none.</summary>
    private async ValueTask SetManyCoreAsync(string[] keys, byte[]?[] payloads, TimeSpan? expiry, CancellationToken cancellationToken)
    {
        if (keys.Length == 0)
        {
            return;
        }

        bool applied = await _operations.RunAsync(
            "MULTI/SET/EXEC",
            keys[0],
            async (database, started) =>
            {
                ITransaction transaction = database.CreateTransaction();
                var queued = new Task[keys.Length];
                Task<bool> sent;
                lock (_gate)
                {
                    for (int i = 0; i < keys.Length; i++)
                    {
                        _flights.DetachLocked(keys[i]);
                        queued[i] = payloads[i] is { } payload
                            ? transaction.StringSetAsync(_keys.Of(keys[i]), payload, expiry, When.Always)
                            : transaction.KeyDeleteAsync(_keys.Of(keys[i]));
                    }

                    sent = transaction.ExecuteAsync();
                }

                // The queued commands complete with the transaction; their own outcome is its outcome.
                _ = Task.WhenAll(queued).ContinueWith(static all => _ = all.Exception, CancellationToken.None, TaskContinuationOptions.OnlyOnFaulted | TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
                return await _operations.Within(sent, started, cancellationToken).ConfigureAwait(false);
            },
            fallback: false,
            cancellationToken).ConfigureAwait(false);
        if (applied)
        {
            _counter.Stored(payloads.Count(static payload => payload is not null));
        }
    }

    /// <summary>One UNLINK of every key; Redis answers how many live keys it removed.</summary>
    private async ValueTask<int> RemoveManyCoreAsync(string[] keys, CancellationToken cancellationToken)
    {
        if (keys.Length == 0)
        {
            return 0;
        }

        long removed = await _operations.RunAsync(
            "UNLINK",
            keys[0],
            async (database, started) =>
            {
                Task<long> sent;
                lock (_gate)
                {
                    foreach (string key in keys)
                    {
                        _flights.DetachLocked(key);
                    }

                    sent = database.KeyDeleteAsync(Array.ConvertAll(keys, _keys.Of));
                }

                return await _operations.Within(sent, started, cancellationToken).ConfigureAwait(false);
            },
            fallback: 0L,
            cancellationToken).ConfigureAwait(false);
        _counter.Removed(removed);
        return (int)removed;
    }

    /// <summary>
    /// Stores a factory's value if its run is still registered (no newer write from this process),
    /// and only if the key is still absent on the server (no newer write from another process),
    /// within what the run's GET left of the operation timeout (counted from <paramref name="started"/>).
    /// </summary>
    private async Task StoreAsync<T>(string key, Flight flight, T value, TimeSpan? expiry, long started)
    {
        if (_codec.EncodeMade(key, value) is not { } payload)
        {
            return;
        }

        if (Stopwatch.GetElapsedTime(started) >= _operations.Timeout)
        {
            // The GET spent the whole budget (a stalled server, most likely): the callers get the
            // value now, unstored, and nothing more is queued on a server that does not answer.
            RedisCacheLog.OperationFailed(_logger, "SET NX", key, new TimeoutException("The lookup spent the operation timeout; the value was not stored."));
            return;
        }

        bool stored = await _operations.RunAsync(
            "SET NX",
            key,
            started,
            async (database, started) =>
            {
                Task<bool> sent;
                lock (_gate)
                {
                    if (!_flights.IsRegisteredLocked(key, flight))
                    {
                        return false;
                    }

                    sent = database.StringSetAsync(_keys.Of(key), payload, expiry, When.NotExists);
                }

                return await _operations.Within(sent, started, CancellationToken.None).ConfigureAwait(false);
            },
            fallback: false,
            CancellationToken.None).ConfigureAwait(false);
        if (stored)
        {
            _counter.Stored();
        }
    }

    private void ThrowIfUnusable(string key, CancellationToken cancellationToken) =>
        RequestGuard.ThrowIfUnusable(key, _disposed, this, cancellationToken);

    private void ThrowIfUnusable(CancellationToken cancellationToken) =>
        RequestGuard.ThrowIfUnusable(_disposed, this, cancellationToken);
}
