using Cache.Async;
using Cache.Contract;
using Microsoft.Extensions.Logging.Testing;
using Microsoft.Extensions.Time.Testing;

namespace Cache.Unit.Contract;

/// <summary>The shared ICache contract against InMemoryCache, on a fake clock.</summary>
public sealed class InMemoryContractTests : CacheContractTests
{
    private readonly FakeTimeProvider _time = new();

    protected override TimeSpan ShortTtl => TimeSpan.FromSeconds(2);

    protected override ICache Make(TimeSpan defaultTtl) => new InMemoryCache(
        new InMemoryCacheOptions { MaxSize = 1000, DefaultTtl = defaultTtl, ExpirationScanInterval = null },
        _time,
        new FakeLogger<InMemoryCache>(Logs));

    protected override Task LetPassAsync(TimeSpan time)
    {
        _time.Advance(time);
        return Task.CompletedTask;
    }
}
