using System.Diagnostics.CodeAnalysis;
using System.Diagnostics.Metrics;
using System.Numerics;
using System.Runtime.CompilerServices;
using Cache.Async;
using Cache.Core;
using Cache.Memcached.Cluster;
using Cache.Memcached.Keys;
using Cache.Memcached.Protocol;
using Cache.Shared;
using Cache.Shared.Remote;
using Cache.Shared.SingleFlight;
using Cache.Shared.Telemetry;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Cache.Memcached;

/// <summary>
/// The <see cref="ICache"/> contract on memcached, through its meta protocol, over one or several
/// servers. Keys spread over the servers by consistent hashing; capacity and recency are each
/// server's (its memory limit and its segmented LRU); TTLs are whole seconds, rounded up.
/// </summary>
/// <remarks>
/// <para>
/// Server trouble never reaches the caller: a refused connection, a dead or stalled server is
/// logged at Warning and answered as a miss / false within
/// <see cref="MemcachedCacheOptions.OperationTimeout"/>. A server that fails is down for a backoff
/// (100 ms doubling to 2 s), during which its keys miss at once; only its own share of the keys is
/// lost, and it serves again within about 2 s of coming back. Argument errors, cancellation and use
/// after Dispose throw as on every backend.
/// </para>
/// <para>
/// Clear moves on the prefix's namespace generation on every server (a counter stored there, part
/// of every key), so every entry from before it is out of reach at once and memcached's LRU reclaims
/// the memory. Every request carries a read of the generation in the same round trip, so a Clear
/// from any process is seen by the next operation of every other.
/// </para>
/// </remarks>
public sealed partial class MemcachedCache : ICache, IDisposable, IAsyncDisposable
{
    /// <summary>
    /// The name of the meter every memcached cache reports to, for a <c>MeterListener</c> or
    /// OpenTelemetry's <c>AddMeter</c>. Each measurement carries the tags <c>cache.name</c> (the
    /// options' <see cref="MemcachedCacheOptions.Name"/>) and <c>cache.backend</c> (<c>memcached</c>).
    /// </summary>
    public const string MeterName = "ExactCache.Memcached";

    // memcached reads an expiry above 30 days as a Unix time, and keeps its clock in 32 bits.
    private const long MaxRelativeExpirySeconds = 60 * 60 * 24 * 30;
    private const int MaxInFlightPerConnection = 512;

    private readonly ServerNode[] _nodes;
    private readonly HashRing<ServerNode> _ring;
    private readonly WireKeys _keys;
    private readonly TimeSpan _defaultTtl;
    private readonly TimeSpan _timeout;
    private readonly TimeProvider _time;
    private readonly ValueCodec _codec;
    private readonly ILogger _logger;
    private readonly CacheMetrics _metrics;

    // Orders a write's request after the check that detaches a running factory (see Admission).
    private readonly Lock _gate = new();
    private readonly FlightTable _flights;

    private readonly RequestCounter _counter;
    private readonly LookupFlights _lookups;
    private volatile bool _disposed;

    /// <summary>Creates a cache on the servers of <paramref name="options"/>. Nothing connects until the first request.</summary>
    /// <param name="options">The servers, prefix, default TTL, timeout, pool size and serializer.</param>
    /// <param name="timeProvider">
    /// The clock of timeouts and backoffs, and the wall clock that TTLs past 30 days are counted
    /// from (memcached takes those as Unix times, so it must agree with the servers' clocks);
    /// <see cref="TimeProvider.System"/> when null.
    /// </param>
    /// <param name="logger">Where hits and misses (Debug) and failures (Warning) go; null for none.</param>
    /// <exception cref="ArgumentNullException"><paramref name="options"/>, its server list, a server or its serializer is null.</exception>
    /// <exception cref="ArgumentException">No server, a server that is not <c>host:port</c> or is named twice, an empty name, an empty or too long prefix.</exception>
    /// <exception cref="ArgumentOutOfRangeException">DefaultTtl or OperationTimeout is zero or negative (DefaultTtl may be infinite), or ConnectionsPerServer is outside 1 to 64.</exception>
    public MemcachedCache(MemcachedCacheOptions options, TimeProvider? timeProvider = null, ILogger<MemcachedCache>? logger = null)
        : this(options, timeProvider, logger, meterFactory: null)
    {
    }

    internal MemcachedCache(MemcachedCacheOptions options, TimeProvider? timeProvider, ILogger? logger, IMeterFactory? meterFactory)
    {
        ArgumentNullException.ThrowIfNull(options);
        IReadOnlyList<ServerAddress> servers = options.ThrowIfInvalid();
        _time = timeProvider ?? TimeProvider.System;
        _keys = new WireKeys(options.KeyPrefix);
        _defaultTtl = options.DefaultTtl;
        _timeout = options.OperationTimeout;
        _logger = logger ?? NullLogger.Instance;
        _codec = new ValueCodec(options.Serializer, _logger);
        _flights = new FlightTable(_gate);
        _nodes = [.. servers.Select(address => new ServerNode(address, options.ConnectionsPerServer, MaxInFlightPerConnection, options.OperationTimeout, _time))];
        _ring = new HashRing<ServerNode>([.. _nodes.Select(static node => (node.Address.ToString(), node))]);
        _metrics = new CacheMetrics(meterFactory, MeterName, options.Name, "memcached", entries: null);
        _counter = new RequestCounter(_metrics, _logger);
        _lookups = new LookupFlights(_flights, _counter, _logger);
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
    /// A value the serializer cannot write, or one larger than the server's item size limit
    /// (memcached's <c>-I</c>, 1 MB by default), is an operational failure, not an exception: it is
    /// logged at Warning (event 13 or 14), nothing is stored, and the key's older value is removed,
    /// so it cannot be read as if this Set had not happened.
    /// </remarks>
    public ValueTask SetAsync<T>(string key, T value, TimeSpan? ttl = null, CancellationToken cancellationToken = default)
    {
        ThrowIfUnusable(key, cancellationToken);
        long expiry = ExpiryOf(ttl);
        return SetCoreAsync(key, _codec.EncodeSet(key, value), expiry, cancellationToken);
    }

    /// <inheritdoc/>
    /// <remarks>A peek: memcached's <c>mg</c> with flag <c>u</c>, which leaves the item's place in the LRU as it is.</remarks>
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
    /// Moves the prefix's namespace generation on, on every server at once: entries under other
    /// prefixes, and other data on the servers, are untouched. A server that cannot be reached is
    /// logged; this process moves its generation on before its next request there, so no entry from
    /// before the Clear is read through this cache (other processes see it when that server's
    /// memory is gone or the move is made).
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
    /// <remarks>The factory's value is stored with memcached's add (<c>ms</c> mode E): a value another process wrote meanwhile wins.</remarks>
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
    /// <remarks>One pipeline of quiet <c>mg</c>s closed by <c>mn</c> a connection the keys map to, all sent at once: one round trip.</remarks>
    public ValueTask<IReadOnlyDictionary<string, T>> GetManyAsync<T>(IEnumerable<string> keys, CancellationToken cancellationToken = default)
    {
        string[] batch = BatchArguments.Keys(keys);
        ThrowIfUnusable(cancellationToken);
        return GetManyCoreAsync<T>(batch, cancellationToken);
    }

    /// <inheritdoc/>
    /// <remarks>
    /// One pipeline of <c>ms</c>s a connection the keys map to. memcached has no transactions, so a
    /// batch over several servers can be stored in part when one of them fails (logged). An item
    /// that cannot be stored is what its own Set would be.
    /// </remarks>
    public ValueTask SetManyAsync<T>(IEnumerable<KeyValuePair<string, T>> items, TimeSpan? ttl = null, CancellationToken cancellationToken = default)
    {
        KeyValuePair<string, T>[] batch = BatchArguments.Items(items);
        ThrowIfUnusable(cancellationToken);
        long expiry = ExpiryOf(ttl);
        byte[]?[] payloads = Array.ConvertAll(batch, item => _codec.EncodeSet(item.Key, item.Value));
        return SetManyCoreAsync(Array.ConvertAll(batch, static item => item.Key), payloads, expiry, cancellationToken);
    }

    /// <inheritdoc/>
    /// <remarks>One pipeline of <c>md</c>s a connection the keys map to.</remarks>
    public ValueTask<int> RemoveManyAsync(IEnumerable<string> keys, CancellationToken cancellationToken = default)
    {
        string[] batch = BatchArguments.Keys(keys);
        ThrowIfUnusable(cancellationToken);
        return RemoveManyCoreAsync(batch, cancellationToken);
    }

    /// <inheritdoc/>
    /// <remarks>
    /// Hits, misses, sets and removals are counted by this client. Evictions, expirations and entry
    /// counts are the servers' (<c>stats</c>), for every client at once, so they are 0 here; MaxSize
    /// is 0, as capacity is the servers' memory limit.
    /// </remarks>
    public ValueTask<CacheStats> GetStatsAsync(CancellationToken cancellationToken = default)
    {
        ThrowIfUnusable(cancellationToken);
        return new(_counter.Stats());
    }

    /// <summary>Cancels running factories and closes every connection. Later calls throw <see cref="ObjectDisposedException"/>.</summary>
    public void Dispose() => DisposeAsync().AsTask().GetAwaiter().GetResult();

    /// <inheritdoc cref="Dispose"/>
    /// <returns>A task that completes when the connections are closed.</returns>
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
        foreach (ServerNode node in _nodes)
        {
            await node.DisposeAsync().ConfigureAwait(false);
        }
    }

    /// <summary>
    /// memcached's expiry of a TTL: 0 (none) for infinite; otherwise whole seconds, rounded up, as
    /// themselves up to 30 days and as a Unix time beyond; 0 when that time is past memcached's
    /// 32-bit clock (2038), which cannot hold it.
    /// </summary>
    internal static long ExpiryOf(TimeSpan ttl, DateTimeOffset now)
    {
        if (ttl == Timeout.InfiniteTimeSpan)
        {
            return 0;
        }

        long seconds = (ttl.Ticks / TimeSpan.TicksPerSecond) + (ttl.Ticks % TimeSpan.TicksPerSecond > 0 ? 1 : 0);
        if (seconds <= MaxRelativeExpirySeconds)
        {
            return seconds;
        }

        long at = now.ToUnixTimeSeconds() + seconds;
        return at is > 0 and <= int.MaxValue ? at : 0;
    }

    private static void ThrowIfBad(MetaReply[] replies, int expected)
    {
        if (replies.Length < expected)
        {
            throw new InvalidDataException($"memcached answered {replies.Length} of {expected} replies: {replies.LastOrDefault().Message}");
        }
    }

    private static ulong GenerationOf(MetaReply reply)
    {
        if (reply.Status != MetaStatus.Value || !System.Buffers.Text.Utf8Parser.TryParse(reply.Value.Span, out ulong generation, out int read) || read != reply.Value.Length)
        {
            throw new InvalidDataException($"memcached answered the generation with {reply.Status} {reply.Message}.");
        }

        return generation;
    }

    /// <summary>A generation for a prefix the server does not know (yet, or any more): random, so it is none from before.</summary>
    private static ulong NewGeneration() => (ulong)Random.Shared.NextInt64(long.MaxValue / 2);

    private long ExpiryOf(TimeSpan? ttl)
    {
        if (ttl is { } given)
        {
            CacheTtl.ThrowIfInvalid(given, nameof(ttl));
        }

        return ExpiryOf(ttl ?? _defaultTtl, _time.GetUtcNow());
    }

    private long Deadline() => _time.GetTimestamp() + (long)(_timeout.TotalSeconds * _time.TimestampFrequency);

    private (ServerNode Node, int Slot) Route(CacheKey key)
    {
        ServerNode node = _ring.Locate(key.RingHash);

        // The key's own connection of the pool, from bits the ring's choice did not use up: one key's
        // requests keep their order on the wire.
        return (node, (int)(BitOperations.RotateRight(key.RingHash, 16) % (uint)node.Connections));
    }

    /// <summary>
    /// Sends the commands <paramref name="build"/> writes for the generation it is given, after a
    /// read of the server's generation in the same round trip. When the generation moved on (a Clear
    /// from anywhere), the commands are sent again under the new one, once: that one was current
    /// during this call, so the answer is one the call may give. Returns the commands' replies.
    /// </summary>
    /// <remarks>
    /// With <paramref name="only"/>, the commands go under that generation alone, and the call answers
    /// null when the generation moved on (a factory's store, which must not outlive a Clear since its lookup).
    /// <paramref name="used"/> receives the generation the answer is under.
    /// </remarks>
    private async Task<MetaReply[]?> ExchangeAsync(ServerNode node, int slot, Action<MetaRequest, ulong> build, Admission? admission, long deadline, CancellationToken cancellationToken, ulong? only = null, StrongBox<ulong>? used = null)
    {
        ulong generation = only ?? node.Generation ?? await node.LearnGenerationAsync(async clearing =>
        {
            // Moves the generation on when a Clear is owed; reads it (creating it when missing) otherwise.
            MetaReply[] first = (await node.SendAsync(new MetaRequest().Increment(_keys.GenerationKey, NewGeneration(), clearing ? 1UL : 0UL, 0), slot, null, deadline, CancellationToken.None).ConfigureAwait(false))!;
            ThrowIfBad(first, 1);
            return GenerationOf(first[0]);
        }).WaitAsync(cancellationToken).ConfigureAwait(false);

        for (int attempt = 0; ; attempt++)
        {
            var request = new MetaRequest().Increment(_keys.GenerationKey, NewGeneration(), 0, 0);
            build(request, generation);
            request.CloseIfQuiet();
            MetaReply[]? replies = await node.SendAsync(request, slot, admission, deadline, cancellationToken).ConfigureAwait(false);
            if (replies is null)
            {
                return null;
            }

            ThrowIfBad(replies, request.EndsWithNoop ? 1 : request.Replies);
            ulong current = GenerationOf(replies[0]);
            node.Observe(current);
            if (only is not null && current != generation)
            {
                return null;
            }

            if (current == generation || attempt == 1)
            {
                if (used is not null)
                {
                    used.Value = generation;
                }

                return replies[1..];
            }

            generation = current;
        }
    }

    /// <summary>Runs an operation; server trouble is logged as <paramref name="command"/> of <paramref name="key"/> and answered with <paramref name="fallback"/>.</summary>
    private async ValueTask<TResult> RunAsync<TResult>(string command, string key, Func<Task<TResult>> operation, TResult fallback, CancellationToken cancellationToken)
    {
        try
        {
            return await operation().ConfigureAwait(false);
        }
        catch (Exception exception) when (!(exception is OperationCanceledException && cancellationToken.IsCancellationRequested))
        {
            // A call under way when the cache is disposed meets closed connections: a miss, as in RedisCache.
            MemcachedCacheLog.OperationFailed(_logger, command, key, exception);
            return fallback;
        }
    }

    private async ValueTask<T?> GetCoreAsync<T>(string key, CancellationToken cancellationToken) =>
        (await TryGetCoreAsync<T>(key, cancellationToken).ConfigureAwait(false)).Value;

    private async ValueTask<CacheLookup<T>> TryGetCoreAsync<T>(string key, CancellationToken cancellationToken)
    {
        CacheLookup<T> lookup = await ReadAsync<T>(key, Deadline(), cancellationToken).ConfigureAwait(false);
        _counter.Lookup(key, lookup.Found);
        return lookup;
    }

    /// <summary>mg and read back, before <paramref name="deadline"/>; <paramref name="used"/> receives the generation read under. Counts nothing.</summary>
    private ValueTask<CacheLookup<T>> ReadAsync<T>(string key, long deadline, CancellationToken cancellationToken, StrongBox<ulong>? used = null) =>
        RunAsync(
            "mg",
            key,
            async () =>
            {
                CacheKey cacheKey = WireKeys.Of(key);
                (ServerNode node, int slot) = Route(cacheKey);
                byte[] wire = [];
                MetaReply[] replies = (await ExchangeAsync(node, slot, (request, generation) => request.Get(wire = _keys.Of(cacheKey, generation), 1), null, deadline, cancellationToken, used: used).ConfigureAwait(false))!;
                return Decode<T>(cacheKey, replies[0], node, slot, wire);
            },
            default(CacheLookup<T>),
            cancellationToken);

    /// <summary>A reply's value as a <typeparamref name="T"/>: a miss when absent, another key's, or unreadable (then deleted, only while unchanged).</summary>
    private CacheLookup<T> Decode<T>(CacheKey key, MetaReply reply, ServerNode node, int slot, byte[] wire)
    {
        if (reply.Status != MetaStatus.Value || !EntryPayload.TryRead(key, reply.ClientFlags, reply.Value, out ReadOnlyMemory<byte> value))
        {
            return default;
        }

        if (_codec.TryDecode(key.Key, value.Span, out CacheLookup<T> lookup))
        {
            return lookup;
        }

        // md with the CAS value read: a newer write that landed meanwhile is never deleted.
        _ = node.SendAsync(new MetaRequest().Delete(wire, 0, reply.Cas), slot, null, Deadline(), CancellationToken.None)
            .ContinueWith(static task => _ = task.Exception, CancellationToken.None, TaskContinuationOptions.OnlyOnFaulted | TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
        return default;
    }

    /// <summary>ms of a payload; md instead when the value could not be serialized (<paramref name="value"/> null).</summary>
    private async ValueTask SetCoreAsync(string key, byte[]? value, long expiry, CancellationToken cancellationToken)
    {
        bool stored = await RunAsync(
            value is null ? "md" : "ms",
            key,
            async () =>
            {
                CacheKey cacheKey = WireKeys.Of(key);
                (ServerNode node, int slot) = Route(cacheKey);
                long deadline = Deadline();
                Admission detach = Detaching([key]);
                MetaReply[] replies = (await ExchangeAsync(node, slot, (request, generation) => Write(request, cacheKey, generation, value, expiry, add: false, 1), detach, deadline, cancellationToken).ConfigureAwait(false))!;
                return await StoredAsync(cacheKey, replies[0], node, slot, value, deadline, cancellationToken).ConfigureAwait(false);
            },
            false,
            cancellationToken).ConfigureAwait(false);
        if (stored)
        {
            _counter.Stored();
        }
    }

    /// <summary>Writes an ms of <paramref name="value"/> (an md when null) under the generation.</summary>
    private void Write(MetaRequest request, CacheKey key, ulong generation, byte[]? value, long expiry, bool add, int opaque)
    {
        byte[] wire = _keys.Of(key, generation);
        if (value is null)
        {
            request.Delete(wire, opaque);
            return;
        }

        (byte[] payload, uint flags) = EntryPayload.Of(key, _keys.IsHashed(key), value);
        request.Set(wire, payload, flags, expiry, add, opaque);
    }

    /// <summary>
    /// Whether an ms stored its value. A refusal (an item over the server's size limit, memory the
    /// server could not find) is logged, and the key's older value is removed, so no stale value is
    /// read as if the write had not happened.
    /// </summary>
    private async Task<bool> StoredAsync(CacheKey key, MetaReply reply, ServerNode node, int slot, byte[]? value, long deadline, CancellationToken cancellationToken)
    {
        if (reply.Status != MetaStatus.ServerError)
        {
            return value is not null && reply.Status == MetaStatus.Done;
        }

        MemcachedCacheLog.NotStored(_logger, key.Key, reply.Message ?? "SERVER_ERROR");
        Admission detach = Detaching([key.Key]);
        _ = await ExchangeAsync(node, slot, (request, generation) => request.Delete(_keys.Of(key, generation), 1), detach, deadline, cancellationToken).ConfigureAwait(false);
        return false;
    }

    private ValueTask<bool> ExistsCoreAsync(string key, CancellationToken cancellationToken) =>
        RunAsync(
            "mg",
            key,
            async () =>
            {
                CacheKey cacheKey = WireKeys.Of(key);
                (ServerNode node, int slot) = Route(cacheKey);
                bool hashed = _keys.IsHashed(cacheKey);

                // A key sent as its hash is checked against the key its entry holds, which needs the value.
                MetaReply[] replies = (await ExchangeAsync(
                    node,
                    slot,
                    (request, generation) =>
                    {
                        byte[] wire = _keys.Of(cacheKey, generation);
                        _ = hashed ? request.Get(wire, 1, peek: true) : request.Peek(wire, 1);
                    },
                    null,
                    Deadline(),
                    cancellationToken).ConfigureAwait(false))!;
                return hashed
                    ? replies[0].Status == MetaStatus.Value && EntryPayload.TryRead(cacheKey, replies[0].ClientFlags, replies[0].Value, out _)
                    : replies[0].Status == MetaStatus.Done;
            },
            false,
            cancellationToken);

    private async ValueTask<bool> RemoveCoreAsync(string key, CancellationToken cancellationToken)
    {
        bool removed = await RunAsync(
            "md",
            key,
            async () =>
            {
                CacheKey cacheKey = WireKeys.Of(key);
                (ServerNode node, int slot) = Route(cacheKey);
                Admission detach = Detaching([key]);
                MetaReply[] replies = (await ExchangeAsync(node, slot, (request, generation) => request.Delete(_keys.Of(cacheKey, generation), 1), detach, Deadline(), cancellationToken).ConfigureAwait(false))!;
                return replies[0].Status == MetaStatus.Done;
            },
            false,
            cancellationToken).ConfigureAwait(false);
        if (removed)
        {
            _counter.Removed();
        }

        return removed;
    }

    /// <summary>ma of the generation, +1, on every server at once; a server that fails owes the Clear (see <see cref="ServerNode.OweClear"/>).</summary>
    private async ValueTask ClearCoreAsync(CancellationToken cancellationToken)
    {
        long deadline = Deadline();
        await Task.WhenAll(_nodes.Select(async node =>
        {
            int owed = node.Owed;
            bool cleared = false;
            try
            {
                cleared = await RunAsync(
                    "ma (Clear)",
                    node.Address.ToString(),
                    async () =>
                    {
                        MetaReply[] replies = (await node.SendAsync(new MetaRequest().Increment(_keys.GenerationKey, NewGeneration(), 1, 0), 0, null, deadline, cancellationToken).ConfigureAwait(false))!;
                        ThrowIfBad(replies, 1);
                        node.Observe(GenerationOf(replies[0]), settles: owed);
                        return true;
                    },
                    false,
                    cancellationToken).ConfigureAwait(false);
            }
            finally
            {
                // Failed, or cancelled by the caller before the server answered: owed either way, so
                // a Clear is never left done on some servers and forgotten on others.
                if (!cleared)
                {
                    node.OweClear();
                }
            }
        })).ConfigureAwait(false);
    }

    /// <summary>
    /// mg, and on a miss the factory, then an add under the generation the mg saw
    /// (<see cref="LookupFlights"/>). One operation timeout budgets the run's server work, the lookup
    /// and the store together; the factory's run time is the callers'.
    /// </summary>
    private ValueTask<T> GetOrSetCoreAsync<T>(string key, Func<CancellationToken, ValueTask<T>> factory, long expiry, CancellationToken cancellationToken) =>
        _lookups.GetOrSetAsync(
            key,
            factory,
            async () =>
            {
                long started = _time.GetTimestamp();
                var under = new StrongBox<ulong>();
                CacheLookup<T> lookup = await ReadAsync<T>(key, Deadline(), CancellationToken.None, under).ConfigureAwait(false);
                return (lookup, (Spent: _time.GetElapsedTime(started), Generation: under.Value));
            },
            (value, read, flight) => StoreAsync(key, flight, value, expiry, read.Spent, read.Generation),
            () => _disposed,
            this,
            cancellationToken);

    /// <summary>
    /// Stores a factory's value with add, if its run is still registered (no newer write from this
    /// process), the key is still absent (no newer write from another) and the generation is the
    /// lookup's (no Clear from anywhere since), within what the lookup left of the operation timeout.
    /// </summary>
    private async Task StoreAsync<T>(string key, Flight flight, T value, long expiry, TimeSpan spent, ulong generation)
    {
        if (_codec.EncodeMade(key, value) is not { } payload)
        {
            return;
        }

        if (spent >= _timeout)
        {
            MemcachedCacheLog.OperationFailed(_logger, "ms (add)", key, new TimeoutException("The lookup spent the operation timeout; the value was not stored."));
            return;
        }

        long deadline = Deadline() - (long)(spent.TotalSeconds * _time.TimestampFrequency);
        bool stored = await RunAsync(
            "ms (add)",
            key,
            async () =>
            {
                CacheKey cacheKey = WireKeys.Of(key);
                (ServerNode node, int slot) = Route(cacheKey);
                var registered = new Admission(_gate, () => _flights.IsRegisteredLocked(key, flight));
                // Under the generation of the lookup only: a Clear from anywhere since then wins.
                MetaReply[]? replies = await ExchangeAsync(node, slot, (request, under) => Write(request, cacheKey, under, payload, expiry, add: true, 1), registered, deadline, CancellationToken.None, only: generation).ConfigureAwait(false);
                return replies is not null && await StoredAsync(cacheKey, replies[0], node, slot, payload, deadline, CancellationToken.None).ConfigureAwait(false);
            },
            false,
            CancellationToken.None).ConfigureAwait(false);
        if (stored)
        {
            _counter.Stored();
        }
    }

    /// <summary>A write's admission: it detaches running factories of its keys, so their values are not stored over it.</summary>
    private Admission Detaching(IEnumerable<string> keys) => new(_gate, () =>
    {
        foreach (string key in keys)
        {
            _flights.DetachLocked(key);
        }

        return true;
    });

    private void ThrowIfUnusable(string key, CancellationToken cancellationToken) =>
        RequestGuard.ThrowIfUnusable(key, _disposed, this, cancellationToken);

    private void ThrowIfUnusable(CancellationToken cancellationToken) =>
        RequestGuard.ThrowIfUnusable(_disposed, this, cancellationToken);
}
