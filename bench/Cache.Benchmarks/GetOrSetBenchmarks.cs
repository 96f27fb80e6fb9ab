using BenchmarkDotNet.Attributes;
using BitFaster.Caching.Lru;
using Cache.Async;
using Microsoft.Extensions.Caching.Memory;

namespace Cache.Benchmarks;

/// <summary>Scenario 4: GetOrSet of a key that is cached (the factory never runs).</summary>
[MemoryDiagnoser]
[MedianColumn]
public class GetOrSetBenchmarks
{
    private const int Entries = 10_000;
    private static readonly object Value = new();
    private static readonly Func<CancellationToken, ValueTask<object>> OursFactory = _ => ValueTask.FromResult(Value);
    private static readonly Func<string, object> BitFasterFactory = _ => Value;
    private string[] _keys = [];
    private int _next;
    private InMemoryCache _ours = null!;
    private MemoryCache _memory = null!;
    private ConcurrentTLru<string, object> _tlru = null!;

    [GlobalSetup]
    public void Setup()
    {
        _keys = Caches.Keys(Entries);
        _ours = Caches.Ours(Entries);
        _memory = Caches.Memory();
        _tlru = Caches.BitFasterTLru(Entries);
        foreach (var key in _keys)
        {
            _ours.SetAsync(key, Value).AsTask().GetAwaiter().GetResult();
            _memory.Set(key, Value, Caches.Ttl);
            _tlru.AddOrUpdate(key, Value);
        }
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _ours.Dispose();
        _memory.Dispose();
    }

    private string NextKey() => _keys[_next++ % Entries];

    [Benchmark(Baseline = true)]
    public object? MemoryCache_GetOrCreate() => _memory.GetOrCreate(NextKey(), static _ => Value);

    [Benchmark]
    public ValueTask<object> Ours_GetOrSetAsync() => _ours.GetOrSetAsync(NextKey(), OursFactory);

    [Benchmark]
    public object BitFaster_ConcurrentTLru_GetOrAdd() => _tlru.GetOrAdd(NextKey(), BitFasterFactory);
}
