using Polly.CircuitBreaker;

namespace Nygard.Resilience;

/// <summary>A transition of a registered breaker, as <see cref="NygardBreakerRegistry.Transitioned"/> reports it.</summary>
public sealed class NygardBreakerTransitionEventArgs : EventArgs
{
    /// <summary>
    /// Initializes a new instance of the <see cref="NygardBreakerTransitionEventArgs"/> class.
    /// </summary>
    /// <param name="breaker">Which breaker changed.</param>
    /// <param name="from">The state it left.</param>
    /// <param name="to">The state it entered.</param>
    /// <param name="isManual">Whether a manual command caused the change.</param>
    /// <param name="at">When the change happened, on the breaker's clock.</param>
    /// <param name="failureCount">The consecutive failure count when the change was reported.</param>
    /// <param name="breakDuration">The break's length when the breaker opened; <see langword="null"/> otherwise (and for isolation, which has no end).</param>
    public NygardBreakerTransitionEventArgs(NygardBreakerId breaker, CircuitState from, CircuitState to, bool isManual, DateTimeOffset at, int failureCount, TimeSpan? breakDuration)
    {
        Breaker = breaker;
        From = from;
        To = to;
        IsManual = isManual;
        At = at;
        FailureCount = failureCount;
        BreakDuration = breakDuration;
    }

    /// <summary>Gets which breaker changed.</summary>
    public NygardBreakerId Breaker { get; }

    /// <summary>Gets the state the breaker left.</summary>
    public CircuitState From { get; }

    /// <summary>Gets the state the breaker entered.</summary>
    public CircuitState To { get; }

    /// <summary>Gets a value indicating whether a manual command caused the change.</summary>
    public bool IsManual { get; }

    /// <summary>Gets when the change happened, on the breaker's clock.</summary>
    public DateTimeOffset At { get; }

    /// <summary>Gets the consecutive failure count when the change was reported.</summary>
    public int FailureCount { get; }

    /// <summary>Gets the break's length when the breaker opened; <see langword="null"/> for other states and for isolation.</summary>
    public TimeSpan? BreakDuration { get; }
}
