using Nygard.Resilience.StateMachine;
using Polly;

namespace Nygard.Resilience.Engine;

/// <summary>What the state provider, the manual control and the handle ask of a breaker (<see cref="INygardBreaker"/>), and its disposal.</summary>
internal sealed partial class NygardBreaker<TResult>
{
    public NygardBreakerId Id { get; }

    public BreakerPolicy Policy { get; }

    public INygardBreakerStateStore Store => _store;

    public TimeProvider TimeProvider => _clock.Local;

    public bool IsStoreAvailable => Volatile.Read(ref _storeUnavailable) == 0;

    public bool IsDisposed => Volatile.Read(ref _disposed) != 0;

    /// <summary>Gets the store's snapshot, for those who query the breaker; calls read <see cref="Stamp"/> or the whole state.</summary>
    public NygardBreakerSnapshot Snapshot => _store.Current;

    public Task NextTransition => _transitions.NextTransition;

    public NygardBreakerCallCounter? CallCounter
    {
        get => Volatile.Read(ref _callCounter);
        set => Volatile.Write(ref _callCounter, value);
    }

    public DateTimeOffset GetUtcNow() => _clock.Now;

    public void Dispose()
    {
        // Stryker disable once Block,Statement : disposing again would repeat idempotent steps only (each subscription and registration removes by reference once; Detach clears only this breaker), so no test can tell.
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        _subscription.Dispose();
        _manualControlRegistration?.Dispose();
        _stateProvider?.Detach(this);
    }

    public async ValueTask ApplyManualAsync(ManualCommand command, CancellationToken cancellationToken)
    {
        var context = ResilienceContextPool.Shared.Get(cancellationToken);
        try
        {
            for (var attempt = 1; ; attempt++)
            {
                var next = Read(out var expected);
                BreakerStateMachine.Manual(ref next, command, _clock.Now, Policy.BreakDuration);
                if (await TryStoreAsync(next, expected, default(Outcome<TResult>?), context, attempt).ConfigureAwait(false))
                {
                    return;
                }
            }
        }
        // Stryker disable once Block,Statement : returning the context to Polly's shared pool only lets a later Get reuse it; a context not returned is collected, and the pool is process-wide, so no test can tell which instance a later Get hands out.
        finally
        {
            ResilienceContextPool.Shared.Return(context);
        }
    }
}
