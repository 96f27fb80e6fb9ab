namespace Cache.Core;

/// <summary>Why an entry left the cache.</summary>
public enum RemovalReason
{
    /// <summary>Its deadline had passed.</summary>
    Expired,

    /// <summary>It was the least recently used live entry when room was needed.</summary>
    Evicted,

    /// <summary>A Remove of its key.</summary>
    Removed,

    /// <summary>A Set of its key stored a new value over it while it was live.</summary>
    Replaced,

    /// <summary>A Clear.</summary>
    Cleared,
}
