using Microsoft.Extensions.Options;

namespace Cache.Memcached.DependencyInjection;

/// <summary>Checks <see cref="MemcachedCacheOptions"/> at start-up, with the constructor's own rules.</summary>
internal sealed class MemcachedCacheOptionsValidator : IValidateOptions<MemcachedCacheOptions>
{
    public ValidateOptionsResult Validate(string? name, MemcachedCacheOptions options)
    {
        try
        {
            _ = options.ThrowIfInvalid();
            return ValidateOptionsResult.Success;
        }
        catch (ArgumentException invalid)
        {
            return ValidateOptionsResult.Fail($"MemcachedCacheOptions '{name}': {invalid.Message}");
        }
    }
}
