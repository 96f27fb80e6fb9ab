using BenchmarkDotNet.Attributes;
using Microsoft.Extensions.Caching.Memory;
using Cache.Async;

namespace Cache.Benchmarks;

/// <summary>
/// Scenarios 1, 2 and 4: a hit (with a one-hour TTL, and without one), a miss, and a GetOrSet hit
/// (the factory never runs) on caches holding 10k entries, one thread.
/// </summary>
[MemoryDiagnoser]
[MedianColumn]
[GroupBenchmarksBy(BenchmarkDotNet.Configs.BenchmarkLogicalGroupRule.ByCategory)]
[CategoriesColumn]
public class GetBenchmarks
{
    private const int Entries = 10_000;
    private const string Missing = "absent";
    private static readonly object Value = new();
    private static readonly Func<CancellationToken, ValueTask<object>> OursFactory = _ => ValueTask.FromResult(Value);
    private static readonly Func<string, object> BitFasterFactory = _ => Value;
    private readonly string[] _keys = Lineup.Keys(Entries);
    private int _next;
    private Lineup _caches = null!;

    // The same entries without a TTL: a hit on them needs no clock (see "hit, no TTL").
    private InMemoryCache _oursNoTtl = null!;
    private MemoryCache _memoryNoTtl = null!;

    [GlobalSetup]
    public void Setup()
    {
        _caches = new Lineup(Entries, boundMemoryCache: false);
        _caches.Fill(_keys, Value);
        _oursNoTtl = new InMemoryCache(new InMemoryCacheOptions { MaxSize = Entries, DefaultTtl = Timeout.InfiniteTimeSpan, ExpirationScanInterval = null });
        _memoryNoTtl = new MemoryCache(new MemoryCacheOptions());
        foreach (string key in _keys)
        {
            _oursNoTtl.SetAsync(key, Value).AsTask().Wait();
            _memoryNoTtl.Set(key, Value);
        }
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _caches.Dispose();
        _oursNoTtl.Dispose();
        _memoryNoTtl.Dispose();
    }

    private string NextKey() => _keys[_next++ % Entries];

    [Benchmark(Baseline = true), BenchmarkCategory("hit")]
    public object? Hit_MemoryCache() => _caches.Memory.TryGetValue(NextKey(), out object? v) ? v : null;

    [Benchmark, BenchmarkCategory("hit")]
    public ValueTask<object?> Hit_Ours_GetAsync() => _caches.Ours.GetAsync<object>(NextKey());

    [Benchmark, BenchmarkCategory("hit")]
    public ValueTask<CacheLookup<object>> Hit_Ours_TryGetAsync() => _caches.Ours.TryGetAsync<object>(NextKey());

    [Benchmark, BenchmarkCategory("hit")]
    public object? Hit_BitFaster_ConcurrentLru() => _caches.Lru.TryGet(NextKey(), out var v) ? v : null;

    [Benchmark, BenchmarkCategory("hit")]
    public object? Hit_BitFaster_ConcurrentTLru() => _caches.TLru.TryGet(NextKey(), out var v) ? v : null;

    [Benchmark, BenchmarkCategory("hit")]
    public object? Hit_ClassicLru() => _caches.Classic.TryGet(NextKey(), out var v) ? v : null;

    [Benchmark(Baseline = true), BenchmarkCategory("hit, no TTL")]
    public object? HitNoTtl_MemoryCache() => _memoryNoTtl.TryGetValue(NextKey(), out object? v) ? v : null;

    [Benchmark, BenchmarkCategory("hit, no TTL")]
    public ValueTask<object?> HitNoTtl_Ours_GetAsync() => _oursNoTtl.GetAsync<object>(NextKey());

    [Benchmark, BenchmarkCategory("hit, no TTL")]
    public object? HitNoTtl_BitFaster_ConcurrentLru() => _caches.Lru.TryGet(NextKey(), out var v) ? v : null;

    [Benchmark(Baseline = true), BenchmarkCategory("miss")]
    public object? Miss_MemoryCache() => _caches.Memory.TryGetValue(Missing, out object? v) ? v : null;

    [Benchmark, BenchmarkCategory("miss")]
    public ValueTask<CacheLookup<object>> Miss_Ours_TryGetAsync() => _caches.Ours.TryGetAsync<object>(Missing);

    [Benchmark, BenchmarkCategory("miss")]
    public object? Miss_BitFaster_ConcurrentTLru() => _caches.TLru.TryGet(Missing, out var v) ? v : null;

    [Benchmark, BenchmarkCategory("miss")]
    public object? Miss_ClassicLru() => _caches.Classic.TryGet(Missing, out var v) ? v : null;

    [Benchmark(Baseline = true), BenchmarkCategory("getorset")]
    public object? GetOrSet_MemoryCache_GetOrCreate() => _caches.Memory.GetOrCreate(NextKey(), static _ => Value);

    [Benchmark, BenchmarkCategory("getorset")]
    public ValueTask<object> GetOrSet_Ours_GetOrSetAsync() => _caches.Ours.GetOrSetAsync(NextKey(), OursFactory);

    [Benchmark, BenchmarkCategory("getorset")]
    public object GetOrSet_BitFaster_ConcurrentTLru_GetOrAdd() => _caches.TLru.GetOrAdd(NextKey(), BitFasterFactory);
}
