namespace Nygard.Resilience.StateMachine;

/// <summary>
/// What recording an outcome does beyond the change <see cref="BreakerStateMachine.Decide"/> made: whether it opens the
/// breaker and, if so, how many consecutive probes will have failed, so that the break duration can be chosen (perhaps
/// by an asynchronous generator) before <see cref="BreakerStateMachine.Open"/> opens it.
/// </summary>
/// <param name="Opens">Whether the outcome opens the breaker.</param>
/// <param name="FailedProbes">When opening: the consecutive failed probes, 0 for a trip from closed.</param>
internal readonly record struct Decision(bool Opens, int FailedProbes);
