using Cache.Async;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Time.Testing;

namespace Cache.Unit.Support;

/// <summary>An InMemoryCache on a FakeTimeProvider, with the sweep off unless asked for.</summary>
internal static class TestCache
{
    public static InMemoryCache Create(
        FakeTimeProvider time,
        int maxSize = 100,
        TimeSpan? defaultTtl = null,
        TimeSpan? sweep = null,
        ILogger<InMemoryCache>? logger = null) =>
        new(
            new InMemoryCacheOptions
            {
                MaxSize = maxSize,
                DefaultTtl = defaultTtl ?? TimeSpan.FromMinutes(10),
                ExpirationScanInterval = sweep,
            },
            time,
            logger);

    /// <summary>The stored keys from least to most recently used, checking the state's integrity on the way.</summary>
    public static string[] KeysByRecency(this InMemoryCache cache)
    {
        var state = cache.Snapshot();
        state.CheckIntegrity();
        return [.. state.Keys];
    }
}
