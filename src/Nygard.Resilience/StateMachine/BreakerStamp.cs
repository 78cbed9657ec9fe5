using Polly.CircuitBreaker;

namespace Nygard.Resilience.StateMachine;

/// <summary>
/// The part of a <see cref="BreakerState"/> that the clean path and rejections read without a lock, packed in one
/// word that a store publishes with a single write: the circuit state, whether any failure is counted, and the circuit
/// period. A stamp that cannot say (<see cref="IsBusy"/>: a store in the middle of a change, or a period number too
/// large to pack) sends the caller to the full state.
/// </summary>
/// <param name="Value">The packed word.</param>
internal readonly record struct BreakerStamp(long Value)
{
    private const int StateBits = 2;
    private const long NoFailuresFlag = 1L << StateBits;
    private const int GenerationShift = StateBits + 1;
    private const long MaxGeneration = long.MaxValue >> GenerationShift;

    /// <summary>Gets the stamp of a state that cannot be read from a stamp.</summary>
    public static BreakerStamp Busy { get; } = new(-1);

    /// <summary>Gets a value indicating whether this stamp says nothing, and the caller must read the full state.</summary>
    public bool IsBusy => Value < 0;

    /// <summary>Gets the circuit state (only meaningful unless <see cref="IsBusy"/>).</summary>
    public CircuitState State => (CircuitState)(Value & ((1 << StateBits) - 1));

    /// <summary>Gets a value indicating whether no failure is counted.</summary>
    public bool HasNoFailures => (Value & NoFailuresFlag) != 0;

    /// <summary>Gets the circuit period.</summary>
    public long Generation => Value >> GenerationShift;

    /// <summary>Packs <paramref name="state"/>.</summary>
    public static BreakerStamp Of(in BreakerState state) =>
        (ulong)state.Generation > MaxGeneration
            ? Busy
            : new((state.Generation << GenerationShift) | (state.FailureCount == 0 ? NoFailuresFlag : 0) | (long)state.State);
}
