using Cache.Core;
using Cache.Properties.Model;
using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;

namespace Cache.Properties;

/// <summary>Rules that hold for every generated scenario, whatever the answers.</summary>
public sealed class InvariantProperties
{
    [Fact]
    public void The_bound_holds_and_no_live_entry_is_evicted_while_an_expired_one_is_stored() =>
        PropertyRun.Check(Scenarios.EitherPolicy, scenario =>
        {
            var core = new CoreSystem(scenario.MaxSize, Scenarios.DefaultTtl, scenario.Policy);
            foreach (var operation in scenario.Operations)
            {
                var before = core.State;
                core.Apply(operation);
                Assert.InRange(core.State.Count, 0, scenario.MaxSize);
                foreach (var evicted in core.Removed.Where(r => r.Reason == RemovalReason.Evicted))
                {
                    Assert.True(before.ContainsKey(evicted.Key, core.Now), $"{evicted.Key} was evicted though it had expired");
                    Assert.Equal(0, core.State.CountExpired(core.Now));
                }
            }
        });

    [Fact]
    [Trait("Category", "Slow")] // outside both mutation gates: see docs/mutation.md
    public void A_transition_is_pure_the_same_state_arguments_and_time_give_the_same_result() =>
        PropertyRun.Check(Scenarios.EitherPolicy, scenario =>
        {
            var core = new CoreSystem(scenario.MaxSize, Scenarios.DefaultTtl, scenario.Policy);
            foreach (var operation in scenario.Operations)
            {
                var now = core.Now + (operation is AdvanceOp advance ? advance.By : TimeSpan.Zero);
                var first = CoreSystem.Step(core.State, now, operation);
                var second = CoreSystem.Step(core.State, now, operation);
                Assert.Equal(first.Answer, second.Answer);
                Assert.Equal(first.Removed.ToArray(), second.Removed.ToArray());
                Assert.Equal(Fingerprint(first.State), Fingerprint(second.State));
                core.Apply(operation);
                Assert.Equal(Fingerprint(first.State), Fingerprint(core.State));
            }
        });

    [Fact]
    public void An_old_state_is_untouched_by_later_transitions() =>
        PropertyRun.Check(Scenarios.EitherPolicy, scenario =>
        {
            var core = new CoreSystem(scenario.MaxSize, Scenarios.DefaultTtl, scenario.Policy);
            var history = new List<(CacheState<string, int> State, string Fingerprint)>();
            foreach (var operation in scenario.Operations)
            {
                history.Add((core.State, Fingerprint(core.State)));
                core.Apply(operation);
            }

            foreach (var (state, fingerprint) in history)
            {
                Assert.Equal(fingerprint, Fingerprint(state));
                state.CheckIntegrity();
            }
        });

    /// <summary>An entry set at t with TTL d is live at t + d - 1 tick and expired at t + d, for any t and d.</summary>
    [Property(MaxTest = 500)]
    public void Expiry_is_exact_at_the_tick(int startSeconds, PositiveInt ttlTicks)
    {
        var now = TimeSpan.FromSeconds(startSeconds);
        var ttl = TimeSpan.FromTicks(ttlTicks.Get);
        var state = CacheState<string, int>.Empty(CacheOptions.Default).Set("k", 1, ttl, now).State;
        Assert.True(state.ContainsKey("k", now + ttl - TimeSpan.FromTicks(1)));
        Assert.False(state.ContainsKey("k", now + ttl));
    }

    /// <summary>A TTL whose deadline would pass TimeSpan.MaxValue never expires.</summary>
    [Property(MaxTest = 500)]
    public void An_overflowing_deadline_means_never(PositiveInt startDays, PositiveInt extraTicks)
    {
        var now = TimeSpan.FromDays(startDays.Get);
        var ttl = TimeSpan.FromTicks(long.MaxValue - now.Ticks + (extraTicks.Get % 1000));
        var state = CacheState<string, int>.Empty(CacheOptions.Default).Set("k", 1, ttl, now).State;
        Assert.True(state.ContainsKey("k", TimeSpan.MaxValue));
    }

    /// <summary>What a state shows of itself: recency order, values (read where nothing is expired), counts.</summary>
    private static string Fingerprint(CacheState<string, int> state) =>
        string.Join(",", state.Keys.Select(key => $"{key}={state.Get(key, TimeSpan.MinValue).Value}")) +
        $"|{state.Count}|{state.CountExpired(TimeSpan.Zero)}";
}
