namespace Nygard.Resilience;

/// <summary>How a call through a breaker ended, as the <c>nygard.breaker.calls</c> counter and the dashboard count it.</summary>
public enum NygardBreakerCallOutcome
{
    /// <summary>The call ran and its outcome was not handled as a failure.</summary>
    Success,

    /// <summary>The call ran and its outcome was handled as a failure.</summary>
    Failure,

    /// <summary>The call did not run: the breaker was open, half-open without a free permit, or isolated.</summary>
    Rejected,

    /// <summary>The call ran but its outcome counted neither way (for example, cancelled by the caller).</summary>
    Ignored,
}
