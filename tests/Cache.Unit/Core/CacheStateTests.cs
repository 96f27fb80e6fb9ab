using Cache.Core;

namespace Cache.Unit.Core;

public sealed class CacheStateTests
{
    private static readonly TimeSpan T0 = TimeSpan.FromSeconds(100);
    private static readonly TimeSpan Ttl = TimeSpan.FromSeconds(10);

    private static CacheState<string, int> Empty(int maxSize = 3, TimeSpan? defaultTtl = null) =>
        CacheState<string, int>.Empty(new CacheOptions { MaxSize = maxSize, DefaultTtl = defaultTtl ?? Ttl });

    private static CacheState<string, int> Filled(params string[] keys)
    {
        var state = Empty(maxSize: Math.Max(keys.Length, 1));
        for (int i = 0; i < keys.Length; i++)
        {
            state = state.Set(keys[i], i, T0).State;
        }

        return state;
    }

    [Fact]
    public void Empty_requires_options_and_stores_nothing()
    {
        Assert.Throws<ArgumentNullException>(() => CacheState<string, int>.Empty(null!));
        var empty = Empty();
        Assert.Equal(0, empty.Count);
        Assert.Empty(empty.Keys);
        Assert.Equal(3, empty.Options.MaxSize);
    }

    [Fact]
    public void Set_then_Get_is_a_hit_with_the_value()
    {
        var set = Empty().Set("a", 7, T0);
        Assert.Equal(SetOutcome.Added, set.Outcome);
        Assert.True(set.Removals.IsEmpty);

        var get = set.State.Get("a", T0);
        Assert.True(get.Found);
        Assert.Equal(7, get.Value);
        Assert.True(get.TryGetValue(out int value));
        Assert.Equal(7, value);
        var (state, found) = get;
        Assert.True(found);
        Assert.Same(get.State, state);
    }

    [Fact]
    public void Get_of_an_unknown_key_is_a_miss_without_value_and_without_change()
    {
        var state = Filled("a");
        var get = state.Get("b", T0);
        Assert.False(get.Found);
        Assert.False(get.TryGetValue(out _));
        var error = Assert.Throws<InvalidOperationException>(() => get.Value);
        Assert.Contains("TryGetValue", error.Message, StringComparison.Ordinal);
        Assert.Same(state, get.State);
        Assert.True(get.Removals.IsEmpty);
    }

    [Fact]
    public void An_entry_is_live_before_its_deadline_and_expired_exactly_at_it()
    {
        var state = Empty().Set("a", 1, T0).State;
        var justBefore = T0 + Ttl - TimeSpan.FromTicks(1);
        Assert.True(state.ContainsKey("a", justBefore));
        Assert.True(state.Get("a", justBefore).Found);
        Assert.Equal(0, state.CountExpired(justBefore));

        Assert.False(state.ContainsKey("a", T0 + Ttl));
        Assert.Equal(1, state.CountExpired(T0 + Ttl));
        var get = state.Get("a", T0 + Ttl);
        Assert.False(get.Found);
        Assert.Equal([new CacheRemoval<string, int>("a", 1, RemovalReason.Expired)], get.Removals.ToArray());
        Assert.Equal(0, get.State.Count);
    }

    [Fact]
    public void Explicit_ttl_overrides_the_default()
    {
        var state = Empty().Set("a", 1, TimeSpan.FromSeconds(2), T0).State;
        Assert.True(state.ContainsKey("a", T0 + TimeSpan.FromSeconds(1)));
        Assert.False(state.ContainsKey("a", T0 + TimeSpan.FromSeconds(2)));
    }

    [Fact]
    public void Infinite_and_overflowing_ttls_never_expire()
    {
        var state = Empty()
            .Set("infinite", 1, Timeout.InfiniteTimeSpan, T0).State
            .Set("max", 2, TimeSpan.MaxValue, T0).State
            .Set("nearly", 3, TimeSpan.FromTicks(long.MaxValue - T0.Ticks + 1), T0).State;
        Assert.True(state.ContainsKey("infinite", TimeSpan.MaxValue));
        Assert.True(state.ContainsKey("max", TimeSpan.MaxValue));
        Assert.True(state.ContainsKey("nearly", TimeSpan.MaxValue));
        Assert.Equal(0, state.CountExpired(TimeSpan.MaxValue));
        Assert.Equal(3, state.Expire(TimeSpan.MaxValue).State.Count);
    }

    [Fact]
    public void The_largest_ttl_that_fits_still_expires()
    {
        var ttl = TimeSpan.FromTicks(long.MaxValue - T0.Ticks - 1);
        var state = Empty().Set("a", 1, ttl, T0).State;
        Assert.True(state.ContainsKey("a", TimeSpan.FromTicks(long.MaxValue - 2)));
        Assert.False(state.ContainsKey("a", TimeSpan.FromTicks(long.MaxValue - 1)));
    }

    [Fact]
    public void A_negative_now_is_just_an_earlier_instant()
    {
        var now = TimeSpan.FromSeconds(-50);
        var state = Empty().Set("a", 1, TimeSpan.MaxValue, now).State.Set("b", 2, now).State;
        Assert.True(state.ContainsKey("a", TimeSpan.FromDays(10_000)));
        Assert.True(state.ContainsKey("b", now + Ttl - TimeSpan.FromTicks(1)));
        Assert.False(state.ContainsKey("b", now + Ttl));
    }

    [Theory]
    [InlineData(0L)]
    [InlineData(-1L)]
    [InlineData(-20_000L)]
    public void Set_refuses_a_ttl_of_zero_or_below(long ticks)
    {
        var state = Empty();
        var error = Assert.Throws<ArgumentOutOfRangeException>(() => state.Set("a", 1, TimeSpan.FromTicks(ticks), T0));
        Assert.Equal("ttl", error.ParamName);
        Assert.Contains("Timeout.InfiniteTimeSpan", error.Message, StringComparison.Ordinal);
        Assert.Equal(0, state.Count);
    }

    [Fact]
    public void Null_keys_are_refused_everywhere()
    {
        var state = CacheState<string, int>.Empty(CacheOptions.Default);
        Assert.Throws<ArgumentNullException>(() => state.Set(null!, 1, T0));
        Assert.Throws<ArgumentNullException>(() => state.Set(null!, 1, Ttl, T0));
        Assert.Throws<ArgumentNullException>(() => state.Get(null!, T0));
        Assert.Throws<ArgumentNullException>(() => state.Remove(null!, T0));
        Assert.Throws<ArgumentNullException>(() => state.TryPeek(null!, T0, out _));
        Assert.Throws<ArgumentNullException>(() => state.ContainsKey(null!, T0));
    }

    [Fact]
    public void A_hit_makes_the_key_most_recently_used_and_a_peek_does_not()
    {
        var state = Filled("a", "b", "c");
        Assert.Equal(["a", "b", "c"], state.Keys);
        state = state.Get("a", T0).State;
        Assert.Equal(["b", "c", "a"], state.Keys);
        Assert.True(state.TryPeek("b", T0, out int b));
        Assert.Equal(1, b);
        Assert.True(state.ContainsKey("b", T0));
        Assert.Equal(["b", "c", "a"], state.Keys);
    }

    [Fact]
    public void A_set_at_capacity_evicts_the_least_recently_used()
    {
        var state = Filled("a", "b", "c").Get("a", T0).State;
        var set = state.Set("d", 3, T0);
        Assert.Equal([new CacheRemoval<string, int>("b", 1, RemovalReason.Evicted) { Eviction = EvictionDecision.LeastRecentlyUsed }], set.Removals.ToArray());
        Assert.Equal(["c", "a", "d"], set.State.Keys);
        Assert.Equal(3, set.State.Count);
    }

    [Fact]
    public void Overwriting_replaces_in_place_and_never_evicts()
    {
        var set = Filled("a", "b", "c").Set("a", 9, T0);
        Assert.Equal(SetOutcome.Replaced, set.Outcome);
        Assert.Equal([new CacheRemoval<string, int>("a", 0, RemovalReason.Replaced)], set.Removals.ToArray());
        Assert.Equal(["b", "c", "a"], set.State.Keys);
        Assert.Equal(9, set.State.Get("a", T0).Value);
    }

    [Fact]
    public void Overwriting_gives_the_entry_a_new_deadline()
    {
        var state = Empty().Set("a", 1, T0).State.Set("a", 2, T0 + TimeSpan.FromSeconds(5)).State;
        Assert.True(state.ContainsKey("a", T0 + Ttl));
        Assert.False(state.ContainsKey("a", T0 + TimeSpan.FromSeconds(5) + Ttl));
        state.CheckIntegrity();
    }

    [Fact]
    public void At_capacity_expired_entries_go_before_any_live_one_is_evicted()
    {
        var state = Empty()
            .Set("short", 1, TimeSpan.FromSeconds(1), T0).State
            .Set("b", 2, T0).State
            .Set("c", 3, T0).State;
        var later = T0 + TimeSpan.FromSeconds(1);
        var set = state.Set("d", 4, later);
        Assert.Equal([new CacheRemoval<string, int>("short", 1, RemovalReason.Expired)], set.Removals.ToArray());
        Assert.Equal(["b", "c", "d"], set.State.Keys);
    }

    [Fact]
    public void Overwriting_an_expired_entry_reports_it_expired_and_adds_afresh()
    {
        var state = Empty().Set("a", 1, T0).State;
        var set = state.Set("a", 2, T0 + Ttl);
        Assert.Equal(SetOutcome.Added, set.Outcome);
        Assert.Equal([new CacheRemoval<string, int>("a", 1, RemovalReason.Expired)], set.Removals.ToArray());
    }

    [Fact]
    public void Every_write_removes_what_has_come_due_soonest_first()
    {
        var state = Empty(maxSize: 5)
            .Set("late", 1, TimeSpan.FromSeconds(3), T0).State
            .Set("early", 2, TimeSpan.FromSeconds(1), T0).State
            .Set("live", 3, TimeSpan.FromSeconds(9), T0).State;
        var now = T0 + TimeSpan.FromSeconds(3);
        var expected = new[]
        {
            new CacheRemoval<string, int>("early", 2, RemovalReason.Expired),
            new CacheRemoval<string, int>("late", 1, RemovalReason.Expired),
        };
        Assert.Equal(expected, state.Set("x", 0, now).Removals.ToArray());
        Assert.Equal(expected, state.Remove("x", now).Removals.ToArray());
        Assert.Equal(expected, state.Expire(now).Removals.ToArray());
        Assert.Equal(expected, state.Evict(now).Removals.ToArray());
        Assert.Equal(["live"], state.Expire(now).State.Keys);
    }

    [Fact]
    public void A_write_that_expires_an_entry_and_then_passes_a_removed_ones_due_record_still_removes_it()
    {
        // The deadline log holds a, then b's record gone stale by its removal: the expiry takes a,
        // then skips b's record, and the state it returns must not have a any more.
        var state = Empty(maxSize: 5)
            .Set("a", 1, TimeSpan.FromSeconds(1), T0).State
            .Set("b", 2, TimeSpan.FromSeconds(2), T0).State
            .Remove("b", T0).State;
        var expire = state.Expire(T0 + TimeSpan.FromSeconds(3));
        Assert.Equal([new CacheRemoval<string, int>("a", 1, RemovalReason.Expired)], expire.Removals.ToArray());
        Assert.Equal(0, expire.State.Count);
        Assert.Empty(expire.State.Keys);
        expire.State.CheckIntegrity();
    }

    [Fact]
    public void An_out_of_order_deadline_due_before_a_logged_one_behind_a_stale_record_keeps_the_stale_count_exact()
    {
        // Log: a (5 s), b (6 s, then removed: a stale record), c (8 s); d (7 s) came after c, so it
        // is kept sorted apart. Expiring all takes a, skips b's record, and takes d before c.
        var state = Empty(maxSize: 5)
            .Set("a", 1, TimeSpan.FromSeconds(5), T0).State
            .Set("b", 2, TimeSpan.FromSeconds(6), T0).State
            .Set("c", 3, TimeSpan.FromSeconds(8), T0).State
            .Set("d", 4, TimeSpan.FromSeconds(7), T0).State
            .Remove("b", T0).State;
        var now = T0 + TimeSpan.FromSeconds(10);
        var expire = state.Expire(now);
        Assert.Equal(["a", "d", "c"], expire.Removals.ToArray().Select(r => r.Key));
        expire.State.CheckIntegrity();
        var set = state.Set("e", 5, now);
        Assert.Equal(["a", "d", "c"], set.Removals.ToArray().Select(r => r.Key));
        set.State.CheckIntegrity();
    }

    [Fact]
    public void Remove_answers_true_only_for_a_live_entry()
    {
        var state = Empty().Set("a", 1, T0).State;
        var removed = state.Remove("a", T0);
        Assert.True(removed.Removed);
        Assert.Equal([new CacheRemoval<string, int>("a", 1, RemovalReason.Removed)], removed.Removals.ToArray());
        Assert.Equal(0, removed.State.Count);

        Assert.False(state.Remove("missing", T0).Removed);
        var expired = state.Remove("a", T0 + Ttl);
        Assert.False(expired.Removed);
        Assert.Equal([new CacheRemoval<string, int>("a", 1, RemovalReason.Expired)], expired.Removals.ToArray());
        Assert.Equal(0, expired.State.Count);
    }

    [Fact]
    public void Evict_removes_the_least_recently_used_when_nothing_has_expired()
    {
        var state = Filled("a", "b").Get("a", T0).State;
        var evict = state.Evict(T0);
        Assert.Equal([new CacheRemoval<string, int>("b", 1, RemovalReason.Evicted) { Eviction = EvictionDecision.LeastRecentlyUsed }], evict.Removals.ToArray());
        Assert.Equal(["a"], evict.State.Keys);
        Assert.True(Empty().Evict(T0).Removals.IsEmpty);
    }

    [Fact]
    public void Clear_reports_expired_then_the_rest_least_recent_first_and_keeps_options()
    {
        var state = Empty()
            .Set("a", 1, T0).State
            .Set("b", 2, TimeSpan.FromSeconds(1), T0).State
            .Set("c", 3, T0).State;
        var clear = state.Clear(T0 + TimeSpan.FromSeconds(1));
        Assert.Equal(
            [
                new CacheRemoval<string, int>("b", 2, RemovalReason.Expired),
                new CacheRemoval<string, int>("a", 1, RemovalReason.Cleared),
                new CacheRemoval<string, int>("c", 3, RemovalReason.Cleared),
            ],
            clear.Removals.ToArray());
        Assert.Equal(0, clear.State.Count);
        Assert.Same(state.Options, clear.State.Options);
        clear.State.CheckIntegrity();
        Assert.Equal(["z"], clear.State.Set("z", 0, T0).State.Keys);
    }

    [Fact]
    public void Transitions_leave_the_old_state_untouched()
    {
        var state = Filled("a", "b", "c");
        _ = state.Set("d", 3, T0);
        _ = state.Get("a", T0);
        _ = state.Remove("b", T0);
        _ = state.Clear(T0);
        _ = state.Expire(T0 + Ttl);
        Assert.Equal(["a", "b", "c"], state.Keys);
        Assert.Equal(3, state.Count);
        state.CheckIntegrity();
    }

    [Fact]
    public void Two_lines_grown_from_one_state_keep_their_own_recency_and_evict_by_it()
    {
        // Only one line may append in place to the shared recency log; the other forks. Neither
        // may see the other's hits, in any order of use.
        var state = Filled("a", "b", "c");
        var first = state.Get("a", T0).State;            // owns the log: a is now most recent
        var second = state.Get("b", T0).State;           // forks: b is most recent here
        var firstAgain = first.Get("c", T0).State;       // the owner goes on in place
        var secondAgain = second.Get("a", T0).State;     // the fork goes on in its own log

        Assert.Equal(["a", "b", "c"], state.Keys);
        Assert.Equal(["b", "c", "a"], first.Keys);
        Assert.Equal(["a", "c", "b"], second.Keys);
        Assert.Equal(["b", "a", "c"], firstAgain.Keys);
        Assert.Equal(["c", "b", "a"], secondAgain.Keys);
        Assert.Equal("a", state.Set("d", 3, T0).Removals.Single().Key);
        Assert.Equal("b", first.Set("d", 3, T0).Removals.Single().Key);
        Assert.Equal("a", second.Set("d", 3, T0).Removals.Single().Key);
        Assert.Equal("b", firstAgain.Set("d", 3, T0).Removals.Single().Key);
        Assert.Equal("c", secondAgain.Set("d", 3, T0).Removals.Single().Key);
        foreach (var s in new[] { state, first, second, firstAgain, secondAgain })
        {
            s.CheckIntegrity();
        }
    }

    [Fact]
    public void An_older_state_that_evicts_after_a_newer_one_used_its_entries_evicts_by_its_own_order()
    {
        // The newer state stamps shared entries with uses the older one never saw; the older one
        // must read its own part of the log instead of those stamps.
        var state = Filled("a", "b", "c");
        var newer = state.Get("a", T0).State.Get("b", T0).State;
        Assert.Equal("a", state.Evict(T0).Removals.Single().Key);
        Assert.Equal("c", newer.Evict(T0).Removals.Single().Key);
        Assert.Equal(["b", "c"], state.Evict(T0).State.Keys);
    }

    [Fact]
    public void An_older_state_skips_its_own_stale_record_of_an_entry_a_newer_state_used_again()
    {
        // In the older state "a" was used twice, so its first record is stale; a newer state has
        // used "a" once more since, so the older one must find its own later record to know that.
        var older = Filled("a", "b", "c").Get("a", T0).State;   // b, c, a
        _ = older.Get("a", T0);
        Assert.Equal("b", older.Evict(T0).Removals.Single().Key);
        Assert.Equal(["b", "c", "a"], older.Keys);
    }

    [Fact]
    public void A_transition_that_changes_nothing_returns_the_same_state()
    {
        var state = Filled("a", "b");
        Assert.Same(state, state.Expire(T0).State);
        Assert.Same(state, state.Remove("zzz", T0).State);
        Assert.Same(state, state.Get("zzz", T0).State);
    }

    [Fact]
    public void Deadlines_survive_every_copy_of_their_log_and_all_come_due()
    {
        // Far more writes than the deadline log holds, from two lines of one state (the second
        // copies the log on its first write), then a time at which everything has expired.
        var state = Empty(maxSize: 40);
        for (int i = 0; i < 40; i++)
        {
            state = state.Set("k" + i, i, T0 + TimeSpan.FromTicks(i)).State;
        }

        var first = state;
        var second = state;
        for (int round = 0; round < 5; round++)
        {
            for (int i = 0; i < 40; i += 3)
            {
                first = first.Set("k" + i, round, T0 + TimeSpan.FromSeconds(1)).State;
                second = second.Set("k" + ((i + 1) % 40), round, T0 + TimeSpan.FromSeconds(2)).State;
            }
        }

        foreach (var line in new[] { state, first, second })
        {
            line.CheckIntegrity();
            var expired = line.Expire(T0 + TimeSpan.FromHours(1));
            Assert.Equal(40, expired.Removals.Count(r => r.Reason == RemovalReason.Expired));
            Assert.Equal(0, expired.State.Count);
        }
    }

    [Fact]
    public void The_recency_log_stays_exact_through_many_compactions()
    {
        // A thousand hits on three entries fill and compact the log many times over.
        var state = Filled("a", "b", "c");
        string[] order = ["a", "b", "c"];
        for (int i = 0; i < 1_000; i++)
        {
            string key = order[(i * 7) % 3];
            state = state.Get(key, T0).State;
            order = [.. order.Where(k => k != key), key];
        }

        Assert.Equal(order, state.Keys);
        Assert.Equal(order[0], state.Set("d", 3, T0).Removals.Single().Key);
        state.CheckIntegrity();
    }

    [Fact]
    public void A_cached_null_is_a_value()
    {
        var state = CacheState<string, string?>.Empty(CacheOptions.Default).Set("a", null, T0).State;
        var get = state.Get("a", T0);
        Assert.True(get.Found);
        Assert.Null(get.Value);
    }

    [Fact]
    public void CountExpired_counts_only_what_has_come_due()
    {
        var state = Empty(maxSize: 5)
            .Set("a", 1, TimeSpan.FromSeconds(1), T0).State
            .Set("b", 2, TimeSpan.FromSeconds(2), T0).State
            .Set("c", 3, TimeSpan.FromSeconds(3), T0).State
            .Set("d", 4, Timeout.InfiniteTimeSpan, T0).State;
        Assert.Equal(0, state.CountExpired(T0));
        Assert.Equal(2, state.CountExpired(T0 + TimeSpan.FromSeconds(2)));
        Assert.Equal(3, state.CountExpired(TimeSpan.MaxValue));
    }
}
