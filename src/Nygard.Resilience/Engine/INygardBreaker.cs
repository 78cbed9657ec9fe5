using Nygard.Resilience.StateMachine;

namespace Nygard.Resilience.Engine;

/// <summary>What the state provider and the manual control need of a built breaker, whatever its result type.</summary>
internal interface INygardBreaker
{
    NygardBreakerId Id { get; }

    BreakerPolicy Policy { get; }

    INygardBreakerStateStore Store { get; }

    bool IsStoreAvailable { get; }

    bool IsDisposed { get; }

    NygardBreakerSnapshot Snapshot { get; }

    TimeProvider TimeProvider { get; }

    /// <summary>Gets a task that completes at the next transition.</summary>
    Task NextTransition { get; }

    NygardBreakerCallCounter? CallCounter { get; set; }

    DateTimeOffset GetUtcNow();

    ValueTask ApplyManualAsync(ManualCommand command, CancellationToken cancellationToken);
}
