using Cache.Contract;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Testing;
using StackExchange.Redis;

namespace Cache.Redis.Tests;

/// <summary>On Redis, capacity is the server's: maxmemory, with allkeys-lru to evict rather than refuse writes.</summary>
public sealed class RedisCapacityTests
{
    private const int Writes = 6_000;
    private static readonly string Kilobyte = new('x', 1024);
    private readonly FakeLogCollector _logs = new();

    [Fact]
    public async Task A_server_with_a_small_maxmemory_and_allkeys_lru_evicts_instead_of_failing_writes()
    {
        using var server = new RedisServer("--maxmemory", "3mb", "--maxmemory-policy", "allkeys-lru");
        await using RedisCache cache = Create(server);
        for (int i = 0; i < Writes; i++)
        {
            await cache.SetAsync($"k{i}", Kilobyte); // 6 MB into 3 MB
        }

        Assert.DoesNotContain(_logs.GetSnapshot(), r => r.Level == LogLevel.Warning);
        Assert.Equal(Writes, (await cache.GetStatsAsync()).Sets);
        Assert.Equal(Kilobyte, await cache.GetAsync<string>($"k{Writes - 1}"));

        await using ConnectionMultiplexer raw = await ConnectionMultiplexer.ConnectAsync(server.Configuration + ",allowAdmin=true");
        IServer info = raw.GetServers()[0];
        long stored = await info.DatabaseSizeAsync();
        Assert.InRange(stored, 1, Writes - 1);
        Assert.True(EvictedKeys(await info.InfoAsync("stats")) >= Writes - stored);
    }

    [Fact]
    public async Task A_server_that_refuses_writes_when_full_costs_logged_failures_not_exceptions()
    {
        // The contrast: noeviction answers OOM errors, which the cache logs and counts as no set.
        using var server = new RedisServer("--maxmemory", "3mb", "--maxmemory-policy", "noeviction");
        await using RedisCache cache = Create(server);
        for (int i = 0; i < Writes; i++)
        {
            await cache.SetAsync($"k{i}", Kilobyte);
        }

        long sets = (await cache.GetStatsAsync()).Sets;
        Assert.InRange(sets, 1, Writes - 1);
        Assert.Equal(Writes - sets, _logs.GetSnapshot().Count(r => r.Level == LogLevel.Warning && r.Id.Id == 10 && r.Exception is RedisServerException));
    }

    private static long EvictedKeys(IGrouping<string, KeyValuePair<string, string>>[] sections) =>
        long.Parse(sections.SelectMany(section => section).Single(pair => pair.Key == "evicted_keys").Value, System.Globalization.CultureInfo.InvariantCulture);

    private RedisCache Create(RedisServer server) => new(
        new RedisCacheOptions { Configuration = server.Configuration, KeyPrefix = "capacity:" },
        new FakeLogger<RedisCache>(_logs));
}
