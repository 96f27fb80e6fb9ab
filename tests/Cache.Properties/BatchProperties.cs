using Cache.Core;
using Cache.Properties.Model;

namespace Cache.Properties;

/// <summary>
/// A batch is its singles applied in order: at every step of every generated scenario, the next
/// few operations' keys are run as one SetMany, GetMany and RemoveMany, and each must give the
/// state, answers and removals that the single transitions give one by one.
/// </summary>
public sealed class BatchProperties
{
    private const int BatchLength = 5;

    [Fact]
    public void A_batch_equals_its_singles_applied_in_order() =>
        PropertyRun.Check(Scenarios.EitherPolicy, scenario =>
        {
            var core = new CoreSystem(scenario.MaxSize, Scenarios.DefaultTtl, scenario.Policy);
            for (int step = 0; step < scenario.Operations.Count; step++)
            {
                var next = scenario.Operations.Skip(step).Take(BatchLength).ToArray();
                string[] keys = [.. next.Select(KeyOf).OfType<string>()];
                KeyValuePair<string, int>[] items = [.. keys.Select((key, i) => KeyValuePair.Create(key, step * 10 + i))];
                CheckSetMany(core.State, items, core.Now);
                CheckGetMany(core.State, keys, core.Now);
                CheckRemoveMany(core.State, keys, core.Now);
                core.Apply(scenario.Operations[step]);
            }
        });

    private static void CheckSetMany(CacheState<string, int> state, KeyValuePair<string, int>[] items, TimeSpan now)
    {
        TransitionResult<string, int> batch = state.SetMany(items, TimeSpan.FromSeconds(2), now);
        CacheState<string, int> singles = state;
        var removals = new List<CacheRemoval<string, int>>();
        foreach (var item in items)
        {
            var set = singles.Set(item.Key, item.Value, TimeSpan.FromSeconds(2), now);
            singles = set.State;
            removals.AddRange(set.Removals);
        }

        AssertSame(singles, batch.State, now);
        Assert.Equal(removals, batch.Removals);

        // Under LRU a batch larger than MaxSize keeps its last MaxSize keys (by their last occurrence),
        // deterministically. (W-TinyLFU may refuse a batch's new keys on admission, as it refuses single Sets.)
        if (state.Options.Policy == EvictionPolicy.Lru)
        {
            string[] byLastOccurrence = [.. items.Select((item, i) => (item.Key, i)).GroupBy(x => x.Key).OrderBy(g => g.Max(x => x.i)).Select(g => g.Key)];
            Assert.All(byLastOccurrence.TakeLast(state.Options.MaxSize), key => Assert.True(batch.State.ContainsKey(key, now), key));
        }
    }

    private static void CheckGetMany(CacheState<string, int> state, string[] keys, TimeSpan now)
    {
        GetManyResult<string, int> batch = state.GetMany(keys, now);
        CacheState<string, int> singles = state;
        var removals = new List<CacheRemoval<string, int>>();
        var found = new Dictionary<string, int>();
        int hits = 0;
        foreach (string key in keys)
        {
            var get = singles.Get(key, now);
            singles = get.State;
            removals.AddRange(get.Removals);
            if (get.TryGetValue(out int value))
            {
                found[key] = value;
                hits++;
            }
        }

        AssertSame(singles, batch.State, now);
        Assert.Equal(removals, batch.Removals);
        Assert.Equal(found.OrderBy(p => p.Key), batch.Found.OrderBy(p => p.Key));
        Assert.Equal((hits, keys.Length - hits), (batch.Hits, batch.Misses));
    }

    private static void CheckRemoveMany(CacheState<string, int> state, string[] keys, TimeSpan now)
    {
        RemoveManyResult<string, int> batch = state.RemoveMany(keys, now);
        CacheState<string, int> singles = state;
        var removals = new List<CacheRemoval<string, int>>();
        int removed = 0;
        foreach (string key in keys)
        {
            var remove = singles.Remove(key, now);
            singles = remove.State;
            removals.AddRange(remove.Removals);
            removed += remove.Removed ? 1 : 0;
        }

        AssertSame(singles, batch.State, now);
        Assert.Equal(removals, batch.Removals);
        Assert.Equal(removed, batch.Removed);
    }

    /// <summary>The same entries, values, recency order and expiries.</summary>
    private static void AssertSame(CacheState<string, int> expected, CacheState<string, int> actual, TimeSpan now)
    {
        actual.CheckIntegrity();
        Assert.Equal(expected.Keys, actual.Keys);
        Assert.Equal(expected.Count, actual.Count);
        Assert.Equal(expected.CountExpired(now), actual.CountExpired(now));
        foreach (string key in expected.Keys)
        {
            Assert.Equal(expected.TryPeek(key, now, out int value) ? value : -1, actual.TryPeek(key, now, out int other) ? other : -1);
        }
    }

    private static string? KeyOf(Operation operation) => operation switch
    {
        SetOp set => set.Key,
        GetOp get => get.Key,
        TryGetOp tryGet => tryGet.Key,
        ExistsOp exists => exists.Key,
        RemoveOp remove => remove.Key,
        GetOrSetOp getOrSet => getOrSet.Key,
        _ => null,
    };
}
