using System.Collections.Concurrent;
using System.Diagnostics;
using Cache.Async;
using Cache.Contract;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Testing;

namespace Cache.Redis.Tests;

/// <summary>
/// Redis trouble never reaches the caller: each test has a server of its own, which it kills and
/// starts again. Calls are bounded by the operation timeout, and the cache recovers by itself.
/// </summary>
public sealed class RedisFaultTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromMilliseconds(500);
    private static readonly TimeSpan Margin = TimeSpan.FromMilliseconds(500);
    private static readonly TimeSpan Recovery = TimeSpan.FromSeconds(5);
    private readonly FakeLogCollector _logs = new();

    [Fact]
    public async Task A_server_that_dies_mid_run_makes_bounded_logged_misses_and_the_cache_recovers_when_it_returns()
    {
        using var server = new RedisServer();
        await using RedisCache cache = Create(server);
        await cache.SetAsync("warm", 1);
        Assert.Equal(1, await cache.GetAsync<int>("warm"));

        var calls = new TimedCalls();
        int roundsAfterKill = 0;
        bool killed = false;
        async Task Worker(int id)
        {
            // Rounds of every operation until 30 rounds have run against the dead server.
            for (int round = 0; Volatile.Read(ref roundsAfterKill) < 30 && round < 10_000; round++)
            {
                bool wasKilled = Volatile.Read(ref killed);
                await EveryOperationAsync(cache, $"w{id}:{round % 10}", calls);
                if (wasKilled)
                {
                    Interlocked.Increment(ref roundsAfterKill);
                }
            }
        }

        Task[] workers = [.. Enumerable.Range(0, 4).Select(id => Task.Run(() => Worker(id)))];
        await EventuallyAsync(() => calls.Calls.Count >= 200); // the run is under way
        server.Stop();
        Volatile.Write(ref killed, true);
        // A bound on the real clock, not a wait: the workers talk to a real server process, which no
        // FakeTimeProvider drives; it only turns a hang into a failure.
        await Task.WhenAll(workers).WaitAsync(TimeSpan.FromSeconds(60));

        calls.AssertNoneThrewAndEachWithin(Timeout + Margin);
        Assert.Contains(_logs.GetSnapshot(), r => r.Level == LogLevel.Warning && r.Id.Id == 10);

        server.Start();
        await AssertRecoversAsync(cache);
    }

    [Fact]
    public async Task A_cache_made_while_Redis_is_down_answers_misses_then_works_when_Redis_comes_up()
    {
        using var server = new RedisServer();
        server.Stop();
        await using RedisCache cache = Create(server);

        var calls = new TimedCalls();
        await EveryOperationAsync(cache, "k", calls);
        await EveryOperationAsync(cache, "k", calls);
        calls.AssertNoneThrewAndEachWithin(Timeout + Margin);
        Assert.Equal(0, await cache.GetAsync<int>("k"));

        server.Start();
        await AssertRecoversAsync(cache);
    }

    [Fact]
    public async Task Against_a_stalled_server_every_call_GetOrSet_included_returns_within_one_operation_timeout()
    {
        // A paused server keeps its socket open and answers nothing: each round trip waits out the timeout.
        // Real time on purpose: the bound under test is the client's operation timeout against a paused
        // server process, which runs on the real clock and which no FakeTimeProvider can move.
        TimeSpan timeout = TimeSpan.FromSeconds(1);
        using var server = new RedisServer();
        await using RedisCache cache = Create(server, timeout);
        await cache.SetAsync("warm", 1);
        Assert.Equal(1, await cache.GetAsync<int>("warm"));

        server.Pause();
        var calls = new TimedCalls();
        try
        {
            await EveryOperationAsync(cache, "k", calls);
            await EveryOperationAsync(cache, "warm", calls);
        }
        finally
        {
            server.Resume();
        }

        Assert.Equal(16, calls.Calls.Count);
        calls.AssertNoneThrewAndEachWithin(timeout + Margin);
        Assert.Contains(_logs.GetSnapshot(), r => r.Level == LogLevel.Warning && r.Id.Id == 10 && r.Exception is TimeoutException);
        await AssertRecoversAsync(cache);
    }

    [Fact]
    public async Task A_factory_slower_than_the_operation_timeout_still_has_its_value_stored()
    {
        // The timeout budgets a call's Redis round trips; the factory's own run time is the caller's.
        using var server = new RedisServer();
        await using RedisCache cache = Create(server);
        async ValueTask<string> Slow(CancellationToken token)
        {
            await Task.Delay(Timeout * 2, token); // the factory's work (a slow query), not a wait for the cache or the server
            return "made";
        }

        Assert.Equal("made", await cache.GetOrSetAsync("slow", Slow));
        Assert.Equal("made", await cache.GetAsync<string>("slow"));
        Assert.DoesNotContain(_logs.GetSnapshot(), r => r.Level == LogLevel.Warning);
    }

    /// <summary>Every ICache operation once, each timed.</summary>
    private static async Task EveryOperationAsync(RedisCache cache, string key, TimedCalls calls)
    {
        await calls.Run("Set", () => cache.SetAsync(key, 42).AsTask());
        await calls.Run("Get", () => cache.GetAsync<int>(key).AsTask());
        await calls.Run("TryGet", () => cache.TryGetAsync<int>(key).AsTask());
        await calls.Run("Exists", () => cache.ExistsAsync(key).AsTask());
        await calls.Run("GetOrSet", () => cache.GetOrSetAsync(key + ":made", _ => ValueTask.FromResult(7)).AsTask());
        await calls.Run("Remove", () => cache.RemoveAsync(key).AsTask());
        await calls.Run("Clear", () => cache.ClearAsync().AsTask());
        await calls.Run("GetStats", () => cache.GetStatsAsync().AsTask());
    }

    private static async Task AssertRecoversAsync(RedisCache cache)
    {
        // Real time on purpose: recovery is the client reconnecting to a restarted server process,
        // which runs on the real clock; the bound turns a client that never recovers into a failure.
        var since = Stopwatch.StartNew();
        while (true)
        {
            await cache.SetAsync("back", "again");
            if (await cache.GetAsync<string>("back") == "again")
            {
                return;
            }

            Assert.True(since.Elapsed < Recovery, $"not recovered within {Recovery.TotalSeconds} s");
            await Task.Delay(50); // polling an outside process; the cache's time is not involved
        }
    }

    private static async Task EventuallyAsync(Func<bool> condition)
    {
        // A bound on the real clock, not a wait (the loop only yields): the condition depends on a
        // real server process, which no FakeTimeProvider drives.
        var since = Stopwatch.StartNew();
        while (!condition())
        {
            Assert.True(since.Elapsed < TimeSpan.FromSeconds(10), "the condition did not hold within 10 s");
            await Task.Yield();
        }
    }

    private RedisCache Create(RedisServer server, TimeSpan? timeout = null) => new(
        new RedisCacheOptions { Configuration = server.Configuration, KeyPrefix = "fault:", OperationTimeout = timeout ?? Timeout },
        new FakeLogger<RedisCache>(_logs));
}
