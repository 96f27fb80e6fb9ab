using Cache.Async;
using Cache.Unit.Support;
using Microsoft.Extensions.Diagnostics.Metrics.Testing;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Testing;
using Microsoft.Extensions.Time.Testing;

namespace Cache.Unit.InMemory;

public sealed class LoggingAndMetricsTests
{
    private readonly FakeTimeProvider _time = new();

    [Fact]
    public async Task Hits_misses_evictions_and_expirations_are_logged_at_debug()
    {
        var logger = new FakeLogger<InMemoryCache>();
        using var cache = TestCache.Create(_time, maxSize: 1, logger: logger);
        await cache.SetAsync("a", 1);
        await cache.GetAsync<int>("a");
        await cache.GetAsync<int>("b");
        await cache.SetAsync("b", 2);
        await cache.SetAsync("c", 3, TimeSpan.FromSeconds(1));
        _time.Advance(TimeSpan.FromSeconds(1));
        await cache.GetAsync<int>("c");

        var records = logger.Collector.GetSnapshot();
        Assert.All(records, r => Assert.Equal(LogLevel.Debug, r.Level));
        Assert.Equal(
            ["Cache hit for a", "Cache miss for b", "Evicted a: the least recently used entry, to make room",
             "Evicted b: the least recently used entry, to make room", "Removed expired entry c", "Cache miss for c"],
            records.Select(r => r.Message));
    }

    [Fact]
    public async Task A_failing_factory_is_logged_at_warning_with_its_exception()
    {
        var logger = new FakeLogger<InMemoryCache>();
        using var cache = TestCache.Create(_time, logger: logger);
        var failure = new TimeoutException();
        await Assert.ThrowsAsync<TimeoutException>(async () => await cache.GetOrSetAsync<int>("k", _ => throw failure));
        var warning = Assert.Single(logger.Collector.GetSnapshot(), r => r.Level == LogLevel.Warning);
        Assert.Same(failure, warning.Exception);
        Assert.Contains("k", warning.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_meter_counts_hits_misses_evictions_expirations_and_entries()
    {
        // Bound to this cache's own meter: other tests' caches publish instruments of the same names.
        using var meters = new RecordingMeterFactory();
        using var cache = new InMemoryCache(new() { MaxSize = 2, ExpirationScanInterval = null }, _time, null, meters);
        var meter = Assert.Single(meters.Created);
        using var requests = new MetricCollector<long>(meter, "cache.requests");
        using var evictions = new MetricCollector<long>(meter, "cache.evictions");
        using var expirations = new MetricCollector<long>(meter, "cache.expirations");
        using var entries = new MetricCollector<int>(meter, "cache.entries");

        await cache.SetAsync("a", 1, TimeSpan.FromSeconds(1));
        await cache.GetAsync<int>("a");
        await cache.GetAsync<string>("a");
        await cache.GetAsync<int>("zz");
        await cache.SetAsync("b", 2);
        _time.Advance(TimeSpan.FromSeconds(1));
        await cache.SetAsync("c", 3);   // a has expired and goes first
        await cache.SetAsync("d", 4);   // full of live entries: b is evicted
        entries.RecordObservableInstruments();

        foreach (var (collector, unit) in new[] { (requests.Instrument, "{request}"), (evictions.Instrument, "{entry}"), (expirations.Instrument, "{entry}") })
        {
            Assert.Equal(unit, collector!.Unit);
            Assert.False(string.IsNullOrWhiteSpace(collector.Description));
        }

        Assert.Equal("{entry}", entries.Instrument!.Unit);
        Assert.False(string.IsNullOrWhiteSpace(entries.Instrument.Description));
        Assert.Equal(1, requests.Of("hit"));
        Assert.Equal(2, requests.Of("miss"));
        Assert.Equal(3, requests.GetMeasurementSnapshot().Count);
        Assert.Equal(1, evictions.GetMeasurementSnapshot().Sum(m => m.Value));
        Assert.Equal(1, expirations.GetMeasurementSnapshot().Sum(m => m.Value));
        Assert.Equal(2, entries.LastMeasurement?.Value);

        // Every measurement names its cache and backend, so dashboards tell caches apart.
        var measured = requests.GetMeasurementSnapshot().Select(m => m.Tags)
            .Concat(evictions.GetMeasurementSnapshot().Select(m => m.Tags))
            .Concat(expirations.GetMeasurementSnapshot().Select(m => m.Tags))
            .Append(entries.LastMeasurement!.Tags);
        Assert.All(measured, tags =>
        {
            Assert.Equal("default", tags["cache.name"]);
            Assert.Equal("in-memory", tags["cache.backend"]);
        });
        Assert.Equal(InMemoryCache.MeterName, meter.Name);
        Assert.Contains(new KeyValuePair<string, object?>("cache.name", "default"), meter.Tags!); // a factory gives each name a meter of its own
    }

    [Fact]
    public void A_meter_from_the_factory_is_left_to_the_factory()
    {
        using var factory = new RecordingMeterFactory();
        var cache = new InMemoryCache(new InMemoryCacheOptions(), _time, null, factory);
        cache.Dispose();
        Assert.Single(factory.Created);
        using var collector = new MetricCollector<long>(factory.Created[0], "cache.requests");
        Assert.NotNull(collector.Instrument);
    }

    [Fact]
    public async Task A_disposed_cache_stops_reporting_entries_through_a_meter_that_outlives_it()
    {
        // A factory's meter belongs to the factory and outlives the cache: its gauge must not read
        // (and so keep alive) a cache that is gone.
        using var meters = new RecordingMeterFactory();
        var cache = new InMemoryCache(new() { ExpirationScanInterval = null }, _time, null, meters);
        using var entries = new MetricCollector<int>(Assert.Single(meters.Created), "cache.entries");
        await cache.SetAsync("a", 1);
        entries.RecordObservableInstruments();
        Assert.Equal(1, entries.LastMeasurement?.Value);

        cache.Dispose();
        entries.RecordObservableInstruments();

        Assert.Single(entries.GetMeasurementSnapshot());
    }

    [Fact]
    public async Task A_cached_null_read_as_a_value_type_is_a_logged_miss_not_an_exception()
    {
        var logger = new FakeLogger<InMemoryCache>();
        using var cache = TestCache.Create(_time, logger: logger);
        await cache.SetAsync<string?>("k", null);

        Assert.Equal(0, await cache.GetAsync<int>("k"));
        Assert.False((await cache.TryGetAsync<int>("k")).Found);
        Assert.Equal(3, await cache.GetOrSetAsync<int>("k", () => Task.FromResult(3)));

        Assert.Equal(3, (await cache.GetStatsAsync()).Misses);
        Assert.Equal(3, logger.Collector.GetSnapshot().Count(r => r.Level == LogLevel.Warning && r.Message.Contains("null", StringComparison.Ordinal)));
    }

    [Fact]
    public async Task Every_path_that_removes_reports_to_the_meter()
    {
        using var meters = new RecordingMeterFactory();
        using var cache = new InMemoryCache(new() { MaxSize = 1, ExpirationScanInterval = TimeSpan.FromMinutes(1) }, _time, null, meters);
        var meter = Assert.Single(meters.Created);
        using var evictions = new MetricCollector<long>(meter, "cache.evictions");
        using var expirations = new MetricCollector<long>(meter, "cache.expirations");

        await cache.SetAsync("a", 1, TimeSpan.FromSeconds(1));
        _time.Advance(TimeSpan.FromSeconds(1));
        await cache.RemoveAsync("x");                                        // Remove expires a
        await cache.SetAsync("b", 2, TimeSpan.FromSeconds(1));
        _time.Advance(TimeSpan.FromSeconds(1));
        await cache.ClearAsync();                                            // Clear expires b
        await cache.SetAsync("c", 3, TimeSpan.FromSeconds(1));
        _time.Advance(TimeSpan.FromMinutes(1));                              // the sweep expires c
        await cache.SetAsync("d", 4);
        await cache.GetOrSetAsync("e", _ => ValueTask.FromResult(5));        // the factory's store evicts d

        Assert.Equal(3, expirations.GetMeasurementSnapshot().Sum(m => m.Value));
        Assert.Equal(1, evictions.GetMeasurementSnapshot().Sum(m => m.Value));
    }

    [Fact]
    public void Dispose_ends_the_caches_own_meter()
    {
        var cache = TestCache.Create(_time);
        var meter = cache.Metrics.Meter;
        var completed = new List<string>();
        using var listener = new System.Diagnostics.Metrics.MeterListener
        {
            InstrumentPublished = (instrument, l) =>
            {
                if (ReferenceEquals(instrument.Meter, meter))
                {
                    l.EnableMeasurementEvents(instrument);
                }
            },
            MeasurementsCompleted = (instrument, _) => completed.Add(instrument.Name),
        };
        listener.Start();

        cache.Dispose();
        Assert.Equal(["cache.entries", "cache.evictions", "cache.expirations", "cache.requests"], completed.Order());
    }

    [Fact]
    public async Task GetOrSet_lookups_reach_the_meter_and_the_log()
    {
        using var meters = new RecordingMeterFactory();
        var logger = new FakeLogger<InMemoryCache>();
        using var cache = new InMemoryCache(new() { ExpirationScanInterval = null }, _time, logger, meters);
        var meter = Assert.Single(meters.Created);
        using var requests = new MetricCollector<long>(meter, "cache.requests");

        await cache.GetOrSetAsync("k", _ => ValueTask.FromResult(1)); // miss: the factory runs
        await cache.GetOrSetAsync("k", _ => ValueTask.FromResult(2)); // hit

        Assert.Equal(1, requests.Of("hit"));
        Assert.Equal(1, requests.Of("miss"));
        Assert.Equal(["Cache miss for k", "Cache hit for k"], logger.Collector.GetSnapshot().Select(r => r.Message));
    }
}
