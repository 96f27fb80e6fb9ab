using System.Diagnostics;
using Cache.Async;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Testing;

namespace Cache.Contract;

/// <summary>
/// The <see cref="ICache"/> contract of docs/contract.md, written once. Each backend's test
/// project derives a class that says how to make its cache and how time passes on its clock;
/// xunit runs every test here against each. Clauses that need a fake clock (exact deadlines,
/// a wall-clock jump, the sweep) or the in-process LRU stay in the in-memory tests.
/// </summary>
public abstract class CacheContractTests : IAsyncDisposable
{
    private readonly List<ICache> _caches = [];

    /// <summary>What the caches made by <see cref="Create(TimeSpan)"/> log.</summary>
    protected FakeLogCollector Logs { get; } = new();

    /// <summary>
    /// A TTL the time clauses use: on a real clock it must leave a generous margin for a loaded
    /// machine, since the tests check "live" at half of it and "expired" at twice it.
    /// </summary>
    protected abstract TimeSpan ShortTtl { get; }

    /// <summary>
    /// Whether a batch is applied whole, so a concurrent reader sees all of it or none (memory, and
    /// Redis's MULTI/EXEC); memcached has no transactions and applies a batch key by key.
    /// </summary>
    protected virtual bool BatchesAreAtomic => true;

    /// <inheritdoc/>
    public async ValueTask DisposeAsync()
    {
        foreach (ICache cache in _caches)
        {
            if (cache is IAsyncDisposable asynchronous)
            {
                await asynchronous.DisposeAsync();
            }
            else
            {
                ((IDisposable)cache).Dispose();
            }
        }

        GC.SuppressFinalize(this);
    }

    /// <summary>Makes a fresh, empty cache of the backend under test that logs to <see cref="Logs"/>.</summary>
    /// <param name="defaultTtl">The cache's default TTL.</param>
    /// <returns>The cache; the test class disposes it.</returns>
    protected abstract ICache Make(TimeSpan defaultTtl);

    /// <summary>Lets <paramref name="time"/> pass on the backend's clock: a fake clock's Advance, or real waiting.</summary>
    /// <param name="time">How long.</param>
    /// <returns>A task that completes when the time has passed.</returns>
    protected abstract Task LetPassAsync(TimeSpan time);

    [Fact]
    public async Task A_miss_answers_the_default_and_TryGet_tells_a_cached_default_apart()
    {
        ICache cache = Create();
        Assert.Equal(0, await cache.GetAsync<int>("missing"));
        Assert.Equal(new CacheLookup<int>(false, 0), await cache.TryGetAsync<int>("missing"));
        await cache.SetAsync("zero", 0);
        Assert.Equal(new CacheLookup<int>(true, 0), await cache.TryGetAsync<int>("zero"));
    }

    [Fact]
    public async Task Null_is_a_value()
    {
        ICache cache = Create();
        await cache.SetAsync<string?>("a", null);
        Assert.Equal(new CacheLookup<string>(true, null), await cache.TryGetAsync<string>("a"));
        Assert.True(await cache.ExistsAsync("a"));
        int runs = 0;
        Assert.Null(await cache.GetOrSetAsync<string?>("a", _ => { runs++; return ValueTask.FromResult<string?>("made"); }));
        Assert.Equal(0, runs);
        Assert.Equal(2, (await cache.GetStatsAsync()).Hits);
    }

    [Fact]
    public async Task A_value_reads_back_equal_and_a_Set_replaces_it()
    {
        ICache cache = Create();
        var order = new Order(7, "Ada Lovelace", 12.5m, new Address("1 Analytical St", "London"), new DateTimeOffset(2026, 11, 24, 9, 30, 0, TimeSpan.Zero));
        await cache.SetAsync("order:7", order);
        Assert.Equal(order, await cache.GetAsync<Order>("order:7"));

        await cache.SetAsync("order:7", order with { Total = 99m });
        Assert.Equal(99m, (await cache.GetAsync<Order>("order:7"))!.Total);
        Assert.Equal(2, (await cache.GetStatsAsync()).Sets);
    }

    [Fact]
    public async Task Exists_is_a_peek_that_counts_nothing()
    {
        ICache cache = Create();
        await cache.SetAsync("a", 1);
        Assert.True(await cache.ExistsAsync("a"));
        Assert.False(await cache.ExistsAsync("b"));
        CacheStats stats = await cache.GetStatsAsync();
        Assert.Equal(0, stats.Hits + stats.Misses);
    }

    [Fact]
    public async Task Remove_answers_true_only_when_it_removed_a_live_entry()
    {
        ICache cache = Create();
        await cache.SetAsync("a", 1);
        Assert.True(await cache.RemoveAsync("a"));
        Assert.False(await cache.RemoveAsync("a"));
        Assert.False(await cache.RemoveAsync("never-set"));
        Assert.False(await cache.ExistsAsync("a"));
        Assert.Equal(1, (await cache.GetStatsAsync()).Removals);
    }

    [Fact]
    public async Task Clear_removes_every_entry_and_keeps_the_counters()
    {
        ICache cache = Create();
        for (int i = 0; i < 25; i++)
        {
            await cache.SetAsync($"k{i}", i);
        }

        Assert.Equal(3, await cache.GetAsync<int>("k3"));
        await cache.ClearAsync();

        for (int i = 0; i < 25; i++)
        {
            Assert.False(await cache.ExistsAsync($"k{i}"));
        }

        CacheStats stats = await cache.GetStatsAsync();
        Assert.Equal((1, 25), (stats.Hits, stats.Sets));
        Assert.Equal("again", await cache.GetOrSetAsync("k3", _ => ValueTask.FromResult("again")));
    }

    [Fact]
    public async Task Every_lookup_counts_exactly_one_hit_or_miss()
    {
        ICache cache = Create();
        await cache.SetAsync("a", "x");
        await cache.GetAsync<string>("a");                                       // hit
        await cache.GetAsync<string>("b");                                       // miss
        await cache.TryGetAsync<string>("a");                                    // hit
        await cache.GetOrSetAsync("a", _ => ValueTask.FromResult("unused"));     // hit
        await cache.GetOrSetAsync("c", _ => ValueTask.FromResult("made"));       // miss, then a set
        await cache.RemoveAsync("a");
        await cache.ExistsAsync("a");                                            // neither

        CacheStats stats = await cache.GetStatsAsync();
        Assert.Equal((3, 2, 2, 1), (stats.Hits, stats.Misses, stats.Sets, stats.Removals));
        Assert.Equal(0.6, stats.HitRate, 10);
    }

    [Fact]
    public async Task An_entry_is_live_before_its_TTL_and_a_miss_after_it()
    {
        ICache cache = Create();
        await cache.SetAsync("short", "v", ShortTtl);
        await LetPassAsync(ShortTtl / 2);
        Assert.Equal("v", await cache.GetAsync<string>("short"));
        Assert.True(await cache.ExistsAsync("short"));

        await LetPassAsync(ShortTtl * 1.5);
        Assert.Equal(new CacheLookup<string>(false, null), await cache.TryGetAsync<string>("short"));
        Assert.False(await cache.ExistsAsync("short"));
        Assert.False(await cache.RemoveAsync("short"));
        Assert.Equal(0, (await cache.GetStatsAsync()).Removals);
    }

    [Fact]
    public async Task A_null_TTL_is_the_default_and_infinite_or_overflowing_TTLs_never_expire()
    {
        ICache cache = Create(defaultTtl: ShortTtl);
        await cache.SetAsync("default", 1);
        await cache.SetAsync("infinite", 2, Timeout.InfiniteTimeSpan);
        await cache.SetAsync("max", 3, TimeSpan.MaxValue);
        await cache.SetAsync("hour", 4, TimeSpan.FromHours(1));
        await cache.SetAsync("replaced", 5, ShortTtl);
        await cache.SetAsync("replaced", 6, Timeout.InfiniteTimeSpan); // a Set replaces the TTL too
        await cache.GetOrSetAsync("made", _ => ValueTask.FromResult(7)); // the default TTL as well

        await LetPassAsync(ShortTtl * 2);
        Assert.False(await cache.ExistsAsync("default"));
        Assert.False(await cache.ExistsAsync("made"));
        Assert.Equal(2, await cache.GetAsync<int>("infinite"));
        Assert.Equal(3, await cache.GetAsync<int>("max"));
        Assert.Equal(4, await cache.GetAsync<int>("hour"));
        Assert.Equal(6, await cache.GetAsync<int>("replaced"));
    }

    [Fact]
    public async Task A_value_read_as_another_type_is_a_miss_logged_at_Warning_never_an_exception()
    {
        ICache cache = Create();
        await cache.SetAsync("a", "text");
        Assert.Equal(new CacheLookup<int>(false, 0), await cache.TryGetAsync<int>("a"));
        Assert.Equal(0, await cache.GetAsync<int>("a"));

        // Whether the entry stays is the backend's: in memory it does; on Redis a payload that does
        // not read as the type is deleted like any unreadable one. The warning and the miss are the contract.
        Assert.Contains(Logs.GetSnapshot(), r => r.Level == LogLevel.Warning && r.Id.Id == 5 && r.Message.Contains("System.Int32", StringComparison.Ordinal));
        CacheStats stats = await cache.GetStatsAsync();
        Assert.Equal((0, 2), (stats.Hits, stats.Misses));
    }

    [Fact]
    public async Task Keys_with_spaces_newlines_globs_or_any_text_stay_one_key_each()
    {
        ICache cache = Create();
        string[] keys = ["a b", "a\nb", "a\r\nb", "*", "a*", "a?", "[a]", "", " ", "\\", "ключ", "🔑", "a:b", "A B"];
        for (int i = 0; i < keys.Length; i++)
        {
            await cache.SetAsync(keys[i], i);
        }

        for (int i = 0; i < keys.Length; i++)
        {
            Assert.Equal(new CacheLookup<int>(true, i), await cache.TryGetAsync<int>(keys[i]));
        }

        Assert.True(await cache.RemoveAsync("*"));
        Assert.False(await cache.ExistsAsync("*"));
        foreach (string key in keys.Where(k => k != "*"))
        {
            Assert.True(await cache.ExistsAsync(key));
        }

        Assert.False(await cache.ExistsAsync("a"));
    }

    [Fact]
    public async Task GetOrSet_returns_a_hit_without_running_the_factory_and_stores_a_miss_with_its_TTL()
    {
        ICache cache = Create();
        await cache.SetAsync("hit", "cached");
        Assert.Equal("cached", await cache.GetOrSetAsync<string>("hit", _ => throw new InvalidOperationException("must not run")));

        Assert.Equal("made", await cache.GetOrSetAsync("miss", _ => ValueTask.FromResult("made"), ShortTtl));
        Assert.Equal("made", await cache.GetAsync<string>("miss"));
        await LetPassAsync(ShortTtl * 2);
        Assert.False(await cache.ExistsAsync("miss"));
    }

    [Fact]
    public async Task Concurrent_callers_of_one_key_share_one_run_of_the_factory()
    {
        ICache cache = Create();
        const int callers = 20;
        int runs = 0;
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        async ValueTask<string> Load(CancellationToken token)
        {
            Interlocked.Increment(ref runs);
            await release.Task.WaitAsync(token);
            return "loaded";
        }

        Task<string>[] waiting = [.. Enumerable.Range(0, callers).Select(_ => cache.GetOrSetAsync("report", Load).AsTask())];
        await EventuallyAsync(async () => (await cache.GetStatsAsync()).Misses == callers); // every caller has missed and joined
        release.SetResult();

        Assert.All(await Task.WhenAll(waiting), value => Assert.Equal("loaded", value));
        Assert.Equal(1, runs);
        Assert.Equal("loaded", await cache.GetAsync<string>("report"));
        Assert.Equal(1, (await cache.GetStatsAsync()).Sets);
    }

    [Fact]
    public async Task A_factory_exception_reaches_every_waiter_nothing_is_stored_and_the_next_call_runs_again()
    {
        ICache cache = Create();
        int runs = 0;
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        async ValueTask<string> Fail(CancellationToken token)
        {
            Interlocked.Increment(ref runs);
            await release.Task.WaitAsync(token);
            throw new InvalidOperationException("database down");
        }

        Task<string>[] waiting = [.. Enumerable.Range(0, 3).Select(_ => cache.GetOrSetAsync("k", Fail).AsTask())];
        await EventuallyAsync(async () => (await cache.GetStatsAsync()).Misses == 3);
        release.SetResult();
        foreach (Task<string> caller in waiting)
        {
            Assert.Equal("database down", (await Assert.ThrowsAsync<InvalidOperationException>(() => caller)).Message);
        }

        Assert.Equal(1, runs);
        Assert.False(await cache.ExistsAsync("k"));
        Assert.Equal("fine", await cache.GetOrSetAsync("k", _ => { runs++; return ValueTask.FromResult("fine"); }));
        Assert.Equal(2, runs);
    }

    [Fact]
    public async Task A_caller_that_cancels_ends_its_own_wait_not_the_shared_run()
    {
        ICache cache = Create();
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        async ValueTask<string> Load(CancellationToken token)
        {
            await release.Task.WaitAsync(token);
            return "loaded";
        }

        using var impatient = new CancellationTokenSource();
        Task<string> first = cache.GetOrSetAsync("k", Load, cancellationToken: impatient.Token).AsTask();
        Task<string> second = cache.GetOrSetAsync("k", Load).AsTask();
        await EventuallyAsync(async () => (await cache.GetStatsAsync()).Misses == 2);

        await impatient.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => first);
        Assert.False(second.IsCompleted);
        release.SetResult();
        Assert.Equal("loaded", await second);
        Assert.Equal("loaded", await cache.GetAsync<string>("k"));
    }

    [Theory]
    [InlineData("set")]
    [InlineData("remove")]
    [InlineData("clear")]
    public async Task A_write_while_the_factory_runs_wins_over_the_factory_value(string write)
    {
        ICache cache = Create();
        var started = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        async ValueTask<string> Load(CancellationToken token)
        {
            started.SetResult();
            await release.Task.WaitAsync(token);
            return "stale";
        }

        Task<string> loading = cache.GetOrSetAsync("k", Load).AsTask();
        await started.Task.WaitAsync(TimeSpan.FromSeconds(10));
        switch (write)
        {
            case "set": await cache.SetAsync("k", "newer"); break;
            case "remove": await cache.RemoveAsync("k"); break;
            default: await cache.ClearAsync(); break;
        }

        release.SetResult();
        Assert.Equal("stale", await loading); // its waiters still get the factory's value
        Assert.Equal(write == "set" ? new CacheLookup<string>(true, "newer") : default, await cache.TryGetAsync<string>("k"));
    }

    [Fact]
    public async Task A_storm_of_every_operation_from_four_workers_keeps_values_on_their_keys_and_counts_every_lookup()
    {
        ICache cache = Create();
        const int workers = 4;
        const int operationsEach = 400;
        long lookups = 0;
        var crossed = new System.Collections.Concurrent.ConcurrentBag<string>();
        async Task Work(int seed)
        {
            var random = new Random(seed);
            for (int i = 0; i < operationsEach; i++)
            {
                string key = $"k{random.Next(16)}";
                switch (random.Next(6))
                {
                    case 0:
                        await cache.SetAsync(key, key + ":" + i);
                        break;
                    case 1:
                        Interlocked.Increment(ref lookups);
                        if (await cache.TryGetAsync<string>(key) is { Found: true, Value: { } value } && !value.StartsWith(key + ":", StringComparison.Ordinal))
                        {
                            crossed.Add($"{key} held {value}");
                        }

                        break;
                    case 2:
                        Interlocked.Increment(ref lookups);
                        string made = await cache.GetOrSetAsync(key, _ => ValueTask.FromResult(key + ":made"));
                        if (!made.StartsWith(key + ":", StringComparison.Ordinal))
                        {
                            crossed.Add($"{key} made {made}");
                        }

                        break;
                    case 3:
                        await cache.RemoveAsync(key);
                        break;
                    case 4:
                        await cache.ExistsAsync(key);
                        break;
                    default:
                        Interlocked.Increment(ref lookups);
                        await cache.GetAsync<string>(key);
                        break;
                }
            }
        }

        await Task.WhenAll(Enumerable.Range(0, workers).Select(seed => Task.Run(() => Work(seed)))).WaitAsync(TimeSpan.FromSeconds(60));

        Assert.Empty(crossed);
        CacheStats stats = await cache.GetStatsAsync();
        Assert.Equal(lookups, stats.Hits + stats.Misses);
        Assert.True(stats.Hits > 0 && stats.Misses > 0 && stats.Sets > 0 && stats.Removals > 0, stats.ToString());
    }

    [Fact]
    public async Task Batches_read_write_and_remove_many_keys_and_count_like_their_singles()
    {
        ICache cache = Create();
        await cache.SetManyAsync([KeyValuePair.Create("a", 1), KeyValuePair.Create("b", 2), KeyValuePair.Create("a", 3)]);
        await cache.SetAsync("text", "not an int");

        IReadOnlyDictionary<string, int> found = await cache.GetManyAsync<int>(["a", "b", "missing", "b", "text"]);
        Assert.Equal(new Dictionary<string, int> { ["a"] = 3, ["b"] = 2 }, found);
        Assert.Contains(Logs.GetSnapshot(), r => r.Level == LogLevel.Warning && r.Id.Id == 5);

        Assert.Equal(2, await cache.RemoveManyAsync(["a", "missing", "b", "a"]));
        Assert.Empty(await cache.GetManyAsync<int>(["a", "b"]));
        Assert.Empty(await cache.GetManyAsync<int>([]));
        await cache.SetManyAsync(Array.Empty<KeyValuePair<string, int>>());
        Assert.Equal(0, await cache.RemoveManyAsync([]));

        CacheStats stats = await cache.GetStatsAsync();
        Assert.Equal((3, 4, 4, 2), (stats.Hits, stats.Misses, stats.Sets, stats.Removals));
    }

    [Fact]
    public async Task A_batch_takes_its_TTL_or_the_default()
    {
        ICache cache = Create(defaultTtl: ShortTtl);
        await cache.SetManyAsync([KeyValuePair.Create("default", 1)]);
        await cache.SetManyAsync([KeyValuePair.Create("forever", 2)], Timeout.InfiniteTimeSpan);
        await cache.SetManyAsync([KeyValuePair.Create("short", 3)], ShortTtl);
        await LetPassAsync(ShortTtl * 2);
        Assert.Equal(new Dictionary<string, int> { ["forever"] = 2 }, await cache.GetManyAsync<int>(["default", "forever", "short"]));
    }

    [Theory]
    [InlineData("setmany")]
    [InlineData("removemany")]
    public async Task A_batch_write_while_a_factory_runs_for_one_of_its_keys_wins(string write)
    {
        ICache cache = Create();
        var started = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        Task<string> loading = cache.GetOrSetAsync("k", async token =>
        {
            started.SetResult();
            await release.Task.WaitAsync(token);
            return "stale";
        }).AsTask();
        await started.Task.WaitAsync(TimeSpan.FromSeconds(10));
        if (write == "setmany")
        {
            await cache.SetManyAsync([KeyValuePair.Create("other", "x"), KeyValuePair.Create("k", "newer")]);
        }
        else
        {
            Assert.Equal(0, await cache.RemoveManyAsync(["other", "k"])); // nothing live yet, but the run is no longer the key's
        }

        release.SetResult();

        Assert.Equal("stale", await loading);
        Assert.Equal(write == "setmany" ? new CacheLookup<string>(true, "newer") : default, await cache.TryGetAsync<string>("k"));
    }

    [Fact]
    public async Task A_reader_sees_all_of_a_concurrent_batch_or_none_of_it_where_batches_are_atomic_and_never_an_older_value_after_a_newer_one()
    {
        ICache cache = Create();
        string[] keys = [.. Enumerable.Range(0, 8).Select(i => $"batch:{i}")];
        const int generations = 150;
        var torn = new System.Collections.Concurrent.ConcurrentBag<string>();
        var backwards = new System.Collections.Concurrent.ConcurrentBag<string>();
        int reads = 0;
        var writing = Task.Run(async () =>
        {
            for (int generation = 1; generation <= generations; generation++)
            {
                await cache.SetManyAsync(keys.Select(key => KeyValuePair.Create(key, generation)));
                if (generation % 3 == 0)
                {
                    await cache.RemoveManyAsync(keys);
                }
            }
        });
        async Task Read()
        {
            var last = new Dictionary<string, int>();
            while (!writing.IsCompleted || Volatile.Read(ref reads) == 0)
            {
                IReadOnlyDictionary<string, int> seen = await cache.GetManyAsync<int>(keys);
                Interlocked.Increment(ref reads);
                if (seen.Count is not 0 && (seen.Count != keys.Length || seen.Values.Distinct().Count() != 1))
                {
                    torn.Add(string.Join(",", seen.OrderBy(p => p.Key).Select(p => $"{p.Key}={p.Value}")));
                }

                foreach ((string key, int value) in seen)
                {
                    if (value < last.GetValueOrDefault(key) || value is < 1 or > generations)
                    {
                        backwards.Add($"{key}: {value} after {last.GetValueOrDefault(key)}");
                    }

                    last[key] = value;
                }
            }
        }

        await Task.WhenAll(writing, Task.Run(Read), Task.Run(Read)).WaitAsync(TimeSpan.FromSeconds(60));
        Assert.Empty(backwards);
        if (BatchesAreAtomic)
        {
            Assert.Empty(torn);
        }

        Assert.True(reads > 0);
    }

    [Fact]
    public async Task Programming_errors_throw_at_once_not_when_the_task_is_awaited()
    {
        ICache cache = Create();
        Func<CancellationToken, ValueTask<int>> factory = _ => ValueTask.FromResult(1);
        AtOnce<ArgumentNullException>("key", () => cache.GetAsync<int>(null!).AsTask());
        AtOnce<ArgumentNullException>("key", () => cache.TryGetAsync<int>(null!).AsTask());
        AtOnce<ArgumentNullException>("key", () => cache.SetAsync(null!, 1).AsTask());
        AtOnce<ArgumentNullException>("key", () => cache.ExistsAsync(null!).AsTask());
        AtOnce<ArgumentNullException>("key", () => cache.RemoveAsync(null!).AsTask());
        AtOnce<ArgumentNullException>("key", () => cache.GetOrSetAsync(null!, factory).AsTask());
        AtOnce<ArgumentNullException>("factory", () => cache.GetOrSetAsync<int>("k", null!).AsTask());
        AtOnce<ArgumentNullException>("keys", () => cache.GetManyAsync<int>(null!).AsTask());
        AtOnce<ArgumentNullException>("keys", () => cache.GetManyAsync<int>(["a", null!]).AsTask());
        AtOnce<ArgumentNullException>("keys", () => cache.GetManyAsync<int>([null!, "a"]).AsTask());
        AtOnce<ArgumentNullException>("items", () => cache.SetManyAsync<int>(null!).AsTask());
        AtOnce<ArgumentNullException>("items", () => cache.SetManyAsync([KeyValuePair.Create("k", 1), KeyValuePair.Create<string, int>(null!, 2)]).AsTask());
        AtOnce<ArgumentNullException>("keys", () => cache.RemoveManyAsync(null!).AsTask());
        AtOnce<ArgumentNullException>("keys", () => cache.RemoveManyAsync(["a", null!]).AsTask());
        AtOnce<ArgumentNullException>("keys", () => cache.RemoveManyAsync([null!]).AsTask());
        Assert.StartsWith("A key of the batch is null", Assert.Throws<ArgumentNullException>(() => cache.GetManyAsync<int>(["a", null!])).Message, StringComparison.Ordinal);
        Assert.StartsWith("A key of the batch is null", Assert.Throws<ArgumentNullException>(() => cache.SetManyAsync([KeyValuePair.Create<string, int>(null!, 2)])).Message, StringComparison.Ordinal);
        foreach (TimeSpan bad in (TimeSpan[])[TimeSpan.Zero, TimeSpan.FromTicks(-1), TimeSpan.FromMinutes(-5), TimeSpan.MinValue])
        {
            AtOnce<ArgumentOutOfRangeException>("ttl", () => cache.SetAsync("k", 1, bad).AsTask());
            AtOnce<ArgumentOutOfRangeException>("ttl", () => cache.GetOrSetAsync("k", factory, bad).AsTask());
            AtOnce<ArgumentOutOfRangeException>("ttl", () => cache.SetManyAsync([KeyValuePair.Create("k", 1)], bad).AsTask());
            AtOnce<ArgumentOutOfRangeException>("ttl", () => cache.SetManyAsync<int>([], bad).AsTask()); // an empty batch with a bad TTL is still a bad call
        }

        Assert.False(await cache.ExistsAsync("k"));
        Assert.Equal(0, (await cache.GetStatsAsync()).Misses);
    }

    [Fact]
    public async Task A_cancelled_token_throws_at_once_before_anything_happens()
    {
        ICache cache = Create();
        using var cancelled = new CancellationTokenSource();
        await cancelled.CancelAsync();
        CancellationToken token = cancelled.Token;
        AtOnce<OperationCanceledException>(null, () => cache.GetAsync<int>("k", token).AsTask());
        AtOnce<OperationCanceledException>(null, () => cache.TryGetAsync<int>("k", token).AsTask());
        AtOnce<OperationCanceledException>(null, () => cache.SetAsync("k", 1, null, token).AsTask());
        AtOnce<OperationCanceledException>(null, () => cache.ExistsAsync("k", token).AsTask());
        AtOnce<OperationCanceledException>(null, () => cache.RemoveAsync("k", token).AsTask());
        AtOnce<OperationCanceledException>(null, () => cache.ClearAsync(token).AsTask());
        AtOnce<OperationCanceledException>(null, () => cache.GetOrSetAsync("k", _ => ValueTask.FromResult(1), null, token).AsTask());
        AtOnce<OperationCanceledException>(null, () => cache.GetStatsAsync(token).AsTask());
        AtOnce<OperationCanceledException>(null, () => cache.GetManyAsync<int>(["k"], token).AsTask());
        AtOnce<OperationCanceledException>(null, () => cache.SetManyAsync([KeyValuePair.Create("k", 1)], null, token).AsTask());
        AtOnce<OperationCanceledException>(null, () => cache.RemoveManyAsync(["k"], token).AsTask());
        Assert.False(await cache.ExistsAsync("k"));
    }

    [Fact]
    public async Task Every_call_after_Dispose_throws_ObjectDisposedException_at_once()
    {
        ICache cache = Create();
        await cache.SetAsync("k", 1);
        ((IDisposable)cache).Dispose();
        ((IDisposable)cache).Dispose(); // a second Dispose is harmless
        AtOnce<ObjectDisposedException>(null, () => cache.GetAsync<int>("k").AsTask());
        AtOnce<ObjectDisposedException>(null, () => cache.TryGetAsync<int>("k").AsTask());
        AtOnce<ObjectDisposedException>(null, () => cache.SetAsync("k", 1).AsTask());
        AtOnce<ObjectDisposedException>(null, () => cache.ExistsAsync("k").AsTask());
        AtOnce<ObjectDisposedException>(null, () => cache.RemoveAsync("k").AsTask());
        AtOnce<ObjectDisposedException>(null, () => cache.ClearAsync().AsTask());
        AtOnce<ObjectDisposedException>(null, () => cache.GetOrSetAsync("k", _ => ValueTask.FromResult(1)).AsTask());
        AtOnce<ObjectDisposedException>(null, () => cache.GetStatsAsync().AsTask());
        AtOnce<ObjectDisposedException>(null, () => cache.GetManyAsync<int>(["k"]).AsTask());
        AtOnce<ObjectDisposedException>(null, () => cache.SetManyAsync([KeyValuePair.Create("k", 1)]).AsTask());
        AtOnce<ObjectDisposedException>(null, () => cache.RemoveManyAsync(["k"]).AsTask());
    }

    /// <summary>Makes a cache with a default TTL of 10 minutes.</summary>
    /// <returns>The cache.</returns>
    protected ICache Create() => Create(TimeSpan.FromMinutes(10));

    /// <summary>Makes a cache and disposes it with the test.</summary>
    /// <param name="defaultTtl">The cache's default TTL.</param>
    /// <returns>The cache.</returns>
    protected ICache Create(TimeSpan defaultTtl)
    {
        ICache cache = Make(defaultTtl);
        _caches.Add(cache);
        return cache;
    }

    /// <summary>
    /// Asserts that a call throws before it returns its task, as the contract's "fail at once" asks,
    /// rather than from a task that throws when awaited; and nothing else throws.
    /// </summary>
    /// <typeparam name="TException">The exception, or a base of it.</typeparam>
    /// <param name="paramName">The argument it names, or null.</param>
    /// <param name="call">The call.</param>
    protected static void AtOnce<TException>(string? paramName, Func<Task> call)
        where TException : Exception
    {
        Task? returned = null;
        TException thrown = Assert.ThrowsAny<TException>(() => { returned = call(); });
        Assert.Null(returned);
        if (paramName is not null)
        {
            Assert.Equal(paramName, Assert.IsAssignableFrom<ArgumentException>(thrown).ParamName);
        }
    }

    /// <summary>Waits, bounded, for something other tasks make true (callers joining a run); never for the cache's clock.</summary>
    /// <param name="condition">What to wait for.</param>
    /// <returns>A task that completes when the condition holds; it throws after 10 s.</returns>
    protected static async Task EventuallyAsync(Func<Task<bool>> condition)
    {
        var waited = Stopwatch.StartNew();
        while (!await condition())
        {
            Assert.True(waited.Elapsed < TimeSpan.FromSeconds(10), "the condition did not hold within 10 s");
            await Task.Yield();
        }
    }

    /// <summary>A value with some shape: nested record, decimal, date.</summary>
    /// <param name="Id">An id.</param>
    /// <param name="Customer">A name.</param>
    /// <param name="Total">An amount.</param>
    /// <param name="ShipTo">A nested record.</param>
    /// <param name="Placed">A date with an offset.</param>
    public sealed record Order(int Id, string Customer, decimal Total, Address ShipTo, DateTimeOffset Placed);

    /// <summary>A nested record.</summary>
    /// <param name="Street">A street.</param>
    /// <param name="City">A city.</param>
    public sealed record Address(string Street, string City);
}
