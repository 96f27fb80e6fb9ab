using Cache.Contract;

namespace Cache.Redis.Tests;

/// <summary>One redis-server for a test class, started before its first test and killed after its last.</summary>
public sealed class RedisServerFixture : IDisposable
{
    public RedisServer Server { get; } = new();

    public void Dispose() => Server.Dispose();
}
