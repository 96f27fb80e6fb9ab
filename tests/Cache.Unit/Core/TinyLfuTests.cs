using System.Runtime.CompilerServices;
using Cache.Core;
using Cache.Unit.Support;

namespace Cache.Unit.Core;

/// <summary>
/// W-TinyLFU in the core (issue 17), decision by decision, beside the model-based properties that
/// hold it to the reference model at every step: how keys move between the window, probation and
/// protected, what a full state gives up, and that older states keep their own decisions.
/// </summary>
public sealed class TinyLfuTests
{
    private static readonly TimeSpan Now = TimeSpan.FromSeconds(1);
    private static readonly CacheOptions Options = new() { MaxSize = 3, DefaultTtl = TimeSpan.FromMinutes(1), Policy = EvictionPolicy.TinyLfu };

    [Fact]
    public void Keys_are_listed_in_the_order_the_policy_gives_them_up_probation_protected_then_the_window()
    {
        // Capacity 3: a window of 1, a main space of 2 (protected at most 1).
        var state = CacheState<string, int>.Empty(Options).Set("a", 1, Now).State.Set("b", 2, Now).State.Set("c", 3, Now).State;
        Assert.Equal(["a", "b", "c"], state.Keys); // a and b overflowed into probation, c is in the window
        Assert.Same(state, state.TrimExcess()); // a move copies nothing (a new tag and record), so nothing is left to trim
        state = state.Get("a", Now).State; // a hit in probation moves a up to protected
        Assert.Equal(["b", "a", "c"], state.Keys);
        state.CheckIntegrity();
    }

    [Fact]
    public void A_full_state_refuses_a_newcomer_counted_no_more_often_than_the_entry_it_would_evict_and_admits_one_counted_more()
    {
        // Int keys hash to themselves, so the sketch's collisions (and so its decisions) are the same in
        // every process; .NET seeds string hashing per process.
        var state = CacheState<int, string>.Empty(Options).Set(1, "a", Now).State.Set(2, "b", Now).State.Set(3, "c", Now).State;

        // 4 pushes 3 out of the window as the candidate; 3 (counted once) against 1, probation's least recent (once): refused.
        SetResult<int, string> refused = state.Set(4, "d", Now);
        Assert.Equal(new[] { new CacheRemoval<int, string>(3, "c", RemovalReason.Evicted) { Eviction = EvictionDecision.Refused } }, refused.Removals.ToArray());
        Assert.Equal(SetOutcome.Added, refused.Outcome);

        // 4 counted three times pushed out by 5: it beats 1, which goes.
        state = refused.State.Get(4, Now).State.Get(4, Now).State;
        SetResult<int, string> admitted = state.Set(5, "e", Now);
        Assert.Equal(new[] { new CacheRemoval<int, string>(1, "a", RemovalReason.Evicted) { Eviction = EvictionDecision.Probation } }, admitted.Removals.ToArray());
        Assert.Equal([2, 4, 5], admitted.State.Keys);
    }

    [Fact]
    public void A_snapshots_Evict_after_the_live_line_used_its_entries_forks_and_evicts_what_the_snapshot_would()
    {
        var state = CacheState<string, int>.Empty(Options with { MaxSize = 10 }).Set("a", 1, Now).State;
        CacheState<string, int> snapshot = state.AsSnapshot();
        _ = state.Get("a", Now); // the live line stamps a past the snapshot's horizon

        var evicted = Cost.Of(() => snapshot.Evict(Now));
        Assert.Equal(new[] { new CacheRemoval<string, int>("a", 1, RemovalReason.Evicted) { Eviction = EvictionDecision.Window } }, evicted.Result.Removals.ToArray());
        Assert.Equal(1, evicted.Forks);
        Assert.Empty(evicted.Result.State.Keys);

        // An older state whose entries no later state used or moved evicts without forking: its own records tell.
        CacheState<string, int> older = CacheState<string, int>.Empty(Options with { MaxSize = 200 }).Set("a", 1, Now).State;
        CacheState<string, int> next = older.Set("b", 2, Now).State; // the line moves on past it, leaving a untouched (a window of 2)
        var quiet = Cost.Of(() => older.Evict(Now));
        Assert.Equal(0, quiet.Forks);
        Assert.Equal(("a", EvictionDecision.Window), Assert.Single(quiet.Result.Removals) is var only ? (only.Key, only.Eviction) : default);

        // Once a later state moves a to probation, only a fork tells the older state where a is.
        _ = next.Set("c", 3, Now);
        var moved = Cost.Of(() => older.Evict(Now));
        Assert.Equal(1, moved.Forks);
        Assert.Equal(("a", EvictionDecision.Window), Assert.Single(moved.Result.Removals) is var first ? (first.Key, first.Eviction) : default);
    }

    [Fact]
    [Trait("Category", "Memory")] // outside the Core gate: Stryker's instrumented Debug build keeps objects alive that a release build lets go (docs/mutation.md)
    public void A_value_moved_to_another_segment_then_removed_is_let_go_of_by_TrimExcess()
    {
        // Built in methods of their own, so that no local of this one (kept alive in a Debug build,
        // as the mutation gate runs) holds the untrimmed state, which may still hold the value.
        CacheState<string, object> trimmed = MovedRemovedAndTrimmed(out WeakReference released);
        GC.Collect();
        GC.WaitForPendingFinalizers();
        GC.Collect();
        Assert.False(released.IsAlive, "a removed value is still referenced by the logs of the trimmed state");
        GC.KeepAlive(trimmed);
    }

    [Fact]
    public void An_older_state_keeps_its_own_counts_and_segments_whatever_its_line_does_later()
    {
        var state = CacheState<string, int>.Empty(Options).Set("a", 1, Now).State.Set("b", 2, Now).State.Set("c", 3, Now).State;
        CacheState<string, int> before = state;
        SetResult<string, int> first = before.Set("d", 4, Now);

        // The line moves on: d counted often, a promoted.
        var line = first.State.Get("d", Now).State.Get("d", Now).State.Get("d", Now).State.Get("a", Now).State;
        Assert.NotEqual(before.Keys, line.Keys);

        // The older state decides as it did, with its own counts (a fork), not the line's.
        SetResult<string, int> again = before.Set("d", 4, Now);
        Assert.Equal(first.Removals.ToArray(), again.Removals.ToArray());
        Assert.Equal(first.State.Keys, again.State.Keys);
        Assert.Equal(["a", "b", "c"], before.Keys);
    }

    [Fact]
    public void Probation_and_protected_share_one_log_and_each_head_passes_the_others_records_once()
    {
        // Capacity 100: a window of 1, a main space of 99, protected at most 79.
        var options = new CacheOptions { MaxSize = 100, DefaultTtl = Timeout.InfiniteTimeSpan, Policy = EvictionPolicy.TinyLfu };
        var state = CacheState<int, int>.Empty(options);
        for (int key = 0; key < 100; key++)
        {
            state = state.Set(key, key, Now).State; // 0 to 98 overflow into probation, in order
        }

        for (int key = 0; key < 79; key++)
        {
            state = state.Get(key, Now).State; // promoted: protected is full
        }

        // The log now holds probation's records of 0 to 98, then protected's of 0 to 78. Promoting 79
        // demotes protected's least recent, 0: protected's head has already passed the live probation
        // records of 79 to 98, so the hit reads a handful of records, not the twenty between.
        var hit = Cost.Of(() => state.Get(79, Now).State);
        Assert.InRange(hit.RecordsRead, 0, 6);
        Assert.Equal([.. Enumerable.Range(80, 19), 0, .. Enumerable.Range(1, 78), 79, 99], hit.Result.Keys);
        hit.Result.CheckIntegrity();
    }

    [Fact]
    public void A_compaction_after_a_demotion_keeps_the_demoted_entry_in_probation()
    {
        // Capacity 10: a window of 1, a main space of 9, protected at most 7.
        var options = new CacheOptions { MaxSize = 10, DefaultTtl = Timeout.InfiniteTimeSpan, Policy = EvictionPolicy.TinyLfu };
        var state = CacheState<int, int>.Empty(options);
        for (int key = 0; key < 10; key++)
        {
            state = state.Set(key, key, Now).State; // 0 to 8 in probation, 9 in the window
        }

        state = state.Get(1, Now).State.Get(1, Now).State; // 1 promoted, then used again in protected
        for (int key = 2; key <= 8; key++)
        {
            state = state.Get(key, Now).State; // the eighth promotion demotes protected's least recent: 1
        }

        state = state.Remove(9, Now).State; // a removal, so that TrimExcess rebuilds the logs

        // The main space's log holds 1's two protected records before its demotion: the compaction
        // copies probation's records first (1's demotion among them), then protected's, and must
        // know 1's protected records for stale although 1 now carries the new log's tag.
        CacheState<int, int> trimmed = state.TrimExcess();
        Assert.Equal([0, 1, 2, 3, 4, 5, 6, 7, 8], state.Keys);
        Assert.Equal(state.Keys, trimmed.Keys);
        trimmed.CheckIntegrity();
        Assert.Equal([0, 2, 3, 4, 5, 6, 7, 8, 1], trimmed.Get(1, Now).State.Keys); // 1 promoted again
    }

    [Fact]
    public void TrimExcess_leaves_every_log_holding_only_the_stored_entries_records()
    {
        // Capacity 10: a window of 1, a main space of 9. Moves and removals leave stale records in both logs.
        var options = new CacheOptions { MaxSize = 10, DefaultTtl = Timeout.InfiniteTimeSpan, Policy = EvictionPolicy.TinyLfu };
        var state = CacheState<int, int>.Empty(options);
        for (int key = 0; key < 10; key++)
        {
            state = state.Set(key, key, Now).State;
        }

        for (int key = 0; key < 10; key += 2)
        {
            state = state.Get(key, Now).State.Remove(key + 1, Now).State; // even keys promoted, odd ones removed
        }

        state = state.Get(4, Now).State.Get(8, Now).State; // their first records in protected go stale

        Assert.True(Cost.Of(() => state.Keys.Count()).RecordsRead > state.Count, "the logs hold stale records before the trim");
        CacheState<int, int> trimmed = state.TrimExcess();
        Assert.Equal(state.Keys, trimmed.Keys);

        // Reading the order reads each log from its first record: after the trim, one record an entry.
        Assert.Equal(trimmed.Count, Cost.Of(() => trimmed.Keys.Count()).RecordsRead);
        trimmed.CheckIntegrity();
    }

    [Fact]
    public void Options_take_a_policy_and_refuse_one_that_is_not_defined()
    {
        Assert.Equal(EvictionPolicy.Lru, CacheOptions.Default.Policy);
        Assert.Equal(EvictionPolicy.TinyLfu, CacheOptions.Default.WithPolicy(EvictionPolicy.TinyLfu).Policy);
        var refused = Assert.Throws<ArgumentOutOfRangeException>("Policy", () => new CacheOptions { Policy = (EvictionPolicy)7 });
        Assert.Contains("Not an eviction policy", refused.Message, StringComparison.Ordinal);
    }

    /// <summary>A state whose value under "a" was moved to probation (a record in the main space's log) and then removed, trimmed and checked.</summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    private static CacheState<string, object> MovedRemovedAndTrimmed(out WeakReference released)
    {
        CacheState<string, object> state = MovedAndRemoved(out released);
        CacheState<string, object> trimmed = state.TrimExcess();
        Assert.NotSame(state, trimmed);
        trimmed.CheckIntegrity();
        Assert.Equal(state.Keys, trimmed.Keys);
        return trimmed;
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static CacheState<string, object> MovedAndRemoved(out WeakReference released)
    {
        object value = new();
        released = new WeakReference(value);
        return CacheState<string, object>.Empty(new CacheOptions { MaxSize = 10, Policy = EvictionPolicy.TinyLfu })
            .Set("a", value, Now).State
            .Set("b", new object(), Now).State // b's arrival pushes a into probation
            .Remove("a", Now).State;
    }
}
