using BenchmarkDotNet.Attributes;
using Cache.Async;
using Cache.Contract;
using Cache.Memcached;
using Cache.Redis;
using Microsoft.Extensions.Caching.Memory;

namespace Cache.Benchmarks;

/// <summary>
/// What switching backends costs: a hit and a Set of a small record through <see cref="ICache"/>,
/// in memory, on Redis and on memcached (servers on loopback that the benchmark starts; one round
/// trip and a JSON (de)serialization a call), with MemoryCache as the baseline. Set
/// CACHE_BENCH_REDIS to a configuration string, or CACHE_BENCH_MEMCACHED to host:port, to measure
/// another server instead.
/// </summary>
[MemoryDiagnoser]
[MedianColumn]
[GroupBenchmarksBy(BenchmarkDotNet.Configs.BenchmarkLogicalGroupRule.ByCategory)]
[CategoriesColumn]
public class BackendBenchmarks
{
    private const int Entries = 1_000;
    private static readonly Profile Value = new(42, "Ada Lovelace", "ada@example.com");
    private readonly string[] _keys = Lineup.Keys(Entries);
    private int _next;
    private RedisServer? _server;
    private MemcachedServer? _memcachedServer;
    private MemoryCache _memory = null!;
    private InMemoryCache _inMemory = null!;
    private RedisCache _redis = null!;
    private MemcachedCache _memcached = null!;

    [GlobalSetup]
    public void Setup()
    {
        string? configuration = Environment.GetEnvironmentVariable("CACHE_BENCH_REDIS");
        if (string.IsNullOrEmpty(configuration))
        {
            _server = new RedisServer();
            configuration = _server.Configuration;
        }

        string? memcached = Environment.GetEnvironmentVariable("CACHE_BENCH_MEMCACHED");
        if (string.IsNullOrEmpty(memcached))
        {
            _memcachedServer = new MemcachedServer();
            memcached = _memcachedServer.Address;
        }

        _memory = new MemoryCache(new MemoryCacheOptions());
        _inMemory = new InMemoryCache(new InMemoryCacheOptions { MaxSize = Entries * 2 });
        _redis = new RedisCache(new RedisCacheOptions { Configuration = configuration, KeyPrefix = "bench:" });
        _memcached = new MemcachedCache(new MemcachedCacheOptions { Servers = [memcached], KeyPrefix = "bench:" });
        foreach (string key in _keys)
        {
            _memory.Set(key, Value);
            _inMemory.SetAsync(key, Value).AsTask().GetAwaiter().GetResult();
            _redis.SetAsync(key, Value).AsTask().GetAwaiter().GetResult();
            _memcached.SetAsync(key, Value).AsTask().GetAwaiter().GetResult();
        }

        if (!_redis.TryGetAsync<Profile>(_keys[0]).AsTask().GetAwaiter().GetResult().Found)
        {
            throw new InvalidOperationException("Redis answered a miss: the benchmark would time the failure path");
        }

        if (!_memcached.TryGetAsync<Profile>(_keys[0]).AsTask().GetAwaiter().GetResult().Found)
        {
            throw new InvalidOperationException("memcached answered a miss: the benchmark would time the failure path");
        }
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _redis.ClearAsync().AsTask().GetAwaiter().GetResult();
        _redis.Dispose();
        _memcached.ClearAsync().AsTask().GetAwaiter().GetResult();
        _memcached.Dispose();
        _memcachedServer?.Dispose();
        _inMemory.Dispose();
        _memory.Dispose();
        _server?.Dispose();
    }

    private string NextKey() => _keys[_next++ % Entries];

    [Benchmark(Baseline = true), BenchmarkCategory("get hit")]
    public object? Get_MemoryCache() => _memory.TryGetValue(NextKey(), out object? value) ? value : null;

    [Benchmark, BenchmarkCategory("get hit")]
    public ValueTask<Profile?> Get_InMemoryCache() => _inMemory.GetAsync<Profile>(NextKey());

    [Benchmark, BenchmarkCategory("get hit")]
    public ValueTask<Profile?> Get_RedisCache() => _redis.GetAsync<Profile>(NextKey());

    [Benchmark, BenchmarkCategory("get hit")]
    public ValueTask<Profile?> Get_MemcachedCache() => _memcached.GetAsync<Profile>(NextKey());

    [Benchmark(Baseline = true), BenchmarkCategory("set")]
    public object Set_MemoryCache() => _memory.Set(NextKey(), Value);

    [Benchmark, BenchmarkCategory("set")]
    public ValueTask Set_InMemoryCache() => _inMemory.SetAsync(NextKey(), Value);

    [Benchmark, BenchmarkCategory("set")]
    public ValueTask Set_RedisCache() => _redis.SetAsync(NextKey(), Value);

    [Benchmark, BenchmarkCategory("set")]
    public ValueTask Set_MemcachedCache() => _memcached.SetAsync(NextKey(), Value);

    /// <summary>A small record, as a service would cache.</summary>
    /// <param name="Id">An id.</param>
    /// <param name="Name">A name.</param>
    /// <param name="Email">An address.</param>
    public sealed record Profile(int Id, string Name, string Email);
}
