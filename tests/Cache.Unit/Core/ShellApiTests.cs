using System.Reflection;
using System.Runtime.CompilerServices;
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
    public void A_handle_is_one_reference_so_Touch_can_read_a_span_of_handles_as_entries()
    {
        // Touch reinterprets the caller's span without a copy: a second field would break it silently.
        Assert.Equal(IntPtr.Size, Unsafe.SizeOf<CacheEntryHandle<string, int>>());
        Assert.Equal(IntPtr.Size, Unsafe.SizeOf<CacheEntryHandle<Guid, decimal>>());
        Assert.Single(typeof(CacheEntryHandle<string, int>).GetFields(BindingFlags.Instance | BindingFlags.Public | BindingFlags.NonPublic));
    }

    [Fact]
    public void Touch_answers_alike_on_equal_states_whichever_was_derived_first()
    {
        // Found by a review: the second child of a state (and a snapshot run forward) copies the
        // entries, and a handle read before the copy was passed over there, unlike in the first child.
        var options = new CacheOptions { MaxSize = 3, DefaultTtl = Timeout.InfiniteTimeSpan };
        var root = CacheState<string, int>.Empty(options).Set("a", 1, Now).State.Set("b", 2, Now).State;
        CacheEntryHandle<string, int> a = root.Find("a");

        var first = root.Set("c", 3, Now).State;
        var second = root.Set("c", 3, Now).State;
        var snapshotRunForward = root.AsSnapshot().Set("c", 3, Now).State;
        foreach (var state in new[] { first, second, snapshotRunForward })
        {
            Assert.Equal(["b", "c", "a"], state.Touch([a]).Keys);
            Assert.Equal(state.Get("a", Now).State.Keys, state.Touch([a]).Keys);
        }

        // A handle found in a child, touched into its parent (which stores the same write).
        Assert.Equal(["b", "a"], root.Touch([second.Find("a")]).Keys);
    }

    [Fact]
    public void Touch_passes_over_another_write_of_the_key_even_when_a_sibling_line_gave_it_the_same_stamp()
    {
        var root = Filled(2); // k0, k1
        CacheEntryHandle<string, int> k0 = root.Find("k0");

        // Each target stores k0 as its least recently used key: a use applied would move it last.
        CacheState<string, int> rewritten = root.Remove("k0", Now).State.Set("k0", 0, Now).State.Get("k1", Now).State;
        Assert.Equal(["k0", "k1"], rewritten.Touch([k0]).Keys);

        // Siblings write k0 at the same point of their line (the same stamp): a use of one sibling's
        // write applies to another's only when nothing tells the writes apart.
        CacheEntryHandle<string, int> fromOne = root.Set("k0", 1, Now).State.Find("k0");
        CacheState<string, int> otherValue = root.Set("k0", 2, Now).State.Get("k1", Now).State;
        CacheState<string, int> otherTtl = root.Set("k0", 1, TimeSpan.FromSeconds(9), Now).State.Get("k1", Now).State;
        CacheState<string, int> sameWrite = root.Set("k0", 1, Now).State.Get("k1", Now).State;
        Assert.All(new[] { otherValue, otherTtl, sameWrite }, state => Assert.Equal(fromOne.Entry.WriteStamp, state.Find("k0").Entry.WriteStamp));
        Assert.Equal(["k0", "k1"], otherValue.Touch([fromOne]).Keys);
        Assert.Equal(["k0", "k1"], otherTtl.Touch([fromOne]).Keys);
        Assert.Equal(["k1", "k0"], sameWrite.Touch([fromOne]).Keys);

        // A reference value must be the same object, not an equal one.
        var strings = CacheState<string, string>.Empty(CacheOptions.Default).Set("k", "v", Now).State.Set("j", "w", Now).State;
        _ = strings.Get("j", Now); // the first child writes in place; the siblings below all fork, with the same stamps
        string shared = new('s', 3);
        CacheEntryHandle<string, string> equalValue = strings.Set("k", new string('x', 3), Now).State.Find("k");
        CacheEntryHandle<string, string> sameValue = strings.Set("k", shared, Now).State.Find("k");
        CacheState<string, string> equalTarget = strings.Set("k", new string('x', 3), Now).State.Get("j", Now).State;
        Assert.Equal(equalValue.Entry.WriteStamp, equalTarget.Find("k").Entry.WriteStamp);
        Assert.Equal(equalValue.Value, equalTarget.Find("k").Value);
        Assert.Equal(["k", "j"], equalTarget.Touch([equalValue]).Keys);
        Assert.Equal(["j", "k"], strings.Set("k", shared, Now).State.Get("j", Now).State.Touch([sameValue]).Keys);
    }

    [Fact]
    public void A_copy_of_a_removal_log_is_a_value_of_its_own()
    {
        // Found by a review: copies shared the list once the log held two removals.
        var options = new CacheOptions { MaxSize = 1, DefaultTtl = Timeout.InfiniteTimeSpan };
        var state = CacheState<string, int>.Empty(options).Set("a", 1, Now).State;
        var log = default(RemovalLog<string, int>);
        state = state.Set("b", 2, null, Now, ref log).Set("c", 3, null, Now, ref log);
        var copy = log;

        state = state.Set("d", 4, null, Now, ref log);
        Assert.Equal(["a", "b", "c"], log.ToImmutable().Select(r => r.Key));
        Assert.Equal(2, copy.Count);
        Assert.Equal(["a", "b"], copy.ToImmutable().Select(r => r.Key));

        // The copy goes on on its own, and the original does not see it.
        _ = state.Set("e", 5, null, Now, ref copy);
        Assert.Equal(["a", "b", "d"], copy.AsSpan().ToArray().Select(r => r.Key));
        Assert.Equal(["a", "b", "c"], log.AsSpan().ToArray().Select(r => r.Key));
        var single = default(RemovalLog<string, int>);
        _ = state.Set("f", 6, null, Now, ref single);
        var singleCopy = single;
        _ = state.Set("g", 7, null, Now, ref single);
        Assert.Equal(["d"], singleCopy.ToImmutable().Select(r => r.Key));
        Assert.Equal(["d", "d"], single.ToImmutable().Select(r => r.Key));
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
