using BenchmarkDotNet.Attributes;
using BitFaster.Caching.Lru;
using Cache.Async;
using Microsoft.Extensions.Caching.Memory;

namespace Cache.Benchmarks;

/// <summary>
/// Scenario 3: Set of a key that is already stored, and Set of a new key into a full cache (each
/// new key evicts one). MemoryCache with SizeLimit is the bounded peer; it evicts by compacting
/// in the background, so its "evicting" number is the cost a caller sees, not the full work.
/// </summary>
[MemoryDiagnoser]
[MedianColumn]
[GroupBenchmarksBy(BenchmarkDotNet.Configs.BenchmarkLogicalGroupRule.ByCategory)]
[CategoriesColumn]
public class SetBenchmarks
{
    private const int Entries = 10_000;
    private static readonly object Value = new();
    private string[] _keys = [];
    private string[] _fresh = [];
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
        _fresh = [.. Enumerable.Range(0, 1 << 20).Select(i => $"fresh:{i}")];
        _ours = Caches.Ours(Entries);
        _memory = Caches.MemoryWithSizeLimit(Entries);
        _lru = Caches.BitFasterLru(Entries);
        _tlru = Caches.BitFasterTLru(Entries);
        _classic = Caches.Classic(Entries);
        foreach (var key in _keys)
        {
            _ours.SetAsync(key, Value).AsTask().GetAwaiter().GetResult();
            _memory.Set(key, Value, Caches.SizedEntry);
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

    private string Existing() => _keys[_next++ % Entries];

    private string Fresh() => _fresh[_next++ & ((1 << 20) - 1)];

    [Benchmark(Baseline = true), BenchmarkCategory("existing")]
    public void Existing_MemoryCache() => _memory.Set(Existing(), Value, Caches.SizedEntry);

    [Benchmark, BenchmarkCategory("existing")]
    public ValueTask Existing_Ours() => _ours.SetAsync(Existing(), Value);

    [Benchmark, BenchmarkCategory("existing")]
    public void Existing_BitFaster_ConcurrentLru() => _lru.AddOrUpdate(Existing(), Value);

    [Benchmark, BenchmarkCategory("existing")]
    public void Existing_BitFaster_ConcurrentTLru() => _tlru.AddOrUpdate(Existing(), Value);

    [Benchmark, BenchmarkCategory("existing")]
    public void Existing_ClassicLru() => _classic.AddOrUpdate(Existing(), Value);

    [Benchmark(Baseline = true), BenchmarkCategory("evicting")]
    public void Evicting_MemoryCache() => _memory.Set(Fresh(), Value, Caches.SizedEntry);

    [Benchmark, BenchmarkCategory("evicting")]
    public ValueTask Evicting_Ours() => _ours.SetAsync(Fresh(), Value);

    [Benchmark, BenchmarkCategory("evicting")]
    public void Evicting_BitFaster_ConcurrentLru() => _lru.AddOrUpdate(Fresh(), Value);

    [Benchmark, BenchmarkCategory("evicting")]
    public void Evicting_BitFaster_ConcurrentTLru() => _tlru.AddOrUpdate(Fresh(), Value);

    [Benchmark, BenchmarkCategory("evicting")]
    public void Evicting_ClassicLru() => _classic.AddOrUpdate(Fresh(), Value);
}
