namespace Cache.Memcached.Protocol;

/// <summary>The status of a meta-protocol reply: its first token.</summary>
internal enum MetaStatus
{
    /// <summary><c>VA</c>: a hit, with the value.</summary>
    Value,

    /// <summary><c>HD</c>: success (a hit without the value, stored, deleted).</summary>
    Done,

    /// <summary><c>EN</c>: a miss.</summary>
    Miss,

    /// <summary><c>NF</c>: not found (delete, arithmetic).</summary>
    NotFound,

    /// <summary><c>NS</c>: not stored (add mode and the key exists).</summary>
    NotStored,

    /// <summary><c>EX</c>: the compare-and-swap value did not match.</summary>
    Exists,

    /// <summary><c>MN</c>: the end of a pipeline (the answer to <c>mn</c>).</summary>
    End,

    /// <summary><c>SERVER_ERROR</c>: the server could not do it (an item too large, out of memory).</summary>
    ServerError,

    /// <summary><c>CLIENT_ERROR</c> or <c>ERROR</c>: the server did not understand what it was sent.</summary>
    ClientError,
}
