using Cache.Async;
using Cache.Unit.Support;
using Microsoft.Extensions.Time.Testing;

namespace Cache.Unit.InMemory;

/// <summary>Every factory a .NET developer would write first compiles and behaves the same, on a variable typed ICache and on one typed InMemoryCache.</summary>
public sealed class FactoryFormTests
{
    private readonly FakeTimeProvider _time = new();

    [Fact]
    public async Task Task_async_ValueTask_token_less_variable_and_method_group_factories_all_store_and_share()
    {
        using InMemoryCache cache = TestCache.Create(_time);
#pragma warning disable CA1859 // the point: a variable typed ICache, as code written against the contract holds it
        ICache asInterface = cache;
#pragma warning restore CA1859
        Func<CancellationToken, Task<int>> variable = LoadAsync;

        Assert.Equal(1, await cache.GetOrSetAsync("task", ct => Task.FromResult(1)));
        Assert.Equal(2, await asInterface.GetOrSetAsync("task-i", ct => Task.FromResult(2)));
        Assert.Equal(3, await cache.GetOrSetAsync("async", async ct =>
        {
            await Task.Yield();
            return 3;
        }));
        Assert.Equal(4, await asInterface.GetOrSetAsync("value-task", ct => ValueTask.FromResult(4)));
        Assert.Equal(5, await cache.GetOrSetAsync("token-less", () => Task.FromResult(5)));
        Assert.Equal(42, await asInterface.GetOrSetAsync("variable", variable));
        Assert.Equal(42, await cache.GetOrSetAsync("method-group", LoadAsync));

        // Each stored its value, as the ValueTask form does: a second call is a hit and runs nothing.
        foreach (string key in new[] { "task", "task-i", "async", "value-task", "token-less", "variable", "method-group" })
        {
            Assert.Equal(await cache.GetAsync<int>(key), await cache.GetOrSetAsync<int>(key, () => throw new InvalidOperationException("ran twice")));
        }

        Assert.Equal(7, (await cache.GetStatsAsync()).Sets);
    }

    [Fact]
    public async Task A_task_factory_is_one_flight_for_concurrent_callers_and_its_exception_reaches_each()
    {
        using InMemoryCache cache = TestCache.Create(_time);
        var release = new TaskCompletionSource<int>(TaskCreationOptions.RunContinuationsAsynchronously);
        int runs = 0;
        ValueTask<int> first = cache.GetOrSetAsync("k", ct =>
        {
            Interlocked.Increment(ref runs);
            return release.Task;
        });
        ValueTask<int> second = cache.GetOrSetAsync("k", ct =>
        {
            Interlocked.Increment(ref runs);
            return release.Task;
        });
        release.SetResult(9);
        Assert.Equal((9, 9), (await first, await second));
        Assert.Equal(1, runs);

        var failure = new TimeoutException();
        await Assert.ThrowsAsync<TimeoutException>(async () => await cache.GetOrSetAsync<int>("bad", () => Task.FromException<int>(failure)));
        Assert.False(await cache.ExistsAsync("bad"));
    }

    [Fact]
    public void Null_arguments_are_refused_at_once_by_name()
    {
        using InMemoryCache cache = TestCache.Create(_time);
        Assert.Throws<ArgumentNullException>("factory", () => { _ = cache.GetOrSetAsync("k", (Func<CancellationToken, Task<int>>)null!); });
        Assert.Throws<ArgumentNullException>("factory", () => { _ = cache.GetOrSetAsync("k", (Func<Task<int>>)null!); });
        Assert.Throws<ArgumentNullException>("key", () => { _ = cache.GetOrSetAsync(null!, () => Task.FromResult(1)); });
        Assert.Throws<ArgumentNullException>("cache", () => { _ = ((ICache)null!).GetOrSetAsync("k", () => Task.FromResult(1)); });
        Assert.Throws<ArgumentNullException>("cache", () => { _ = ((ICache)null!).GetOrSetAsync("k", ct => Task.FromResult(1)); });
    }

    private static Task<int> LoadAsync(CancellationToken cancellationToken) => Task.FromResult(42);
}
