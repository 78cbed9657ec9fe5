using Polly;

namespace Nygard.Resilience.Registry;

/// <summary>Counts the calls of one breaker whose options the registry prepared (<c>AddNygardBreaker(context)</c>, HttpClient handlers).</summary>
internal sealed class CallCountingListener(NygardBreakerRegistry registry, RegisteredBreaker breaker) : INygardBreakerListener
{
    public NygardBreakerRegistry Registry { get; } = registry;

    public ValueTask OnSuccessAsync(ResilienceContext context)
    {
        Registry.CountCall(breaker, NygardBreakerCallOutcome.Success);
        return default;
    }

    public ValueTask OnFailureAsync(ResilienceContext context, Outcome<object> outcome)
    {
        Registry.CountCall(breaker, NygardBreakerCallOutcome.Failure);
        return default;
    }
}
