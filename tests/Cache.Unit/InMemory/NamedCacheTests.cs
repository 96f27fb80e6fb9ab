using Cache.Async;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using OpenTelemetry;
using OpenTelemetry.Metrics;

namespace Cache.Unit.InMemory;

/// <summary>Named caches, registered the Microsoft.Extensions way: keyed services, options by name, configuration, validation, and metrics that tell them apart.</summary>
public sealed class NamedCacheTests
{
    private readonly FakeTimeProvider _time = new();

    [Fact]
    public async Task Each_name_is_a_keyed_singleton_of_its_own_as_ICache_and_InMemoryCache()
    {
        using var provider = new ServiceCollection()
            .AddSingleton<TimeProvider>(_time)
            .AddInMemoryCache("sessions", o => o.MaxSize = 10)
            .AddInMemoryCache("catalog", o => o.MaxSize = 20)
            .AddSingleton<SessionStore>()
            .BuildServiceProvider();

        ICache sessions = provider.GetRequiredKeyedService<ICache>("sessions");
        ICache catalog = provider.GetRequiredKeyedService<ICache>("catalog");
        Assert.Same(provider.GetRequiredKeyedService<InMemoryCache>("sessions"), sessions);
        Assert.Same(sessions, provider.GetRequiredKeyedService<ICache>("sessions"));
        Assert.NotSame(sessions, catalog);
        Assert.Equal((10, 20), ((await sessions.GetStatsAsync()).MaxSize, (await catalog.GetStatsAsync()).MaxSize));

        await sessions.SetAsync("k", 1);
        Assert.False(await catalog.ExistsAsync("k"));
        Assert.Same(sessions, provider.GetRequiredService<SessionStore>().Cache); // [FromKeyedServices]
        Assert.Null(provider.GetService<ICache>()); // no unnamed cache was registered
    }

    [Fact]
    public void The_registered_name_is_the_options_name_whatever_configure_sets()
    {
        using var provider = new ServiceCollection()
            .AddInMemoryCache("sessions", o => o.Name = "something-else")
            .AddInMemoryCache("plain")
            .BuildServiceProvider();

        var options = provider.GetRequiredService<IOptionsMonitor<InMemoryCacheOptions>>();
        Assert.Equal("sessions", options.Get("sessions").Name);
        Assert.Equal("plain", options.Get("plain").Name);
        Assert.Equal("default", new InMemoryCacheOptions().Name);
    }

    [Fact]
    public async Task Options_bind_from_a_configuration_section()
    {
        IConfiguration configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Caches:sessions:MaxSize"] = "5",
            ["Caches:sessions:DefaultTtl"] = "00:00:30",
            ["Caches:sessions:ExpirationScanInterval"] = "00:00:10",
        }).Build();
        using var provider = new ServiceCollection()
            .AddSingleton<TimeProvider>(_time)
            .AddInMemoryCache("sessions", configuration.GetSection("Caches:sessions"))
            .BuildServiceProvider();

        InMemoryCacheOptions options = provider.GetRequiredService<IOptionsMonitor<InMemoryCacheOptions>>().Get("sessions");
        Assert.Equal((5, TimeSpan.FromSeconds(30), TimeSpan.FromSeconds(10), "sessions"), (options.MaxSize, options.DefaultTtl, options.ExpirationScanInterval, options.Name));

        ICache cache = provider.GetRequiredKeyedService<ICache>("sessions");
        await cache.SetAsync("a", 1);
        _time.Advance(TimeSpan.FromSeconds(30));
        Assert.False(await cache.ExistsAsync("a"));
        Assert.Equal(5, (await cache.GetStatsAsync()).MaxSize);
    }

    [Theory]
    [InlineData("MaxSize", "0")]
    [InlineData("DefaultTtl", "-00:00:01")]
    [InlineData("ExpirationScanInterval", "00:00:00")]
    public void A_bad_configured_value_fails_validation_naming_the_option_at_first_use_and_at_start(string option, string value)
    {
        IConfiguration configuration = new ConfigurationBuilder()
            .AddInMemoryCollection(new Dictionary<string, string?> { [option] = value }).Build();
        using var provider = new ServiceCollection().AddInMemoryCache("bad", configuration).BuildServiceProvider();

        var atUse = Assert.Throws<OptionsValidationException>(() => provider.GetRequiredKeyedService<ICache>("bad"));
        Assert.Contains(option, atUse.Message, StringComparison.Ordinal);
        Assert.Contains("'bad'", atUse.Message, StringComparison.Ordinal);
        var atStart = Assert.Throws<OptionsValidationException>(() => provider.GetRequiredService<IStartupValidator>().Validate());
        Assert.Contains(option, atStart.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_configuration_reload_with_a_bad_value_neither_throws_from_the_reload_nor_changes_the_running_cache()
    {
        IConfigurationRoot root = new ConfigurationBuilder()
            .AddInMemoryCollection(new Dictionary<string, string?> { ["C:MaxSize"] = "5" }).Build();
        using var provider = new ServiceCollection().AddInMemoryCache("r", root.GetSection("C")).BuildServiceProvider();
        ICache cache = provider.GetRequiredKeyedService<ICache>("r");

        root["C:MaxSize"] = "0";
        root.Reload(); // the cache read its options once: nothing re-validates them on the reload thread

        Assert.Equal(5, (await cache.GetStatsAsync()).MaxSize);
    }

    [Fact]
    public void A_name_another_backend_registered_is_refused_and_the_same_name_twice_is_one_cache()
    {
        using var other = new InMemoryCache();
        var services = new ServiceCollection().AddKeyedSingleton<ICache>("taken", other); // as another backend registers it
        var refused = Assert.Throws<InvalidOperationException>(() => services.AddInMemoryCache("taken"));
        Assert.Contains("'taken'", refused.Message, StringComparison.Ordinal);

        // An in-memory cache under another name does not make this name ours.
        var mixed = new ServiceCollection().AddInMemoryCache("mine").AddKeyedSingleton<ICache>("taken", other);
        Assert.Throws<InvalidOperationException>(() => mixed.AddInMemoryCache("taken"));

        using var provider = new ServiceCollection()
            .AddKeyedSingleton<ICache>("unrelated", other)
            .AddInMemoryCache("twice", o => o.MaxSize = 10)
            .AddInMemoryCache("twice", o => o.DefaultTtl = TimeSpan.FromSeconds(5))
            .BuildServiceProvider();
        InMemoryCacheOptions options = provider.GetRequiredService<IOptionsMonitor<InMemoryCacheOptions>>().Get("twice");
        Assert.Equal((10, TimeSpan.FromSeconds(5)), (options.MaxSize, options.DefaultTtl)); // both configures, one cache
        Assert.Same(provider.GetRequiredKeyedService<ICache>("twice"), provider.GetRequiredKeyedService<InMemoryCache>("twice"));
    }

    [Fact]
    public void The_unnamed_registration_validates_too()
    {
        using var provider = new ServiceCollection().AddInMemoryCache(o => o.MaxSize = 0).BuildServiceProvider();
        var refused = Assert.Throws<OptionsValidationException>(() => provider.GetRequiredService<ICache>());
        Assert.Contains("MaxSize", refused.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_missing_or_blank_name_or_section_is_refused_at_registration()
    {
        var services = new ServiceCollection();
        Assert.Throws<ArgumentNullException>("name", () => services.AddInMemoryCache((string)null!));
        Assert.Throws<ArgumentException>("name", () => services.AddInMemoryCache(" "));
        Assert.Throws<ArgumentNullException>("section", () => services.AddInMemoryCache("a", (IConfiguration)null!));
        Assert.Throws<ArgumentNullException>("services", () => ((IServiceCollection)null!).AddInMemoryCache("a"));
        Assert.Throws<ArgumentException>("Name", () => new InMemoryCache(new InMemoryCacheOptions { Name = "" }));
    }

    [Fact]
    public async Task OpenTelemetry_sees_each_named_caches_hits_and_misses_under_its_own_cache_name()
    {
        // Names of this test alone: the exporter listens to the meter by name, process-wide.
        var exported = new List<Metric>();
        using var provider = new ServiceCollection()
            .AddSingleton<TimeProvider>(_time)
            .AddMetrics()
            .AddInMemoryCache("otel-sessions")
            .AddInMemoryCache("otel-catalog")
            .AddOpenTelemetry().WithMetrics(metrics => metrics.AddMeter(InMemoryCache.MeterName).AddInMemoryExporter(exported)).Services
            .BuildServiceProvider();
        var meterProvider = provider.GetRequiredService<MeterProvider>();

        ICache sessions = provider.GetRequiredKeyedService<ICache>("otel-sessions");
        ICache catalog = provider.GetRequiredKeyedService<ICache>("otel-catalog");
        await sessions.SetAsync("a", 1);
        await sessions.GetAsync<int>("a");         // hit
        await sessions.GetAsync<int>("b");         // miss
        await sessions.GetAsync<int>("c");         // miss
        await catalog.GetAsync<int>("x");          // miss
        await catalog.SetAsync("x", 1);
        await catalog.GetAsync<int>("x");          // hit
        await catalog.GetAsync<int>("x");          // hit
        Assert.True(meterProvider.ForceFlush());

        Assert.Equal(1, Requests(exported, "otel-sessions", "hit"));
        Assert.Equal(2, Requests(exported, "otel-sessions", "miss"));
        Assert.Equal(2, Requests(exported, "otel-catalog", "hit"));
        Assert.Equal(1, Requests(exported, "otel-catalog", "miss"));
        Assert.Equal(1, Entries(exported, "otel-sessions"));
    }

    private static long Requests(List<Metric> exported, string cache, string type) =>
        Points(exported, "cache.requests", cache)
            .Where(p => Equals(p.Tags["cache.request.type"], type))
            .Sum(p => p.Sum);

    private static long Entries(List<Metric> exported, string cache) =>
        Points(exported, "cache.entries", cache).Select(p => p.Sum).Last();

    private static List<(Dictionary<string, object?> Tags, long Sum)> Points(List<Metric> exported, string instrument, string cache)
    {
        var points = new List<(Dictionary<string, object?>, long)>();
        foreach (Metric metric in exported.Where(m => m.Name == instrument))
        {
            foreach (ref readonly MetricPoint point in metric.GetMetricPoints())
            {
                var tags = new Dictionary<string, object?>();
                foreach (KeyValuePair<string, object?> tag in point.Tags)
                {
                    tags[tag.Key] = tag.Value;
                }

                if (Equals(tags["cache.name"], cache))
                {
                    Assert.Equal("in-memory", tags["cache.backend"]);
                    points.Add((tags, metric.MetricType == MetricType.LongGauge ? point.GetGaugeLastValueLong() : point.GetSumLong()));
                }
            }
        }

        return points;
    }

    private sealed class SessionStore([FromKeyedServices("sessions")] ICache cache)
    {
        public ICache Cache { get; } = cache;
    }
}
