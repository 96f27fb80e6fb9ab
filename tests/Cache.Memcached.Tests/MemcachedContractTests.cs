using Cache.Async;
using Cache.Contract;
using Microsoft.Extensions.Logging.Testing;

namespace Cache.Memcached.Tests;

/// <summary>
/// The shared ICache contract against MemcachedCache on a real server. Time is the server's, in whole
/// seconds: memcached's clock ticks once a second, so an entry with a TTL of n seconds lives between
/// n - 1 and n seconds. A 3 s TTL is checked at 1.5 s (live) and 4.5 s or 6 s (expired).
/// </summary>
public sealed class MemcachedContractTests(MemcachedServerFixture server) : CacheContractTests, IClassFixture<MemcachedServerFixture>
{
    protected override TimeSpan ShortTtl => TimeSpan.FromSeconds(3);

    // memcached has no transactions: a batch is stored key by key (docs/contract.md says so).
    protected override bool BatchesAreAtomic => false;

    // Each test its own prefix on the shared server: a fresh, empty cache.
    protected override ICache Make(TimeSpan defaultTtl) => new MemcachedCache(
        new MemcachedCacheOptions { Servers = [server.Server.Address], KeyPrefix = $"contract:{Guid.NewGuid():N}:", DefaultTtl = defaultTtl },
        logger: new FakeLogger<MemcachedCache>(Logs));

    // A real wait: memcached expires items by the server's clock, which no FakeTimeProvider can move.
    protected override Task LetPassAsync(TimeSpan time) => Task.Delay(time);
}
