using System.Diagnostics.CodeAnalysis;

namespace Cache.Async;

/// <summary>
/// <see cref="ICache.GetOrSetAsync{T}"/> for the factories .NET code already has: one that returns a
/// <see cref="Task{TResult}"/> (<c>ct =&gt; http.GetFromJsonAsync&lt;T&gt;(url, ct)</c>, a method
/// group, a <c>Func&lt;CancellationToken, Task&lt;T&gt;&gt;</c> variable), and one that takes no token.
/// </summary>
/// <remarks>
/// Each is the same operation as <see cref="ICache.GetOrSetAsync{T}"/>: the same single flight,
/// errors, cancellation and "a newer write wins" rules. An <c>async</c> lambda binds to the
/// interface's own <see cref="ValueTask{TResult}"/> form, which every backend implements, so no call
/// is ambiguous. These are extensions of <see cref="ICache"/>, so they also apply to a variable typed
/// <see cref="InMemoryCache"/> or any other backend.
/// </remarks>
public static class CacheFactoryExtensions
{
    /// <summary>
    /// The cached value of a key, or on a miss the value of a <see cref="Task{TResult}"/>-returning
    /// <paramref name="factory"/>, as <see cref="ICache.GetOrSetAsync{T}"/>.
    /// </summary>
    /// <typeparam name="T">The value type.</typeparam>
    /// <param name="cache">The cache.</param>
    /// <param name="key">The key.</param>
    /// <param name="factory">Makes the value on a miss; its token is cancelled when every waiting caller has given up.</param>
    /// <param name="ttl">The time to live of the stored value.</param>
    /// <param name="cancellationToken">Cancels this caller's wait.</param>
    /// <returns>The cached or made value.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="cache"/>, <paramref name="key"/> or <paramref name="factory"/> is null.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="ttl"/> is zero or negative and not infinite.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled.</exception>
    /// <exception cref="ObjectDisposedException">The cache was disposed.</exception>
    [SuppressMessage("ApiDesign", "RS0026:Do not add multiple public overloads with optional parameters", Justification = "The issue names these overloads; their first parameters differ in type, so no call is ambiguous and no optional parameter will be added to them later.")]
    public static ValueTask<T> GetOrSetAsync<T>(
        this ICache cache,
        string key,
        Func<CancellationToken, Task<T>> factory,
        TimeSpan? ttl = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(cache);
        ArgumentNullException.ThrowIfNull(factory);
        return cache.GetOrSetAsync(key, token => new ValueTask<T>(factory(token)), ttl, cancellationToken);
    }

    /// <summary>
    /// The cached value of a key, or on a miss the value of a <paramref name="factory"/> that takes no
    /// token, as <see cref="ICache.GetOrSetAsync{T}"/>.
    /// </summary>
    /// <typeparam name="T">The value type.</typeparam>
    /// <param name="cache">The cache.</param>
    /// <param name="key">The key.</param>
    /// <param name="factory">Makes the value on a miss.</param>
    /// <param name="ttl">The time to live of the stored value.</param>
    /// <param name="cancellationToken">Cancels this caller's wait.</param>
    /// <returns>The cached or made value.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="cache"/>, <paramref name="key"/> or <paramref name="factory"/> is null.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="ttl"/> is zero or negative and not infinite.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled.</exception>
    /// <exception cref="ObjectDisposedException">The cache was disposed.</exception>
    [SuppressMessage("ApiDesign", "RS0026:Do not add multiple public overloads with optional parameters", Justification = "The issue names these overloads; their first parameters differ in type, so no call is ambiguous and no optional parameter will be added to them later.")]
    public static ValueTask<T> GetOrSetAsync<T>(
        this ICache cache,
        string key,
        Func<Task<T>> factory,
        TimeSpan? ttl = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(cache);
        ArgumentNullException.ThrowIfNull(factory);
        return cache.GetOrSetAsync(key, _ => new ValueTask<T>(factory()), ttl, cancellationToken);
    }
}
