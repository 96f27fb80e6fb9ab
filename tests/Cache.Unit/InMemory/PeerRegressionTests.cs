using Cache.Unit.Support;
using Microsoft.Extensions.Time.Testing;

namespace Cache.Unit.InMemory;

/// <summary>
/// Bugs that shipped in peer caches, each shown impossible here. The stale-load case (a load that
/// overwrote a newer write) lives in <see cref="GetOrSetTests"/>: a write of the key while its
/// factory runs wins.
/// </summary>
public sealed class PeerRegressionTests
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(10);
    private readonly FakeTimeProvider _time = new();

    /// <summary>
    /// Size accounting kept beside the data (MemoryCache's size with SizeLimit, BitFaster's counts)
    /// has drifted, even below zero, when replace and remove raced. Here the count is the state's own.
    /// </summary>
    [Fact]
    public async Task Racing_replaces_and_removes_of_one_key_never_drift_the_count()
    {
        using var cache = TestCache.Create(_time, maxSize: 4);
        var writers = Enumerable.Range(0, 4).Select(w => Task.Run(async () =>
        {
            for (int i = 0; i < Stress.Scaled(5_000); i++)
            {
                if ((i + w) % 2 == 0)
                {
                    await cache.SetAsync("hot", i);
                }
                else
                {
                    await cache.RemoveAsync("hot");
                }

                var stats = cache.GetStats();
                Assert.InRange(stats.TotalEntries, 0, 1);
            }
        }));
        await Task.WhenAll(writers).WaitAsync(Bound);

        var final = cache.GetStats();
        int stored = cache.Snapshot().Count;
        Assert.Equal(stored, final.TotalEntries);
        Assert.Equal(await cache.ExistsAsync("hot") ? 1 : 0, stored);
        cache.Snapshot().CheckIntegrity();
    }

    /// <summary>
    /// A Clear that emptied one structure while a write landed in another left indexes that
    /// disagreed. Here Clear and Set are each one transition on one immutable value.
    /// </summary>
    [Fact]
    public async Task Clear_racing_with_writes_never_leaves_an_index_inconsistent()
    {
        using var cache = TestCache.Create(_time, maxSize: 16);
        var clearing = Task.Run(async () =>
        {
            for (int i = 0; i < Stress.Scaled(2_000); i++)
            {
                await cache.ClearAsync();
            }
        });
        var writing = Task.Run(async () =>
        {
            for (int i = 0; i < Stress.Scaled(20_000); i++)
            {
                await cache.SetAsync("k" + (i % 32), i, TimeSpan.FromSeconds(1 + (i % 3)));
            }
        });
        var checking = Task.Run(() =>
        {
            while (!clearing.IsCompleted || !writing.IsCompleted)
            {
                var state = cache.Snapshot();
                state.CheckIntegrity();
                Assert.Equal(state.Count, state.Keys.Count());
            }
        });
        await Task.WhenAll(clearing, writing, checking).WaitAsync(Bound);

        var snapshot = cache.Snapshot();
        foreach (var key in snapshot.Keys)
        {
            Assert.True(await cache.ExistsAsync(key));
        }

        Assert.Equal(snapshot.Count, cache.GetStats().TotalEntries);
    }

    /// <summary>
    /// The classic stampede: a hot entry expires and every caller runs the expensive load at once.
    /// </summary>
    [Fact]
    public async Task When_a_hot_entry_expires_fifty_callers_run_one_load()
    {
        using var cache = TestCache.Create(_time);
        await cache.SetAsync("hot", "v1", TimeSpan.FromSeconds(1));
        _time.Advance(TimeSpan.FromSeconds(1));

        var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        int loads = 0;
        var callers = Enumerable.Range(0, 50).Select(_ => Task.Run(async () =>
            await cache.GetOrSetAsync("hot", async token =>
            {
                Interlocked.Increment(ref loads);
                await gate.Task.WaitAsync(token);
                return "v2";
            }))).ToArray();
        Assert.True(SpinWait.SpinUntil(() => cache.GetStats().Misses == 50, Bound));
        gate.SetResult();

        Assert.All(await Task.WhenAll(callers).WaitAsync(Bound), v => Assert.Equal("v2", v));
        Assert.Equal(1, loads);
        Assert.Equal(1, cache.GetStats().Expirations);
    }

    /// <summary>
    /// A load that finished after its entry was overwritten and then expired must still not
    /// replace the newer value's successor: only the registered run may store.
    /// </summary>
    [Fact]
    public async Task A_slow_load_never_lands_over_a_write_made_while_it_ran_even_after_that_write_expires()
    {
        using var cache = TestCache.Create(_time);
        var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var slow = cache.GetOrSetAsync("k", async _ =>
        {
            await gate.Task;
            return "old";
        }).AsTask();
        await cache.SetAsync("k", "new", TimeSpan.FromSeconds(1));
        _time.Advance(TimeSpan.FromSeconds(1));
        gate.SetResult();

        Assert.Equal("old", await slow.WaitAsync(Bound));
        Assert.False(await cache.ExistsAsync("k"));
    }
}
