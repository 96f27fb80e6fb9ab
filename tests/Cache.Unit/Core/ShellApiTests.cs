using Cache.Core;
using Cache.Unit.Support;

namespace Cache.Unit.Core;

/// <summary>
/// The public API a shell builds on (InMemoryCache uses nothing else of the core): reads that record
/// nothing, uses applied later in order, snapshots, removals collected without an array, the TTL rule.
/// </summary>
public sealed class ShellApiTests
{
    private static readonly TimeSpan Now = TimeSpan.FromSeconds(1);

    private static CacheState<string, int> Filled(int count, int maxSize = 100) => States.Filled(count, Now, maxSize);

    [Fact]
    public void Find_reads_key_value_and_deadline_and_records_no_use()
    {
        var state = Filled(3).Set("short", 7, TimeSpan.FromSeconds(2), Now).State.Set("forever", 8, Timeout.InfiniteTimeSpan, Now).State;

        CacheEntryHandle<string, int> found = state.Find("short");
        Assert.True(found.Exists);
        Assert.Equal(("short", 7), (found.Key, found.Value));
        Assert.True(found.CanExpire);
        Assert.False(found.IsExpiredAt(Now + TimeSpan.FromSeconds(2) - TimeSpan.FromTicks(1)));
        Assert.True(found.IsExpiredAt(Now + TimeSpan.FromSeconds(2)));

        CacheEntryHandle<string, int> forever = state.Find("forever");
        Assert.False(forever.CanExpire);
        Assert.False(forever.IsExpiredAt(TimeSpan.MaxValue));

        // Nothing moved: the first key is still the least recently used.
        Assert.Equal(["k0", "k1", "k2", "short", "forever"], state.Keys);
        Assert.Throws<ArgumentNullException>(() => state.Find(null!));
    }

    [Fact]
    public void A_handle_that_found_nothing_says_so_and_refuses_to_be_read()
    {
        CacheEntryHandle<string, int> missing = Filled(2).Find("absent");
        Assert.False(missing.Exists);
        Assert.Equal(default, missing);
        var error = Assert.Throws<InvalidOperationException>(() => missing.Value);
        Assert.Contains("Exists", error.Message, StringComparison.Ordinal);
        Assert.Throws<InvalidOperationException>(() => missing.Key);
        Assert.Throws<InvalidOperationException>(() => missing.CanExpire);
        Assert.Throws<InvalidOperationException>(() => missing.IsExpiredAt(Now));
    }

    [Fact]
    public void Handles_are_equal_when_they_hold_the_same_write_of_a_key()
    {
        var state = Filled(2);
        CacheEntryHandle<string, int> first = state.Find("k0");
        Assert.True(first == state.Find("k0"));
        Assert.Equal(first.GetHashCode(), state.Find("k0").GetHashCode());
        Assert.True(first.Equals((object)state.Find("k0")));
        Assert.False(first.Equals("k0"));
        Assert.True(first != state.Find("k1"));

        // The same key written again with the same value is another entry.
        CacheEntryHandle<string, int> rewritten = state.Set("k0", 0, Now).State.Find("k0");
        Assert.NotEqual(first, rewritten);
        Assert.Equal(0, default(CacheEntryHandle<string, int>).GetHashCode());
    }

    [Fact]
    public void Touch_applies_uses_in_order_and_passes_over_handles_of_nothing_or_of_removed_entries()
    {
        var state = Filled(4, maxSize: 4);
        CacheEntryHandle<string, int>[] uses = [state.Find("k2"), default, state.Find("absent"), state.Find("k0")];
        CacheState<string, int> touched = state.Touch(uses);
        Assert.Equal(["k1", "k3", "k2", "k0"], touched.Keys);
        Assert.Equal(["k0", "k1", "k2", "k3"], state.Keys); // the old state answers as before

        // k1 is the next to go: an eviction follows the uses.
        Assert.Equal("k1", touched.Set("new", 9, Now).Removals.Single().Key);

        var withoutK2 = state.Remove("k2", Now).State;
        Assert.Equal(["k1", "k3", "k0"], withoutK2.Touch(uses).Keys);
        Assert.Same(withoutK2, withoutK2.Touch([state.Find("k2"), default]));
        Assert.Same(state, state.Touch([]));
    }

    [Fact]
    public void A_snapshot_answers_as_its_state_and_is_its_own_snapshot()
    {
        var state = Filled(5);
        CacheState<string, int> snapshot = state.AsSnapshot();
        Assert.NotSame(state, snapshot);
        Assert.Same(snapshot, snapshot.AsSnapshot());
        Assert.Equal(state.Keys, snapshot.Keys);
        Assert.Equal(["k1", "k2", "k3", "k4", "k0"], snapshot.Get("k0", Now).State.Keys);
        Assert.Equal(["k0", "k1", "k2", "k3", "k4"], state.Keys);
    }

    [Fact]
    public void Set_with_a_removal_log_collects_what_the_plain_Set_reports_inline_then_in_a_list()
    {
        var state = Filled(2, maxSize: 2);
        var log = default(RemovalLog<string, int>);
        Assert.True(log.AsSpan().IsEmpty);
        Assert.Empty(log.ToImmutable());

        state = state.Set("k0", 10, null, Now, ref log); // replaces k0
        Assert.Equal(1, log.Count);
        state = state.Set("new", 11, TimeSpan.FromSeconds(5), Now, ref log); // evicts k1
        Assert.Equal(2, log.Count);
        Assert.Equal(
            new[] { ("k0", 0, RemovalReason.Replaced), ("k1", 1, RemovalReason.Evicted) },
            log.ToImmutable().Select(r => (r.Key, r.Value, r.Reason)));
        Assert.Equal(log.ToImmutable(), log.AsSpan().ToArray());

        // null is the default TTL; a given one is checked as the plain Set checks it.
        Assert.True(state.Find("k0").IsExpiredAt(Now + TimeSpan.FromMinutes(1)));
        Assert.True(state.Find("new").IsExpiredAt(Now + TimeSpan.FromSeconds(5)));
        var error = Assert.Throws<ArgumentOutOfRangeException>(() => state.Set("k", 1, TimeSpan.Zero, Now, ref log));
        Assert.Equal("ttl", error.ParamName);
        Assert.Equal(2, log.Count);
    }

    [Fact]
    public void The_ttl_rule_names_the_callers_argument()
    {
        TimeSpan expiresIn = TimeSpan.FromTicks(-1);
        var error = Assert.Throws<ArgumentOutOfRangeException>(() => CacheTtl.ThrowIfInvalid(expiresIn));
        Assert.Equal("expiresIn", error.ParamName);
        Assert.Equal(expiresIn, error.ActualValue);
        Assert.Equal("given", Assert.Throws<ArgumentOutOfRangeException>(() => CacheTtl.ThrowIfInvalid(TimeSpan.Zero, "given")).ParamName);
        CacheTtl.ThrowIfInvalid(TimeSpan.FromTicks(1));
        CacheTtl.ThrowIfInvalid(Timeout.InfiniteTimeSpan);
    }
}
