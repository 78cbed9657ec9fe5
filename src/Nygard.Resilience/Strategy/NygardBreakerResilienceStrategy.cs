using Nygard.Resilience.Engine;
using Nygard.Resilience.StateMachine;
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
        TState state)
    {
        // The breaker's clean path (NygardBreaker.ExecuteAsync) written again here on purpose: calling it from Polly's
        // generic virtual dispatch goes through shared generic code, which measurably costs the closed-success
        // benchmark its place at Polly's floor (docs/performance.md). Every other path is the breaker's own. A change to
        // one copy (what it checks, what it counts) is a change to both.
        var stamp = breaker.Stamp;
        if (!breaker.CleanPathEligible || !BreakerStateMachine.AdmitsFreely(stamp))
        {
            return breaker.ExecuteUncleanAsync(callback, context, state);
        }

        ValueTask<Outcome<TResult>> pending;
        try
        {
            pending = callback(context, state);
        }
        catch (Exception e)
        {
            return breaker.RecordThrownAndRethrowAsync<TResult>(new CallTicket(stamp.Generation, null), e, context);
        }

        if (!pending.IsCompletedSuccessfully)
        {
            return breaker.CompleteAsync(pending, new CallTicket(stamp.Generation, null), context);
        }

        var outcome = pending.Result;
        if (outcome.Exception is null && BreakerStateMachine.IsCleanSuccess(stamp) && breaker.Stamp == stamp)
        {
            breaker.CountCleanSuccess();
            return new ValueTask<Outcome<TResult>>(outcome);
        }

        return breaker.CompleteAsync(new ValueTask<Outcome<TResult>>(outcome), new CallTicket(stamp.Generation, null), context);
    }
}
