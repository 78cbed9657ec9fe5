using Polly;
using Polly.CircuitBreaker;

namespace Nygard.Resilience.Engine;

/// <summary>The breaker's side of the store seam: the one store step every change goes through, and what the store tells the breaker.</summary>
internal sealed partial class NygardBreaker<TResult>
{
    /// <summary>
    /// How often one step tries a store that keeps refusing with newer snapshots before giving up: a safety net against
    /// a misbehaving store. Each refusal means another writer got through, so contended stores never come near it.
    /// </summary>
    private const int MaxStoreAttempts = 1_000;

    void INygardBreakerStateObserver.OnChanged(NygardBreakerSnapshot previous, NygardBreakerSnapshot current, object? cause)
    {
        if (current.Generation == previous.Generation)
        {
            return;
        }

        var own = cause is TransitionCause<TResult> call && ReferenceEquals(call.Owner, this) ? call : null;
        _rejections.OnTransition(current, own);
        _transitions.Enqueue(previous, current, own);
    }

    void INygardBreakerStateObserver.OnStoreAvailabilityChanged(bool isAvailable, Exception? exception)
    {
        Volatile.Write(ref _storeUnavailable, isAvailable ? 0 : 1);
        _telemetry.ReportStoreAvailability(isAvailable, exception);
    }

    void INygardBreakerStateObserver.OnStoreProblem(Exception problem) => _telemetry.ReportStoreProblem(problem);

    /// <summary>
    /// Names the call that makes the transition to <paramref name="next"/>. Unless someone observes transitions, only a
    /// trip needs it (the exception that opened the breaker, for rejections), and the outcome is not converted.
    /// </summary>
    private TransitionCause<TResult>? CauseOf<TCall>(NygardBreakerSnapshot next, Outcome<TCall>? outcome, ResilienceContext context)
    {
        if (_transitions.IsObserved)
        {
            return new TransitionCause<TResult>(this, context, outcome is { } made ? OutcomeConverter<TResult>.Convert(made) : null, outcome?.Exception, next.Generation);
        }

        return next.State == CircuitState.Open && outcome?.Exception is { } exception
            ? new TransitionCause<TResult>(this, context, Outcome: null, exception, next.Generation)
            : null;
    }

    /// <summary>
    /// Swaps <paramref name="next"/> in for <paramref name="snapshot"/> and raises the events of a transition it makes.
    /// Returns <see langword="true"/> when the step is done: stored, nothing to store, or a store that refused without
    /// knowing anything newer (or kept refusing), which the caller does not wait on; <see langword="false"/> to decide
    /// again on the newer snapshot the store now holds.
    /// </summary>
    private ValueTask<bool> TryStoreAsync<TCall>(NygardBreakerSnapshot snapshot, NygardBreakerSnapshot next, Outcome<TCall>? outcome, ResilienceContext context, int attempt)
    {
        if (ReferenceEquals(next, snapshot))
        {
            return new ValueTask<bool>(true);
        }

        var cause = next.Generation == snapshot.Generation ? null : CauseOf(next, outcome, context);
        var replacing = _store.TryReplaceAsync(snapshot, next, cause, CancellationToken.None);
        return replacing.IsCompletedSuccessfully ? Stored(replacing.Result, snapshot, attempt) : StoredAsync(replacing, snapshot, attempt);
    }

    /// <summary>Ends a store step whose swap completed at once (the in-memory store's always does) without an async frame.</summary>
    private ValueTask<bool> Stored(bool replaced, NygardBreakerSnapshot snapshot, int attempt)
    {
        if (!replaced)
        {
            return new ValueTask<bool>(ReferenceEquals(Snapshot, snapshot) || attempt >= MaxStoreAttempts);
        }

        var raising = _transitions.RaiseOwnAsync();
        return raising.IsCompletedSuccessfully ? new ValueTask<bool>(true) : RaisedAsync(raising);
    }

    private async ValueTask<bool> StoredAsync(ValueTask<bool> replacing, NygardBreakerSnapshot snapshot, int attempt) =>
        await Stored(await replacing.ConfigureAwait(false), snapshot, attempt).ConfigureAwait(false);

    private static async ValueTask<bool> RaisedAsync(ValueTask raising)
    {
        await raising.ConfigureAwait(false);
        return true;
    }
}
