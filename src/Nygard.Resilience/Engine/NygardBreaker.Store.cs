using Nygard.Resilience.StateMachine;
using Polly;
using Polly.CircuitBreaker;

namespace Nygard.Resilience.Engine;

/// <summary>The breaker's side of the store seam: how it reads the state, the one store step every change goes through, and what the store tells the breaker.</summary>
internal sealed partial class NygardBreaker<TResult>
{
    /// <summary>
    /// How often one step tries a store that keeps refusing with newer snapshots before giving up: a safety net against
    /// a misbehaving store. Each refusal means another writer got through, so contended stores never come near it.
    /// </summary>
    private const int MaxStoreAttempts = 1_000;

    /// <summary>
    /// Gets the stamp of the store's state, which the clean path reads: the in-memory store's through its sealed type,
    /// which spares a virtual call on every call; a remote store's from its snapshot by reference, since a copy of the
    /// state in the clean path's frame would be zeroed on every call.
    /// </summary>
    internal BreakerStamp Stamp => _inMemoryStore is not null ? _inMemoryStore.Stamp : BreakerStamp.Of(_store.Current.Value);

    /// <summary>Reads the stamp and the break end as one pair.</summary>
    private BreakerStamp ReadStamp(out long openUntil)
    {
        if (_inMemoryStore is not null)
        {
            return _inMemoryStore.ReadStamp(out openUntil);
        }

        ref readonly var remote = ref _store.Current.Value;
        openUntil = remote.OpenUntilUtcTicks;
        return BreakerStamp.Of(remote);
    }

    /// <summary>Reads the store's whole state, which every change is decided on, and what the store will compare.</summary>
    private BreakerState Read(out Expected expected)
    {
        if (_inMemoryStore is not null)
        {
            var state = _inMemoryStore.ReadState();
            expected = new Expected(state.Version, state.Generation, null);
            return state;
        }

        var snapshot = _store.Current;
        expected = new Expected(snapshot.Version, snapshot.Generation, snapshot);
        return snapshot.Value;
    }

    void INygardBreakerStateObserver.OnChanged(NygardBreakerSnapshot previous, NygardBreakerSnapshot current, object? cause) =>
        OnChanged(previous.Value, current.Value, cause, previous, current);

    void IBreakerStateObserver.OnChanged(in BreakerState previous, in BreakerState current, object? cause) =>
        OnChanged(previous, current, cause, previousSnapshot: null, currentSnapshot: null);

    /// <summary>Learns of a change of the store's state; a remote store's snapshots of it are handed on to the events.</summary>
    private void OnChanged(in BreakerState previous, in BreakerState current, object? cause, NygardBreakerSnapshot? previousSnapshot, NygardBreakerSnapshot? currentSnapshot)
    {
        if (current.Generation == previous.Generation)
        {
            return;
        }

        var own = cause is TransitionCause call && ReferenceEquals(call.Owner, this) ? call : null;
        _rejections.OnTransition(current.State, own);
        _transitions.Enqueue(previous, current, own as TransitionCause<TResult>, previousSnapshot, currentSnapshot);
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
    private TransitionCause? CauseOf<TCall>(in BreakerState next, Outcome<TCall>? outcome, ResilienceContext context)
    {
        if (_transitions.IsObserved)
        {
            return new TransitionCause<TResult>(this, context, outcome is { } made ? OutcomeConverter<TResult>.Convert(made) : null, outcome?.Exception, next.Generation);
        }

        return next.State == CircuitState.Open && outcome?.Exception is { } exception
            ? new TransitionCause(this, exception, next.Generation)
            : null;
    }

    /// <summary>
    /// Swaps <paramref name="next"/> in for the state it was decided on and raises the events of a transition it makes.
    /// Returns <see langword="true"/> when the step is done: stored, nothing to store, or a store that refused without
    /// knowing anything newer (or kept refusing), which the caller does not wait on; <see langword="false"/> to decide
    /// again on the newer state the store now holds.
    /// </summary>
    private ValueTask<bool> TryStoreAsync<TCall>(in BreakerState next, in Expected expected, Outcome<TCall>? outcome, ResilienceContext context, int attempt)
    {
        if (next.Version == expected.Version)
        {
            return new ValueTask<bool>(true);
        }

        var cause = next.Generation == expected.Generation ? null : CauseOf(next, outcome, context);
        return _inMemoryStore is not null
            ? Stored(_inMemoryStore.TryReplace(expected.Version, next, cause), expected, attempt)
            : TryStoreRemotelyAsync(next, expected, cause, attempt);
    }

    /// <summary>Swaps a state into a remote store, which swaps only snapshots it knows: the one it was decided on.</summary>
    private ValueTask<bool> TryStoreRemotelyAsync(in BreakerState next, in Expected expected, TransitionCause? cause, int attempt)
    {
        var replacing = _store.TryReplaceAsync(expected.Snapshot!, new NygardBreakerSnapshot(next), cause, CancellationToken.None);
        // Stryker disable once Conditional : ending a completed swap through the async frame decides the same (the condition only spares the frame); that a swap completing later never holds the caller up is shown by LateStoreTests.
        return replacing.IsCompletedSuccessfully ? Stored(replacing.Result, expected, attempt) : StoredAsync(replacing, expected, attempt);
    }

    /// <summary>Ends a store step whose swap completed at once (the in-memory store's always does) without an async frame.</summary>
    private ValueTask<bool> Stored(bool replaced, in Expected expected, int attempt)
    {
        if (!replaced)
        {
            return new ValueTask<bool>(StillHolds(expected) || attempt >= MaxStoreAttempts);
        }

        var raising = _transitions.RaiseOwnAsync();
        return raising.IsCompletedSuccessfully ? new ValueTask<bool>(true) : RaisedAsync(raising);
    }

    /// <summary>
    /// Tells whether the store still holds what a refused change was decided on, so it knows nothing newer. The in-memory
    /// store refuses only when its version moved on; a remote store may refuse without knowing anything newer.
    /// </summary>
    private bool StillHolds(in Expected expected) => expected.Snapshot is { } snapshot && ReferenceEquals(_store.Current, snapshot);

    private async ValueTask<bool> StoredAsync(ValueTask<bool> replacing, Expected expected, int attempt) =>
        await Stored(await replacing.ConfigureAwait(false), expected, attempt).ConfigureAwait(false);

    private static async ValueTask<bool> RaisedAsync(ValueTask raising)
    {
        await raising.ConfigureAwait(false);
        return true;
    }
}
