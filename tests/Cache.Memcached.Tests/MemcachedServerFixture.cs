using Cache.Contract;

namespace Cache.Memcached.Tests;

/// <summary>One memcached for a test class, started before its first test and killed after its last.</summary>
public sealed class MemcachedServerFixture : IDisposable
{
    public MemcachedServer Server { get; } = new();

    public void Dispose() => Server.Dispose();
}
