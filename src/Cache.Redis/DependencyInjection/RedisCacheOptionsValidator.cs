using Microsoft.Extensions.Options;

namespace Cache.Redis.DependencyInjection;

/// <summary>
/// Validates <see cref="RedisCacheOptions"/> by the cache constructor's own rules, so that a bad
/// value fails with an <see cref="OptionsValidationException"/> naming the option when the options
/// are first read, or when the host starts, instead of on the first request.
/// </summary>
internal sealed class RedisCacheOptionsValidator : IValidateOptions<RedisCacheOptions>
{
    public ValidateOptionsResult Validate(string? name, RedisCacheOptions options)
    {
        try
        {
            options.ThrowIfInvalid(needsConfiguration: true);
            return ValidateOptionsResult.Success;
        }
        catch (ArgumentException invalid)
        {
            return ValidateOptionsResult.Fail($"RedisCacheOptions '{name}': {invalid.Message}");
        }
    }
}
