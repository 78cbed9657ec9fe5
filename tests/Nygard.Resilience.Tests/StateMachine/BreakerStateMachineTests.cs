using System.Collections.Immutable;
using Nygard.Resilience.StateMachine;
using Polly.CircuitBreaker;

namespace Nygard.Resilience.Tests.StateMachine;

public class BreakerStateMachineTests
{
    private static readonly DateTimeOffset Now = new(2026, 1, 1, 12, 0, 0, TimeSpan.Zero);
    private static readonly TimeSpan Lease = TimeSpan.FromSeconds(10);
    private static readonly BreakerPolicy Policy = new(FailureThreshold: 3, HalfOpenPermits: 2, SuccessThreshold: 2, BreakDuration: Lease);

    private static BreakerState Snapshot(
        CircuitState state,
        int failures = 0,
        DateTimeOffset? openUntil = null,
        ImmutableArray<DateTimeOffset> leases = default,
        int probeSuccesses = 0,
        int failedProbes = 0,
        long generation = 7) =>
        new NygardBreakerSnapshot(state, failures, probeSuccesses, failedProbes, leases.IsDefault ? [] : leases, openUntil, Now.AddMinutes(-1), false, generation, 100).Value;

    [Fact]
    public void Admit_Closed_AdmitsWithoutChangingTheSnapshot()
    {
        var closed = Snapshot(CircuitState.Closed, failures: 2);

        var admission = Admit(closed, Now, Policy);

        Assert.Equal(AdmissionKind.Admitted, admission.Kind);
        Assert.Equal(closed, admission.Next);
        Assert.Equal(new CallTicket(7, null), admission.Ticket);
    }

    [Fact]
    public void Admit_OpenBeforeTheBreakEnds_RejectsWithTheTimeLeft()
    {
        var open = Snapshot(CircuitState.Open, failures: 3, openUntil: Now.AddSeconds(4));

        var admission = Admit(open, Now, Policy);

        Assert.Equal(AdmissionKind.RejectedOpen, admission.Kind);
        Assert.Equal(TimeSpan.FromSeconds(4), admission.RetryAfter);
        Assert.Equal(open, admission.Next);
    }

    [Fact]
    public void Admit_OpenWhenTheBreakEnds_HalfOpensWithThisCallAsTheFirstProbe()
    {
        var open = Snapshot(CircuitState.Open, failures: 3, openUntil: Now, failedProbes: 1);

        var admission = Admit(open, Now, Policy);

        Assert.Equal(AdmissionKind.Admitted, admission.Kind);
        Assert.Equal(CircuitState.HalfOpen, admission.Next.State);
        Assert.Equal(8, admission.Next.Generation);
        Assert.Equal(101, admission.Next.Version);
        Assert.Equal([Now + Lease], admission.Next.ProbeLeases.ToArray());
        Assert.Equal(new CallTicket(8, Now + Lease), admission.Ticket);
        Assert.Equal(3, admission.Next.FailureCount);
        Assert.Equal(1, admission.Next.FailedProbes);
        Assert.Null(admission.Next.OpenUntil);
    }

    [Fact]
    public void Admit_HalfOpenWithAllPermitsTaken_RejectsUntilTheEarliestLeaseLapses()
    {
        var halfOpen = Snapshot(CircuitState.HalfOpen, leases: [Now.AddSeconds(6), Now.AddSeconds(3)]);

        var admission = Admit(halfOpen, Now, Policy);

        Assert.Equal(AdmissionKind.RejectedOpen, admission.Kind);
        Assert.Equal(TimeSpan.FromSeconds(3), admission.RetryAfter);
    }

    [Fact]
    public void Admit_HalfOpenWithALapsedLease_TakesThePermitBack()
    {
        var halfOpen = Snapshot(CircuitState.HalfOpen, leases: [Now.AddSeconds(6), Now]);

        var admission = Admit(halfOpen, Now, Policy);

        Assert.Equal(AdmissionKind.Admitted, admission.Kind);
        Assert.Equal([Now.AddSeconds(6), Now + Lease], admission.Next.ProbeLeases.ToArray());
        Assert.Equal(7, admission.Next.Generation);
    }

    [Fact]
    public void Admit_Isolated_Rejects()
    {
        var admission = Admit(Snapshot(CircuitState.Isolated), Now, Policy);

        Assert.Equal(AdmissionKind.RejectedIsolated, admission.Kind);
    }

    [Theory]
    [InlineData(0, "Failure", CircuitState.Closed, 1)]
    [InlineData(1, "Failure", CircuitState.Closed, 2)]
    [InlineData(2, "Failure", CircuitState.Open, 3)]
    [InlineData(2, "Success", CircuitState.Closed, 0)]
    [InlineData(2, "Neutral", CircuitState.Closed, 2)]
    public void Record_Closed_CountsConsecutiveFailures(int failures, string outcome, CircuitState expectedState, int expectedFailures)
    {
        var kind = Enum.Parse<OutcomeKind>(outcome);
        var closed = Snapshot(CircuitState.Closed, failures: failures);

        var next = BreakerStateMachine.Record(closed, new CallTicket(7, null), kind, Now, Policy, TimeSpan.FromSeconds(30));

        Assert.Equal(expectedState, next.State);
        Assert.Equal(expectedFailures, next.FailureCount);
        if (expectedState == CircuitState.Open)
        {
            Assert.Equal(Now.AddSeconds(30), next.OpenUntil);
            Assert.Equal(8, next.Generation);
        }
    }

    [Fact]
    public void Record_NothingToChange_ReturnsTheSameSnapshot()
    {
        var closed = Snapshot(CircuitState.Closed);

        Assert.Equal(closed, BreakerStateMachine.Record(closed, new CallTicket(7, null), OutcomeKind.Success, Now, Policy, default));
        Assert.Equal(closed, BreakerStateMachine.Record(closed, new CallTicket(7, null), OutcomeKind.Neutral, Now, Policy, default));
    }

    [Theory]
    [InlineData("Failure")]
    [InlineData("Success")]
    public void Record_OutcomeFromAnEarlierPeriod_IsIgnored(string outcome)
    {
        var kind = Enum.Parse<OutcomeKind>(outcome);
        var open = Snapshot(CircuitState.Open, failures: 3, openUntil: Now.AddSeconds(5));
        var halfOpen = Snapshot(CircuitState.HalfOpen, leases: [Now.AddSeconds(5)]);

        Assert.Equal(open, BreakerStateMachine.Record(open, new CallTicket(6, null), kind, Now, Policy, TimeSpan.FromHours(1)));
        Assert.Equal(halfOpen, BreakerStateMachine.Record(halfOpen, new CallTicket(6, null), kind, Now, Policy, TimeSpan.FromHours(1)));
    }

    [Fact]
    public void Record_ProbeSuccessesBelowTheThreshold_StayHalfOpenAndResetTheFailureCount()
    {
        var lease = Now.AddSeconds(5);
        var halfOpen = Snapshot(CircuitState.HalfOpen, failures: 3, leases: [lease]);

        var next = BreakerStateMachine.Record(halfOpen, new CallTicket(7, lease), OutcomeKind.Success, Now, Policy, default);

        Assert.Equal(CircuitState.HalfOpen, next.State);
        Assert.Equal(1, next.ProbeSuccesses);
        Assert.Equal(0, next.FailureCount);
        Assert.Empty(next.ProbeLeases);
        Assert.Equal((halfOpen.Generation, halfOpen.Version + 1), (next.Generation, next.Version));
    }

    [Fact]
    public void Record_ProbeSuccessReachingTheThreshold_Closes()
    {
        var lease = Now.AddSeconds(5);
        var halfOpen = Snapshot(CircuitState.HalfOpen, failures: 0, leases: [lease, Now.AddSeconds(7)], probeSuccesses: 1, failedProbes: 2);

        var next = BreakerStateMachine.Record(halfOpen, new CallTicket(7, lease), OutcomeKind.Success, Now, Policy, default);

        Assert.Equal(CircuitState.Closed, next.State);
        Assert.Equal(8, next.Generation);
        Assert.Equal(0, next.FailedProbes);
        Assert.Empty(next.ProbeLeases);
        Assert.False(next.IsManual);
    }

    [Fact]
    public void Record_ProbeFailure_OpensAgainAndCountsTheFailedProbe()
    {
        var lease = Now.AddSeconds(5);
        var halfOpen = Snapshot(CircuitState.HalfOpen, failures: 3, leases: [lease], failedProbes: 1);

        Assert.Equal(new Decision(Opens: true, 2), Decide(halfOpen, new CallTicket(7, lease), OutcomeKind.Failure, Now, Policy));
        var next = BreakerStateMachine.Record(halfOpen, new CallTicket(7, lease), OutcomeKind.Failure, Now, Policy, TimeSpan.FromSeconds(45));

        Assert.Equal(CircuitState.Open, next.State);
        Assert.Equal(4, next.FailureCount);
        Assert.Equal(2, next.FailedProbes);
        Assert.Equal(Now.AddSeconds(45), next.OpenUntil);
    }

    [Fact]
    public void Record_NeutralProbe_GivesItsPermitBack()
    {
        var lease = Now.AddSeconds(5);
        var halfOpen = Snapshot(CircuitState.HalfOpen, failures: 3, leases: [lease]);

        var next = BreakerStateMachine.Record(halfOpen, new CallTicket(7, lease), OutcomeKind.Neutral, Now, Policy, default);

        Assert.Empty(next.ProbeLeases);
        Assert.Equal(3, next.FailureCount);
        Assert.Equal(CircuitState.HalfOpen, next.State);
        Assert.Equal(halfOpen.Version + 1, next.Version);
    }

    [Fact]
    public void Record_ProbeWhoseLeaseLapsed_StillCountsInItsOwnPeriod()
    {
        var lapsed = Now.AddSeconds(-1);
        var halfOpen = Snapshot(CircuitState.HalfOpen, failures: 3, leases: [Now.AddSeconds(5)], failedProbes: 1);

        Assert.Equal(new Decision(Opens: true, 2), Decide(halfOpen, new CallTicket(7, lapsed), OutcomeKind.Failure, Now, Policy));
        var reopened = BreakerStateMachine.Record(halfOpen, new CallTicket(7, lapsed), OutcomeKind.Failure, Now, Policy, TimeSpan.FromSeconds(1));
        Assert.Equal(CircuitState.Open, reopened.State);
        Assert.Equal(4, reopened.FailureCount);

        var counted = BreakerStateMachine.Record(halfOpen, new CallTicket(7, lapsed), OutcomeKind.Success, Now, Policy, default);
        Assert.Equal(CircuitState.HalfOpen, counted.State);
        Assert.Equal(1, counted.ProbeSuccesses);
        Assert.Equal([Now.AddSeconds(5)], counted.ProbeLeases.ToArray());

        var closing = Snapshot(CircuitState.HalfOpen, failures: 3, probeSuccesses: 1);
        Assert.Equal(CircuitState.Closed, BreakerStateMachine.Record(closing, new CallTicket(7, lapsed), OutcomeKind.Success, Now, Policy, default).State);
    }

    [Fact]
    public void Record_ProbeFromAnEarlierPeriod_IsIgnored()
    {
        var lease = Now.AddSeconds(5);
        var halfOpen = Snapshot(CircuitState.HalfOpen, failures: 3, leases: [lease]);

        Assert.False(Decide(halfOpen, new CallTicket(6, lease), OutcomeKind.Failure, Now, Policy).Opens);
        Assert.Equal(halfOpen, BreakerStateMachine.Record(halfOpen, new CallTicket(6, lease), OutcomeKind.Failure, Now, Policy, TimeSpan.FromSeconds(1)));
    }

    [Fact]
    public void Decide_TripFromClosed_OpensWithNoFailedProbes()
    {
        var closed = Snapshot(CircuitState.Closed, failures: 2);

        Assert.Equal(new Decision(Opens: true, 0), Decide(closed, new CallTicket(7, null), OutcomeKind.Failure, Now, Policy));
        Assert.False(Decide(Snapshot(CircuitState.Closed, failures: 1), new CallTicket(7, null), OutcomeKind.Failure, Now, Policy).Opens);
        Assert.False(Decide(closed, new CallTicket(7, null), OutcomeKind.Success, Now, Policy).Opens);
    }

    [Theory]
    [InlineData(CircuitState.Closed, "Open", CircuitState.Open)]
    [InlineData(CircuitState.Closed, "Isolate", CircuitState.Isolated)]
    [InlineData(CircuitState.Closed, "HalfOpen", CircuitState.HalfOpen)]
    [InlineData(CircuitState.Open, "Close", CircuitState.Closed)]
    [InlineData(CircuitState.HalfOpen, "Open", CircuitState.Open)]
    [InlineData(CircuitState.Isolated, "Close", CircuitState.Closed)]
    [InlineData(CircuitState.Isolated, "Open", CircuitState.Open)]
    public void Manual_ChangesTheStateAsAManualTransition(CircuitState from, string manual, CircuitState to)
    {
        var command = Enum.Parse<ManualCommand>(manual);
        var snapshot = Snapshot(from, failures: 2, openUntil: from == CircuitState.Open ? Now.AddSeconds(1) : null);

        var next = Manual(snapshot, command, Now, TimeSpan.FromSeconds(30));

        Assert.Equal(to, next.State);
        Assert.True(next.IsManual);
        Assert.Equal(8, next.Generation);
        Assert.Equal(to == CircuitState.Closed ? 0 : 2, next.FailureCount);
        Assert.Equal(to == CircuitState.Open ? Now.AddSeconds(30) : null, next.OpenUntil);
    }

    [Theory]
    [InlineData(CircuitState.Open, "Open")]
    [InlineData(CircuitState.HalfOpen, "HalfOpen")]
    [InlineData(CircuitState.Isolated, "Isolate")]
    public void Manual_ThatLeavesTheStateAsItWas_ChangesNothing(CircuitState state, string manual)
    {
        var command = Enum.Parse<ManualCommand>(manual);
        var snapshot = Snapshot(state, failures: 2, openUntil: state == CircuitState.Open ? Now.AddSeconds(1) : null);

        Assert.Equal(snapshot, Manual(snapshot, command, Now, TimeSpan.FromSeconds(30)));
    }

    [Fact]
    public void Manual_CloseWhileClosed_ResetsTheCountWithoutATransition()
    {
        var closed = Snapshot(CircuitState.Closed, failures: 2);

        var next = Manual(closed, ManualCommand.Close, Now, TimeSpan.FromSeconds(30));

        Assert.Equal(0, next.FailureCount);
        Assert.Equal(closed.Generation, next.Generation);
        Assert.Equal(closed.Version + 1, next.Version);
    }

    [Theory]
    [InlineData(CircuitState.Closed, 0, "Success", false, false)]
    [InlineData(CircuitState.Closed, 1, "Failure", false, false)]
    [InlineData(CircuitState.Closed, 2, "Failure", false, true)]
    [InlineData(CircuitState.Closed, 2, "Neutral", false, false)]
    [InlineData(CircuitState.HalfOpen, 0, "Success", true, true)]
    [InlineData(CircuitState.Open, 3, "Failure", false, true)]
    public void RecordNeedsTime_OnlyWhenTheOutcomeCanOpenTheBreakerOrTouchesAProbe(CircuitState state, int failures, string outcome, bool probe, bool expected)
    {
        var snapshot = Snapshot(state, failures: failures);
        var ticket = new CallTicket(7, probe ? Now : null);

        Assert.Equal(expected, BreakerStateMachine.RecordNeedsTime(snapshot, ticket, Enum.Parse<OutcomeKind>(outcome), Policy));
    }

    [Fact]
    public void RetryAfter_IsTheTimeLeftWhileOpen_NeverNegative_AndNullOtherwise()
    {
        var open = Snapshot(CircuitState.Open, openUntil: Now.AddSeconds(4));

        Assert.Equal(TimeSpan.FromSeconds(4), BreakerStateMachine.RetryAfter(open, Now));
        Assert.Equal(TimeSpan.Zero, BreakerStateMachine.RetryAfter(open, Now.AddMinutes(1)));
        Assert.Null(BreakerStateMachine.RetryAfter(Snapshot(CircuitState.HalfOpen), Now));
        Assert.Null(BreakerStateMachine.RetryAfter(Snapshot(CircuitState.Isolated), Now));
    }

    /// <summary>Admits on a copy of <paramref name="state"/>: the answer, and the state after admission.</summary>
    internal static AdmitResult Admit(BreakerState state, DateTimeOffset now, BreakerPolicy policy)
    {
        var admission = BreakerStateMachine.Admit(ref state, now, policy);
        return new AdmitResult(admission.Kind, state, admission.Ticket, admission.RetryAfter);
    }

    private static Decision Decide(BreakerState state, CallTicket ticket, OutcomeKind kind, DateTimeOffset now, BreakerPolicy policy) =>
        BreakerStateMachine.Decide(ref state, ticket, kind, now, policy);

    private static BreakerState Manual(BreakerState state, ManualCommand command, DateTimeOffset now, TimeSpan breakDuration)
    {
        BreakerStateMachine.Manual(ref state, command, now, breakDuration);
        return state;
    }

    /// <summary>An admission with the state it leaves.</summary>
    internal readonly record struct AdmitResult(AdmissionKind Kind, BreakerState Next, CallTicket Ticket, TimeSpan RetryAfter);
}
