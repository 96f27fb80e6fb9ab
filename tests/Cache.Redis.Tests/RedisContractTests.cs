using Cache.Async;
using Cache.Contract;
using Microsoft.Extensions.Logging.Testing;

namespace Cache.Redis.Tests;

/// <summary>
/// The shared ICache contract against RedisCache on a real server. Time is the server's: the TTL
/// clauses wait for real, with a 2 s TTL checked at 1 s (live) and 4 s (expired).
/// </summary>
public sealed class RedisContractTests(RedisServerFixture server) : CacheContractTests, IClassFixture<RedisServerFixture>
{
    // Real seconds: the server expires keys by its own clock (see LetPassAsync).
    protected override TimeSpan ShortTtl => TimeSpan.FromSeconds(2);

    // Each test its own prefix on the shared server: a fresh, empty cache.
    protected override ICache Make(TimeSpan defaultTtl) => new RedisCache(
        new RedisCacheOptions { Configuration = server.Server.Configuration, KeyPrefix = $"contract:{Guid.NewGuid():N}:", DefaultTtl = defaultTtl },
        new FakeLogger<RedisCache>(Logs));

    // A real wait: Redis expires keys by the server's clock, which no FakeTimeProvider can move.
    protected override Task LetPassAsync(TimeSpan time) => Task.Delay(time);
}
