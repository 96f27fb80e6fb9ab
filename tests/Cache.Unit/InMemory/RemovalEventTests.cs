using System.Collections.Concurrent;
using Cache.Async;
using Cache.Core;
using Cache.Unit.Support;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Testing;
using Microsoft.Extensions.Time.Testing;

namespace Cache.Unit.InMemory;

/// <summary>
/// EntryRemoved: every removal a transition reports, once, in order, after publication, on the
/// thread that made it. MemoryCache posts each eviction callback to the thread pool
/// (dotnet/runtime#118552); here nothing is queued to the pool.
/// </summary>
public sealed class RemovalEventTests
{
    private readonly FakeTimeProvider _time = new();

    [Theory]
    [InlineData(EvictionPolicy.Lru, "a", EvictionDecision.LeastRecentlyUsed)]
    [InlineData(EvictionPolicy.TinyLfu, "c", EvictionDecision.Refused)] // c, pushed out of the window, is counted less often than a
    public async Task An_eviction_says_which_decision_of_the_policy_took_the_entry(EvictionPolicy policy, string evicted, EvictionDecision decision)
    {
        using var cache = new InMemoryCache(new InMemoryCacheOptions { MaxSize = 3, Policy = policy, ExpirationScanInterval = null }, _time);
        var events = new List<(string, RemovalReason, EvictionDecision)>();
        cache.EntryRemoved += (_, e) => events.Add((e.Key, e.Reason, e.Eviction));
        await cache.SetAsync("a", 1);
        for (int i = 0; i < 5; i++)
        {
            await cache.GetAsync<int>("a"); // a counted six times: c, counted once, cannot beat it whatever the process's string hash makes collide
        }

        foreach (string key in (string[])["b", "c", "d"])
        {
            await cache.SetAsync(key, 1);
        }

        await cache.RemoveAsync("b");
        Assert.Equal([(evicted, RemovalReason.Evicted, decision), ("b", RemovalReason.Removed, EvictionDecision.None)], events);
    }

    [Fact]
    public async Task Every_reason_is_raised_with_key_and_value_in_the_order_the_transitions_happened()
    {
        using var cache = TestCache.Create(_time, maxSize: 2, sweep: TimeSpan.FromMinutes(1));
        var events = new List<(string, object?, RemovalReason)>();
        cache.EntryRemoved += (_, e) => events.Add((e.Key, e.Value, e.Reason));

        await cache.SetAsync("a", 1);
        await cache.SetAsync("a", 2);                          // Replaced a=1
        await cache.SetAsync("b", 3);
        await cache.SetAsync("c", 4);                          // Evicted a=2
        await cache.RemoveAsync("b");                          // Removed b=3
        await cache.SetAsync("short", 5, TimeSpan.FromSeconds(30));
        _time.Advance(TimeSpan.FromSeconds(30));
        Assert.Equal(0, await cache.GetAsync<int>("short"));   // Expired short=5, by the lookup
        await cache.SetAsync("swept", 6, TimeSpan.FromSeconds(10));
        _time.Advance(TimeSpan.FromMinutes(1));                // Expired swept=6, by the sweep
        await cache.SetAsync("d", 7);
        await cache.ClearAsync();                              // Cleared c=4 and d=7, least recent first

        Assert.Equal(
            [
                ("a", 1, RemovalReason.Replaced),
                ("a", 2, RemovalReason.Evicted),
                ("b", 3, RemovalReason.Removed),
                ("short", 5, RemovalReason.Expired),
                ("swept", 6, RemovalReason.Expired),
                ("c", 4, RemovalReason.Cleared),
                ("d", 7, RemovalReason.Cleared),
            ],
            events);
    }

    [Fact]
    public async Task Events_are_raised_on_the_calling_thread_before_the_write_returns_not_on_the_thread_pool()
    {
        using var cache = TestCache.Create(_time, maxSize: 100);
        var threads = new ConcurrentBag<int>();
        int raised = 0;
        cache.EntryRemoved += (_, _) =>
        {
            threads.Add(Environment.CurrentManagedThreadId);
            raised++;
        };

        int caller = Environment.CurrentManagedThreadId;
        for (int i = 0; i < 10_000; i++)
        {
            await cache.SetAsync($"k{i}", i); // completes synchronously: the test stays on its thread
            Assert.Equal(Math.Max(0, i - 99), raised);
        }

        // 9,900 evictions, each raised on this thread before its Set returned; MemoryCache would
        // have queued one thread-pool work item each.
        Assert.Equal([caller], threads.Distinct());
        Assert.Equal(9_900, (await cache.GetStatsAsync()).Evictions);
    }

    [Fact]
    public async Task A_handler_that_throws_is_logged_and_the_cache_and_later_events_carry_on()
    {
        var logger = new FakeLogger<InMemoryCache>();
        using var cache = TestCache.Create(_time, maxSize: 1, logger: logger);
        var seen = new List<string>();
        cache.EntryRemoved += (_, e) =>
        {
            seen.Add(e.Key);
            if (e.Key == "a")
            {
                throw new InvalidOperationException("handler bug");
            }
        };

        await cache.SetAsync("a", 1);
        await cache.SetAsync("b", 2); // evicts a: the handler throws
        await cache.SetAsync("c", 3); // evicts b
        Assert.Equal(["a", "b"], seen);
        Assert.Equal(3, await cache.GetAsync<int>("c"));
        FakeLogRecord warning = Assert.Single(logger.Collector.GetSnapshot(), r => r.Level == LogLevel.Warning);
        Assert.Equal(7, warning.Id.Id);
        Assert.IsType<InvalidOperationException>(warning.Exception);
    }

    [Fact]
    public async Task A_handler_that_writes_to_the_cache_gets_its_own_events_after_it_returns_not_inside_it()
    {
        using var cache = TestCache.Create(_time, maxSize: 1);
        var log = new List<string>();
        int depth = 0;
        cache.EntryRemoved += (_, e) =>
        {
            depth++;
            log.Add($"{e.Key}:{e.Reason}@{depth}");
            if (e.Key == "a")
            {
                cache.SetAsync("from-handler", 0).AsTask().GetAwaiter().GetResult(); // evicts b
            }

            depth--;
        };

        await cache.SetAsync("a", 1);
        await cache.SetAsync("b", 2); // evicts a; the handler's write evicts b

        Assert.Equal(["a:Evicted@1", "b:Evicted@1"], log);
        Assert.Equal(["from-handler"], cache.KeysByRecency());
    }

    [Fact]
    public async Task Under_a_storm_each_removal_is_raised_exactly_once_and_handlers_never_overlap()
    {
        using var cache = TestCache.Create(_time, maxSize: 16);
        var counts = new ConcurrentDictionary<RemovalReason, int>();
        int inside = 0;
        int overlapped = 0;
        cache.EntryRemoved += (_, e) =>
        {
            if (Interlocked.Increment(ref inside) > 1)
            {
                Interlocked.Increment(ref overlapped);
            }

            counts.AddOrUpdate(e.Reason, 1, (_, n) => n + 1);
            Interlocked.Decrement(ref inside);
        };

        async Task Work(int seed)
        {
            var random = new Random(seed);
            for (int i = 0; i < Stress.Scaled(3_000); i++)
            {
                string key = $"k{random.Next(40)}";
                switch (random.Next(4))
                {
                    case 0: await cache.RemoveAsync(key); break;
                    case 1: await cache.GetAsync<int>(key); break;
                    default: await cache.SetAsync(key, i); break;
                }
            }
        }

        await Task.WhenAll(Enumerable.Range(0, 4).Select(seed => Task.Run(() => Work(seed)))).WaitAsync(TimeSpan.FromSeconds(30));
        await cache.ClearAsync();

        CacheStats stats = cache.GetStats();
        Assert.Equal(0, overlapped);
        Assert.Equal(stats.Evictions, counts.GetValueOrDefault(RemovalReason.Evicted));
        Assert.Equal(stats.Removals, counts.GetValueOrDefault(RemovalReason.Removed));
        Assert.True(stats.Evictions > 0 && stats.Removals > 0 && counts.GetValueOrDefault(RemovalReason.Replaced) > 0);

        // Every entry ever stored left exactly once: stored = replaced + evicted + removed + cleared (no expiry here).
        long left = counts.Values.Sum();
        Assert.Equal(stats.Sets, left);
    }
}
