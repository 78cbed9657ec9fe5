using Nygard.Resilience.StateMachine;
using Polly.CircuitBreaker;

namespace Nygard.Resilience.Tests.StateMachine;

/// <summary>Which failures a store's one-step counter may count: those that only add one to a closed breaker's count.</summary>
public class CountsWithoutTransitionTests
{
    private static readonly DateTimeOffset Now = new(2026, 1, 1, 12, 0, 0, TimeSpan.Zero);
    private static readonly BreakerPolicy Policy = new(FailureThreshold: 3, HalfOpenPermits: 1, SuccessThreshold: 1, BreakDuration: TimeSpan.FromSeconds(10));

    [Theory]
    [InlineData(CircuitState.Closed, 0, 7, false, true)]
    [InlineData(CircuitState.Closed, 1, 7, false, true)]
    [InlineData(CircuitState.Closed, 2, 7, false, false)] // this failure trips the breaker
    [InlineData(CircuitState.Closed, 1, 6, false, false)] // admitted in an earlier circuit period: a late outcome
    [InlineData(CircuitState.Closed, 1, 7, true, false)] // a probe's failure
    [InlineData(CircuitState.HalfOpen, 0, 7, false, false)]
    [InlineData(CircuitState.Open, 0, 7, false, false)]
    [InlineData(CircuitState.Isolated, 0, 7, false, false)]
    public void CountsWithoutTransition_OnlyForAClosedBreakerBelowTheThreshold_InTheCallsPeriod(CircuitState state, int failures, long ticketGeneration, bool probe, bool expected)
    {
        var snapshot = new NygardBreakerSnapshot(state, failures, 0, 0, [], state == CircuitState.Open ? Now.AddSeconds(5) : null, Now, isManual: false, generation: 7, version: 20).Value;
        var ticket = new CallTicket(ticketGeneration, probe ? Now.AddSeconds(10) : null);

        Assert.Equal(expected, BreakerStateMachine.CountsWithoutTransition(snapshot, ticket, Policy));
    }
}
