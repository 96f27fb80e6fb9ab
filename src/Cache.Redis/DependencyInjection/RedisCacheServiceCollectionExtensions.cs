using System.Diagnostics.Metrics;
using Cache.Async;
using Cache.Redis;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Registers <see cref="RedisCache"/> in a service collection.</summary>
public static class RedisCacheServiceCollectionExtensions
{
    /// <summary>
    /// Registers one <see cref="RedisCache"/> as a singleton, as itself and as <see cref="ICache"/>,
    /// so code written against <see cref="ICache"/> moves from <c>AddInMemoryCache</c> to Redis by
    /// this one call. It takes <see cref="ILogger{TCategoryName}"/> and <see cref="IMeterFactory"/>
    /// from the container when they are registered; the container disposes the cache and its connection.
    /// </summary>
    /// <param name="services">The service collection.</param>
    /// <param name="configure">Sets the <see cref="RedisCacheOptions"/>; at least the configuration string.</param>
    /// <returns>The same service collection, for chaining.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="services"/> or <paramref name="configure"/> is null.</exception>
    public static IServiceCollection AddRedisCache(this IServiceCollection services, Action<RedisCacheOptions> configure)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(configure);
        services.AddOptions<RedisCacheOptions>().Configure(configure);
        services.TryAddSingleton(static provider => new RedisCache(
            provider.GetRequiredService<IOptions<RedisCacheOptions>>().Value,
            provider.GetService<ILogger<RedisCache>>(),
            provider.GetService<IMeterFactory>()));
        services.TryAddSingleton<ICache>(static provider => provider.GetRequiredService<RedisCache>());
        return services;
    }
}
