using Cache.Core;
using Cache.Properties.Model;

namespace Cache.Properties;

/// <summary>
/// W-TinyLFU far past what the generated scenarios reach: 1,500 entries, so the main space's log
/// (probation's and protected's records, a mark each) spans several 1,024-record chunks and is
/// compacted many times, on a skewed trace with expiries. The line and old states of it, forked
/// long after later states moved their entries between segments, agree with the model step by step.
/// </summary>
public sealed class TinyLfuAtScaleTests
{
    private const int Capacity = 1_500;
    private const int Steps = 20_000;
    private const int KeptEvery = 1_500;
    private const int DryRun = 400;

    [Fact]
    [Trait("Category", "Slow")] // outside both mutation gates: see docs/mutation.md
    public void The_line_and_its_old_states_agree_with_the_model_over_a_long_skewed_trace()
    {
        var random = new Random(20261127);
        var model = new ReferenceModel(Capacity, Scenarios.DefaultTtl, EvictionPolicy.TinyLfu);
        var state = CacheState<string, int>.Empty(new CacheOptions { MaxSize = Capacity, DefaultTtl = Scenarios.DefaultTtl, Policy = EvictionPolicy.TinyLfu });
        TimeSpan now = TimeSpan.Zero;
        var kept = new List<(CacheState<string, int> State, TimeSpan Now, ReferenceModel Model, string Keys)>();
        for (int step = 0; step < Steps; step++)
        {
            if (step % KeptEvery == 0)
            {
                kept.Add((state, now, model.Clone(), string.Join(",", state.Keys)));
            }

            (state, now) = Agree(model, state, now, Next(random), $"line step {step}");
        }

        state.CheckIntegrity();
        Assert.Equal(string.Join(",", model.KeysByRecency), string.Join(",", state.Keys));
        Assert.True(state.Count == Capacity && model.Evictions > 1_000 && model.Expirations > 500, "the trace fills the cache, evicts and expires");

        // Every kept state still answers as when it was made; run forward, each forks once and then
        // agrees with the model of its own time at every step.
        foreach ((CacheState<string, int> old, TimeSpan then, ReferenceModel oldModel, string keys) in kept)
        {
            Assert.Equal(keys, string.Join(",", old.Keys));
            (CacheState<string, int> dry, TimeSpan dryNow) = (old, then);
            for (int step = 0; step < DryRun; step++)
            {
                (dry, dryNow) = Agree(oldModel, dry, dryNow, Next(random), $"dry step {step} from {then}");
            }

            dry.CheckIntegrity();
            Assert.Equal(string.Join(",", oldModel.KeysByRecency), string.Join(",", dry.Keys));
        }
    }

    [Theory]
    [InlineData(EvictionPolicy.Lru)]
    [InlineData(EvictionPolicy.TinyLfu)]
    public void Logs_past_one_chunk_compact_into_logs_with_room_for_every_live_record(EvictionPolicy policy)
    {
        // Cheap enough for the mutation gate: 1,500 entries, then every key hit in turn four times.
        // Under W-TinyLFU each hit moves its entry up from probation and another down, so the main
        // space's log (over a chunk of 1,024) compacts with entries whose last record is a demotion
        // after a promotion; under LRU the window's log compacts the same way.
        var model = new ReferenceModel(Capacity, Scenarios.DefaultTtl, policy);
        var state = CacheState<string, int>.Empty(new CacheOptions { MaxSize = Capacity, DefaultTtl = Scenarios.DefaultTtl, Policy = policy });
        TimeSpan now = TimeSpan.Zero;
        for (int key = 0; key < Capacity; key++)
        {
            (state, now) = Agree(model, state, now, new SetOp($"k{key}", key, TtlChoice.Infinite), $"fill {key}");
        }

        for (int hit = 0; hit < 4 * Capacity; hit++)
        {
            (state, now) = Agree(model, state, now, new GetOp($"k{hit % Capacity}"), $"hit {hit}");
        }

        state.CheckIntegrity();
        Assert.Equal(string.Join(",", model.KeysByRecency), string.Join(",", state.Keys));
    }

    /// <summary>A skewed key (a uniform draw to the power 2.5: a few keys take most uses) and a mix of lookups, writes, removals and time.</summary>
    private static Operation Next(Random random)
    {
        string key = $"k{(int)(8 * Capacity * Math.Pow(random.NextDouble(), 2.5))}";
        return random.Next(100) switch
        {
            < 50 => new GetOp(key),
            < 90 => new SetOp(key, random.Next(100), random.Next(10) switch { 0 => new TtlChoice(1), 1 => TtlChoice.Default, _ => TtlChoice.Infinite }),
            < 93 => new RemoveOp(key),
            < 97 => new ExistsOp(key),
            _ => new AdvanceOp(TimeSpan.FromMilliseconds(500)),
        };
    }

    private static (CacheState<string, int> State, TimeSpan Now) Agree(ReferenceModel model, CacheState<string, int> state, TimeSpan now, Operation operation, string where)
    {
        now += operation is AdvanceOp advance ? advance.By : TimeSpan.Zero;
        string expected = model.Apply(operation);
        (string answer, CacheState<string, int> next, var removed) = CoreSystem.Step(state, now, operation);
        Assert.True(expected == answer, $"{where} ({operation}): answered {answer}, the model {expected}");
        string expectedRemovals = string.Join(",", model.Removed.Select(r => $"{r.Key}:{r.Reason}/{r.Eviction}"));
        string removals = string.Join(",", removed.Select(r => $"{r.Key}:{r.Reason}/{r.Eviction}"));
        Assert.True(expectedRemovals == removals, $"{where} ({operation}): removed {removals}, the model {expectedRemovals}");
        return (next, now);
    }
}
