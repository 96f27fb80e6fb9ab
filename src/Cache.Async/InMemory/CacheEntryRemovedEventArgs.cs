using Cache.Core;

namespace Cache.Async;

/// <summary>An entry that left an <see cref="InMemoryCache"/>, and why.</summary>
public sealed class CacheEntryRemovedEventArgs : EventArgs
{
    internal CacheEntryRemovedEventArgs(string key, object? value, RemovalReason reason)
    {
        Key = key;
        Value = value;
        Reason = reason;
    }

    /// <summary>The entry's key.</summary>
    public string Key { get; }

    /// <summary>The value it held.</summary>
    public object? Value { get; }

    /// <summary>Why it left: Expired, Evicted, Removed, Replaced or Cleared.</summary>
    public RemovalReason Reason { get; }
}
