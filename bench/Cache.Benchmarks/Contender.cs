using BitFaster.Caching.Lru;
using Cache.Async;
using Microsoft.Extensions.Caching.Memory;

namespace Cache.Benchmarks;

/// <summary>One cache of the lineup on its own, behind two calls: for reports that are not timings.</summary>
internal sealed class Contender(string name, Func<string, bool> lookup, Action<string> store, IDisposable? owned = null) : IDisposable
{
    private static readonly object Value = new();

    public string Name { get; } = name;

    /// <summary>A lookup, and a store of the key when it missed.</summary>
    public bool Access(string key)
    {
        if (lookup(key))
        {
            return true;
        }

        store(key);
        return false;
    }

    public void Store(string key) => store(key);

    public void Dispose() => owned?.Dispose();

    public static IEnumerable<Func<int, Contender>> All()
    {
        yield return capacity =>
        {
            var cache = new InMemoryCache(new InMemoryCacheOptions { MaxSize = capacity, DefaultTtl = Lineup.Ttl, ExpirationScanInterval = null });
            return new Contender(
                "Ours (InMemoryCache)",
                key => Synchronous.Result(cache.TryGetAsync<object>(key)).Found,
                key => Synchronous.Complete(cache.SetAsync(key, Value)),
                cache);
        };
        yield return capacity =>
        {
            var cache = new MemoryCache(new MemoryCacheOptions { SizeLimit = capacity });
            var entry = new MemoryCacheEntryOptions { Size = 1, AbsoluteExpirationRelativeToNow = Lineup.Ttl };
            return new Contender("MemoryCache (SizeLimit)", key => cache.TryGetValue(key, out _), key => cache.Set(key, Value, entry), cache);
        };
        yield return capacity =>
        {
            var cache = new ConcurrentLru<string, object>(capacity);
            return new Contender("BitFaster ConcurrentLru", key => cache.TryGet(key, out _), key => cache.AddOrUpdate(key, Value));
        };
        yield return capacity =>
        {
            var cache = new ConcurrentTLru<string, object>(capacity, Lineup.Ttl);
            return new Contender("BitFaster ConcurrentTLru", key => cache.TryGet(key, out _), key => cache.AddOrUpdate(key, Value));
        };
        yield return capacity =>
        {
            var cache = new ClassicLru<string, object>(capacity);
            return new Contender("ClassicLru", key => cache.TryGet(key, out _), key => cache.AddOrUpdate(key, Value));
        };
        yield return capacity =>
        {
            var cache = new InMemoryCache(new InMemoryCacheOptions { MaxSize = capacity, DefaultTtl = Lineup.Ttl, ExpirationScanInterval = null, Policy = Cache.Core.EvictionPolicy.TinyLfu });
            return new Contender(
                "Ours (InMemoryCache, TinyLfu)",
                key => Synchronous.Result(cache.TryGetAsync<object>(key)).Found,
                key => Synchronous.Complete(cache.SetAsync(key, Value)),
                cache);
        };
        yield return capacity =>
        {
            // One thread, maintenance after every operation: the policy's decisions, not the buffers' timing.
            var cache = new BitFaster.Caching.Lfu.ConcurrentLfu<string, object>(1, capacity, new BitFaster.Caching.Scheduler.NullScheduler(), EqualityComparer<string>.Default);
            return new Contender(
                "BitFaster ConcurrentLfu",
                key =>
                {
                    bool hit = cache.TryGet(key, out _);
                    cache.DoMaintenance();
                    return hit;
                },
                key =>
                {
                    cache.AddOrUpdate(key, Value);
                    cache.DoMaintenance();
                });
        };
    }
}
