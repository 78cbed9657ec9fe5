using System.Collections.Immutable;
using Nygard.Resilience.StateMachine;
using Polly.CircuitBreaker;

namespace Nygard.Resilience;

/// <summary>
/// An immutable picture of one breaker's shared state, as kept by an <see cref="INygardBreakerStateStore"/>.
/// </summary>
/// <remarks>
/// Snapshots are produced by the breaker's state machine; a store only keeps the latest one and replaces it
/// atomically. <see cref="Version"/> rises on every change, <see cref="Generation"/> on every transition
/// between states (a "circuit period").
/// </remarks>
public sealed class NygardBreakerSnapshot
{
    /// <summary>What <see cref="OpenUntilUtcTicks"/> holds when there is no break end.</summary>
    internal const long NoTime = -1;

    // Times are kept as UTC ticks and the state as a byte: a snapshot is allocated on every change, and both keep it small.
    private readonly long _openUntilUtcTicks;
    private readonly long _transitionedAtUtcTicks;
    private readonly byte _state;

    /// <summary>
    /// Gets the snapshot every breaker starts from: closed, no failures, generation and version 0.
    /// </summary>
    public static NygardBreakerSnapshot Initial { get; } = new(
        CircuitState.Closed,
        failureCount: 0,
        probeSuccesses: 0,
        failedProbes: 0,
        probeLeases: ImmutableArray<DateTimeOffset>.Empty,
        openUntil: null,
        transitionedAt: DateTimeOffset.MinValue,
        isManual: false,
        generation: 0,
        version: 0);

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
    {
        _state = (uint)state <= (uint)CircuitState.Isolated
            ? (byte)state
            : throw new ArgumentOutOfRangeException(nameof(state), state, "Not a circuit state.");
        FailureCount = failureCount;
        ProbeSuccesses = probeSuccesses;
        FailedProbes = failedProbes;
        ProbeLeases = probeLeases.IsDefault ? ImmutableArray<DateTimeOffset>.Empty : probeLeases;
        _openUntilUtcTicks = openUntil?.UtcTicks ?? NoTime;
        _transitionedAtUtcTicks = transitionedAt.UtcTicks;
        IsManual = isManual;
        Generation = generation;
        Version = version;
    }

    /// <summary>Gets the circuit state.</summary>
    public CircuitState State => (CircuitState)_state;

    /// <summary>Gets the number of consecutive handled failures.</summary>
    public int FailureCount { get; }

    /// <summary>Gets the number of consecutive successful probes in the current half-open period.</summary>
    public int ProbeSuccesses { get; }

    /// <summary>Gets the number of consecutive failed probes since the breaker last closed.</summary>
    public int FailedProbes { get; }

    /// <summary>Gets the lease expiry of every probe in flight.</summary>
    public ImmutableArray<DateTimeOffset> ProbeLeases { get; }

    /// <summary>Gets when the break ends, or <see langword="null"/> unless the state is <see cref="CircuitState.Open"/>.</summary>
    public DateTimeOffset? OpenUntil => _openUntilUtcTicks == NoTime ? null : new DateTimeOffset(_openUntilUtcTicks, TimeSpan.Zero);

    /// <summary>Gets when the break ends as UTC ticks, or <see cref="NoTime"/>: what the state machine compares without building a <see cref="DateTimeOffset"/>.</summary>
    internal long OpenUntilUtcTicks => _openUntilUtcTicks;

    /// <summary>Gets when the current circuit period began.</summary>
    public DateTimeOffset TransitionedAt => new(_transitionedAtUtcTicks, TimeSpan.Zero);

    /// <summary>Gets a value indicating whether the transition that began the current period was manual.</summary>
    public bool IsManual { get; }

    /// <summary>Gets the circuit period's number, which rises on every transition.</summary>
    public long Generation { get; }

    /// <summary>Gets the snapshot's number, which rises on every change.</summary>
    public long Version { get; }

    /// <summary>Returns the time left until the break ends, never negative; <see langword="null"/> unless the state is <see cref="CircuitState.Open"/>.</summary>
    /// <param name="now">The time on the breaker's clock.</param>
    /// <returns>The time left, or <see langword="null"/>.</returns>
    public TimeSpan? GetRetryAfter(DateTimeOffset now) => BreakerStateMachine.RetryAfter(this, now);

    /// <inheritdoc/>
    public override string ToString() =>
        $"{State} failures={FailureCount} probes={ProbeLeases.Length} probeSuccesses={ProbeSuccesses} failedProbes={FailedProbes} " +
        $"openUntil={OpenUntil?.ToString("O", System.Globalization.CultureInfo.InvariantCulture) ?? "-"} gen={Generation} v={Version}";
}
