namespace Nygard.Resilience;

/// <summary>A manual command that <see cref="NygardBreakerRegistry"/> applies to a breaker by its id.</summary>
public enum NygardBreakerCommand
{
    /// <summary>Open the breaker now, for its break duration.</summary>
    Open,

    /// <summary>Half-open the breaker: the next calls run as probes.</summary>
    HalfOpen,

    /// <summary>Close the breaker and reset its counts.</summary>
    Close,

    /// <summary>Isolate the breaker: every call is rejected until it is closed.</summary>
    Isolate,
}
