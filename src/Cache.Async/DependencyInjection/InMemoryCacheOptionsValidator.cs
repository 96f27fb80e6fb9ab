using Microsoft.Extensions.Options;

namespace Cache.Async.DependencyInjection;

/// <summary>
/// Validates <see cref="InMemoryCacheOptions"/> by the cache constructor's own rules, so that a bad
/// value (from configuration, say) fails with an <see cref="OptionsValidationException"/> naming the
/// option when the options are first read, or when the host starts, instead of deep in a request.
/// </summary>
internal sealed class InMemoryCacheOptionsValidator : IValidateOptions<InMemoryCacheOptions>
{
    public ValidateOptionsResult Validate(string? name, InMemoryCacheOptions options)
    {
        try
        {
            _ = options.Checked();
            return ValidateOptionsResult.Success;
        }
        catch (ArgumentException invalid)
        {
            return ValidateOptionsResult.Fail($"InMemoryCacheOptions '{name}': {invalid.Message}");
        }
    }
}
