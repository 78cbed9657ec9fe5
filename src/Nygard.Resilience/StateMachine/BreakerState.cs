using System.Collections.Immutable;
using System.Runtime.InteropServices;
using Polly.CircuitBreaker;

namespace Nygard.Resilience.StateMachine;

/// <summary>
/// One breaker's state as a value: what the state machine decides on, what the in-memory store keeps under its lock,
/// and what a <see cref="NygardBreakerSnapshot"/> holds. Being a value, a change allocates nothing; a snapshot is made
/// only when someone asks for one.
/// </summary>
/// <remarks>
/// The state machine changes the caller's copy in place rather than return new states: every copy of a struct this size
/// that holds a reference is a stack slot the JIT zeroes on entry and a copy made with write barriers, and a handful of
/// them per step cost more than the change itself. Everything else treats a state as a value that does not change.
/// </remarks>
/// <param name="State">The circuit state.</param>
/// <param name="FailureCount">Consecutive handled failures.</param>
/// <param name="ProbeSuccesses">Consecutive successful probes in the current half-open period.</param>
/// <param name="FailedProbes">Consecutive failed probes since the breaker last closed.</param>
/// <param name="ProbeLeases">The lease expiry of every probe in flight.</param>
/// <param name="OpenUntilUtcTicks">When the break ends as UTC ticks, or <see cref="NoTime"/>.</param>
/// <param name="TransitionedAtUtcTicks">When the current circuit period began, as UTC ticks.</param>
/// <param name="IsManual">Whether the transition that began the current period was manual.</param>
/// <param name="Generation">The circuit period's number; rises on every transition.</param>
/// <param name="Version">The state's number; rises on every change.</param>
[StructLayout(LayoutKind.Auto)]
internal record struct BreakerState(
    CircuitState State,
    int FailureCount,
    int ProbeSuccesses,
    int FailedProbes,
    ImmutableArray<DateTimeOffset> ProbeLeases,
    long OpenUntilUtcTicks,
    long TransitionedAtUtcTicks,
    bool IsManual,
    long Generation,
    long Version)
{
    /// <summary>What <see cref="OpenUntilUtcTicks"/> holds when there is no break end.</summary>
    public const long NoTime = -1;

    /// <summary>Gets the state every breaker starts from: closed, no failures, generation and version 0.</summary>
    public static BreakerState Initial { get; } = new(CircuitState.Closed, 0, 0, 0, [], NoTime, DateTimeOffset.MinValue.UtcTicks, false, 0, 0);

    /// <summary>Gets when the break ends, or <see langword="null"/>.</summary>
    public DateTimeOffset? OpenUntil => OpenUntilUtcTicks == NoTime ? null : new DateTimeOffset(OpenUntilUtcTicks, TimeSpan.Zero);

    /// <summary>Gets when the current circuit period began.</summary>
    public DateTimeOffset TransitionedAt => new(TransitionedAtUtcTicks, TimeSpan.Zero);
}
