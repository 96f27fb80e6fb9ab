using Cache.Unit.Support;
using Microsoft.Extensions.Time.Testing;

namespace Cache.Unit.InMemory;

public sealed class RecencyAndCapacityTests
{
    private readonly FakeTimeProvider _time = new();

    [Fact]
    public async Task Get_TryGet_GetOrSet_hits_and_Set_make_a_key_most_recent_and_Exists_does_not()
    {
        using var cache = TestCache.Create(_time, maxSize: 5);
        foreach (var key in new[] { "a", "b", "c", "d", "e" })
        {
            await cache.SetAsync(key, key);
        }

        await cache.GetAsync<string>("a");
        await cache.TryGetAsync<string>("b");
        await cache.GetOrSetAsync("c", _ => ValueTask.FromResult("never"));
        await cache.SetAsync("d", "d2");
        await cache.ExistsAsync("e");
        Assert.Equal(["e", "a", "b", "c", "d"], cache.KeysByRecency());
    }

    [Fact]
    public async Task A_new_key_at_capacity_evicts_the_least_recently_used()
    {
        using var cache = TestCache.Create(_time, maxSize: 3);
        await cache.SetAsync("a", 1);
        await cache.SetAsync("b", 2);
        await cache.SetAsync("c", 3);
        await cache.GetAsync<int>("a");
        await cache.SetAsync("d", 4);

        Assert.False(await cache.ExistsAsync("b"));
        Assert.Equal(["c", "a", "d"], cache.KeysByRecency());
        Assert.Equal(1, cache.GetStats().Evictions);
    }

    [Fact]
    public async Task A_factory_value_stored_at_capacity_evicts_by_the_hits_made_while_it_ran()
    {
        using var cache = TestCache.Create(_time, maxSize: 3);
        await cache.SetAsync("a", 1);
        await cache.SetAsync("b", 2);
        await cache.SetAsync("c", 3);
        var release = new TaskCompletionSource<int>(TaskCreationOptions.RunContinuationsAsynchronously);
        var pending = cache.GetOrSetAsync("d", _ => new ValueTask<int>(release.Task));

        await cache.GetAsync<int>("a"); // a hit that only the store can apply before it evicts
        release.SetResult(4);
        Assert.Equal(4, await pending);

        Assert.False(await cache.ExistsAsync("b"));
        Assert.Equal(["c", "a", "d"], cache.KeysByRecency());
    }

    [Fact]
    public async Task Overwriting_at_capacity_never_evicts()
    {
        using var cache = TestCache.Create(_time, maxSize: 2);
        await cache.SetAsync("a", 1);
        await cache.SetAsync("b", 2);
        await cache.SetAsync("a", 3);
        Assert.Equal(["b", "a"], cache.KeysByRecency());
        Assert.Equal(0, cache.GetStats().Evictions);
    }

    [Fact]
    public async Task Expired_entries_go_before_a_live_one_is_evicted()
    {
        using var cache = TestCache.Create(_time, maxSize: 2);
        await cache.SetAsync("old", 1);
        await cache.SetAsync("short", 2, TimeSpan.FromSeconds(1));
        _time.Advance(TimeSpan.FromSeconds(1));
        await cache.SetAsync("new", 3);

        Assert.Equal(["old", "new"], cache.KeysByRecency());
        var stats = cache.GetStats();
        Assert.Equal(0, stats.Evictions);
        Assert.Equal(1, stats.Expirations);
    }

    [Fact]
    public async Task Expired_entries_count_against_the_bound_until_removed()
    {
        using var cache = TestCache.Create(_time, maxSize: 2);
        await cache.SetAsync("a", 1, TimeSpan.FromSeconds(1));
        await cache.SetAsync("b", 2, TimeSpan.FromSeconds(1));
        _time.Advance(TimeSpan.FromSeconds(5));
        var stats = cache.GetStats();
        Assert.Equal(2, stats.ExpiredEntries);
        Assert.Equal(0, stats.ActiveEntries);
        Assert.Equal(100.0, stats.UtilizationPercent);
    }
}
