using BenchmarkDotNet.Attributes;

namespace Cache.Benchmarks;

/// <summary>
/// Scenario 5: a mixed load, 90% reads and 10% writes, on Zipf-distributed keys (s = 0.9) from a key
/// set five times larger than the cache, on 1, 2 and ProcessorCount threads at once. Each thread
/// walks its own slice of one trace; the time reported is per operation, so lower is more
/// throughput. A read that misses does not write: the 10% writes are the only writes.
/// </summary>
[MemoryDiagnoser]
[MedianColumn]
[GroupBenchmarksBy(BenchmarkDotNet.Configs.BenchmarkLogicalGroupRule.ByParams)]
public class MixedBenchmarks
{
    private const int Capacity = 10_000;
    private const int OperationsPerThread = 20_000;
    private static readonly object Value = new();
    private string[] _trace = [];
    private bool[] _writes = [];
    private Lineup _caches = null!;

    [ParamsSource(nameof(ThreadCounts))]
    public int Threads { get; set; }

    public static IEnumerable<int> ThreadCounts => new[] { 1, 2, Environment.ProcessorCount }.Distinct();

    [GlobalSetup]
    public void Setup()
    {
        int length = OperationsPerThread * Threads;
        _trace = ZipfTrace.Create(length, distinctKeys: 5 * Capacity, exponent: 0.9, seed: 42);
        var random = new Random(7);
        _writes = [.. Enumerable.Range(0, length).Select(_ => random.Next(10) == 0)];
        _caches = new Lineup(Capacity, boundMemoryCache: true);
        _caches.Fill(ZipfTrace.Create(Capacity, 5 * Capacity, 0.9, seed: 1), Value);
    }

    [GlobalCleanup]
    public void Cleanup() => _caches.Dispose();

    [Benchmark(Baseline = true, OperationsPerInvoke = OperationsPerThread)]
    public void MemoryCache() => Run(key => _caches.Memory.TryGetValue(key, out _), key => _caches.SetMemory(key, Value));

    [Benchmark(OperationsPerInvoke = OperationsPerThread)]
    public void Ours() => Run(
        key => Synchronous.Result(_caches.Ours.TryGetAsync<object>(key)),
        key => Synchronous.Complete(_caches.Ours.SetAsync(key, Value)));

    [Benchmark(OperationsPerInvoke = OperationsPerThread)]
    public void BitFaster_ConcurrentLru() => Run(key => _caches.Lru.TryGet(key, out _), key => _caches.Lru.AddOrUpdate(key, Value));

    [Benchmark(OperationsPerInvoke = OperationsPerThread)]
    public void BitFaster_ConcurrentTLru() => Run(key => _caches.TLru.TryGet(key, out _), key => _caches.TLru.AddOrUpdate(key, Value));

    [Benchmark(OperationsPerInvoke = OperationsPerThread)]
    public void ClassicLru() => Run(key => _caches.Classic.TryGet(key, out _), key => _caches.Classic.AddOrUpdate(key, Value));

    /// <summary>
    /// Every thread runs its slice at the same time; the figure is the wall time for one thread's
    /// share (OperationsPerInvoke), so N threads finishing in the time of one show N times the throughput.
    /// </summary>
    private void Run(Action<string> read, Action<string> write)
    {
        int threads = Threads;
        using var start = new Barrier(threads);
        var workers = new Thread[threads];
        for (int t = 0; t < threads; t++)
        {
            int from = t * OperationsPerThread;
            workers[t] = new Thread(() =>
            {
                start.SignalAndWait();
                for (int i = from; i < from + OperationsPerThread; i++)
                {
                    if (_writes[i])
                    {
                        write(_trace[i]);
                    }
                    else
                    {
                        read(_trace[i]);
                    }
                }
            });
            workers[t].Start();
        }

        foreach (var worker in workers)
        {
            worker.Join();
        }
    }
}
