using BenchmarkDotNet.Attributes;
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

    [Benchmark(Baseline = true)]
    public object? MemoryCache_GetOrCreate() => _caches.Memory.GetOrCreate(NextKey(), static _ => Value);

    [Benchmark]
    public ValueTask<object> Ours_GetOrSetAsync() => _caches.Ours.GetOrSetAsync(NextKey(), OursFactory);

    [Benchmark]
    public object BitFaster_ConcurrentTLru_GetOrAdd() => _caches.TLru.GetOrAdd(NextKey(), BitFasterFactory);
}
