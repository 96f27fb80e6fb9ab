using Cache.Core;
using Cache.Core.Representation;
using Cache.Unit.Support;

namespace Cache.Unit.Core;

/// <summary>
/// Who may append to the shared logs, and who forks: a new or cleared state owns its logs, a view
/// never does, and an entry read from another state is never stamped. Each rule is checked by the
/// work it costs (<see cref="ScanMeter"/>) as well as by the answers.
/// </summary>
public sealed class LineOwnershipTests
{
    private static readonly TimeSpan Now = TimeSpan.FromSeconds(1);

    private static CacheState<string, int> Filled(int count, int maxSize = 100) => States.Filled(count, Now, maxSize);

    [Fact]
    public void A_new_state_and_a_cleared_state_own_their_logs_and_append_without_forking()
    {
        var empty = CacheState<string, int>.Empty(CacheOptions.Default);
        Assert.Equal(0, Cost.Of(() => empty.Set("a", 1, Now)).Forks);
        Assert.Same(empty, empty.TrimExcess()); // nothing removed, nothing to trim

        var cleared = Filled(10).Clear(Now).State;
        Assert.Equal(0, Cost.Of(() => cleared.Set("a", 1, Now).State.Get("a", Now)).Forks);
        Assert.Same(cleared, cleared.TrimExcess());
    }

    [Fact]
    public void A_view_forks_at_its_first_append_once_and_a_view_of_a_view_is_itself()
    {
        var state = Filled(10);
        var view = state.AsSnapshot();
        Assert.Same(view, view.AsSnapshot());
        Assert.Equal(state.Keys, view.Keys);

        var line = Cost.Of(() => view.Get("k0", Now).State.Get("k1", Now).State.Set("new", 0, Now).State);
        Assert.Equal(1, line.Forks);
        Assert.Equal(["k2", "k3", "k4", "k5", "k6", "k7", "k8", "k9", "k0", "k1", "new"], line.Result.Keys);

        // The line the view was taken from still owns its logs.
        Assert.Equal(0, Cost.Of(() => state.Get("k0", Now)).Forks);
    }

    [Fact]
    public void Trimming_a_view_or_a_forked_state_gives_a_state_that_needs_no_more_trimming()
    {
        var state = Filled(10);
        for (int i = 0; i < 5; i++)
        {
            state = state.Remove($"k{i}", Now).State;
        }

        var view = state.AsSnapshot();
        var trimmedView = view.TrimExcess();
        Assert.NotSame(view, trimmedView);
        trimmedView.CheckIntegrity();
        Assert.Equal(state.Keys, trimmedView.Keys);
        Assert.Same(trimmedView, trimmedView.TrimExcess());

        // A fork rebuilds the logs from the live entries: nothing removed is left to trim.
        var forked = state.AsSnapshot().Get("k5", Now).State;
        Assert.Same(forked, forked.TrimExcess());
    }

    [Fact]
    public void Only_stored_entries_are_used_an_entry_read_from_another_state_is_passed_over()
    {
        var state = Filled(5);
        CacheEntryHandle<string, int> a = state.Find("k0");
        CacheEntryHandle<string, int> b = state.Find("k1");
        CacheEntryHandle<string, int> c = state.Find("k2");
        var withoutB = state.Remove("k1", Now).State;

        // b is not stored in withoutB: its hit is dropped (its stamp untouched, for the states that
        // do store it), and the hits around it are applied in order.
        long stampOfB = b.Entry.LastUse;
        var used = withoutB.Touch([c, b, a]);
        Assert.Equal(["k3", "k4", "k2", "k0"], used.Keys);
        used.CheckIntegrity();
        Assert.Equal(stampOfB, b.Entry.LastUse);
        Assert.Same(withoutB, withoutB.Touch([b]));
        Assert.Equal(["k0", "k2", "k3", "k4", "k1"], state.Get("k1", Now).State.Keys);
    }

    [Fact]
    public void Hits_applied_as_one_batch_stamp_each_entry_so_evictions_follow_them_in_order()
    {
        var state = Filled(6, maxSize: 6);
        CacheEntryHandle<string, int>[] hits = [.. new[] { "k3", "k0", "k5", "k1" }.Select(key => state.Find(key))];
        state = state.Touch(hits);

        var evicted = new List<string>();
        for (int i = 0; i < 6; i++)
        {
            var evict = state.Evict(Now);
            evicted.Add(evict.Removals.Single().Key);
            state = evict.State;
        }

        Assert.Equal(["k2", "k4", "k3", "k0", "k5", "k1"], evicted);
    }

    [Fact]
    public void A_forked_line_keeps_every_deadline_and_expires_them_in_order()
    {
        var state = CacheState<string, int>.Empty(new CacheOptions { MaxSize = 10, DefaultTtl = Timeout.InfiniteTimeSpan });
        state = state.Set("late", 0, TimeSpan.FromMinutes(3), Now).State
            .Set("early", 1, TimeSpan.FromMinutes(1), Now).State
            .Set("never", 2, Now).State
            .Set("middle", 3, TimeSpan.FromMinutes(2), Now).State;

        var forked = state.AsSnapshot().Get("never", Now).State; // the view's first append forks: its deadlines are rebuilt
        forked.CheckIntegrity();
        var expired = forked.Expire(Now + TimeSpan.FromMinutes(5));
        Assert.Equal(["early", "middle", "late"], expired.Removals.Select(r => r.Key));
        Assert.Equal(["never"], expired.State.Keys);
    }

    [Fact]
    public void A_state_that_forked_inside_a_transition_owns_its_new_line_and_writes_it_without_forking_again()
    {
        var origin = Filled(5);
        _ = origin.Get("k0", Now).State.Get("k1", Now); // a sibling stamps past origin's horizon

        var evict = Cost.Of(() => origin.Evict(Now)); // only a fork can tell origin's LRU now
        Assert.Equal(1, evict.Forks);
        Assert.Equal(["k0"], evict.Result.Removals.Select(r => r.Key));

        var next = Cost.Of(() => evict.Result.State.Set("new", 9, Now).State.Remove("k1", Now).State);
        Assert.Equal(0, next.Forks);
        Assert.Equal(["k2", "k3", "k4", "new"], next.Result.Keys);
        next.Result.CheckIntegrity();
    }

    [Fact]
    public void An_old_state_skips_an_entry_it_no_longer_stores_without_forking_even_when_a_sibling_used_it()
    {
        var origin = Filled(5);
        _ = origin.Get("k0", Now); // a sibling line stamps k0 at origin's horizon, which withoutK0 shares
        var withoutK0 = origin.Remove("k0", Now).State;

        var evict = Cost.Of(() => withoutK0.Evict(Now));
        Assert.Equal(["k1"], evict.Result.Removals.Select(r => r.Key));
        Assert.Equal(0, evict.Forks);
    }
}
