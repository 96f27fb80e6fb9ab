using BitFaster.Caching.Lru;
using Cache.Async;
using Microsoft.Extensions.Caching.Memory;

namespace Cache.Benchmarks;

/// <summary>Every cache under comparison, built with the same capacity and TTL.</summary>
internal static class Caches
{
    public static readonly TimeSpan Ttl = TimeSpan.FromHours(1);

    public static string[] Keys(int count) => [.. Enumerable.Range(0, count).Select(i => $"key:{i}")];

    public static InMemoryCache Ours(int capacity) =>
        new(new InMemoryCacheOptions { MaxSize = capacity, DefaultTtl = Ttl, ExpirationScanInterval = null });

    public static MemoryCache Memory() => new(new MemoryCacheOptions());

    public static MemoryCache MemoryWithSizeLimit(int capacity) => new(new MemoryCacheOptions { SizeLimit = capacity });

    public static ConcurrentLru<string, object> BitFasterLru(int capacity) => new(capacity);

    public static ConcurrentTLru<string, object> BitFasterTLru(int capacity) => new(capacity, Ttl);

    /// <summary>BitFaster's textbook LRU: a lock, a Dictionary and a LinkedList; no TTL.</summary>
    public static ClassicLru<string, object> Classic(int capacity) => new(capacity);

    public static MemoryCacheEntryOptions SizedEntry { get; } = new() { Size = 1, AbsoluteExpirationRelativeToNow = Ttl };
}
