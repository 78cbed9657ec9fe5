using Microsoft.Extensions.Options;

namespace Nygard.Resilience.Redis.Options;

/// <summary>Validates <see cref="RedisNygardBreakerStateStoreOptions"/> by its data annotations, without reflection.</summary>
[OptionsValidator]
internal sealed partial class RedisNygardBreakerStateStoreOptionsValidator : IValidateOptions<RedisNygardBreakerStateStoreOptions>
{
    private static readonly RedisNygardBreakerStateStoreOptionsValidator Instance = new();

    /// <summary>Throws <see cref="ArgumentException"/> naming every invalid option.</summary>
    /// <param name="options">The options.</param>
    public static void ThrowIfInvalid(RedisNygardBreakerStateStoreOptions options)
    {
        var result = Instance.Validate(null, options);
        if (result.Failed)
        {
            throw new ArgumentException($"Invalid {nameof(RedisNygardBreakerStateStoreOptions)}: {result.FailureMessage}", nameof(options));
        }
    }
}
