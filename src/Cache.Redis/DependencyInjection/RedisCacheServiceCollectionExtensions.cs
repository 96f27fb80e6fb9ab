using System.Diagnostics.Metrics;
using Cache.Async;
using Cache.Redis;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Cache.Redis.DependencyInjection;
using Cache.Shared.DependencyInjection;

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
        services.AddOptions<RedisCacheOptions>().Configure(configure).ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<RedisCacheOptions>, RedisCacheOptionsValidator>());
        services.TryAddSingleton(static provider => new RedisCache(
            provider.GetRequiredService<IOptions<RedisCacheOptions>>().Value,
            provider.GetService<ILogger<RedisCache>>(),
            provider.GetService<IMeterFactory>()));
        services.TryAddSingleton<ICache>(static provider => provider.GetRequiredService<RedisCache>());
        return services;
    }

    /// <summary>
    /// Registers a named <see cref="RedisCache"/>: a keyed singleton under <paramref name="name"/>, as
    /// itself and as <see cref="ICache"/>, whose <see cref="RedisCacheOptions.Name"/> is
    /// <paramref name="name"/> (its metrics' <c>cache.name</c>). Give each named cache its own
    /// <see cref="RedisCacheOptions.KeyPrefix"/> when they share a server.
    /// </summary>
    /// <param name="services">The service collection.</param>
    /// <param name="name">The cache's name and service key.</param>
    /// <param name="configure">Sets the <see cref="RedisCacheOptions"/>; at least the configuration string.</param>
    /// <returns>The same service collection, for chaining.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="services"/>, <paramref name="name"/> or <paramref name="configure"/> is null.</exception>
    /// <exception cref="ArgumentException"><paramref name="name"/> is empty or white space.</exception>
    public static IServiceCollection AddRedisCache(this IServiceCollection services, string name, Action<RedisCacheOptions> configure)
    {
        ArgumentNullException.ThrowIfNull(configure);
        return AddNamed(services, name, options => options.Configure(configure));
    }

    /// <summary>
    /// Registers a named <see cref="RedisCache"/> as <see cref="AddRedisCache(IServiceCollection, string, Action{RedisCacheOptions})"/>
    /// does, with its options bound from <paramref name="section"/> (<c>Configuration</c>,
    /// <c>KeyPrefix</c>, <c>DefaultTtl</c>, <c>OperationTimeout</c>).
    /// </summary>
    /// <param name="services">The service collection.</param>
    /// <param name="name">The cache's name and service key.</param>
    /// <param name="section">The configuration section of this cache.</param>
    /// <returns>The same service collection, for chaining.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="services"/>, <paramref name="name"/> or <paramref name="section"/> is null.</exception>
    /// <exception cref="ArgumentException"><paramref name="name"/> is empty or white space.</exception>
    public static IServiceCollection AddRedisCache(this IServiceCollection services, string name, IConfiguration section)
    {
        ArgumentNullException.ThrowIfNull(section);
        return AddNamed(services, name, options => options.Bind(section));
    }

    private static IServiceCollection AddNamed(IServiceCollection services, string name, Action<OptionsBuilder<RedisCacheOptions>> configure)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        OptionsBuilder<RedisCacheOptions> options = services.AddOptions<RedisCacheOptions>(name);
        configure(options);
        options.PostConfigure(o => o.Name = name).ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<RedisCacheOptions>, RedisCacheOptionsValidator>());
        CacheNames.ThrowIfTakenByAnotherBackend<RedisCache>(services, name);

        // The factory, not the monitor: the cache reads its options once, and a monitor would
        // re-validate on every configuration reload and throw from the reload.
        services.TryAddKeyedSingleton(name, static (provider, key) => new RedisCache(
            provider.GetRequiredService<IOptionsFactory<RedisCacheOptions>>().Create((string)key!),
            provider.GetService<ILogger<RedisCache>>(),
            provider.GetService<IMeterFactory>()));
        services.TryAddKeyedSingleton<ICache>(name, static (provider, key) => provider.GetRequiredKeyedService<RedisCache>(key));
        return services;
    }
}
