namespace Cache.Async.Recording;

/// <summary>What a trace record says happened.</summary>
internal enum TraceOperation : byte
{
    /// <summary>A lookup (Get, TryGet, GetOrSet, one key of GetMany): the core's Get.</summary>
    Lookup = 1,

    /// <summary>A lookup that found a value of another type: a miss that changes nothing.</summary>
    WrongTypeLookup = 2,

    /// <summary>A value stored (Set, GetOrSet's factory, one item of SetMany).</summary>
    Set = 3,

    /// <summary>A Remove (or one key of RemoveMany).</summary>
    Remove = 4,

    /// <summary>A Clear.</summary>
    Clear = 5,

    /// <summary>
    /// A lookup that stores on a miss, with the default TTL (cache-aside). Plain text traces of one
    /// key per line replay as these; the recorder writes the lookup and the store separately.
    /// </summary>
    LookupOrSet = 6,

    /// <summary>
    /// Not an access: the recorder lost records here because its stream did not keep up. The key
    /// hash field holds how many; a replay counts them and is approximate from then on.
    /// </summary>
    Lost = 7,
}

/// <summary>
/// One access in a trace: the operation, a 64-bit hash of the key (keys themselves are not
/// recorded), the time on the cache's monotonic timeline, and for a Set its TTL.
/// </summary>
/// <param name="Operation">What happened.</param>
/// <param name="KeyHash">XxHash64 of the key's UTF-16 code units; 0 for Clear.</param>
/// <param name="Time">Elapsed since the cache was created.</param>
/// <param name="Ttl">A Set's TTL; null for the cache's default TTL (so a replay can try other defaults).</param>
internal readonly record struct TraceRecord(TraceOperation Operation, ulong KeyHash, TimeSpan Time, TimeSpan? Ttl);
