using Cache.Async;
using Microsoft.Extensions.DependencyInjection;

namespace Cache.Shared.DependencyInjection;

/// <summary>The rule every backend's registration keeps: a name is one cache, whatever its backend.</summary>
internal static class CacheNames
{
    /// <summary>
    /// Refuses <paramref name="name"/> when another backend registered an <see cref="ICache"/> under
    /// it: the container would silently keep that one. The same backend registering the name again
    /// is the same cache, configured twice.
    /// </summary>
    /// <typeparam name="TCache">The registering backend's cache type.</typeparam>
    /// <exception cref="InvalidOperationException">Another backend's cache has the name.</exception>
    public static void ThrowIfTakenByAnotherBackend<TCache>(IServiceCollection services, string name)
        where TCache : ICache
    {
        bool taken = services.Any(d => d.IsKeyedService && Equals(d.ServiceKey, name) && d.ServiceType == typeof(ICache));
        bool ours = services.Any(d => d.IsKeyedService && Equals(d.ServiceKey, name) && d.ServiceType == typeof(TCache));
        if (taken && !ours)
        {
            throw new InvalidOperationException($"A cache named '{name}' is already registered by another backend; give each cache its own name.");
        }
    }
}
