using Cache.Async;
using Cache.Memcached.Cluster;
using Cache.Memcached.Keys;

namespace Cache.Memcached;

/// <summary>Options of a <see cref="MemcachedCache"/>; mutable, for the options pattern.</summary>
public sealed class MemcachedCacheOptions
{
    /// <summary>
    /// The servers, each <c>"host:port"</c> (an IPv6 address in brackets: <c>"[::1]:11211"</c>).
    /// Keys are spread over them by consistent hashing, so adding a server moves about 1/n of the
    /// keys. Default <c>127.0.0.1:11211</c>. Not empty, no server twice.
    /// </summary>
    public IList<string> Servers { get; set; } = new List<string> { "127.0.0.1:11211" };

    /// <summary>
    /// Put before every key, so caches (and other data) can share servers: Clear touches only this
    /// prefix's entries. Default <c>"cache:"</c>. Not empty, at most 128 bytes of UTF-8.
    /// </summary>
    public string KeyPrefix { get; set; } = "cache:";

    /// <summary>
    /// The TTL of entries set without one. Default 1 hour; <see cref="Timeout.InfiniteTimeSpan"/> for
    /// never. memcached counts whole seconds, so every TTL is rounded up to the next second.
    /// </summary>
    public TimeSpan DefaultTtl { get; set; } = TimeSpan.FromHours(1);

    /// <summary>
    /// The longest a call waits for a server (connecting included) before it is logged and answered
    /// as a miss / false. Default 1 second. GetOrSet's lookup and store share one budget; its
    /// factory's run time is not counted.
    /// </summary>
    public TimeSpan OperationTimeout { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>
    /// The pipelined connections kept open to each server. Requests share them (no caller holds a
    /// connection while it waits), so a few serve any number of callers. Default 2; 1 to 64.
    /// </summary>
    public int ConnectionsPerServer { get; set; } = 2;

    /// <summary>Turns values into bytes and back. Default <see cref="JsonCacheSerializer"/>.</summary>
    public ICacheSerializer Serializer { get; set; } = new JsonCacheSerializer();

    /// <summary>
    /// The cache's name: the <c>cache.name</c> tag of its metrics. Not empty; default "default".
    /// </summary>
    public string Name { get; set; } = "default";

    /// <summary>Checks every option: the one set of rules the constructor and the options validator both apply.</summary>
    /// <exception cref="ArgumentNullException">Servers, a server or the serializer is null.</exception>
    /// <exception cref="ArgumentException">No server, a server that is not <c>host:port</c> or is named twice, an empty name, an empty or too long prefix.</exception>
    /// <exception cref="ArgumentOutOfRangeException">DefaultTtl or OperationTimeout is zero or negative (DefaultTtl may be infinite), or ConnectionsPerServer is outside 1 to 64.</exception>
    internal IReadOnlyList<ServerAddress> ThrowIfInvalid()
    {
        ArgumentNullException.ThrowIfNull(Servers, nameof(Servers));
        if (Servers.Count == 0)
        {
            throw new ArgumentException("At least one server is needed.", nameof(Servers));
        }

        var addresses = new List<ServerAddress>(Servers.Count);
        foreach (string server in Servers)
        {
            ServerAddress address = ServerAddress.Parse(server, nameof(Servers));
            if (addresses.Contains(address))
            {
                throw new ArgumentException($"The server '{server}' is named twice.", nameof(Servers));
            }

            addresses.Add(address);
        }

        ArgumentException.ThrowIfNullOrWhiteSpace(Name, nameof(Name));
        WireKeys.ThrowIfInvalidPrefix(KeyPrefix, nameof(KeyPrefix));
        ArgumentNullException.ThrowIfNull(Serializer, nameof(Serializer));
        _ = new Cache.Core.CacheOptions { DefaultTtl = DefaultTtl }; // the core's rule for a valid TTL
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(OperationTimeout, TimeSpan.Zero, nameof(OperationTimeout));
        ArgumentOutOfRangeException.ThrowIfLessThan(ConnectionsPerServer, 1, nameof(ConnectionsPerServer));
        ArgumentOutOfRangeException.ThrowIfGreaterThan(ConnectionsPerServer, 64, nameof(ConnectionsPerServer));
        return addresses;
    }
}
