using Cache.Async;
namespace Cache.Redis;

/// <summary>Options of a <see cref="RedisCache"/>; mutable, for the options pattern.</summary>
public sealed class RedisCacheOptions
{
    /// <summary>
    /// The cache's name: the <c>cache.name</c> tag of its metrics, and the key it is registered under
    /// by <c>AddRedisCache(name, ...)</c>, which sets it. Not empty; default "default".
    /// </summary>
    public string Name { get; set; } = "default";

    /// <summary>
    /// A StackExchange.Redis configuration string, such as <c>"127.0.0.1:6379"</c> or
    /// <c>"redis.internal:6380,ssl=true,password=..."</c>. Required unless the cache is given a
    /// connection. The cache always connects with <c>abortConnect=false</c>, so a service starts
    /// while Redis is down and the cache recovers when it comes back.
    /// </summary>
    public string? Configuration { get; set; }

    /// <summary>
    /// Put before every key, so caches (and other data) can share a server: Clear touches only
    /// keys that start with it. Default <c>"cache:"</c>. It may not be empty, and two caches on
    /// one database should not use prefixes where one starts with the other.
    /// </summary>
    public string KeyPrefix { get; set; } = "cache:";

    /// <summary>The TTL of entries set without one. Default 1 hour; <see cref="Timeout.InfiniteTimeSpan"/> for never.</summary>
    public TimeSpan DefaultTtl { get; set; } = TimeSpan.FromHours(1);

    /// <summary>
    /// The longest a call waits for Redis (connecting included) before it is logged and answered
    /// as a miss / false. Default 1 second. It is one budget for all of a call's round trips:
    /// GetOrSet's lookup and store share it, and its factory's run time is not counted. Clear
    /// applies it to each round trip of its scan.
    /// </summary>
    public TimeSpan OperationTimeout { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>Turns values into bytes and back. Default <see cref="JsonCacheSerializer"/>.</summary>
    public ICacheSerializer Serializer { get; set; } = new JsonCacheSerializer();

    /// <summary>
    /// Checks every option, the one set of rules the cache's constructor and the options validator
    /// both apply. The configuration string is needed only when the cache makes its own connection.
    /// </summary>
    /// <exception cref="ArgumentNullException">The serializer is null.</exception>
    /// <exception cref="ArgumentException">The configuration string (when needed), the name or the prefix is empty.</exception>
    /// <exception cref="ArgumentOutOfRangeException">DefaultTtl or OperationTimeout is zero or negative (DefaultTtl may be infinite).</exception>
    internal void ThrowIfInvalid(bool needsConfiguration)
    {
        if (needsConfiguration)
        {
            ArgumentException.ThrowIfNullOrWhiteSpace(Configuration, nameof(Configuration));
        }

        ArgumentException.ThrowIfNullOrWhiteSpace(Name, nameof(Name));
        ArgumentException.ThrowIfNullOrEmpty(KeyPrefix, nameof(KeyPrefix));
        ArgumentNullException.ThrowIfNull(Serializer, nameof(Serializer));
        _ = new Cache.Core.CacheOptions { DefaultTtl = DefaultTtl }; // the core's rule for a valid TTL
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(OperationTimeout, TimeSpan.Zero, nameof(OperationTimeout));
    }
}
