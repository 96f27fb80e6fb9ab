using BenchmarkDotNet.Attributes;
using Microsoft.Extensions.Caching.Memory;
using Cache.Async;

namespace Cache.Benchmarks;

/// <summary>Scenarios 1 and 2: a hit and a miss on a cache holding 10k entries, one thread.</summary>
[MemoryDiagnoser]
[MedianColumn]
[GroupBenchmarksBy(BenchmarkDotNet.Configs.BenchmarkLogicalGroupRule.ByCategory)]
[CategoriesColumn]
public class GetBenchmarks
{
    private const int Entries = 10_000;
    private const string Missing = "absent";
    private static readonly object Value = new();
    private readonly string[] _keys = Lineup.Keys(Entries);
    private int _next;
    private Lineup _caches = null!;

    [GlobalSetup]
    public void Setup()
    {
        _caches = new Lineup(Entries, boundMemoryCache: false);
        _caches.Fill(_keys, Value);
    }

    [GlobalCleanup]
    public void Cleanup() => _caches.Dispose();

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

    [Benchmark(Baseline = true), BenchmarkCategory("miss")]
    public object? Miss_MemoryCache() => _caches.Memory.TryGetValue(Missing, out object? v) ? v : null;

    [Benchmark, BenchmarkCategory("miss")]
    public ValueTask<CacheLookup<object>> Miss_Ours_TryGetAsync() => _caches.Ours.TryGetAsync<object>(Missing);

    [Benchmark, BenchmarkCategory("miss")]
    public object? Miss_BitFaster_ConcurrentTLru() => _caches.TLru.TryGet(Missing, out var v) ? v : null;

    [Benchmark, BenchmarkCategory("miss")]
    public object? Miss_ClassicLru() => _caches.Classic.TryGet(Missing, out var v) ? v : null;
}
