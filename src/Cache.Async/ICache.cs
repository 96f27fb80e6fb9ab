namespace Cache.Async;

/// <summary>
/// A cache of values by string key with per-entry time to live. Every backend keeps one contract:
/// programming errors throw at once, operational failures are logged and answered as a miss, and
/// every lookup counts exactly one hit or miss.
/// </summary>
public interface ICache
{
    /// <summary>The value of a live entry, or the default of <typeparamref name="T"/> on a miss.</summary>
    /// <typeparam name="T">The type the value is read as; a value of another type is a miss, logged at Warning.</typeparam>
    /// <param name="key">The key.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The value, or the default on a miss. Use <see cref="TryGetAsync{T}"/> to tell a cached default from a miss.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="key"/> is null.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled.</exception>
    /// <exception cref="ObjectDisposedException">The cache was disposed.</exception>
    ValueTask<T?> GetAsync<T>(string key, CancellationToken cancellationToken = default);

    /// <summary>Looks a key up, telling a cached null or default from a miss.</summary>
    /// <typeparam name="T">The type the value is read as; a value of another type is a miss, logged at Warning.</typeparam>
    /// <param name="key">The key.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>Whether the key held a live entry of type <typeparamref name="T"/>, and its value.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="key"/> is null.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled.</exception>
    /// <exception cref="ObjectDisposedException">The cache was disposed.</exception>
    ValueTask<CacheLookup<T>> TryGetAsync<T>(string key, CancellationToken cancellationToken = default);

    /// <summary>Stores a value under a key, replacing any entry it held; the key becomes the most recently used.</summary>
    /// <typeparam name="T">The value type.</typeparam>
    /// <param name="key">The key.</param>
    /// <param name="value">The value; null is a value.</param>
    /// <param name="ttl">
    /// The time to live: null for the default, <see cref="Timeout.InfiniteTimeSpan"/> (or a TTL whose
    /// deadline would overflow) for never.
    /// </param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>A task that completes when the value is stored.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="key"/> is null.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="ttl"/> is zero or negative and not infinite.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled.</exception>
    /// <exception cref="ObjectDisposedException">The cache was disposed.</exception>
    ValueTask SetAsync<T>(string key, T value, TimeSpan? ttl = null, CancellationToken cancellationToken = default);

    /// <summary>Whether a key holds a live entry. A peek: it changes no recency and counts no hit or miss.</summary>
    /// <param name="key">The key.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>True when the key holds a live entry.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="key"/> is null.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled.</exception>
    /// <exception cref="ObjectDisposedException">The cache was disposed.</exception>
    ValueTask<bool> ExistsAsync(string key, CancellationToken cancellationToken = default);

    /// <summary>Removes a key's entry.</summary>
    /// <param name="key">The key.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>True only when a live entry was removed.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="key"/> is null.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled.</exception>
    /// <exception cref="ObjectDisposedException">The cache was disposed.</exception>
    ValueTask<bool> RemoveAsync(string key, CancellationToken cancellationToken = default);

    /// <summary>Removes every entry. The statistics' counters are kept.</summary>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>A task that completes when the cache is empty.</returns>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled.</exception>
    /// <exception cref="ObjectDisposedException">The cache was disposed.</exception>
    ValueTask ClearAsync(CancellationToken cancellationToken = default);

    /// <summary>
    /// The cached value of a key, or on a miss the value of <paramref name="factory"/>, stored with
    /// <paramref name="ttl"/>. Concurrent callers of one key share one run of the factory.
    /// </summary>
    /// <remarks>
    /// A factory exception reaches every caller waiting on that run and nothing is stored.
    /// A caller's cancellation ends that caller's wait, not the shared run; the factory's token is
    /// cancelled only when every waiting caller has given up or the cache is disposed. A Set,
    /// Remove or Clear of the key while the factory runs wins: the factory's value still goes to
    /// its waiters but is not stored over the newer write.
    /// </remarks>
    /// <typeparam name="T">The value type.</typeparam>
    /// <param name="key">The key.</param>
    /// <param name="factory">Makes the value on a miss.</param>
    /// <param name="ttl">The time to live of the stored value, as in <see cref="SetAsync{T}"/>.</param>
    /// <param name="cancellationToken">Cancels this caller's wait.</param>
    /// <returns>The cached or made value.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="key"/> or <paramref name="factory"/> is null.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="ttl"/> is zero or negative and not infinite.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled.</exception>
    /// <exception cref="ObjectDisposedException">The cache was disposed.</exception>
    ValueTask<T> GetOrSetAsync<T>(
        string key,
        Func<CancellationToken, ValueTask<T>> factory,
        TimeSpan? ttl = null,
        CancellationToken cancellationToken = default);

    /// <summary>
    /// Looks many keys up at once, from one consistent view: a concurrent batch write is seen whole
    /// or not at all. Counts one hit or miss a key, as that many Gets would.
    /// </summary>
    /// <typeparam name="T">The type the values are read as; a value of another type is a miss, logged at Warning.</typeparam>
    /// <param name="keys">The keys; a key asked for twice is looked up twice.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The keys that held a live entry of type <typeparamref name="T"/>, with their values.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="keys"/> or one of the keys is null.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled.</exception>
    /// <exception cref="ObjectDisposedException">The cache was disposed.</exception>
    ValueTask<IReadOnlyDictionary<string, T>> GetManyAsync<T>(IEnumerable<string> keys, CancellationToken cancellationToken = default);

    /// <summary>
    /// Stores many values at once, in order, as one atomic write: a concurrent reader sees all of
    /// the batch or none of it. Counts one set an item, as that many Sets would.
    /// </summary>
    /// <typeparam name="T">The value type.</typeparam>
    /// <param name="items">The keys and values; a key that comes twice ends with its last value.</param>
    /// <param name="ttl">The time to live of every item, as in <see cref="SetAsync{T}"/>.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>A task that completes when the batch is stored.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="items"/> or one of its keys is null; nothing is stored.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="ttl"/> is zero or negative and not infinite.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled.</exception>
    /// <exception cref="ObjectDisposedException">The cache was disposed.</exception>
    ValueTask SetManyAsync<T>(IEnumerable<KeyValuePair<string, T>> items, TimeSpan? ttl = null, CancellationToken cancellationToken = default);

    /// <summary>Removes many keys at once, as one atomic write.</summary>
    /// <param name="keys">The keys.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>How many live entries were removed.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="keys"/> or one of the keys is null; nothing is removed.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled.</exception>
    /// <exception cref="ObjectDisposedException">The cache was disposed.</exception>
    ValueTask<int> RemoveManyAsync(IEnumerable<string> keys, CancellationToken cancellationToken = default);

    /// <summary>The cache's statistics at one instant.</summary>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>Counters since the cache was created, and the entries stored now.</returns>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled.</exception>
    /// <exception cref="ObjectDisposedException">The cache was disposed.</exception>
    ValueTask<CacheStats> GetStatsAsync(CancellationToken cancellationToken = default);
}
