using System.Collections.Immutable;
using Nygard.Resilience.StateMachine;
using Polly.CircuitBreaker;

namespace Nygard.Resilience;

/// <summary>
/// An immutable picture of one breaker's shared state, as kept by an <see cref="INygardBreakerStateStore"/>.
/// </summary>
/// <remarks>
/// A snapshot shows a state made by the breaker's state machine; a store keeps the latest and replaces it atomically
/// (the in-memory store keeps the state itself and makes a snapshot only when asked). <see cref="Version"/> rises on
/// every change, <see cref="Generation"/> on every transition between states (a "circuit period").
/// </remarks>
public sealed class NygardBreakerSnapshot
{
    private readonly BreakerState _value;

    /// <summary>
    /// Gets the snapshot every breaker starts from: closed, no failures, generation and version 0.
    /// </summary>
    public static NygardBreakerSnapshot Initial { get; } = new(BreakerState.Initial);

    /// <summary>
    /// Initializes a new instance of the <see cref="NygardBreakerSnapshot"/> class.
    /// </summary>
    /// <param name="state">The circuit state.</param>
    /// <param name="failureCount">Consecutive handled failures; keeps counting through open and half-open.</param>
    /// <param name="probeSuccesses">Consecutive successful probes in the current half-open period.</param>
    /// <param name="failedProbes">Consecutive failed probes since the breaker last closed.</param>
    /// <param name="probeLeases">The lease expiry of every probe in flight (half-open only).</param>
    /// <param name="openUntil">When the break ends; only set while open.</param>
    /// <param name="transitionedAt">When the current circuit period began.</param>
    /// <param name="isManual">Whether the transition that began the current period was manual.</param>
    /// <param name="generation">The circuit period's number; rises on every transition.</param>
    /// <param name="version">The snapshot's number; rises on every change.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="state"/> is not a defined <see cref="CircuitState"/>.</exception>
    public NygardBreakerSnapshot(
        CircuitState state,
        int failureCount,
        int probeSuccesses,
        int failedProbes,
        ImmutableArray<DateTimeOffset> probeLeases,
        DateTimeOffset? openUntil,
        DateTimeOffset transitionedAt,
        bool isManual,
        long generation,
        long version)
        : this(new BreakerState(
            (uint)state <= (uint)CircuitState.Isolated ? state : throw new ArgumentOutOfRangeException(nameof(state), state, "Not a circuit state."),
            failureCount,
            probeSuccesses,
            failedProbes,
            probeLeases.IsDefault ? ImmutableArray<DateTimeOffset>.Empty : probeLeases,
            openUntil?.UtcTicks ?? BreakerState.NoTime,
            transitionedAt.UtcTicks,
            isManual,
            generation,
            version))
    {
    }

    /// <summary>Initializes a new instance of the <see cref="NygardBreakerSnapshot"/> class that shows <paramref name="value"/>.</summary>
    internal NygardBreakerSnapshot(in BreakerState value) => _value = value;

    /// <summary>Gets the state this snapshot shows, as the state machine reads it: by reference, so that reading a part copies nothing else.</summary>
    internal ref readonly BreakerState Value => ref _value;

    /// <summary>Gets the circuit state.</summary>
    public CircuitState State => Value.State;

    /// <summary>Gets the number of consecutive handled failures.</summary>
    public int FailureCount => Value.FailureCount;

    /// <summary>Gets the number of consecutive successful probes in the current half-open period.</summary>
    public int ProbeSuccesses => Value.ProbeSuccesses;

    /// <summary>Gets the number of consecutive failed probes since the breaker last closed.</summary>
    public int FailedProbes => Value.FailedProbes;

    /// <summary>Gets the lease expiry of every probe in flight.</summary>
    public ImmutableArray<DateTimeOffset> ProbeLeases => Value.ProbeLeases;

    /// <summary>Gets when the break ends, or <see langword="null"/> unless the state is <see cref="CircuitState.Open"/>.</summary>
    public DateTimeOffset? OpenUntil => Value.OpenUntil;

    /// <summary>Gets when the current circuit period began.</summary>
    public DateTimeOffset TransitionedAt => Value.TransitionedAt;

    /// <summary>Gets a value indicating whether the transition that began the current period was manual.</summary>
    public bool IsManual => Value.IsManual;

    /// <summary>Gets the circuit period's number, which rises on every transition.</summary>
    public long Generation => Value.Generation;

    /// <summary>Gets the snapshot's number, which rises on every change.</summary>
    public long Version => Value.Version;

    /// <summary>Returns the time left until the break ends, never negative; <see langword="null"/> unless the state is <see cref="CircuitState.Open"/>.</summary>
    /// <param name="now">The time on the breaker's clock.</param>
    /// <returns>The time left, or <see langword="null"/>.</returns>
    public TimeSpan? GetRetryAfter(DateTimeOffset now) => BreakerStateMachine.RetryAfter(Value, now);

    /// <inheritdoc/>
    public override string ToString() =>
        $"{State} failures={FailureCount} probes={ProbeLeases.Length} probeSuccesses={ProbeSuccesses} failedProbes={FailedProbes} " +
        $"openUntil={OpenUntil?.ToString("O", System.Globalization.CultureInfo.InvariantCulture) ?? "-"} gen={Generation} v={Version}";
}
