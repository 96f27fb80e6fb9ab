using BenchmarkDotNet.Attributes;
using BitFaster.Caching.Lfu;
using Cache.Async;
using Cache.Core;
using Microsoft.Extensions.Caching.Memory;

namespace Cache.Benchmarks;

/// <summary>
/// Issue 17: what W-TinyLFU costs beside exact LRU in the same cache, with MemoryCache as the
/// baseline and BitFaster's ConcurrentLfu as the peer: a hit cycling through every key (W-TinyLFU's
/// worst case: every hit finds its entry in probation, so it promotes it and demotes another), a hit
/// in a hot set of a tenth of the keys (the common case: they stay in protected), and a Set of a new
/// key into a full cache (which evicts one entry, or is refused), 10,000 entries, one thread.
/// </summary>
[MemoryDiagnoser]
[MedianColumn]
[GroupBenchmarksBy(BenchmarkDotNet.Configs.BenchmarkLogicalGroupRule.ByCategory)]
[CategoriesColumn]
public class PolicyBenchmarks
{
    private const int Entries = 10_000;
    private const int Hot = Entries / 10;
    private static readonly object Value = new();
    private readonly string[] _keys = Lineup.Keys(Entries);
    private readonly string[] _fresh = Lineup.Keys(Entries, "fresh");
    private int _next;
    private int _nextHot;
    private int _nextFresh;
    private MemoryCache _memory = null!;
    private InMemoryCache _lru = null!;
    private InMemoryCache _tinyLfu = null!;
    private ConcurrentLfu<string, object> _concurrentLfu = null!;

    [GlobalSetup]
    public void Setup()
    {
        _memory = new MemoryCache(new MemoryCacheOptions { SizeLimit = Entries });
        _lru = Ours(EvictionPolicy.Lru);
        _tinyLfu = Ours(EvictionPolicy.TinyLfu);
        _concurrentLfu = new ConcurrentLfu<string, object>(Entries);
        var entry = new MemoryCacheEntryOptions { Size = 1, AbsoluteExpirationRelativeToNow = Lineup.Ttl };
        foreach (string key in _keys)
        {
            _memory.Set(key, Value, entry);
            _lru.SetAsync(key, Value).AsTask().Wait();
            _tinyLfu.SetAsync(key, Value).AsTask().Wait();
            _concurrentLfu.AddOrUpdate(key, Value);
        }

        // The hot set used twice before the measurement: in W-TinyLFU's protected segment.
        for (int pass = 0; pass < 2; pass++)
        {
            foreach (string key in _keys.AsSpan(0, Hot))
            {
                _ = _memory.TryGetValue(key, out _);
                _ = _lru.GetAsync<object>(key).AsTask().Result;
                _ = _tinyLfu.GetAsync<object>(key).AsTask().Result;
                _ = _concurrentLfu.TryGet(key, out _);
            }
        }
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _memory.Dispose();
        _lru.Dispose();
        _tinyLfu.Dispose();
    }

    private string NextKey() => _keys[_next++ % Entries];

    private string NextFresh() => _fresh[_nextFresh++ % Entries];

    private string NextHot() => _keys[_nextHot++ % Hot];

    [Benchmark(Baseline = true), BenchmarkCategory("hit")]
    public object? Hit_MemoryCache() => _memory.TryGetValue(NextKey(), out object? value) ? value : null;

    [Benchmark, BenchmarkCategory("hit")]
    public ValueTask<object?> Hit_Ours_Lru() => _lru.GetAsync<object>(NextKey());

    [Benchmark, BenchmarkCategory("hit")]
    public ValueTask<object?> Hit_Ours_TinyLfu() => _tinyLfu.GetAsync<object>(NextKey());

    [Benchmark, BenchmarkCategory("hit")]
    public object? Hit_BitFaster_ConcurrentLfu() => _concurrentLfu.TryGet(NextKey(), out object? value) ? value : null;

    [Benchmark(Baseline = true), BenchmarkCategory("hit, hot set")]
    public object? HotHit_MemoryCache() => _memory.TryGetValue(NextHot(), out object? value) ? value : null;

    [Benchmark, BenchmarkCategory("hit, hot set")]
    public ValueTask<object?> HotHit_Ours_Lru() => _lru.GetAsync<object>(NextHot());

    [Benchmark, BenchmarkCategory("hit, hot set")]
    public ValueTask<object?> HotHit_Ours_TinyLfu() => _tinyLfu.GetAsync<object>(NextHot());

    [Benchmark, BenchmarkCategory("hit, hot set")]
    public object? HotHit_BitFaster_ConcurrentLfu() => _concurrentLfu.TryGet(NextHot(), out object? value) ? value : null;

    [Benchmark(Baseline = true), BenchmarkCategory("set new key, full")]
    public object Set_MemoryCache() => _memory.Set(NextFresh(), Value, new MemoryCacheEntryOptions { Size = 1, AbsoluteExpirationRelativeToNow = Lineup.Ttl });

    [Benchmark, BenchmarkCategory("set new key, full")]
    public ValueTask Set_Ours_Lru() => _lru.SetAsync(NextFresh(), Value);

    [Benchmark, BenchmarkCategory("set new key, full")]
    public ValueTask Set_Ours_TinyLfu() => _tinyLfu.SetAsync(NextFresh(), Value);

    [Benchmark, BenchmarkCategory("set new key, full")]
    public void Set_BitFaster_ConcurrentLfu() => _concurrentLfu.AddOrUpdate(NextFresh(), Value);

    private static InMemoryCache Ours(EvictionPolicy policy) =>
        new(new InMemoryCacheOptions { MaxSize = Entries, DefaultTtl = Lineup.Ttl, ExpirationScanInterval = null, Policy = policy });
}
