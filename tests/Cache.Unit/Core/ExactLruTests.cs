using Cache.Async;
using Cache.Core;
using Cache.Unit.Support;
using Microsoft.Extensions.Time.Testing;

namespace Cache.Unit.Core;

/// <summary>
/// Long skewed traces, far past what the generated scenarios reach: thousands of entries, deep
/// hash tries, the recency log compacted many times over. Every answer and every eviction must
/// be the textbook LRU's.
/// </summary>
public sealed class ExactLruTests
{
    // Past one 1,024-slot chunk of the recency log, so compaction fills several.
    private const int Capacity = 1_500;

    private static readonly string[] Trace = ReferenceLru.SkewedTrace(length: 100_000, distinctKeys: 8_000, seed: 20261124);

    [Fact]
    [Trait("Category", "Slow")] // outside both mutation gates: see docs/mutation.md
    public void The_core_hits_and_evicts_exactly_as_the_textbook_LRU_over_a_long_trace()
    {
        var model = new ReferenceLru(Capacity);
        var state = CacheState<string, int>.Empty(new CacheOptions { MaxSize = Capacity, DefaultTtl = Timeout.InfiniteTimeSpan });
        int hits = 0;
        for (int step = 0; step < Trace.Length; step++)
        {
            string key = Trace[step];
            var (hit, evicted) = model.Access(key);
            var get = state.Get(key, TimeSpan.Zero);
            Assert.Equal(hit, get.Found);
            state = get.State;
            if (!get.Found)
            {
                var set = state.Set(key, step, TimeSpan.Zero);
                Assert.Equal(evicted, set.Removals.SingleOrDefault().Key);
                state = set.State;
            }

            hits += hit ? 1 : 0;
        }

        state.CheckIntegrity();
        Assert.Equal(model.Keys, state.Keys);
        Assert.InRange(hits, Trace.Length / 4, Trace.Length - 1); // the trace is skewed enough to matter
    }

    [Fact]
    [Trait("Category", "Slow")] // outside both mutation gates: see docs/mutation.md
    public async Task InMemoryCache_hits_as_the_textbook_LRU_though_its_hits_are_applied_in_batches()
    {
        var model = new ReferenceLru(Capacity);
        using var cache = TestCache.Create(new FakeTimeProvider(), maxSize: Capacity, defaultTtl: Timeout.InfiniteTimeSpan);
        long hits = 0;
        foreach (string key in Trace)
        {
            var (hit, _) = model.Access(key);
            var lookup = await cache.TryGetAsync<int>(key);
            Assert.Equal(hit, lookup.Found);
            if (!lookup.Found)
            {
                await cache.SetAsync(key, 1);
            }

            hits += hit ? 1 : 0;
        }

        Assert.Equal(model.Keys, cache.KeysByRecency());
        Assert.Equal(hits, cache.GetStats().Hits);
    }
}
