using Cache.Async;
using Cache.Core;
using Cache.Unit.Support;
using Microsoft.Extensions.Time.Testing;

namespace Cache.Unit.InMemory;

/// <summary>
/// Dry runs and point-in-time views: a snapshot is the published immutable state, so questions
/// asked of it (and transitions run on it) never touch the live cache.
/// </summary>
public sealed class SnapshotTests
{
    private readonly FakeTimeProvider _time = new();

    [Fact]
    public async Task What_would_this_Set_evict_is_answered_without_touching_the_live_cache()
    {
        using var cache = TestCache.Create(_time, maxSize: 3);
        await cache.SetAsync("a", 1);
        await cache.SetAsync("b", 2);
        await cache.SetAsync("c", 3);
        await cache.GetAsync<int>("a");

        var wouldGo = cache.Snapshot().Set("d", 4, cache.GetElapsedTime()).Removals;
        Assert.Equal([("b", RemovalReason.Evicted)], wouldGo.Select(r => (r.Key, r.Reason)));
        Assert.True(await cache.ExistsAsync("b"));
        Assert.Equal(0, (await cache.GetStatsAsync()).Evictions);

        var went = new List<string>();
        cache.EntryRemoved += (_, e) => went.Add(e.Key);
        await cache.SetAsync("d", 4);
        Assert.Equal(wouldGo.Select(r => r.Key), went); // the dry run said what the real Set did
    }

    [Fact]
    public async Task What_expires_in_the_next_ten_minutes_is_a_dry_run_of_Expire()
    {
        using var cache = TestCache.Create(_time);
        await cache.SetAsync("five", 5, TimeSpan.FromMinutes(5));
        await cache.SetAsync("fifteen", 15, TimeSpan.FromMinutes(15));
        await cache.SetAsync("ten", 10, TimeSpan.FromMinutes(10));
        await cache.SetAsync("forever", 0, Timeout.InfiniteTimeSpan);

        var soon = cache.Snapshot().Expire(cache.GetElapsedTime() + TimeSpan.FromMinutes(10)).Removals;
        Assert.Equal(["five", "ten"], soon.Select(r => r.Key)); // soonest first; "ten" is due at exactly +10 min
        Assert.Equal(4, cache.Snapshot().Count);
        Assert.True(await cache.ExistsAsync("five"));
    }

    [Fact]
    public async Task Entries_are_a_consistent_point_in_time_view_with_values_and_deadlines()
    {
        using var cache = TestCache.Create(_time, maxSize: 1000);
        _time.Advance(TimeSpan.FromMinutes(1));
        await cache.SetAsync("ttl", "x", TimeSpan.FromMinutes(2));
        await cache.SetAsync("forever", "y", Timeout.InfiniteTimeSpan);
        TimeSpan setAt = cache.GetElapsedTime();

        CacheState<string, object?> snapshot = cache.Snapshot();
        CacheEntry<string, object?>[] before = [.. snapshot.Entries];
        Assert.Equal([new("ttl", "x", setAt + TimeSpan.FromMinutes(2)), new("forever", "y", null)], before);

        // Writers churn the live cache while the snapshot is enumerated, slowly, twice.
        using var stop = new CancellationTokenSource();
        Task churn = Task.Run(async () =>
        {
            for (int i = 0; !stop.IsCancellationRequested && i < 200_000; i++)
            {
                await cache.SetAsync($"k{i % 2000}", i);
                if (i % 7 == 0)
                {
                    await cache.RemoveAsync("ttl");
                    await cache.ClearAsync();
                }
            }
        });
        var during = new List<CacheEntry<string, object?>>();
        foreach (CacheEntry<string, object?> entry in snapshot.Entries)
        {
            during.Add(entry);
            await Task.Yield();
        }

        await stop.CancelAsync();
        await churn.WaitAsync(TimeSpan.FromSeconds(30));
        Assert.Equal(before, during);
        Assert.Equal(before, snapshot.Entries);
        Assert.Equal(2, snapshot.Count);
    }
}
