namespace Nygard.Resilience.StateMachine;

/// <summary>The option values the state machine decides with.</summary>
/// <param name="FailureThreshold">Consecutive handled failures that open the breaker.</param>
/// <param name="HalfOpenPermits">Probes admitted at once while half-open.</param>
/// <param name="SuccessThreshold">Consecutive successful probes that close the breaker.</param>
/// <param name="BreakDuration">The fixed break duration; also how long a probe holds its permit.</param>
internal readonly record struct BreakerPolicy(int FailureThreshold, int HalfOpenPermits, int SuccessThreshold, TimeSpan BreakDuration);
