using Cache.Core;

namespace Cache.Unit.Core;

/// <summary>Examples of the core's batches; the general rule (a batch is its singles in order) is a property in Cache.Properties.</summary>
public sealed class BatchTests
{
    private static readonly TimeSpan T0 = TimeSpan.FromSeconds(100);
    private static readonly CacheState<string, int> Empty =
        CacheState<string, int>.Empty(new CacheOptions { MaxSize = 3, DefaultTtl = TimeSpan.FromSeconds(10) });

    private static KeyValuePair<string, int> Item(string key, int value) => KeyValuePair.Create(key, value);

    [Fact]
    public void A_batch_larger_than_MaxSize_keeps_its_last_MaxSize_items_and_reports_the_rest_evicted()
    {
        var result = Empty.SetMany([Item("a", 1), Item("b", 2), Item("c", 3), Item("d", 4), Item("e", 5)], T0);
        Assert.Equal(["c", "d", "e"], result.State.Keys);
        Assert.Equal(["a", "b"], result.Removals.Select(r => r.Key));
        Assert.All(result.Removals, r => Assert.Equal(RemovalReason.Evicted, r.Reason));
    }

    [Fact]
    public void A_key_twice_in_a_batch_ends_with_its_last_value_and_its_last_position()
    {
        var result = Empty.SetMany([Item("a", 1), Item("b", 2), Item("a", 3)], TimeSpan.FromSeconds(1), T0);
        Assert.Equal(["b", "a"], result.State.Keys);
        Assert.True(result.State.TryPeek("a", T0, out int a));
        Assert.Equal(3, a);
        Assert.False(result.State.ContainsKey("a", T0 + TimeSpan.FromSeconds(1)));
    }

    [Fact]
    public void GetMany_answers_the_keys_found_counts_each_lookup_and_applies_recency_in_order()
    {
        var state = Empty.SetMany([Item("a", 1), Item("b", 2), Item("c", 3)], T0).State;
        var result = state.GetMany(["a", "x", "a", "b"], T0);
        Assert.Equal(new Dictionary<string, int> { ["a"] = 1, ["b"] = 2 }, result.Found);
        Assert.Equal((3, 1), (result.Hits, result.Misses));
        Assert.Equal(["c", "a", "b"], result.State.Keys);
        Assert.Equal(["a", "b", "c"], state.Keys); // the state it was called on is unchanged
    }

    [Fact]
    public void RemoveMany_counts_only_live_entries_it_removed()
    {
        var state = Empty.Set("a", 1, TimeSpan.FromSeconds(1), T0).State.Set("b", 2, T0).State;
        var result = state.RemoveMany(["a", "b", "b", "x"], T0 + TimeSpan.FromSeconds(1));
        Assert.Equal(1, result.Removed);
        Assert.Equal([("a", RemovalReason.Expired), ("b", RemovalReason.Removed)], result.Removals.Select(r => (r.Key, r.Reason)));
        Assert.Equal(0, result.State.Count);
    }

    [Fact]
    public void An_argument_error_part_way_through_a_batch_throws_and_no_state_has_half_of_it()
    {
        var state = Empty.Set("a", 1, T0).State;
        Assert.Throws<ArgumentNullException>(() => state.SetMany([Item("b", 2), Item(null!, 3)], T0));
        Assert.Throws<ArgumentNullException>(() => state.RemoveMany(["a", null!], T0));
        Assert.Throws<ArgumentNullException>(() => state.GetMany(null!, T0));
        Assert.Throws<ArgumentOutOfRangeException>(() => state.SetMany([Item("b", 2)], TimeSpan.Zero, T0));
        Assert.Equal(["a"], state.Keys);
    }

    [Fact]
    public void A_null_batch_or_a_bad_TTL_is_refused_by_name_even_when_the_batch_is_empty()
    {
        Assert.Equal("items", Assert.Throws<ArgumentNullException>(() => Empty.SetMany(null!, T0)).ParamName);
        Assert.Equal("items", Assert.Throws<ArgumentNullException>(() => Empty.SetMany(null!, TimeSpan.FromMinutes(1), T0)).ParamName);
        Assert.Equal("keys", Assert.Throws<ArgumentNullException>(() => Empty.GetMany(null!, T0)).ParamName);
        Assert.Equal("keys", Assert.Throws<ArgumentNullException>(() => Empty.RemoveMany(null!, T0)).ParamName);
        Assert.Equal("ttl", Assert.Throws<ArgumentOutOfRangeException>(() => Empty.SetMany([], TimeSpan.FromTicks(-1), T0)).ParamName);
    }
}
