using Nygard.Resilience.Engine;
using Polly;

namespace Nygard.Resilience.Strategy;

/// <summary>
/// The breaker as a strategy of the non-generic <see cref="ResiliencePipelineBuilder"/>. Being non-generic spares
/// every call Polly's conversion of outcomes to <see cref="object"/>; the breaker converts only when an event or a
/// custom predicate needs it.
/// </summary>
internal sealed class NygardBreakerResilienceStrategy(NygardBreaker<object> breaker) : ResilienceStrategy, IDisposable
{
    public void Dispose() => breaker.Dispose();

    protected override ValueTask<Outcome<TResult>> ExecuteCore<TResult, TState>(
        Func<ResilienceContext, TState, ValueTask<Outcome<TResult>>> callback,
        ResilienceContext context,
        TState state) =>
        breaker.ExecuteAsync(callback, context, state);
}
