using Polly;
using Polly.CircuitBreaker;

namespace Nygard.Resilience.Strategy;

/// <summary>
/// The breaker as a strategy of the non-generic <see cref="ResiliencePipelineBuilder"/>. Being non-generic spares
/// every call Polly's conversion of outcomes to <see cref="object"/>; the breaker converts only when an event or a
/// custom predicate needs it.
/// </summary>
internal sealed class NygardBreakerResilienceStrategy(NygardBreaker<object> breaker) : ResilienceStrategy, IDisposable
{
    private readonly INygardBreakerStateStore _store = breaker.Store;

    public void Dispose() => breaker.Dispose();

    protected override ValueTask<Outcome<TResult>> ExecuteCore<TResult, TState>(
        Func<ResilienceContext, TState, ValueTask<Outcome<TResult>>> callback,
        ResilienceContext context,
        TState state)
    {
        // The breaker's clean path again, inlined: the call from Polly's generic virtual dispatch into the breaker's
        // shared generic code costs a few nanoseconds, measurable against the empty pipeline (ClosedSuccessBenchmarks).
        // Every other path leaves through one of the breaker's methods that are not inlined, which keeps this
        // method's stack frame small (its prologue zeroes whatever struct temporaries the frame holds).
        var store = _store;
        if (!breaker.CleanPathEligible || store.Current is not { State: CircuitState.Closed } snapshot)
        {
            return breaker.ExecuteUncleanAsync(callback, context, state, ObjectOutcome<TResult>.Convert);
        }

        ValueTask<Outcome<TResult>> pending;
        try
        {
            pending = callback(context, state);
        }
        catch (Exception e)
        {
            return breaker.RecordThrownAndRethrowAsync<TResult>(context, snapshot.Generation, e);
        }

        if (!pending.IsCompletedSuccessfully)
        {
            return breaker.CompleteClosedAsync(pending, context, snapshot.Generation, ObjectOutcome<TResult>.Convert);
        }

        var outcome = pending.Result;
        return outcome.Exception is null && snapshot.FailureCount == 0 && ReferenceEquals(store.Current, snapshot)
            ? new ValueTask<Outcome<TResult>>(outcome)
            : breaker.CompleteClosedAsync(outcome, context, snapshot.Generation, ObjectOutcome<TResult>.Convert);
    }
}
