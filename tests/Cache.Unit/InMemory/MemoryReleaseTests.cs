using System.Runtime.CompilerServices;
using Cache.Async;
using Cache.Core;
using Cache.Unit.Support;
using Microsoft.Extensions.Time.Testing;

namespace Cache.Unit.InMemory;

/// <summary>
/// A value the cache no longer stores must not stay in memory: once no snapshot older than its
/// removal is held, it is unreachable after at most one sweep. Regression tests for the review's
/// fourth defect (1,000 expired 100 KB values kept 95 MB alive in an idle cache).
/// </summary>
public sealed class MemoryReleaseTests
{
    private const int Values = 1_000;
    private static readonly TimeSpan SweepInterval = TimeSpan.FromMinutes(1);
    private readonly FakeTimeProvider _time = new();

    [Fact]
    public async Task Expired_values_are_unreachable_after_one_sweep()
    {
        using var cache = TestCache.Create(_time, maxSize: 2 * Values, sweep: SweepInterval);
        await cache.SetAsync("stays", "alive", Timeout.InfiniteTimeSpan);
        WeakReference[] stored = await StoreValues(cache, TimeSpan.FromSeconds(30));
        Collect();
        Assert.Equal(Values, stored.Count(value => value.IsAlive)); // the cache holds them: the check below can fail

        _time.Advance(SweepInterval);
        Assert.Equal(1, cache.Snapshot().Count);
        Collect();
        Assert.Equal(0, stored.Count(value => value.IsAlive));
        Assert.Equal("alive", await cache.GetAsync<string>("stays"));
    }

    [Fact]
    public async Task Removed_evicted_and_replaced_values_are_unreachable_after_one_sweep()
    {
        using var cache = TestCache.Create(_time, maxSize: Values, sweep: SweepInterval);
        WeakReference[] removed = await StoreValues(cache, ttl: null, prefix: "removed");
        await cache.RemoveManyAsync(Enumerable.Range(0, Values).Select(i => $"removed{i}"));
        WeakReference[] evicted = await StoreValues(cache, ttl: null, prefix: "evicted");
        WeakReference[] replaced = await StoreValues(cache, ttl: null, prefix: "replaced");
        await cache.SetManyAsync(Enumerable.Range(0, Values).Select(i => KeyValuePair.Create($"replaced{i}", i)));
        for (int i = 0; i < Values; i++)
        {
            await cache.GetAsync<int>($"replaced{i}"); // hits: records of live entries only
        }

        _time.Advance(SweepInterval);
        Collect();
        Assert.Equal(0, removed.Count(value => value.IsAlive));
        Assert.Equal(0, evicted.Count(value => value.IsAlive));
        Assert.Equal(0, replaced.Count(value => value.IsAlive));
        Assert.Equal(Values, cache.Snapshot().Count);
        Assert.Equal(Values - 1, await cache.GetAsync<int>($"replaced{Values - 1}"));
    }

    [Fact]
    public async Task With_the_sweep_off_hits_alone_release_removed_values_once_the_recency_log_is_compacted()
    {
        using var cache = TestCache.Create(_time, maxSize: 2 * Values, sweep: null);
        await cache.SetAsync("hot", 1);
        WeakReference[] removed = await StoreValues(cache, ttl: null, prefix: "removed");
        await cache.RemoveManyAsync(Enumerable.Range(0, Values).Select(i => $"removed{i}"));
        await Hit(cache, "hot", 10 * Values); // several times the recency log's capacity
        Collect();
        Assert.Equal(0, removed.Count(value => value.IsAlive));
    }

    [Fact]
    public async Task Values_hit_and_then_removed_are_unreachable_after_one_sweep()
    {
        // The hits wait in a ring until a writer applies them; neither the ring nor the buffer they
        // are drained into may keep what they point to alive once applied.
        using var cache = TestCache.Create(_time, maxSize: 2 * Values, sweep: SweepInterval);
        WeakReference[] removed = await StoreValues(cache, ttl: null, prefix: "hit");
        await HitEach(cache, "hit");
        await cache.RemoveManyAsync(Enumerable.Range(0, Values).Select(i => $"hit{i}"));
        _time.Advance(SweepInterval);
        Collect();
        Assert.Equal(0, removed.Count(value => value.IsAlive));
        Assert.Equal(0, cache.Snapshot().Count);
    }

    [Fact]
    public async Task A_held_snapshot_keeps_its_values_and_lets_go_of_them_with_itself()
    {
        using var cache = TestCache.Create(_time, maxSize: 2 * Values, sweep: SweepInterval);
        WeakReference[] stored = await StoreValues(cache, TimeSpan.FromSeconds(30));
        CacheState<string, object?> snapshot = cache.Snapshot();
        _time.Advance(SweepInterval);
        Collect();
        Assert.Equal(Values, stored.Count(value => value.IsAlive)); // the snapshot answers as when taken
        Assert.Equal(Values, snapshot.Count);
        GC.KeepAlive(snapshot);
    }

    [Fact]
    public void The_core_releases_removed_values_when_trimmed_and_answers_the_same()
    {
        (CacheState<string, object?> trimmed, WeakReference[] gone, WeakReference[] kept) = FillDropAndTrim();
        Collect();
        Assert.Equal(0, gone.Count(value => value.IsAlive));
        Assert.Equal(40, kept.Count(value => value.IsAlive)); // the stored values stay: the check above can fail
        trimmed.CheckIntegrity();
        Assert.Same(trimmed, trimmed.TrimExcess()); // nothing left to release
        Assert.Equal(["k60"], trimmed.Evict(TimeSpan.Zero).Removals.Select(r => r.Key));
    }

    [MethodImpl(MethodImplOptions.NoInlining)] // no awaiter of the caller's may hold an entry
    private static async Task Hit(InMemoryCache cache, string key, int times)
    {
        for (int i = 0; i < times; i++)
        {
            Assert.Equal(1, await cache.GetAsync<int>(key));
        }
    }

    [MethodImpl(MethodImplOptions.NoInlining)] // no awaiter of the caller's may hold a value
    private static async Task HitEach(InMemoryCache cache, string prefix)
    {
        for (int i = 0; i < Values; i++)
        {
            Assert.NotNull(await cache.GetAsync<byte[]>($"{prefix}{i}"));
        }
    }

    [MethodImpl(MethodImplOptions.NoInlining)] // no local of the caller's may hold a value
    private static async Task<WeakReference[]> StoreValues(InMemoryCache cache, TimeSpan? ttl, string prefix = "v")
    {
        var references = new WeakReference[Values];
        for (int i = 0; i < Values; i++)
        {
            var value = new byte[1_000];
            references[i] = new WeakReference(value);
            await cache.SetAsync($"{prefix}{i}", value, ttl);
        }

        return references;
    }

    /// <summary>Sets k0..k99, removes k0..k59, hits the rest in order, and trims; the untrimmed states die with this frame.</summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    private static (CacheState<string, object?> Trimmed, WeakReference[] Gone, WeakReference[] Kept) FillDropAndTrim()
    {
        var state = CacheState<string, object?>.Empty(new CacheOptions { MaxSize = 100, DefaultTtl = TimeSpan.FromMinutes(1) });
        var values = new List<WeakReference>();
        for (int i = 0; i < 100; i++)
        {
            var value = new byte[100];
            state = state.Set($"k{i}", value, TimeSpan.Zero).State;
            values.Add(new WeakReference(value));
        }

        for (int i = 0; i < 60; i++)
        {
            state = state.Remove($"k{i}", TimeSpan.Zero).State;
        }

        for (int i = 60; i < 100; i++)
        {
            state = state.Get($"k{i}", TimeSpan.Zero).State;
        }

        CacheState<string, object?> trimmed = state.TrimExcess();
        Assert.NotSame(state, trimmed);
        Assert.Equal(state.Keys, trimmed.Keys);
        return (trimmed, [.. values.Take(60)], [.. values.Skip(60)]);
    }

    private static void Collect()
    {
        GC.Collect();
        GC.WaitForPendingFinalizers();
        GC.Collect();
    }
}
