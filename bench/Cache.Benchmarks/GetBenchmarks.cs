using BenchmarkDotNet.Attributes;
using BitFaster.Caching.Lru;
using Cache.Async;
using Microsoft.Extensions.Caching.Memory;

namespace Cache.Benchmarks;

/// <summary>Scenarios 1 and 2: a hit and a miss on a cache holding 10k entries, one thread.</summary>
[MemoryDiagnoser]
[MedianColumn]
[GroupBenchmarksBy(BenchmarkDotNet.Configs.BenchmarkLogicalGroupRule.ByCategory)]
[CategoriesColumn]
public class GetBenchmarks
{
    private const int Entries = 10_000;
    private static readonly object Value = new();
    private string[] _keys = [];
    private string _missing = "";
    private int _next;
    private InMemoryCache _ours = null!;
    private MemoryCache _memory = null!;
    private ConcurrentLru<string, object> _lru = null!;
    private ConcurrentTLru<string, object> _tlru = null!;
    private ClassicLru<string, object> _classic = null!;

    [GlobalSetup]
    public void Setup()
    {
        _keys = Caches.Keys(Entries);
        _missing = "absent";
        _ours = Caches.Ours(Entries);
        _memory = Caches.Memory();
        _lru = Caches.BitFasterLru(Entries);
        _tlru = Caches.BitFasterTLru(Entries);
        _classic = Caches.Classic(Entries);
        foreach (var key in _keys)
        {
            _ours.SetAsync(key, Value).AsTask().GetAwaiter().GetResult();
            _memory.Set(key, Value, Caches.Ttl);
            _lru.AddOrUpdate(key, Value);
            _tlru.AddOrUpdate(key, Value);
            _classic.AddOrUpdate(key, Value);
        }
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _ours.Dispose();
        _memory.Dispose();
    }

    private string NextKey() => _keys[_next++ % Entries];

    [Benchmark(Baseline = true), BenchmarkCategory("hit")]
    public object? Hit_MemoryCache() => _memory.TryGetValue(NextKey(), out object? v) ? v : null;

    [Benchmark, BenchmarkCategory("hit")]
    public ValueTask<object?> Hit_Ours_GetAsync() => _ours.GetAsync<object>(NextKey());

    [Benchmark, BenchmarkCategory("hit")]
    public ValueTask<CacheLookup<object>> Hit_Ours_TryGetAsync() => _ours.TryGetAsync<object>(NextKey());

    [Benchmark, BenchmarkCategory("hit")]
    public object? Hit_BitFaster_ConcurrentLru() => _lru.TryGet(NextKey(), out var v) ? v : null;

    [Benchmark, BenchmarkCategory("hit")]
    public object? Hit_BitFaster_ConcurrentTLru() => _tlru.TryGet(NextKey(), out var v) ? v : null;

    [Benchmark, BenchmarkCategory("hit")]
    public object? Hit_ClassicLru() => _classic.TryGet(NextKey(), out var v) ? v : null;

    [Benchmark(Baseline = true), BenchmarkCategory("miss")]
    public object? Miss_MemoryCache() => _memory.TryGetValue(_missing, out object? v) ? v : null;

    [Benchmark, BenchmarkCategory("miss")]
    public ValueTask<CacheLookup<object>> Miss_Ours_TryGetAsync() => _ours.TryGetAsync<object>(_missing);

    [Benchmark, BenchmarkCategory("miss")]
    public object? Miss_BitFaster_ConcurrentTLru() => _tlru.TryGet(_missing, out var v) ? v : null;

    [Benchmark, BenchmarkCategory("miss")]
    public object? Miss_ClassicLru() => _classic.TryGet(_missing, out var v) ? v : null;
}
