using Nygard.Resilience.Engine;
using Polly;

namespace Nygard.Resilience.Strategy;

/// <summary>The breaker as a strategy of <see cref="ResiliencePipelineBuilder{TResult}"/>.</summary>
internal sealed class NygardBreakerResilienceStrategy<TResult>(NygardBreaker<TResult> breaker) : ResilienceStrategy<TResult>, IDisposable
{
    public void Dispose() => breaker.Dispose();

    protected override ValueTask<Outcome<TResult>> ExecuteCore<TState>(
        Func<ResilienceContext, TState, ValueTask<Outcome<TResult>>> callback,
        ResilienceContext context,
        TState state) =>
        breaker.ExecuteAsync(callback, context, state);
}
