using Cache.Async;
using Cache.Unit.Support;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Testing;
using Microsoft.Extensions.Time.Testing;

namespace Cache.Unit.InMemory;

public sealed class OperationTests
{
    private readonly FakeTimeProvider _time = new();

    [Fact]
    public async Task Null_is_a_value()
    {
        using var cache = TestCache.Create(_time);
        await cache.SetAsync<string?>("a", null);
        Assert.Equal(new CacheLookup<string>(true, null), await cache.TryGetAsync<string>("a"));
        Assert.Equal(new CacheLookup<int?>(true, null), await cache.TryGetAsync<int?>("a"));
        Assert.True(await cache.ExistsAsync("a"));
        Assert.Null(await cache.GetOrSetAsync<string?>("a", _ => ValueTask.FromResult<string?>("made")));
        Assert.Equal(3, cache.GetStats().Hits);
    }

    [Fact]
    public async Task A_value_of_another_type_is_a_logged_miss_and_not_a_use()
    {
        var logger = new FakeLogger<InMemoryCache>();
        using var cache = TestCache.Create(_time, maxSize: 2, logger: logger);
        await cache.SetAsync("a", "text");
        await cache.SetAsync("b", "other");

        Assert.Equal(default, await cache.TryGetAsync<int>("a"));
        Assert.Equal(0, await cache.GetAsync<int>("a"));
        Assert.Equal(new CacheLookup<int>(false, 0), await cache.TryGetAsync<int>("a"));
        var warnings = logger.Collector.GetSnapshot().Where(r => r.Level == LogLevel.Warning && r.Id.Id == 5).ToList();
        Assert.Equal(3, warnings.Count);
        var warning = warnings[0];
        Assert.Contains("System.String", warning.Message, StringComparison.Ordinal);
        Assert.Contains("System.Int32", warning.Message, StringComparison.Ordinal);
        Assert.Equal(["a", "b"], cache.KeysByRecency());
        Assert.Equal(3, cache.GetStats().Misses);
        Assert.Equal(0, cache.GetStats().Hits);
        Assert.Equal("text", await cache.GetAsync<string>("a"));
    }

    [Fact]
    public async Task Remove_answers_true_only_when_it_removed_a_live_entry()
    {
        using var cache = TestCache.Create(_time);
        await cache.SetAsync("a", 1);
        await cache.SetAsync("b", 2, TimeSpan.FromSeconds(1));
        _time.Advance(TimeSpan.FromSeconds(1));

        Assert.True(await cache.RemoveAsync("a"));
        Assert.False(await cache.RemoveAsync("a"));
        Assert.False(await cache.RemoveAsync("b"));
        Assert.False(await cache.RemoveAsync("never"));
        var stats = cache.GetStats();
        Assert.Equal(1, stats.Removals);
        Assert.Equal(1, stats.Expirations);
        Assert.Equal(0, stats.TotalEntries);
    }

    [Fact]
    public async Task Clear_removes_every_entry_and_keeps_the_counters()
    {
        using var cache = TestCache.Create(_time);
        await cache.SetAsync("a", 1);
        await cache.SetAsync("b", 2);
        await cache.GetAsync<int>("a");
        await cache.GetAsync<int>("z");
        await cache.ClearAsync();

        Assert.False(await cache.ExistsAsync("a"));
        Assert.Equal(0, cache.Snapshot().Count);
        var stats = cache.GetStats();
        Assert.Equal((1L, 1L, 2L, 0L, 0L), (stats.Hits, stats.Misses, stats.Sets, stats.Removals, stats.TotalEntries));
        await cache.SetAsync("c", 3);
        Assert.Equal(["c"], cache.KeysByRecency());
    }

    [Fact]
    public async Task Snapshot_is_the_published_state_and_later_writes_do_not_touch_it()
    {
        using var cache = TestCache.Create(_time);
        await cache.SetAsync("a", 1);
        var before = cache.Snapshot();
        Assert.Same(before, cache.Snapshot());
        await cache.SetAsync("b", 2);
        Assert.Equal(["a"], before.Keys);
        Assert.Equal(["a", "b"], cache.Snapshot().Keys);
    }
}
