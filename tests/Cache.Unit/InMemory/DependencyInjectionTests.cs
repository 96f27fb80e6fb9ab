using System.Diagnostics.Metrics;
using Cache.Async;
using Cache.Unit.Support;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Testing;
using Microsoft.Extensions.Time.Testing;

namespace Cache.Unit.InMemory;

public sealed class DependencyInjectionTests
{
    [Fact]
    public async Task AddInMemoryCache_registers_one_singleton_as_ICache_and_InMemoryCache_with_the_containers_clock_and_logger()
    {
        var time = new FakeTimeProvider();
        var collector = new FakeLogCollector();
        using var meters = new RecordingMeterFactory();
        using var provider = new ServiceCollection()
            .AddSingleton<TimeProvider>(time)
            .AddLogging(b => b.SetMinimumLevel(LogLevel.Debug).AddProvider(new FakeLoggerProvider(collector)))
            .AddSingleton<IMeterFactory>(meters)
            .AddInMemoryCache(o =>
            {
                o.MaxSize = 7;
                o.DefaultTtl = TimeSpan.FromSeconds(30);
            })
            .BuildServiceProvider();

        var cache = provider.GetRequiredService<ICache>();
        Assert.Same(provider.GetRequiredService<InMemoryCache>(), cache);
        Assert.Equal(7, (await cache.GetStatsAsync()).MaxSize);

        await cache.SetAsync("a", 1);
        await cache.GetAsync<int>("a");
        time.Advance(TimeSpan.FromSeconds(30));
        Assert.False(await cache.ExistsAsync("a"));
        Assert.Contains(collector.GetSnapshot(), r => r.Message == "Cache hit for a");
        Assert.Equal([InMemoryCache.MeterName], meters.Created.Select(m => m.Name));
    }

    [Fact]
    public async Task Without_configuration_the_defaults_apply_and_the_system_clock_is_used()
    {
        using var provider = new ServiceCollection().AddInMemoryCache().BuildServiceProvider();
        var cache = provider.GetRequiredService<ICache>();
        await cache.SetAsync("a", 1);
        Assert.True(await cache.ExistsAsync("a"));
        Assert.Equal(1000, (await cache.GetStatsAsync()).MaxSize);
    }

    [Fact]
    public void A_null_service_collection_is_refused() =>
        Assert.Throws<ArgumentNullException>(() => ((IServiceCollection)null!).AddInMemoryCache());
}
