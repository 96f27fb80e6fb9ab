using System.Diagnostics.Metrics;
using Cache.Async;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Registers <see cref="InMemoryCache"/> in a service collection.</summary>
public static class InMemoryCacheServiceCollectionExtensions
{
    /// <summary>
    /// Registers one <see cref="InMemoryCache"/> as a singleton, as itself and as <see cref="ICache"/>.
    /// It takes <see cref="TimeProvider"/>, <see cref="ILogger{TCategoryName}"/> and
    /// <see cref="IMeterFactory"/> from the container when they are registered.
    /// </summary>
    /// <param name="services">The service collection.</param>
    /// <param name="configure">Sets the <see cref="InMemoryCacheOptions"/>; null keeps the defaults.</param>
    /// <returns>The same service collection, for chaining.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="services"/> is null.</exception>
    public static IServiceCollection AddInMemoryCache(this IServiceCollection services, Action<InMemoryCacheOptions>? configure = null)
    {
        // Stryker disable once Statement : AddOptions throws the same ArgumentNullException for services on the next line.
        ArgumentNullException.ThrowIfNull(services);
        OptionsBuilder<InMemoryCacheOptions> options = services.AddOptions<InMemoryCacheOptions>();
        if (configure is not null)
        {
            options.Configure(configure);
        }

        services.TryAddSingleton(static provider => new InMemoryCache(
            provider.GetRequiredService<IOptions<InMemoryCacheOptions>>().Value,
            provider.GetService<TimeProvider>(),
            provider.GetService<ILogger<InMemoryCache>>(),
            provider.GetService<IMeterFactory>()));
        services.TryAddSingleton<ICache>(static provider => provider.GetRequiredService<InMemoryCache>());
        return services;
    }
}
