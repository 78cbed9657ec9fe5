namespace Nygard.Resilience;

/// <summary>
/// Options of the consecutive-failure circuit breaker for the non-generic <c>ResiliencePipelineBuilder</c>.
/// </summary>
public class NygardBreakerStrategyOptions : NygardBreakerStrategyOptions<object>
{
}
