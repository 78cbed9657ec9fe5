using Microsoft.Extensions.Options;

namespace Nygard.Resilience.Validation;

/// <summary>Validates <see cref="NygardBreakerStrategyOptions"/> by their data annotations, generated at compile time (no reflection).</summary>
[OptionsValidator]
internal sealed partial class NygardBreakerOptionsValidator : IValidateOptions<NygardBreakerStrategyOptions>
{
}
