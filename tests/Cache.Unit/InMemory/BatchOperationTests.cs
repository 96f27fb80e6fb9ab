using Cache.Async;
using Cache.Unit.Support;
using Microsoft.Extensions.Diagnostics.Metrics.Testing;
using Microsoft.Extensions.Logging.Testing;
using Microsoft.Extensions.Time.Testing;

namespace Cache.Unit.InMemory;

/// <summary>InMemoryCache's batches where capacity and recency matter (the shared rules are in the contract tests).</summary>
public sealed class BatchOperationTests
{
    private readonly FakeTimeProvider _time = new();

    [Fact]
    public async Task A_batch_larger_than_MaxSize_keeps_its_last_MaxSize_items_deterministically()
    {
        using var cache = TestCache.Create(_time, maxSize: 3);
        await cache.SetAsync("old", 0);
        var evicted = new List<string>();
        cache.EntryRemoved += (_, e) => evicted.Add(e.Key);

        await cache.SetManyAsync(Enumerable.Range(1, 5).Select(i => KeyValuePair.Create($"k{i}", i)));

        Assert.Equal(["k3", "k4", "k5"], cache.KeysByRecency());
        Assert.Equal(["old", "k1", "k2"], evicted);
        var stats = cache.GetStats();
        Assert.Equal((6, 3), (stats.Sets, stats.Evictions));
    }

    [Fact]
    public async Task GetMany_makes_hits_the_most_recently_used_in_order_and_wrong_typed_values_are_not_uses()
    {
        using var cache = TestCache.Create(_time, maxSize: 4);
        await cache.SetManyAsync([KeyValuePair.Create<string, object>("a", 1), KeyValuePair.Create<string, object>("b", "text"), KeyValuePair.Create<string, object>("c", 3), KeyValuePair.Create<string, object>("d", 4)]);

        var found = await cache.GetManyAsync<int>(["c", "b", "a"]);

        Assert.Equal(new Dictionary<string, int> { ["c"] = 3, ["a"] = 1 }, found);
        Assert.Equal(["b", "d", "c", "a"], cache.KeysByRecency()); // b was read as the wrong type: no use
    }

    [Fact]
    public async Task GetMany_answers_an_expired_entry_as_a_miss_and_the_next_write_removes_it()
    {
        using var cache = TestCache.Create(_time);
        await cache.SetManyAsync([KeyValuePair.Create("short", 1)], TimeSpan.FromSeconds(5));
        _time.Advance(TimeSpan.FromSeconds(5));

        Assert.Empty(await cache.GetManyAsync<int>(["short"]));
        Assert.Equal(1, cache.GetStats().ExpiredEntries);
        await cache.SetAsync("other", 2);
        Assert.Equal((0, 1), (cache.GetStats().ExpiredEntries, cache.GetStats().Expirations));
    }

    [Fact]
    public async Task A_batch_write_evicts_by_the_hits_made_before_it()
    {
        using var cache = TestCache.Create(_time, maxSize: 2);
        await cache.SetAsync("a", 1);
        await cache.SetAsync("b", 2);
        Assert.Equal(1, await cache.GetAsync<int>("a")); // a lock-free hit, applied by the next write

        await cache.SetManyAsync([KeyValuePair.Create("c", 3)]);

        Assert.Equal(["a", "c"], cache.KeysByRecency()); // b was the least recently used
    }

    [Fact]
    public async Task Batches_report_their_evictions_and_expirations_to_the_meter_and_the_log()
    {
        using var meters = new RecordingMeterFactory();
        var logger = new FakeLogger<InMemoryCache>();
        using var cache = new InMemoryCache(new() { MaxSize = 2, ExpirationScanInterval = null }, _time, logger, meters);
        var meter = Assert.Single(meters.Created);
        using var evictions = new MetricCollector<long>(meter, "cache.evictions");
        using var expirations = new MetricCollector<long>(meter, "cache.expirations");
        await cache.SetAsync("a", 1);
        await cache.SetAsync("b", 2, TimeSpan.FromSeconds(1));

        await cache.SetManyAsync([KeyValuePair.Create("c", 3)]); // evicts a
        _time.Advance(TimeSpan.FromSeconds(1));
        Assert.Equal(0, await cache.RemoveManyAsync(["b"])); // b has expired: an expiration, not a removal

        Assert.Equal((1, 1), (evictions.GetMeasurementSnapshot().Sum(m => m.Value), expirations.GetMeasurementSnapshot().Sum(m => m.Value)));
        Assert.Equal(
            ["Evicted a: the least recently used entry, to make room", "Removed expired entry b"],
            logger.Collector.GetSnapshot().Select(r => r.Message));
    }
}
