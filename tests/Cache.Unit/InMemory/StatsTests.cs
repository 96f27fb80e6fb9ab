using Cache.Async;
using Cache.Unit.Support;
using Microsoft.Extensions.Time.Testing;

namespace Cache.Unit.InMemory;

public sealed class StatsTests
{
    private readonly FakeTimeProvider _time = new();

    [Fact]
    public async Task Before_any_lookup_the_hit_rate_is_zero()
    {
        using var cache = TestCache.Create(_time, maxSize: 4);
        var stats = await cache.GetStatsAsync();
        Assert.Equal(0, stats.HitRate);
        Assert.Equal(0, stats.UtilizationPercent);
        Assert.Equal(4, stats.MaxSize);
    }

    [Fact]
    public async Task Every_counter_follows_the_operations()
    {
        using var cache = TestCache.Create(_time, maxSize: 4);
        await cache.SetAsync("a", 1);                                   // set
        await cache.SetAsync("b", 2, TimeSpan.FromSeconds(1));         // set
        await cache.GetAsync<int>("a");                                 // hit
        await cache.TryGetAsync<int>("x");                              // miss
        await cache.GetOrSetAsync("c", _ => ValueTask.FromResult(3));   // miss, set
        await cache.GetOrSetAsync("c", _ => ValueTask.FromResult(4));   // hit
        await cache.ExistsAsync("a");                                   // nothing
        _time.Advance(TimeSpan.FromSeconds(1));

        var stats = await cache.GetStatsAsync();
        Assert.Equal(2, stats.Hits);
        Assert.Equal(2, stats.Misses);
        Assert.Equal(0.5, stats.HitRate);
        Assert.Equal(3, stats.Sets);
        Assert.Equal(2, stats.ActiveEntries);
        Assert.Equal(1, stats.ExpiredEntries);
        Assert.Equal(3, stats.TotalEntries);
        Assert.Equal(75.0, stats.UtilizationPercent);

        await cache.SetAsync("d", 4);
        await cache.SetAsync("e", 5);
        await cache.SetAsync("f", 6);
        stats = await cache.GetStatsAsync();
        Assert.Equal(1, stats.Expirations);
        Assert.Equal(1, stats.Evictions);
        Assert.Equal(4, stats.ActiveEntries);
    }

    [Fact]
    public void Derived_figures_are_computed_from_the_counts()
    {
        var stats = new CacheStats { Hits = 1, Misses = 3, ActiveEntries = 2, ExpiredEntries = 1, MaxSize = 3 };
        Assert.Equal(0.25, stats.HitRate);
        Assert.Equal(3, stats.TotalEntries);
        Assert.Equal(100.0, stats.UtilizationPercent);
        Assert.Equal(0, new CacheStats { ActiveEntries = 5 }.UtilizationPercent);
    }
}
