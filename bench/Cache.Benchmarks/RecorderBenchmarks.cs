using BenchmarkDotNet.Attributes;
using Cache.Async;

namespace Cache.Benchmarks;

/// <summary>
/// What recording costs on the hot path: a hit and a Set of an existing key on InMemoryCache
/// without a Recorder (the baseline) and with one writing to <see cref="Stream.Null"/> (so the
/// background writer's I/O costs nothing and the difference is the caller's share: a key hash
/// and one compare-and-swap into the recorder's ring).
/// </summary>
[MemoryDiagnoser]
[MedianColumn]
[GroupBenchmarksBy(BenchmarkDotNet.Configs.BenchmarkLogicalGroupRule.ByCategory)]
[CategoriesColumn]
public class RecorderBenchmarks
{
    private const int Entries = 10_000;
    private static readonly object Value = new();
    private readonly string[] _keys = Lineup.Keys(Entries);
    private int _next;
    private InMemoryCache _plain = null!;
    private InMemoryCache _recording = null!;

    [GlobalSetup]
    public void Setup()
    {
        _plain = new InMemoryCache(new InMemoryCacheOptions { MaxSize = Entries * 2 });
        _recording = new InMemoryCache(new InMemoryCacheOptions { MaxSize = Entries * 2, Recorder = Stream.Null });
        foreach (string key in _keys)
        {
            _plain.SetAsync(key, Value).AsTask().GetAwaiter().GetResult();
            _recording.SetAsync(key, Value).AsTask().GetAwaiter().GetResult();
        }
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _plain.Dispose();
        _recording.Dispose();
    }

    private string NextKey() => _keys[_next++ % Entries];

    [Benchmark(Baseline = true), BenchmarkCategory("hit")]
    public ValueTask<object?> Hit_NoRecorder() => _plain.GetAsync<object>(NextKey());

    [Benchmark, BenchmarkCategory("hit")]
    public ValueTask<object?> Hit_Recording() => _recording.GetAsync<object>(NextKey());

    [Benchmark(Baseline = true), BenchmarkCategory("set")]
    public ValueTask Set_NoRecorder() => _plain.SetAsync(NextKey(), Value);

    [Benchmark, BenchmarkCategory("set")]
    public ValueTask Set_Recording() => _recording.SetAsync(NextKey(), Value);
}
