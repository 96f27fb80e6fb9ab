using BenchmarkDotNet.Attributes;

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
    private const int FreshKeys = 1 << 20;
    private static readonly object Value = new();
    private readonly string[] _keys = Lineup.Keys(Entries);
    private readonly string[] _fresh = Lineup.Keys(FreshKeys, "fresh");
    private int _next;
    private Lineup _caches = null!;

    [GlobalSetup]
    public void Setup()
    {
        _caches = new Lineup(Entries, boundMemoryCache: true);
        _caches.Fill(_keys, Value);
    }

    [GlobalCleanup]
    public void Cleanup() => _caches.Dispose();

    private string Existing() => _keys[_next++ % Entries];

    private string Fresh() => _fresh[_next++ & (FreshKeys - 1)];

    [Benchmark(Baseline = true), BenchmarkCategory("existing")]
    public void Existing_MemoryCache() => _caches.SetMemory(Existing(), Value);

    [Benchmark, BenchmarkCategory("existing")]
    public ValueTask Existing_Ours() => _caches.Ours.SetAsync(Existing(), Value);

    [Benchmark, BenchmarkCategory("existing")]
    public void Existing_BitFaster_ConcurrentLru() => _caches.Lru.AddOrUpdate(Existing(), Value);

    [Benchmark, BenchmarkCategory("existing")]
    public void Existing_BitFaster_ConcurrentTLru() => _caches.TLru.AddOrUpdate(Existing(), Value);

    [Benchmark, BenchmarkCategory("existing")]
    public void Existing_ClassicLru() => _caches.Classic.AddOrUpdate(Existing(), Value);

    [Benchmark(Baseline = true), BenchmarkCategory("evicting")]
    public void Evicting_MemoryCache() => _caches.SetMemory(Fresh(), Value);

    [Benchmark, BenchmarkCategory("evicting")]
    public ValueTask Evicting_Ours() => _caches.Ours.SetAsync(Fresh(), Value);

    [Benchmark, BenchmarkCategory("evicting")]
    public void Evicting_BitFaster_ConcurrentLru() => _caches.Lru.AddOrUpdate(Fresh(), Value);

    [Benchmark, BenchmarkCategory("evicting")]
    public void Evicting_BitFaster_ConcurrentTLru() => _caches.TLru.AddOrUpdate(Fresh(), Value);

    [Benchmark, BenchmarkCategory("evicting")]
    public void Evicting_ClassicLru() => _caches.Classic.AddOrUpdate(Fresh(), Value);
}
