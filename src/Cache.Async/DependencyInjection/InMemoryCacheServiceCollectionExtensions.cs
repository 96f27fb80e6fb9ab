using System.Diagnostics.CodeAnalysis;
using System.Diagnostics.Metrics;
using Cache.Async;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Cache.Async.DependencyInjection;
using Cache.Shared.DependencyInjection;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Registers <see cref="InMemoryCache"/> in a service collection: one unnamed cache, or any number of named ones.</summary>
public static class InMemoryCacheServiceCollectionExtensions
{
    /// <summary>
    /// Registers one <see cref="InMemoryCache"/> as a singleton, as itself and as <see cref="ICache"/>.
    /// It takes <see cref="TimeProvider"/>, <see cref="ILogger{TCategoryName}"/> and
    /// <see cref="IMeterFactory"/> from the container when they are registered. Its options are
    /// validated when first read and when the host starts (<see cref="OptionsValidationException"/>).
    /// </summary>
    /// <param name="services">The service collection.</param>
    /// <param name="configure">Sets the <see cref="InMemoryCacheOptions"/>; null keeps the defaults.</param>
    /// <returns>The same service collection, for chaining.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="services"/> is null.</exception>
    [SuppressMessage("ApiDesign", "RS0026:Do not add multiple public overloads with optional parameters", Justification = "The issue names these overloads; their first parameters differ in type, so no call is ambiguous and no optional parameter will be added to them later.")]
    public static IServiceCollection AddInMemoryCache(this IServiceCollection services, Action<InMemoryCacheOptions>? configure = null)
    {
        // Stryker disable once Statement : AddOptions throws the same ArgumentNullException for services on the next line.
        ArgumentNullException.ThrowIfNull(services);
        OptionsBuilder<InMemoryCacheOptions> options = services.AddOptions<InMemoryCacheOptions>();
        if (configure is not null)
        {
            options.Configure(configure);
        }

        AddValidation(services, options);
        services.TryAddSingleton(static provider => Create(provider, provider.GetRequiredService<IOptions<InMemoryCacheOptions>>().Value));
        services.TryAddSingleton<ICache>(static provider => provider.GetRequiredService<InMemoryCache>());
        return services;
    }

    /// <summary>
    /// Registers a named <see cref="InMemoryCache"/>: a keyed singleton under <paramref name="name"/>,
    /// as itself and as <see cref="ICache"/> (<c>GetRequiredKeyedService&lt;ICache&gt;(name)</c>,
    /// <c>[FromKeyedServices(name)]</c>), whose <see cref="InMemoryCacheOptions.Name"/> is
    /// <paramref name="name"/>, so its metrics carry it as <c>cache.name</c>. Call it once a name;
    /// the options are validated when first read and when the host starts.
    /// </summary>
    /// <param name="services">The service collection.</param>
    /// <param name="name">The cache's name and service key.</param>
    /// <param name="configure">Sets the cache's <see cref="InMemoryCacheOptions"/>; null keeps the defaults.</param>
    /// <returns>The same service collection, for chaining.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="services"/> or <paramref name="name"/> is null.</exception>
    /// <exception cref="ArgumentException"><paramref name="name"/> is empty or white space.</exception>
    [SuppressMessage("ApiDesign", "RS0026:Do not add multiple public overloads with optional parameters", Justification = "The issue names these overloads; their first parameters differ in type, so no call is ambiguous and no optional parameter will be added to them later.")]
    public static IServiceCollection AddInMemoryCache(this IServiceCollection services, string name, Action<InMemoryCacheOptions>? configure = null)
    {
        OptionsBuilder<InMemoryCacheOptions> options = NamedOptions(services, name);
        if (configure is not null)
        {
            options.Configure(configure);
        }

        return AddNamed(services, name, options);
    }

    /// <summary>
    /// Registers a named <see cref="InMemoryCache"/> as <see cref="AddInMemoryCache(IServiceCollection, string, Action{InMemoryCacheOptions}?)"/>
    /// does, with its options bound from <paramref name="section"/> (<c>MaxSize</c>, <c>DefaultTtl</c>
    /// and <c>ExpirationScanInterval</c> as "hh:mm:ss", <c>-00:00:00.001</c> for infinite); a bad value fails
    /// validation, naming the option, and one the binder cannot convert fails with the binder's
    /// <see cref="InvalidOperationException"/>. The cache reads its options once, so a reload changes nothing.
    /// </summary>
    /// <param name="services">The service collection.</param>
    /// <param name="name">The cache's name and service key.</param>
    /// <param name="section">The configuration section of this cache, such as <c>configuration.GetSection("Caches:sessions")</c>.</param>
    /// <returns>The same service collection, for chaining.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="services"/>, <paramref name="name"/> or <paramref name="section"/> is null.</exception>
    /// <exception cref="ArgumentException"><paramref name="name"/> is empty or white space.</exception>
    public static IServiceCollection AddInMemoryCache(this IServiceCollection services, string name, IConfiguration section)
    {
        ArgumentNullException.ThrowIfNull(section);
        OptionsBuilder<InMemoryCacheOptions> options = NamedOptions(services, name);
        options.Bind(section);
        return AddNamed(services, name, options);
    }

    private static OptionsBuilder<InMemoryCacheOptions> NamedOptions(IServiceCollection services, string name)
    {
        // Stryker disable once Statement : AddOptions throws the same ArgumentNullException for services two lines down.
        ArgumentNullException.ThrowIfNull(services);
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        return services.AddOptions<InMemoryCacheOptions>(name);
    }

    private static IServiceCollection AddNamed(IServiceCollection services, string name, OptionsBuilder<InMemoryCacheOptions> options)
    {
        // The registered name wins over a Name set by configure or configuration: it is the key.
        options.PostConfigure(o => o.Name = name);
        AddValidation(services, options);
        CacheNames.ThrowIfTakenByAnotherBackend<InMemoryCache>(services, name);

        // The factory, not the monitor: the cache reads its options once, and a monitor would
        // re-validate on every configuration reload and throw from the reload.
        services.TryAddKeyedSingleton(name, static (provider, key) =>
            Create(provider, provider.GetRequiredService<IOptionsFactory<InMemoryCacheOptions>>().Create((string)key!)));
        services.TryAddKeyedSingleton<ICache>(name, static (provider, key) => provider.GetRequiredKeyedService<InMemoryCache>(key));
        return services;
    }

    private static void AddValidation(IServiceCollection services, OptionsBuilder<InMemoryCacheOptions> options)
    {
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<InMemoryCacheOptions>, InMemoryCacheOptionsValidator>());
        options.ValidateOnStart();
    }

    private static InMemoryCache Create(IServiceProvider provider, InMemoryCacheOptions options) => new(
        options,
        provider.GetService<TimeProvider>(),
        provider.GetService<ILogger<InMemoryCache>>(),
        provider.GetService<IMeterFactory>());
}
