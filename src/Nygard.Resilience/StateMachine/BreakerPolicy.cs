namespace Nygard.Resilience.StateMachine;

/// <summary>The option values the state machine decides with.</summary>
internal readonly record struct BreakerPolicy(int FailureThreshold, int HalfOpenPermits, int SuccessThreshold, TimeSpan ProbeLease);
