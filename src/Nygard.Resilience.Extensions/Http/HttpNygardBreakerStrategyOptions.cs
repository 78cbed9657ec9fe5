using Microsoft.Extensions.Http.Resilience;

namespace Nygard.Resilience;

/// <summary>
/// Options of the consecutive-failure circuit breaker in an <c>HttpClient</c> resilience handler. The default
/// <see cref="NygardBreakerStrategyOptions{TResult}.ShouldHandle"/> handles transient HTTP failures
/// (<see cref="HttpClientResiliencePredicates.IsTransient(Polly.Outcome{HttpResponseMessage})"/>: 5xx, 408, 429 and transport errors).
/// </summary>
public class HttpNygardBreakerStrategyOptions : NygardBreakerStrategyOptions<HttpResponseMessage>
{
    /// <summary>
    /// Initializes a new instance of the <see cref="HttpNygardBreakerStrategyOptions"/> class.
    /// </summary>
    public HttpNygardBreakerStrategyOptions()
    {
        ShouldHandle = static args => new ValueTask<bool>(HttpClientResiliencePredicates.IsTransient(args.Outcome));
    }
}
