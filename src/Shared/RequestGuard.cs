namespace Cache.Shared;

/// <summary>
/// The checks every public operation of every backend makes before it does anything, in the
/// contract's order: the key, then the caller's token, then disposal. A programming error throws at
/// once, not when the returned task is awaited.
/// </summary>
internal static class RequestGuard
{
    /// <exception cref="ArgumentNullException"><paramref name="key"/> is null.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> is cancelled.</exception>
    /// <exception cref="ObjectDisposedException"><paramref name="disposed"/> is true.</exception>
    public static void ThrowIfUnusable(string key, bool disposed, object cache, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(key);
        ThrowIfUnusable(disposed, cache, cancellationToken);
    }

    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> is cancelled.</exception>
    /// <exception cref="ObjectDisposedException"><paramref name="disposed"/> is true.</exception>
    public static void ThrowIfUnusable(bool disposed, object cache, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        ObjectDisposedException.ThrowIf(disposed, cache);
    }
}
