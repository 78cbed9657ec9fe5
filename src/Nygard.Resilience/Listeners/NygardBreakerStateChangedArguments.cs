using Polly.CircuitBreaker;

namespace Nygard.Resilience;

/// <summary>
/// What a listener is told about a transition: which breaker changed, from and to which state, and whether by hand.
/// </summary>
public readonly struct NygardBreakerStateChangedArguments
{
    /// <summary>
    /// Initializes a new instance of the <see cref="NygardBreakerStateChangedArguments"/> struct.
    /// </summary>
    /// <param name="breaker">The breaker that changed.</param>
    /// <param name="from">The state before the transition.</param>
    /// <param name="to">The state after the transition.</param>
    /// <param name="isManual">Whether the transition was made by hand.</param>
    [System.Diagnostics.CodeAnalysis.SuppressMessage("Naming", "CA1716:Identifiers should not match keywords", Justification = "The names are the SPEC's, as in OnStateChangedAsync(from, to, isManual).")]
    public NygardBreakerStateChangedArguments(NygardBreakerId breaker, CircuitState from, CircuitState to, bool isManual)
    {
        Breaker = breaker;
        From = from;
        To = to;
        IsManual = isManual;
    }

    /// <summary>Gets the breaker that changed.</summary>
    public NygardBreakerId Breaker { get; }

    /// <summary>Gets the state before the transition.</summary>
    public CircuitState From { get; }

    /// <summary>Gets the state after the transition.</summary>
    public CircuitState To { get; }

    /// <summary>Gets a value indicating whether the transition was made by hand (a manual control or a command).</summary>
    public bool IsManual { get; }
}
