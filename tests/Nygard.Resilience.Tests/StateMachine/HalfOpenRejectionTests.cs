using System.Collections.Immutable;
using Nygard.Resilience.StateMachine;
using Polly.CircuitBreaker;

namespace Nygard.Resilience.Tests.StateMachine;

/// <summary>A call rejected while half-open: the time it is told to wait, and what the rejection stores.</summary>
public class HalfOpenRejectionTests
{
    private static readonly DateTimeOffset Now = new(2026, 1, 1, 12, 0, 0, TimeSpan.Zero);
    private static readonly BreakerPolicy OnePermit = new(FailureThreshold: 3, HalfOpenPermits: 1, SuccessThreshold: 2, BreakDuration: TimeSpan.FromSeconds(10));
    private static readonly BreakerPolicy TwoPermits = OnePermit with { HalfOpenPermits = 2 };

    [Fact]
    public void Rejection_WaitsForTheEarliestLease_WhereverItIsInTheList()
    {
        var halfOpen = HalfOpen([Now.AddSeconds(3), Now.AddSeconds(6)]);

        var admission = BreakerStateMachineTests.Admit(halfOpen, Now, TwoPermits);

        Assert.Equal(AdmissionKind.RejectedOpen, admission.Kind);
        Assert.Equal(TimeSpan.FromSeconds(3), admission.RetryAfter);
    }

    [Fact]
    public void Rejection_WithNoLapsedLease_ChangesNothing()
    {
        var halfOpen = HalfOpen([Now.AddSeconds(3)]);

        var admission = BreakerStateMachineTests.Admit(halfOpen, Now, OnePermit);

        Assert.Equal(AdmissionKind.RejectedOpen, admission.Kind);
        Assert.Equal(halfOpen, admission.Next);
    }

    [Fact]
    public void Rejection_DropsLapsedLeases_WhenFewerPermitsAreAllowedThanProbesWereAdmitted()
    {
        // Two breakers on one store with different options (or an options reload): two probes were admitted, one lease lapsed,
        // and this breaker allows one probe at a time, so it rejects and stores the list without the lapsed lease.
        var halfOpen = HalfOpen([Now.AddSeconds(-1), Now.AddSeconds(4)]);

        var admission = BreakerStateMachineTests.Admit(halfOpen, Now, OnePermit);

        Assert.Equal(AdmissionKind.RejectedOpen, admission.Kind);
        Assert.Equal(TimeSpan.FromSeconds(4), admission.RetryAfter);
        Assert.Equal([Now.AddSeconds(4)], admission.Next.ProbeLeases.ToArray());
        Assert.Equal(CircuitState.HalfOpen, admission.Next.State);
        Assert.Equal(halfOpen.Generation, admission.Next.Generation);
        Assert.Equal(halfOpen.Version + 1, admission.Next.Version);
    }

    private static BreakerState HalfOpen(ImmutableArray<DateTimeOffset> leases) =>
        new NygardBreakerSnapshot(CircuitState.HalfOpen, 3, 0, 0, leases, openUntil: null, Now.AddMinutes(-1), isManual: false, generation: 7, version: 100).Value;
}
