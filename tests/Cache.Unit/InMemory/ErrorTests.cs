using Cache.Async;
using Cache.Unit.Support;
using Microsoft.Extensions.Time.Testing;

namespace Cache.Unit.InMemory;

public sealed class ErrorTests
{
    private static readonly Func<CancellationToken, ValueTask<int>> Factory = _ => ValueTask.FromResult(1);
    private readonly FakeTimeProvider _time = new();

    // The theories take the operation's name, not the call, so that xUnit lists one test case a row
    // (a delegate cannot be serialized): each row then runs, passes or fails, and is covered, on its own.
    private static readonly Dictionary<string, Func<ICache, ValueTask>> KeyedOperations = new()
    {
        ["Get"] = c => AsTask(c.GetAsync<int>(null!)),
        ["TryGet"] = c => AsTask(c.TryGetAsync<int>(null!)),
        ["Set"] = c => c.SetAsync(null!, 1),
        ["Exists"] = c => AsTask(c.ExistsAsync(null!)),
        ["Remove"] = c => AsTask(c.RemoveAsync(null!)),
        ["GetOrSet"] = c => AsTask(c.GetOrSetAsync(null!, Factory)),
    };

    public static TheoryData<string> EveryKeyedOperation() => [.. KeyedOperations.Keys];

    [Theory]
    [MemberData(nameof(EveryKeyedOperation))]
    public async Task A_null_key_is_refused(string operation)
    {
        using var cache = TestCache.Create(_time);
        var error = await Assert.ThrowsAsync<ArgumentNullException>(async () => await KeyedOperations[operation](cache));
        Assert.Equal("key", error.ParamName);
    }

    [Theory]
    [MemberData(nameof(EveryKeyedOperation))]
    public async Task A_null_key_is_refused_before_the_token_or_disposal_is_looked_at(string operation)
    {
        var cache = TestCache.Create(_time);
        cache.Dispose();
        await Assert.ThrowsAsync<ArgumentNullException>(async () => await KeyedOperations[operation](cache));
    }

    [Fact]
    public async Task A_null_factory_is_refused()
    {
        using var cache = TestCache.Create(_time);
        var error = await Assert.ThrowsAsync<ArgumentNullException>(async () => await cache.GetOrSetAsync<int>("a", null!));
        Assert.Equal("factory", error.ParamName);
    }

    [Theory]
    [InlineData(0L)]
    [InlineData(-1L)]
    [InlineData(-20_000L)]
    public async Task A_ttl_of_zero_or_below_is_refused_and_nothing_runs(long ticks)
    {
        using var cache = TestCache.Create(_time);
        var ttl = TimeSpan.FromTicks(ticks);
        int runs = 0;
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(async () => await cache.SetAsync("a", 1, ttl));
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(async () =>
            await cache.GetOrSetAsync("a", _ => ValueTask.FromResult(++runs), ttl));
        Assert.Equal(0, runs);
        Assert.Equal(0, cache.Snapshot().Count);
        Assert.Equal(0, cache.GetStats().Misses);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(-5)]
    public void MaxSize_below_one_is_refused(int maxSize) =>
        Assert.Throws<ArgumentOutOfRangeException>(() => new InMemoryCache(new() { MaxSize = maxSize }));

    [Theory]
    [InlineData(0L)]
    [InlineData(-10L)]
    public void A_bad_default_ttl_is_refused(long ticks) =>
        Assert.Throws<ArgumentOutOfRangeException>(() => new InMemoryCache(new() { DefaultTtl = TimeSpan.FromTicks(ticks) }));

    [Theory]
    [InlineData(0L)]
    [InlineData(-10L)]
    public void A_bad_scan_interval_is_refused(long ticks)
    {
        var error = Assert.Throws<ArgumentOutOfRangeException>(
            () => new InMemoryCache(new() { ExpirationScanInterval = TimeSpan.FromTicks(ticks) }));
        Assert.Equal(nameof(InMemoryCacheOptions.ExpirationScanInterval), error.ParamName);
    }

    private static readonly Dictionary<string, Func<ICache, CancellationToken, ValueTask>> Operations = new()
    {
        ["Get"] = (c, t) => AsTask(c.GetAsync<int>("a", t)),
        ["TryGet"] = (c, t) => AsTask(c.TryGetAsync<int>("a", t)),
        ["Set"] = (c, t) => c.SetAsync("a", 1, null, t),
        ["Exists"] = (c, t) => AsTask(c.ExistsAsync("a", t)),
        ["Remove"] = (c, t) => AsTask(c.RemoveAsync("a", t)),
        ["Clear"] = (c, t) => c.ClearAsync(t),
        ["GetOrSet"] = (c, t) => AsTask(c.GetOrSetAsync("a", Factory, null, t)),
        ["GetStats"] = (c, t) => AsTask(c.GetStatsAsync(t)),
    };

    public static TheoryData<string> EveryOperation() => [.. Operations.Keys];

    [Theory]
    [MemberData(nameof(EveryOperation))]
    public async Task A_cancelled_token_is_refused_and_nothing_changes(string operation)
    {
        using var cache = TestCache.Create(_time);
        await cache.SetAsync("a", 5);
        var before = cache.Snapshot();
        var statsBefore = cache.GetStats();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(async () => await Operations[operation](cache, new CancellationToken(canceled: true)));
        Assert.Same(before, cache.Snapshot());
        Assert.Equal(statsBefore, cache.GetStats());
    }

    [Theory]
    [MemberData(nameof(EveryOperation))]
    public async Task Use_after_Dispose_is_refused(string operation)
    {
        var cache = TestCache.Create(_time);
        cache.Dispose();
        cache.Dispose();
        await Assert.ThrowsAsync<ObjectDisposedException>(async () => await Operations[operation](cache, CancellationToken.None));
        Assert.Throws<ObjectDisposedException>(() => cache.GetStats());
        Assert.Throws<ObjectDisposedException>(() => cache.Snapshot());
    }

    private static async ValueTask AsTask<T>(ValueTask<T> task) => await task;
}
