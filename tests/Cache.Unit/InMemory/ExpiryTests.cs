using Cache.Unit.Support;
using Microsoft.Extensions.Time.Testing;

namespace Cache.Unit.InMemory;

public sealed class ExpiryTests
{
    private readonly FakeTimeProvider _time = new();

    [Fact]
    public async Task An_entry_is_live_until_its_deadline_and_a_miss_from_it()
    {
        using var cache = TestCache.Create(_time);
        await cache.SetAsync("a", 1, TimeSpan.FromSeconds(10));

        _time.Advance(TimeSpan.FromSeconds(10) - TimeSpan.FromTicks(1));
        Assert.Equal(new(true, 1), await cache.TryGetAsync<int>("a"));

        _time.Advance(TimeSpan.FromTicks(1));
        Assert.False(await cache.ExistsAsync("a"));
        Assert.Equal(default, await cache.TryGetAsync<int>("a"));
        var stats = cache.GetStats();
        Assert.Equal(1, stats.Expirations);
        Assert.Equal(0, stats.TotalEntries);
    }

    [Fact]
    public async Task A_null_ttl_means_the_default_ttl()
    {
        using var cache = TestCache.Create(_time, defaultTtl: TimeSpan.FromMinutes(30));
        await cache.SetAsync("a", "x");
        _time.Advance(TimeSpan.FromMinutes(30) - TimeSpan.FromTicks(1));
        Assert.True(await cache.ExistsAsync("a"));
        _time.Advance(TimeSpan.FromTicks(1));
        Assert.False(await cache.ExistsAsync("a"));
    }

    [Fact]
    public async Task Infinite_and_overflowing_ttls_never_expire()
    {
        using var cache = TestCache.Create(_time);
        await cache.SetAsync("infinite", 1, Timeout.InfiniteTimeSpan);
        await cache.SetAsync("max", 2, TimeSpan.MaxValue);
        _time.Advance(TimeSpan.FromDays(365 * 100));
        Assert.Equal(1, await cache.GetAsync<int>("infinite"));
        Assert.Equal(2, await cache.GetAsync<int>("max"));
    }

    [Fact]
    public async Task A_wall_clock_jump_neither_expires_nor_revives_anything()
    {
        var clock = new JumpingTimeProvider();
        using var cache = new Cache.Async.InMemoryCache(
            new() { DefaultTtl = TimeSpan.FromMinutes(1), ExpirationScanInterval = null }, clock);
        await cache.SetAsync("fresh", 1);
        await cache.SetAsync("stale", 2, TimeSpan.FromSeconds(1));

        clock.AdvanceMonotonic(TimeSpan.FromSeconds(1));
        clock.JumpWallClock(TimeSpan.FromDays(1));
        Assert.True(await cache.ExistsAsync("fresh"));
        Assert.False(await cache.ExistsAsync("stale"));

        clock.JumpWallClock(TimeSpan.FromDays(-2));
        Assert.Equal(1, await cache.GetAsync<int>("fresh"));
        Assert.False(await cache.ExistsAsync("stale"));
    }

    [Fact]
    public async Task The_sweep_removes_expired_entries_on_the_time_providers_timer()
    {
        using var cache = TestCache.Create(_time, sweep: TimeSpan.FromMinutes(1));
        await cache.SetAsync("a", 1, TimeSpan.FromSeconds(30));
        await cache.SetAsync("b", 2, TimeSpan.FromMinutes(5));

        _time.Advance(TimeSpan.FromSeconds(59));
        Assert.Equal(1, cache.GetStats().ExpiredEntries);
        Assert.Equal(2, cache.Snapshot().Count);

        _time.Advance(TimeSpan.FromSeconds(1));
        var stats = cache.GetStats();
        Assert.Equal(0, stats.ExpiredEntries);
        Assert.Equal(1, stats.Expirations);
        Assert.Equal(1, cache.Snapshot().Count);
    }

    [Fact]
    public void A_disposed_cache_is_not_kept_alive_by_its_sweep_timer()
    {
        // The fake clock holds its timers strongly, as the system timer queue holds live timers:
        // only a disposed timer lets go of the cache.
        var collected = CreateAndDispose(_time);
        GC.Collect();
        GC.WaitForPendingFinalizers();
        GC.Collect();
        Assert.False(collected.TryGetTarget(out _));
        _time.Advance(TimeSpan.FromMinutes(5));
    }

    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.NoInlining)]
    private static WeakReference<Cache.Async.InMemoryCache> CreateAndDispose(FakeTimeProvider time)
    {
        var cache = TestCache.Create(time, sweep: TimeSpan.FromMinutes(1));
        cache.Dispose();
        Assert.Throws<ObjectDisposedException>(() => cache.Snapshot());
        return new WeakReference<Cache.Async.InMemoryCache>(cache);
    }

    [Fact]
    public async Task The_default_options_sweep_every_minute()
    {
        using var cache = new Cache.Async.InMemoryCache(timeProvider: _time);
        await cache.SetAsync("a", 1, TimeSpan.FromSeconds(1));
        _time.Advance(TimeSpan.FromMinutes(1));
        Assert.Equal(0, cache.Snapshot().Count);
        Assert.Equal(1, cache.GetStats().Expirations);
        Assert.Equal(1000, cache.GetStats().MaxSize);
    }

    [Fact]
    public async Task An_infinite_scan_interval_turns_the_sweep_off()
    {
        using var cache = TestCache.Create(_time, sweep: Timeout.InfiniteTimeSpan);
        await cache.SetAsync("a", 1, TimeSpan.FromSeconds(1));
        _time.Advance(TimeSpan.FromHours(1));
        Assert.Equal(1, cache.Snapshot().Count);
    }
}
