namespace Nygard.Resilience.StateMachine;

/// <summary>
/// What an admitted call remembers: the circuit period it was admitted in and, for a half-open probe, when its
/// permit lapses. Its outcome counts only while that period is current (and the probe's lease has not lapsed).
/// </summary>
internal readonly record struct CallTicket(long Generation, DateTimeOffset? ProbeLease)
{
    public bool IsProbe => ProbeLease.HasValue;
}
