using System.Collections.Concurrent;
using System.Diagnostics;
using Cache.Contract;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Testing;
using Microsoft.Extensions.Time.Testing;

namespace Cache.Memcached.Tests;

/// <summary>
/// Server trouble never reaches the caller: each test has servers of its own, which it kills,
/// stalls and starts again. Calls are bounded by the operation timeout, a dead server loses only its
/// own keys, and it serves again soon after it returns.
/// </summary>
public sealed class MemcachedFaultTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromMilliseconds(500);
    private static readonly TimeSpan Margin = TimeSpan.FromMilliseconds(500);
    private readonly FakeLogCollector _logs = new();

    [Fact]
    public async Task Of_two_servers_one_killed_mid_run_loses_only_its_own_keys_each_call_bounded_and_it_serves_again_within_5_s_of_its_restart()
    {
        using var first = new MemcachedServer();
        using var second = new MemcachedServer();
        await using MemcachedCache cache = Create([first.Address, second.Address]);
        string[] keys = [.. Enumerable.Range(0, 200).Select(i => $"key:{i}")];
        await cache.SetManyAsync(keys.Select(key => KeyValuePair.Create(key, key)));
        Assert.Equal(keys.Length, (await cache.GetManyAsync<string>(keys)).Count);

        // Which keys live where, as the server that holds them tells.
        long onFirst = first.Stat("curr_items") - 1; // less the generation counter
        long onSecond = second.Stat("curr_items") - 1;
        Assert.Equal(keys.Length, onFirst + onSecond);
        Assert.InRange(onFirst, keys.Length / 4, keys.Length * 3 / 4); // consistent hashing spreads them

        var calls = new TimedCalls();
        first.Stop();
        int live = 0;
        foreach (string key in keys)
        {
            await calls.Run("Get", async () =>
            {
                if (await cache.GetAsync<string>(key) == key)
                {
                    live++;
                }
            });
        }

        await calls.Run("GetMany", async () => Assert.Equal(onSecond, (await cache.GetManyAsync<string>(keys)).Count));
        await calls.Run("SetMany", () => cache.SetManyAsync(keys.Select(key => KeyValuePair.Create(key, key + "'"))).AsTask());
        await calls.Run("RemoveMany", () => cache.RemoveManyAsync(keys.Take(10)).AsTask());
        await calls.Run("Clear", () => cache.ClearAsync().AsTask());

        calls.AssertNoneThrewAndEachWithin(Timeout + Margin);
        Assert.Equal(onSecond, live); // the live server's keys still hit
        Assert.Contains(_logs.GetSnapshot(), r => r.Level == LogLevel.Warning && r.Id.Id == 10);

        first.Start();
        await AssertServesWithinAsync(cache, keys, TimeSpan.FromSeconds(5), first);
    }

    [Fact]
    public async Task A_stalled_server_makes_bounded_logged_misses_and_serves_again_when_it_resumes()
    {
        using var server = new MemcachedServer();
        await using MemcachedCache cache = Create([server.Address]);
        await cache.SetAsync("warm", 1);
        server.Pause();
        var calls = new TimedCalls();
        try
        {
            await Task.WhenAll(Enumerable.Range(0, 8).Select(i => Task.Run(async () =>
            {
                await calls.Run("Get", async () => Assert.Equal(0, await cache.GetAsync<int>("warm")));
                await calls.Run("Set", () => cache.SetAsync($"k{i}", i).AsTask());
                await calls.Run("Exists", async () => Assert.False(await cache.ExistsAsync("warm")));
                await calls.Run("GetOrSet", async () => Assert.Equal(i, await cache.GetOrSetAsync($"made{i}", _ => ValueTask.FromResult(i))));
                await calls.Run("Remove", async () => Assert.False(await cache.RemoveAsync("warm")));
            })));
        }
        finally
        {
            server.Resume();
        }

        calls.AssertNoneThrewAndEachWithin(Timeout + Margin);
        Assert.Contains(_logs.GetSnapshot(), r => r.Level == LogLevel.Warning && r.Id.Id == 10 && r.Exception is TimeoutException);
        await AssertServesWithinAsync(cache, ["warm"], TimeSpan.FromSeconds(5), server);
    }

    [Fact]
    public async Task A_down_server_is_retried_after_its_backoff_on_the_caches_clock()
    {
        // The backoff runs on the injected TimeProvider: a fake clock moves it, deterministically.
        using var server = new MemcachedServer();
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using MemcachedCache cache = Create([server.Address], time);
        await cache.SetAsync("k", 1);
        server.Stop();
        Assert.Equal(0, await cache.GetAsync<int>("k")); // refused: the server is down for 100 ms
        server.Start();

        Assert.Equal(0, await cache.GetAsync<int>("k")); // still in its backoff: not tried, a miss at once
        Assert.Contains(_logs.GetSnapshot(), r => r.Id.Id == 10 && r.Exception is IOException { Message: var message } && message.Contains("is down", StringComparison.Ordinal));

        time.Advance(TimeSpan.FromMilliseconds(100));
        await cache.SetAsync("k", 2); // tried again: a new server, empty, answers
        Assert.Equal(2, await cache.GetAsync<int>("k"));
    }

    [Fact]
    public async Task A_cache_whose_servers_are_all_down_from_the_start_answers_misses_and_never_throws()
    {
        using var server = new MemcachedServer();
        server.Stop();
        await using MemcachedCache cache = Create([server.Address]);
        var calls = new TimedCalls();
        await calls.Run("Get", async () => Assert.Equal(0, await cache.GetAsync<int>("k")));
        await calls.Run("Set", () => cache.SetAsync("k", 1).AsTask());
        await calls.Run("GetOrSet", async () => Assert.Equal(3, await cache.GetOrSetAsync("k", _ => ValueTask.FromResult(3))));
        await calls.Run("Clear", () => cache.ClearAsync().AsTask());
        calls.AssertNoneThrewAndEachWithin(Timeout + Margin);
    }

    [Fact]
    public async Task A_Clear_that_missed_a_stalled_server_is_made_once_before_its_next_request_and_no_later_write_is_lost()
    {
        using var server = new MemcachedServer();
        await using MemcachedCache cache = Create([server.Address]);
        await cache.SetAsync("before", 1);
        server.Pause();
        try
        {
            await cache.ClearAsync(); // times out: the Clear is owed
        }
        finally
        {
            server.Resume();
        }

        await AssertServesWithinAsync(cache, ["probe"], TimeSpan.FromSeconds(5), server);
        Assert.Equal(default, await cache.TryGetAsync<int>("before")); // the owed Clear was made

        // Many requests at once after it: the owed Clear moved the generation on once, not once each.
        await Task.WhenAll(Enumerable.Range(0, 200).Select(i => Task.Run(() => cache.SetAsync($"s{i}", i).AsTask())));
        IReadOnlyDictionary<string, int> found = await cache.GetManyAsync<int>(Enumerable.Range(0, 200).Select(i => $"s{i}"));
        Assert.Equal(200, found.Count);
    }

    [Fact]
    public async Task A_Clear_cancelled_before_a_stalled_server_answered_is_owed_there_so_it_is_never_half_done()
    {
        using var first = new MemcachedServer();
        using var second = new MemcachedServer();
        await using MemcachedCache cache = Create([first.Address, second.Address], connections: 1);
        string[] keys = [.. Enumerable.Range(0, 40).Select(i => $"k{i}")];
        await cache.SetManyAsync(keys.Select(key => KeyValuePair.Create(key, 1)));
        Assert.Equal(keys.Length, (await cache.GetManyAsync<int>(keys)).Count);
        second.Pause();
        try
        {
            // Reads fill the stalled server's one connection (512 places), so the Clear's move of the
            // generation there waits for a place, and is cancelled before it is ever sent.
            Task[] reads = [.. Enumerable.Range(0, 2_000).Select(i => cache.GetAsync<int>($"fill:{i}").AsTask())];
            // The caller's own token on the real clock: the stalled server is a real process, which no
            // FakeTimeProvider reaches; 100 ms falls before the cache's 500 ms timeout.
            using var leave = new CancellationTokenSource(TimeSpan.FromMilliseconds(100));
            await Assert.ThrowsAnyAsync<OperationCanceledException>(() => cache.ClearAsync(leave.Token).AsTask());
            await Task.WhenAll(reads).WaitAsync(TimeSpan.FromSeconds(10)); // misses, logged: a bound, not a wait
        }
        finally
        {
            second.Resume();
        }

        // Both servers serve again (40 other keys land on both), and none of the keys set before the Clear is read.
        await AssertServesWithinAsync(cache, [.. keys.Select(key => "other:" + key)], TimeSpan.FromSeconds(5), second);
        Assert.Empty(await cache.GetManyAsync<int>(keys));
    }

    [Fact]
    public async Task Dispose_while_a_GetOrSet_waits_on_a_stalled_server_ends_the_call()
    {
        using var server = new MemcachedServer();
        MemcachedCache cache = Create([server.Address]);
        await cache.SetAsync("warm", 1);
        server.Pause();
        try
        {
            Task<int> waiting = cache.GetOrSetAsync("k", _ => ValueTask.FromResult(42)).AsTask();
            await cache.DisposeAsync();

            // Any ending is an answer (the value, a cancellation, ObjectDisposedException); a hang is not.
            // A bound on the real clock, not a wait: it turns a hang into a failure.
            Exception? ended = await Record.ExceptionAsync(() => waiting.WaitAsync(TimeSpan.FromSeconds(10))); // a bound that turns a hang into a failure, not a wait
            Assert.True(ended is null or OperationCanceledException or ObjectDisposedException, ended?.ToString());
        }
        finally
        {
            server.Resume();
        }
    }

    [Fact]
    public async Task GetOrSet_callers_that_cancel_while_the_lookup_runs_still_count_one_lookup_each()
    {
        using var server = new MemcachedServer();
        await using MemcachedCache cache = Create([server.Address]);
        await cache.SetAsync("warm", 1);
        server.Pause();
        try
        {
            using var leave = new CancellationTokenSource();
            Task<int>[] callers = [.. Enumerable.Range(0, 20).Select(i => cache.GetOrSetAsync("k", _ => ValueTask.FromResult(7), cancellationToken: i % 2 == 0 ? leave.Token : default).AsTask())];
            leave.Cancel(); // half of them leave while the lookup waits on the stalled server
            // A bound on the real clock (the calls wait on a real, stalled server process), not a wait.
            Exception? _ = await Record.ExceptionAsync(() => Task.WhenAll(callers).WaitAsync(TimeSpan.FromSeconds(10)));
            Assert.All(callers.Where((_, i) => i % 2 == 1), caller => Assert.Equal(7, caller.Result));
        }
        finally
        {
            server.Resume();
        }

        Async.CacheStats stats = await cache.GetStatsAsync();
        Assert.Equal(20, stats.Hits + stats.Misses);
    }

    private static async Task AssertServesWithinAsync(MemcachedCache cache, string[] keys, TimeSpan bound, MemcachedServer server)
    {
        // Real time on purpose: recovery is the client reconnecting to a server process, which runs
        // on the real clock; the bound turns a client that never recovers into a failure.
        var since = Stopwatch.StartNew();
        while (true)
        {
            await cache.SetManyAsync(keys.Select(key => KeyValuePair.Create(key, "back")));
            if ((await cache.GetManyAsync<string>(keys)).Count == keys.Length)
            {
                Assert.True(server.Stat("curr_items") > 0);
                return;
            }

            Assert.True(since.Elapsed < bound, $"not serving again within {bound.TotalSeconds} s");
            await Task.Delay(50); // polling an outside process; the cache's time is not involved
        }
    }

    private MemcachedCache Create(string[] servers, TimeProvider? time = null, int connections = 2) => new(
        new MemcachedCacheOptions { Servers = servers, KeyPrefix = "fault:", OperationTimeout = Timeout, ConnectionsPerServer = connections },
        time,
        new FakeLogger<MemcachedCache>(_logs));
}
