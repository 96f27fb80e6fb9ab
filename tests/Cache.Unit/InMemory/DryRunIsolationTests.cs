using Cache.Async;
using Cache.Core;
using Cache.Core.Representation;
using Cache.Unit.Support;
using Microsoft.Extensions.Time.Testing;

namespace Cache.Unit.InMemory;

/// <summary>
/// A dry run forked from <see cref="InMemoryCache.Snapshot"/> and the live cache are two lines of
/// states grown from one: neither may change what the other answers, and neither may make the
/// other pay for its fork. Regression tests for the hostile review's first two defects.
/// </summary>
public sealed class DryRunIsolationTests
{
    private const int Size = 1_000;
    private readonly FakeTimeProvider _time = new();

    [Fact]
    public async Task A_dry_run_stays_exact_LRU_while_the_live_cache_forks_past_its_hit_buffer_and_writes()
    {
        using var cache = TestCache.Create(_time, maxSize: Size);
        var model = new ReferenceLru(Size);
        for (int i = 0; i < Size; i++)
        {
            await cache.SetAsync($"k{i}", i);
            model.Access($"k{i}");
        }

        TimeSpan now = cache.GetElapsedTime();
        CacheState<string, object?> dry = cache.Snapshot();
        dry = Hit(dry, model, "k0", now);
        for (int i = 900; i < 950; i++)
        {
            dry = Hit(dry, model, $"k{i}", now);
        }

        // More hits than the 256-slot hit buffer holds, so the live line applies them in two
        // batches around its fork, then a write.
        IReadOnlyDictionary<string, int> found = await cache.GetManyAsync<int>(Enumerable.Range(100, 300).Select(i => $"k{i}"));
        Assert.Equal(300, found.Count);
        await cache.SetAsync("live", -1);

        for (int i = 950; i < 1_000; i++)
        {
            dry = Hit(dry, model, $"k{i}", now);
        }

        dry.CheckIntegrity();
        Assert.Equal(Size, dry.Keys.Count());
        Assert.Equal(model.Keys, dry.Keys);

        // Every Set of a new key on the dry line evicts exactly the textbook LRU's victim.
        for (int i = 0; i < 300; i++)
        {
            string key = $"dry{i}";
            (_, string? victim) = model.Access(key);
            SetResult<string, object?> set = dry.Set(key, i, now);
            Assert.Equal([(victim!, RemovalReason.Evicted)], set.Removals.Select(r => (r.Key, r.Reason)));
            dry = set.State;
        }

        dry.CheckIntegrity();
        Assert.Equal(model.Keys, dry.Keys);

        // The live cache and the state it was when snapshotted are untouched by the dry run.
        var live = new ReferenceLru(Size);
        for (int i = 0; i < Size; i++)
        {
            live.Access($"k{i}");
        }

        foreach (int i in Enumerable.Range(100, 300))
        {
            live.Access($"k{i}");
        }

        live.Access("live");
        Assert.Equal(live.Keys, cache.KeysByRecency());
    }

    [Fact]
    public async Task A_snapshot_read_back_after_both_lines_moved_answers_as_when_it_was_taken()
    {
        using var cache = TestCache.Create(_time, maxSize: Size);
        for (int i = 0; i < Size; i++)
        {
            await cache.SetAsync($"k{i}", i);
        }

        TimeSpan now = cache.GetElapsedTime();
        CacheState<string, object?> snapshot = cache.Snapshot();
        string[] taken = [.. snapshot.Keys];

        CacheState<string, object?> dry = snapshot;
        for (int i = Size - 1; i >= 0; i -= 3)
        {
            dry = dry.Get($"k{i}", now).State;
        }

        await cache.GetManyAsync<int>(Enumerable.Range(0, 600).Select(i => $"k{i}"));
        await cache.SetAsync("live", 0);

        Assert.Equal(taken, snapshot.Keys);
        snapshot.CheckIntegrity();
        Assert.Equal(["k0"], snapshot.Evict(now).Removals.Select(r => r.Key));
        dry.CheckIntegrity();
        cache.Snapshot().CheckIntegrity();
    }

    [Fact]
    public async Task A_dry_run_on_a_snapshot_forks_its_own_line_once_and_costs_the_live_cache_nothing()
    {
        const int n = 20_000;
        using var cache = TestCache.Create(_time, maxSize: n);
        await cache.SetManyAsync(Enumerable.Range(0, n).Select(i => KeyValuePair.Create($"k{i}", i)));
        TimeSpan now = cache.GetElapsedTime();
        CacheState<string, object?> snapshot = cache.Snapshot();
        string[] keys = [.. snapshot.Keys];

        var dry = Cost.Of(() => snapshot.GetMany(keys, now));
        Assert.Equal(n, dry.Result.Hits);
        Assert.Equal(1, dry.Forks); // the dry line pays for its own copy, once
        Assert.InRange(dry.RecordsRead, 0, 4 * n);

        var live = Cost.Of(() => cache.SetAsync("live", 0).AsTask().Wait());
        Assert.Equal(0, live.Forks); // the live cache kept its logs
        Assert.InRange(live.RecordsRead, 0, 8);

        // Evict on the old snapshot, whose entries both lines have used since: one fork, not a search per record.
        var evict = Cost.Of(() => snapshot.Evict(now));
        Assert.Equal(["k0"], evict.Result.Removals.Select(r => r.Key));
        Assert.InRange(evict.Forks, 0, 1);
        Assert.InRange(evict.RecordsRead, 0, 4 * n);
    }

    [Fact]
    [Trait("Category", "Slow")] // outside both mutation gates: see docs/mutation.md
    public void An_old_state_whose_entries_a_newer_state_used_evicts_in_linear_time()
    {
        const int n = 20_000;
        var state = CacheState<string, int>.Empty(new CacheOptions { MaxSize = n, DefaultTtl = Timeout.InfiniteTimeSpan });
        string[] keys = [.. Enumerable.Range(0, n).Select(i => $"k{i}")];
        state = state.SetMany(keys.Select((key, i) => KeyValuePair.Create(key, i)), TimeSpan.Zero).State;
        state = state.GetMany(keys, TimeSpan.Zero).State; // every entry's first record is now stale in this line
        CacheState<string, int> newer = state.GetMany(keys, TimeSpan.Zero).State;

        var evict = Cost.Of(() => state.Evict(TimeSpan.Zero));
        Assert.Equal(["k0"], evict.Result.Removals.Select(r => r.Key));
        Assert.InRange(evict.Forks, 0, 1);
        Assert.InRange(evict.RecordsRead, 0, 4 * n);

        var set = Cost.Of(() => state.Set("new", -1, TimeSpan.Zero));
        Assert.Equal(["k0"], set.Result.Removals.Select(r => r.Key));
        Assert.InRange(set.RecordsRead, 0, 4 * n);
        Assert.Equal("k0", newer.Evict(TimeSpan.Zero).Removals.Single().Key); // the newer line's LRU is k0 too: it was hit first
    }

    [Fact]
    public void Asking_one_state_the_same_question_again_and_again_costs_amortized_constant_work()
    {
        // Every record of the first two passes is stale: a state that scanned that prefix on every
        // question would read ~2n records each time (the review measured 19,000 an Evict at 20k).
        const int n = 20_000;
        var state = CacheState<string, int>.Empty(new CacheOptions { MaxSize = n, DefaultTtl = TimeSpan.FromMinutes(1) });
        string[] keys = [.. Enumerable.Range(0, n).Select(i => $"k{i}")];
        for (int round = 0; round < 3; round++)
        {
            state = state.SetMany(keys.Select((key, i) => KeyValuePair.Create(key, i)), TimeSpan.Zero).State; // the deadline records go stale too
        }

        state = state.GetMany(keys, TimeSpan.Zero).State;
        CacheState<string, int> view = state.AsSnapshot();
        TimeSpan later = TimeSpan.FromSeconds(30);

        var evicts = Cost.Of(() => Enumerable.Range(0, 100).Select(_ => view.Evict(later).Removals.Single().Key).ToArray());
        Assert.All(evicts.Result, key => Assert.Equal("k0", key));
        Assert.InRange(evicts.RecordsRead, 0, 100 * 4);
        Assert.Equal(0, evicts.Forks);

        var writes = Cost.Of(() => Enumerable.Range(0, 100).Select(_ => view.Remove("absent", later).Removed).ToArray());
        Assert.All(writes.Result, Assert.False);
        Assert.InRange(writes.RecordsRead, 0, 100 * 4);
        Assert.InRange(Cost.Of(() => view.CountExpired(TimeSpan.FromMinutes(2))).RecordsRead, n, n + 64); // all due: in proportion to the answer
    }

    [Fact]
    public async Task Stats_of_a_cache_whose_ttl_entries_were_all_replaced_read_a_bounded_number_of_records()
    {
        // Keys set with a TTL, then all but the first set again with none: their deadline records go
        // stale behind a live one. Counting the expired entries must not read them all, every time.
        const int n = 10_000;
        using var cache = TestCache.Create(_time, maxSize: n);
        await cache.SetManyAsync(Enumerable.Range(0, n).Select(i => KeyValuePair.Create($"k{i}", i)), TimeSpan.FromSeconds(1));
        await cache.SetManyAsync(Enumerable.Range(1, n - 1).Select(i => KeyValuePair.Create($"k{i}", i)), Timeout.InfiniteTimeSpan);
        _time.Advance(TimeSpan.FromSeconds(2));

        var stats = Cost.Of(() => Enumerable.Range(0, 100).Select(_ => cache.GetStats()).ToArray());
        Assert.All(stats.Result, s => Assert.Equal(1, s.ExpiredEntries));
        Assert.InRange(stats.RecordsRead, 0, 100 * 64);
    }

    private static CacheState<string, object?> Hit(CacheState<string, object?> state, ReferenceLru model, string key, TimeSpan now)
    {
        Assert.True(model.Access(key).Hit);
        GetResult<string, object?> get = state.Get(key, now);
        Assert.True(get.Found, key);
        return get.State;
    }
}
