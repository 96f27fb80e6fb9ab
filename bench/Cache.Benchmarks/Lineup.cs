using BitFaster.Caching.Lru;
using Cache.Async;
using Microsoft.Extensions.Caching.Memory;

namespace Cache.Benchmarks;

/// <summary>
/// Every cache under comparison, built with the same capacity and TTL and filled with the same
/// keys. MemoryCache is bounded (SizeLimit, Size = 1 an entry) only where capacity matters.
/// </summary>
internal sealed class Lineup : IDisposable
{
    public static readonly TimeSpan Ttl = TimeSpan.FromHours(1);
    private readonly MemoryCacheEntryOptions _memoryEntry;

    public Lineup(int capacity, bool boundMemoryCache)
    {
        Ours = new InMemoryCache(new InMemoryCacheOptions { MaxSize = capacity, DefaultTtl = Ttl, ExpirationScanInterval = null });
        Memory = new MemoryCache(boundMemoryCache ? new MemoryCacheOptions { SizeLimit = capacity } : new MemoryCacheOptions());
        _memoryEntry = new MemoryCacheEntryOptions { Size = boundMemoryCache ? 1 : null, AbsoluteExpirationRelativeToNow = Ttl };
        Lru = new ConcurrentLru<string, object>(capacity);
        TLru = new ConcurrentTLru<string, object>(capacity, Ttl);
        Classic = new ClassicLru<string, object>(capacity);
    }

    public InMemoryCache Ours { get; }

    public MemoryCache Memory { get; }

    public ConcurrentLru<string, object> Lru { get; }

    public ConcurrentTLru<string, object> TLru { get; }

    /// <summary>BitFaster's textbook LRU: a lock, a Dictionary and a LinkedList; no TTL.</summary>
    public ClassicLru<string, object> Classic { get; }

    public static string[] Keys(int count, string prefix = "key") => [.. Enumerable.Range(0, count).Select(i => $"{prefix}:{i}")];

    /// <summary>Sets in MemoryCache with the lineup's entry options (bounded or not).</summary>
    public void SetMemory(string key, object value) => Memory.Set(key, value, _memoryEntry);

    public void Fill(IEnumerable<string> keys, object value)
    {
        foreach (var key in keys)
        {
            Synchronous.Complete(Ours.SetAsync(key, value));
            SetMemory(key, value);
            Lru.AddOrUpdate(key, value);
            TLru.AddOrUpdate(key, value);
            Classic.AddOrUpdate(key, value);
        }
    }

    public void Dispose()
    {
        Ours.Dispose();
        Memory.Dispose();
    }
}
