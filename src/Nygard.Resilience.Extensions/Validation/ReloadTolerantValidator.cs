using System.Collections.Concurrent;
using Microsoft.Extensions.Options;
using Nygard.Resilience.Logging;

namespace Nygard.Resilience.Validation;

/// <summary>
/// Validates named breaker options with a generated validator. Until a name has once been valid, a failure fails
/// (start-up with <c>ValidateOnStart</c>, or the first use). After that, a failure comes from a reload: it is logged as
/// an error and let through to the options monitor, which would otherwise throw from the configuration's change
/// callback; <c>AddNygardBreaker</c> then refuses the invalid options, so Polly keeps the pipeline built from the last
/// valid ones.
/// </summary>
internal sealed class ReloadTolerantValidator<TOptions, TValidator>(NygardBreakerRegistry registry) : IValidateOptions<TOptions>
    where TOptions : class
    where TValidator : IValidateOptions<TOptions>, new()
{
    private readonly TValidator _inner = new();

    private readonly ConcurrentDictionary<string, bool> _validOnce = new(StringComparer.Ordinal);

    public ValidateOptionsResult Validate(string? name, TOptions options)
    {
        var result = _inner.Validate(name, options);
        var key = name ?? string.Empty;
        if (!result.Failed)
        {
            _validOnce[key] = true;
            return result;
        }

        if (!_validOnce.ContainsKey(key))
        {
            return result;
        }

        NygardBreakerLog.OptionsRejected(registry.Logger, key, typeof(TOptions).Name, result.FailureMessage);
        return ValidateOptionsResult.Skip;
    }
}
