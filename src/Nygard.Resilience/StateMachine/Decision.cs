namespace Nygard.Resilience.StateMachine;

/// <summary>
/// What recording an outcome does: the next snapshot (the same instance when nothing changes), or, when the outcome
/// opens the breaker, how many consecutive probes will have failed, so that the break duration can be chosen
/// (perhaps by an asynchronous generator) before <see cref="BreakerStateMachine.Open"/> makes the open snapshot.
/// </summary>
/// <param name="Next">The next snapshot; <see langword="null"/> when the outcome opens the breaker.</param>
/// <param name="FailedProbes">When opening: the consecutive failed probes, 0 for a trip from closed.</param>
internal readonly record struct Decision(NygardBreakerSnapshot? Next, int FailedProbes)
{
    public bool Opens => Next is null;
}
