using System.Diagnostics.Metrics;
using Cache.Async;
using Cache.Memcached;
using Cache.Memcached.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Registers a <see cref="MemcachedCache"/> as the application's <see cref="ICache"/>.</summary>
public static class MemcachedCacheServiceCollectionExtensions
{
    /// <summary>
    /// Registers one <see cref="MemcachedCache"/> as a singleton, as both <see cref="MemcachedCache"/>
    /// and <see cref="ICache"/>, with options checked when the host starts. It uses the container's
    /// <see cref="TimeProvider"/> when one is registered, its logger and its meter factory.
    /// </summary>
    /// <param name="services">The service collection.</param>
    /// <param name="configure">Sets the servers, prefix, TTL and timeout; null for the defaults (127.0.0.1:11211).</param>
    /// <returns>The same collection, for chaining.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="services"/> is null.</exception>
    public static IServiceCollection AddMemcachedCache(this IServiceCollection services, Action<MemcachedCacheOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(services);
        OptionsBuilder<MemcachedCacheOptions> options = services.AddOptions<MemcachedCacheOptions>();
        if (configure is not null)
        {
            options.Configure(configure);
        }

        options.ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<MemcachedCacheOptions>, MemcachedCacheOptionsValidator>());
        services.TryAddSingleton(static provider => new MemcachedCache(
            provider.GetRequiredService<IOptions<MemcachedCacheOptions>>().Value,
            provider.GetService<TimeProvider>(),
            provider.GetService<ILogger<MemcachedCache>>(),
            provider.GetService<IMeterFactory>()));
        services.TryAddSingleton<ICache>(static provider => provider.GetRequiredService<MemcachedCache>());
        return services;
    }
}
