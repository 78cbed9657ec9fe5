using Nygard.Resilience.StateMachine;
using Nygard.Resilience.Engine;
using Polly.CircuitBreaker;

namespace Nygard.Resilience;

/// <summary>
/// A live handle on one built breaker: which breaker it is, its state, its options and the four manual commands.
/// Every breaker announces its handle once, when its pipeline is built, through Polly telemetry (the
/// <c>OnNygardBreakerBuilt</c> event with <see cref="NygardBreakerBuiltArguments"/>), so that a registry listening to
/// the builder's telemetry knows every breaker however it was declared.
/// </summary>
/// <remarks>An options reload builds the breaker again: the new handle has the same <see cref="Id"/> and store, and the old one is disposed.</remarks>
public sealed class NygardBreakerHandle
{
    private readonly INygardBreaker _breaker;

    internal NygardBreakerHandle(INygardBreaker breaker) => _breaker = breaker;

    /// <summary>Gets which breaker this is.</summary>
    public NygardBreakerId Id => _breaker.Id;

    /// <summary>Gets the breaker's current snapshot, as its store knows it.</summary>
    public NygardBreakerSnapshot Snapshot => _breaker.Snapshot;

    /// <summary>Gets the breaker's state.</summary>
    public CircuitState State => Snapshot.State;

    /// <summary>Gets the number of consecutive handled failures.</summary>
    public int FailureCount => Snapshot.FailureCount;

    /// <summary>Gets when the break ends, or <see langword="null"/> unless the breaker is open.</summary>
    public DateTimeOffset? OpenUntil => Snapshot is { State: CircuitState.Open } snapshot ? snapshot.OpenUntil : null;

    /// <summary>Gets the time left until the break ends (never negative), or <see langword="null"/> unless the breaker is open.</summary>
    public TimeSpan? RetryAfter => Snapshot.GetRetryAfter(_breaker.GetUtcNow());

    /// <summary>Gets when the breaker last changed state, or <see langword="null"/> if it never has.</summary>
    public DateTimeOffset? LastTransitionAt => Snapshot.TransitionedAt == DateTimeOffset.MinValue ? null : Snapshot.TransitionedAt;

    /// <summary>Gets the consecutive handled failures that open the breaker.</summary>
    public int FailureThreshold => _breaker.Policy.FailureThreshold;

    /// <summary>Gets the fixed break duration (a break duration generator may choose others).</summary>
    public TimeSpan BreakDuration => _breaker.Policy.BreakDuration;

    /// <summary>Gets the number of probes admitted at once while half-open.</summary>
    public int HalfOpenPermits => _breaker.Policy.HalfOpenPermits;

    /// <summary>Gets the consecutive successful probes that close the breaker.</summary>
    public int SuccessThreshold => _breaker.Policy.SuccessThreshold;

    /// <summary>Gets the store that keeps the breaker's state.</summary>
    public INygardBreakerStateStore Store => _breaker.Store;

    /// <summary>Gets a value indicating whether the state is kept outside this process's memory (for example in Redis).</summary>
    public bool IsShared => _breaker.Store is not InMemoryNygardBreakerStateStore;

    /// <summary>Gets a value indicating whether the store last reported its backend as reachable (always true for the in-memory store).</summary>
    public bool IsStoreAvailable => _breaker.IsStoreAvailable;

    /// <summary>Gets a value indicating whether the breaker's pipeline was disposed (for example replaced by an options reload).</summary>
    public bool IsDisposed => _breaker.IsDisposed;

    /// <summary>
    /// Gets or sets the counter that counts this breaker's calls by outcome: successes, failures, rejections, and calls
    /// whose outcome counted neither way (cancelled by the caller, or a <c>ShouldHandle</c> that threw). <see langword="null"/>
    /// (the default) counts nothing. One counter may be given to several breakers (for example the old and the new
    /// breaker of an options reload), which then add to the same totals. The registry of
    /// <c>Nygard.Resilience.Extensions</c> gives every breaker it knows a counter: read that one rather than replacing it.
    /// </summary>
    public NygardBreakerCallCounter? CallCounter
    {
        get => _breaker.CallCounter;
        set => _breaker.CallCounter = value;
    }

    /// <summary>Returns the breaker's clock: the store's time for a shared breaker.</summary>
    /// <returns>The current time on the breaker's clock.</returns>
    public DateTimeOffset GetUtcNow() => _breaker.GetUtcNow();

    /// <summary>Opens the breaker now, for its break duration.</summary>
    /// <param name="cancellationToken">The cancellation token.</param>
    /// <returns>A task that completes when the breaker is open.</returns>
    public Task OpenAsync(CancellationToken cancellationToken = default) => _breaker.ApplyManualAsync(ManualCommand.Open, cancellationToken).AsTask();

    /// <summary>Half-opens the breaker: the next calls run as probes.</summary>
    /// <param name="cancellationToken">The cancellation token.</param>
    /// <returns>A task that completes when the breaker is half-open.</returns>
    public Task HalfOpenAsync(CancellationToken cancellationToken = default) => _breaker.ApplyManualAsync(ManualCommand.HalfOpen, cancellationToken).AsTask();

    /// <summary>Closes the breaker and resets its counts.</summary>
    /// <param name="cancellationToken">The cancellation token.</param>
    /// <returns>A task that completes when the breaker is closed.</returns>
    public Task CloseAsync(CancellationToken cancellationToken = default) => _breaker.ApplyManualAsync(ManualCommand.Close, cancellationToken).AsTask();

    /// <summary>Isolates the breaker: every call is rejected until <see cref="CloseAsync"/>.</summary>
    /// <param name="cancellationToken">The cancellation token.</param>
    /// <returns>A task that completes when the breaker is isolated.</returns>
    public Task IsolateAsync(CancellationToken cancellationToken = default) => _breaker.ApplyManualAsync(ManualCommand.Isolate, cancellationToken).AsTask();

    /// <inheritdoc/>
    public override string ToString() => $"{Id}: {Snapshot}";
}
