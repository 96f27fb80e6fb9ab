using Cache.Unit.Support;
using Microsoft.Extensions.Time.Testing;

namespace Cache.Unit.InMemory;

public sealed class GetOrSetTests
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(10);
    private readonly FakeTimeProvider _time = new();

    [Fact]
    public async Task A_hit_returns_the_cached_value_without_running_the_factory()
    {
        using var cache = TestCache.Create(_time);
        await cache.SetAsync("a", 1);
        int runs = 0;
        Assert.Equal(1, await cache.GetOrSetAsync("a", _ => ValueTask.FromResult(++runs)));
        Assert.Equal(0, runs);
    }

    [Fact]
    public async Task A_miss_stores_the_value_with_the_given_ttl()
    {
        using var cache = TestCache.Create(_time);
        Assert.Equal(5, await cache.GetOrSetAsync("a", _ => ValueTask.FromResult(5), TimeSpan.FromSeconds(3)));
        Assert.Equal(5, await cache.GetAsync<int>("a"));
        _time.Advance(TimeSpan.FromSeconds(3));
        Assert.False(await cache.ExistsAsync("a"));
    }

    [Fact]
    public async Task A_miss_without_ttl_stores_with_the_default()
    {
        using var cache = TestCache.Create(_time, defaultTtl: TimeSpan.FromSeconds(7));
        await cache.GetOrSetAsync("a", _ => ValueTask.FromResult(5));
        _time.Advance(TimeSpan.FromSeconds(7) - TimeSpan.FromTicks(1));
        Assert.True(await cache.ExistsAsync("a"));
        _time.Advance(TimeSpan.FromTicks(1));
        Assert.False(await cache.ExistsAsync("a"));
    }

    [Fact]
    public async Task A_hundred_concurrent_callers_share_one_run_of_the_factory()
    {
        using var cache = TestCache.Create(_time);
        var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        int runs = 0;
        async ValueTask<string> Factory(CancellationToken token)
        {
            Interlocked.Increment(ref runs);
            await gate.Task.WaitAsync(token);
            return "made";
        }

        var callers = Enumerable.Range(0, 100)
            .Select(_ => Task.Run(async () => await cache.GetOrSetAsync("k", Factory)))
            .ToArray();
        Assert.True(SpinWait.SpinUntil(() => cache.GetStats().Misses == 100, Bound));
        gate.SetResult();

        var values = await Task.WhenAll(callers).WaitAsync(Bound);
        Assert.All(values, v => Assert.Equal("made", v));
        Assert.Equal(1, runs);
        var stats = cache.GetStats();
        Assert.Equal((0L, 100L, 1L), (stats.Hits, stats.Misses, stats.Sets));
    }

    [Fact]
    public async Task A_factory_exception_reaches_every_waiter_and_nothing_is_stored()
    {
        using var cache = TestCache.Create(_time);
        var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var failure = new InvalidOperationException("backend down");
        int runs = 0;
        async ValueTask<int> Failing(CancellationToken token)
        {
            runs++;
            await gate.Task;
            throw failure;
        }

        var first = cache.GetOrSetAsync("k", Failing).AsTask();
        var second = cache.GetOrSetAsync("k", Failing).AsTask();
        gate.SetResult();

        Assert.Same(failure, await Assert.ThrowsAsync<InvalidOperationException>(() => first));
        Assert.Same(failure, await Assert.ThrowsAsync<InvalidOperationException>(() => second));
        Assert.Equal(1, runs);
        Assert.False(await cache.ExistsAsync("k"));
        Assert.Equal(0, cache.GetStats().Sets);

        Assert.Equal(2, await cache.GetOrSetAsync("k", _ => ValueTask.FromResult(2)));
        Assert.Equal(2, await cache.GetAsync<int>("k"));
    }

    [Fact]
    public async Task A_synchronously_throwing_factory_is_not_cached_either()
    {
        using var cache = TestCache.Create(_time);
        await Assert.ThrowsAsync<FormatException>(async () =>
            await cache.GetOrSetAsync<int>("k", _ => throw new FormatException()));
        Assert.Equal(3, await cache.GetOrSetAsync("k", _ => ValueTask.FromResult(3)));
    }

    [Fact]
    public async Task A_callers_cancellation_ends_its_wait_not_the_shared_run()
    {
        using var cache = TestCache.Create(_time);
        var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        CancellationToken factoryToken = default;
        async ValueTask<int> Factory(CancellationToken token)
        {
            factoryToken = token;
            await gate.Task;
            return 42;
        }

        using var impatient = new CancellationTokenSource();
        var leaving = cache.GetOrSetAsync("k", Factory, cancellationToken: impatient.Token).AsTask();
        var staying = cache.GetOrSetAsync("k", Factory).AsTask();
        impatient.Cancel();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => leaving);
        Assert.False(factoryToken.IsCancellationRequested);
        gate.SetResult();
        Assert.Equal(42, await staying.WaitAsync(Bound));
        Assert.Equal(42, await cache.GetAsync<int>("k"));
    }

    [Fact]
    public async Task When_every_caller_gives_up_the_factory_is_cancelled_and_the_next_call_starts_afresh()
    {
        using var cache = TestCache.Create(_time);
        var tokens = new List<CancellationToken>();
        async ValueTask<int> Slow(CancellationToken token)
        {
            tokens.Add(token);
            await Never.Completes(token);
            return 0;
        }

        using var one = new CancellationTokenSource();
        using var two = new CancellationTokenSource();
        var first = cache.GetOrSetAsync("k", Slow, cancellationToken: one.Token).AsTask();
        var second = cache.GetOrSetAsync("k", Slow, cancellationToken: two.Token).AsTask();
        one.Cancel();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => first);
        Assert.False(tokens[0].IsCancellationRequested);
        two.Cancel();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => second);
        Assert.True(tokens[0].IsCancellationRequested);

        Assert.Equal(9, await cache.GetOrSetAsync("k", _ => ValueTask.FromResult(9)));
        Assert.Single(tokens);
    }

    [Theory]
    [InlineData("Set")]
    [InlineData("Remove")]
    [InlineData("Clear")]
    public async Task A_write_of_the_key_while_the_factory_runs_wins(string write)
    {
        using var cache = TestCache.Create(_time);
        var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        async ValueTask<string> Loading(CancellationToken token)
        {
            await gate.Task;
            return "stale load";
        }

        var loading = cache.GetOrSetAsync("k", Loading).AsTask();
        string? expected = write switch
        {
            "Set" => "newer write",
            _ => null,
        };
        switch (write)
        {
            case "Set": await cache.SetAsync("k", "newer write"); break;
            case "Remove": await cache.RemoveAsync("k"); break;
            default: await cache.ClearAsync(); break;
        }

        gate.SetResult();
        Assert.Equal("stale load", await loading.WaitAsync(Bound));
        Assert.Equal(expected, await cache.GetAsync<string>("k"));
        Assert.Equal(expected is null ? 0 : 1, cache.Snapshot().Count);
    }

    [Fact]
    public async Task A_caller_arriving_after_a_remove_starts_a_fresh_run_instead_of_joining_the_stale_one()
    {
        using var cache = TestCache.Create(_time);
        var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        int runs = 0;
        async ValueTask<int> Load(CancellationToken token)
        {
            int run = ++runs;
            if (run == 1)
            {
                await gate.Task;
            }

            return run;
        }

        var stale = cache.GetOrSetAsync("k", Load).AsTask();
        await cache.RemoveAsync("k");
        Assert.Equal(2, await cache.GetOrSetAsync("k", Load));
        gate.SetResult();
        Assert.Equal(1, await stale.WaitAsync(Bound));
        Assert.Equal(2, await cache.GetAsync<int>("k"));
    }

    [Fact]
    public async Task A_stale_run_finishing_while_a_newer_run_is_registered_neither_stores_nor_unregisters_it()
    {
        using var cache = TestCache.Create(_time);
        var firstGate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var secondGate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);

        var stale = cache.GetOrSetAsync("k", async _ =>
        {
            await firstGate.Task;
            return "stale";
        }).AsTask();
        await cache.RemoveAsync("k");
        var fresh = cache.GetOrSetAsync("k", async _ =>
        {
            await secondGate.Task;
            return "fresh";
        }).AsTask();
        var joiner = cache.GetOrSetAsync("k", _ => ValueTask.FromResult("joiner ran")).AsTask();

        firstGate.SetResult();
        Assert.Equal("stale", await stale.WaitAsync(Bound));
        Assert.False(await cache.ExistsAsync("k"));

        secondGate.SetResult();
        Assert.Equal("fresh", await fresh.WaitAsync(Bound));
        Assert.Equal("fresh", await joiner.WaitAsync(Bound));
        Assert.Equal("fresh", await cache.GetAsync<string>("k"));
    }

    [Fact]
    public async Task A_run_nobody_waits_for_is_not_joined_even_if_its_factory_ignores_the_token()
    {
        using var cache = TestCache.Create(_time);
        var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        using var leave = new CancellationTokenSource();
        var abandoned = cache.GetOrSetAsync("k", async _ =>
        {
            await gate.Task; // deaf to its token
            return 1;
        }, cancellationToken: leave.Token).AsTask();
        leave.Cancel();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => abandoned);

        Assert.Equal(2, await cache.GetOrSetAsync("k", _ => ValueTask.FromResult(2)).AsTask().WaitAsync(Bound));
        gate.SetResult();
        Assert.Equal(2, await cache.GetAsync<int>("k"));
    }

    [Fact]
    public async Task Dispose_cancels_a_running_factory_and_nothing_is_stored()
    {
        var cache = TestCache.Create(_time);
        CancellationToken factoryToken = default;
        var running = cache.GetOrSetAsync("k", async token =>
        {
            factoryToken = token;
            await Never.Completes(token);
            return 1;
        }).AsTask();

        cache.Dispose();
        Assert.True(factoryToken.IsCancellationRequested);
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => running.WaitAsync(Bound));
    }

    [Fact]
    public async Task A_value_finished_after_dispose_is_still_handed_to_its_waiter()
    {
        // Whether it is stored cannot be seen: every call on a disposed cache throws (and a
        // snapshot taken before Dispose is immutable, so it cannot show it either).
        var cache = TestCache.Create(_time);
        var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var running = cache.GetOrSetAsync("k", async _ =>
        {
            await gate.Task;
            return 7;
        }).AsTask();

        cache.Dispose();
        gate.SetResult();
        Assert.Equal(7, await running.WaitAsync(Bound));
        Assert.Throws<ObjectDisposedException>(() => cache.Snapshot());
    }

    [Fact]
    public async Task A_caller_joining_a_run_of_another_type_makes_its_own_value()
    {
        var logger = new Microsoft.Extensions.Logging.Testing.FakeLogger<Cache.Async.InMemoryCache>();
        using var cache = TestCache.Create(_time, logger: logger);
        var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var text = cache.GetOrSetAsync("k", async _ =>
        {
            await gate.Task;
            return "text";
        }).AsTask();
        var number = cache.GetOrSetAsync("k", _ => ValueTask.FromResult(5)).AsTask();
        gate.SetResult();

        Assert.Equal("text", await text.WaitAsync(Bound));
        Assert.Equal(5, await number.WaitAsync(Bound));
        Assert.Equal("text", await cache.GetAsync<string>("k"));
        Assert.Contains(logger.Collector.GetSnapshot(), r => r.Id.Id == 5 && r.Message.Contains("System.Int32", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_caller_joining_a_run_of_another_reference_type_makes_its_own_value_too()
    {
        using var cache = TestCache.Create(_time);
        var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var text = cache.GetOrSetAsync("k", async _ =>
        {
            await gate.Task;
            return "text";
        }).AsTask();
        var uri = cache.GetOrSetAsync("k", _ => ValueTask.FromResult(new Uri("https://example.com/"))).AsTask();
        gate.SetResult();

        Assert.Equal("text", await text.WaitAsync(Bound));
        Assert.Equal(new Uri("https://example.com/"), await uri.WaitAsync(Bound));
    }

    [Fact]
    public async Task A_run_that_makes_null_hands_null_to_every_caller_who_joined_it()
    {
        using var cache = TestCache.Create(_time);
        var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        async ValueTask<string?> MakeNull(CancellationToken token)
        {
            await gate.Task;
            return null;
        }

        var first = cache.GetOrSetAsync("k", MakeNull).AsTask();
        var joined = cache.GetOrSetAsync<string?>("k", _ => ValueTask.FromResult<string?>("not this")).AsTask();
        gate.SetResult();

        Assert.Null(await first.WaitAsync(Bound));
        Assert.Null(await joined.WaitAsync(Bound));
        Assert.Equal(new Cache.Async.CacheLookup<string>(true, null), await cache.TryGetAsync<string>("k"));
    }

    [Fact]
    public async Task A_cached_value_of_another_type_is_a_miss_and_is_replaced()
    {
        using var cache = TestCache.Create(_time);
        await cache.SetAsync("k", "text");
        Assert.Equal(5, await cache.GetOrSetAsync("k", _ => ValueTask.FromResult(5)));
        Assert.Equal(5, await cache.GetAsync<int>("k"));
        Assert.Equal(1, cache.GetStats().Misses);
    }

    /// <summary>
    /// The classic sync-over-async deadlock: a library that resumes on the caller's
    /// SynchronizationContext hangs a caller that blocks on it under a single-threaded context
    /// (UI, classic ASP.NET). The cache resumes its loader and its waiters wherever the load
    /// completes, so the context here is never posted to.
    /// </summary>
    [Fact]
    public async Task A_load_and_its_waiters_never_resume_on_the_callers_synchronization_context()
    {
        using var cache = TestCache.Create(_time);
        var load = new TaskCompletionSource<int>(); // completes its awaiters inline, on the completing thread
        var context = new CountingContext();
        Task<int> first;
        Task<int> joined;
        SynchronizationContext? previous = SynchronizationContext.Current;
        SynchronizationContext.SetSynchronizationContext(context);
        try
        {
            first = cache.GetOrSetAsync("k", _ => new ValueTask<int>(load.Task)).AsTask();
            joined = cache.GetOrSetAsync("k", _ => ValueTask.FromResult(-1)).AsTask();
        }
        finally
        {
            SynchronizationContext.SetSynchronizationContext(previous);
        }

        load.SetResult(7);
        int[] values = await Task.WhenAll(first, joined).WaitAsync(Bound);
        Assert.Equal([7, 7], values);
        Assert.Equal(0, context.Posts);
    }

    [Fact]
    public async Task A_value_of_another_type_is_not_a_use_even_when_its_load_fails()
    {
        using var cache = TestCache.Create(_time, maxSize: 2);
        await cache.SetAsync("a", "text");
        await cache.SetAsync("b", "text");
        await Assert.ThrowsAsync<InvalidOperationException>(
            async () => await cache.GetOrSetAsync<int>("a", _ => throw new InvalidOperationException("load failed")));

        await cache.SetAsync("c", "text"); // "a" is still the least recently used: the lookup of the wrong type did not touch it
        Assert.False(await cache.ExistsAsync("a"));
        Assert.True(await cache.ExistsAsync("b"));
    }

    /// <summary>Counts the continuations posted to it and runs them on the thread pool.</summary>
    private sealed class CountingContext : SynchronizationContext
    {
        private int _posts;

        public int Posts => Volatile.Read(ref _posts);

        public override void Post(SendOrPostCallback d, object? state)
        {
            Interlocked.Increment(ref _posts);
            ThreadPool.QueueUserWorkItem(_ => d(state));
        }

        public override void Send(SendOrPostCallback d, object? state) => throw new NotSupportedException();
    }
}
