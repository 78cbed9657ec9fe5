using Nygard.Resilience.Tests.Support;
using Polly.CircuitBreaker;

namespace Nygard.Resilience.Tests.Strategy;

public class LateOutcomeTests
{
    [Fact]
    public async Task FailureAdmittedWhileClosed_FinishingAfterTheTrip_DoesNotExtendTheBreak()
    {
        var breaker = new BreakerHarness();
        var slow = breaker.Start();
        await breaker.TripAsync();
        breaker.Advance(TimeSpan.FromSeconds(20));

        await slow.FailAsync();

        Assert.Equal(BreakerHarness.Epoch.AddSeconds(30), breaker.State.OpenUntil);
        Assert.Equal(3, breaker.State.FailureCount);
        Assert.Equal(["opened 30s"], breaker.Events);
    }

    [Fact]
    public async Task FailureAdmittedWhileClosed_FinishingWhileHalfOpen_DoesNotReopen()
    {
        var breaker = new BreakerHarness(o => o.HalfOpenPermits = 2);
        var slow = breaker.Start();
        await breaker.TripAsync();
        breaker.Advance(TimeSpan.FromSeconds(30));
        var probe = breaker.Start();

        await slow.FailAsync();

        Assert.Equal(CircuitState.HalfOpen, breaker.State.CircuitState);
        await probe.SucceedAsync();
        Assert.Equal(CircuitState.Closed, breaker.State.CircuitState);
    }

    [Fact]
    public async Task SuccessAdmittedBeforeTheTrip_DoesNotCloseAHalfOpenBreaker()
    {
        var breaker = new BreakerHarness();
        var slow = breaker.Start();
        await breaker.TripAsync();
        breaker.Advance(TimeSpan.FromSeconds(30));
        var probe = breaker.Start();

        await slow.SucceedAsync();

        Assert.Equal(CircuitState.HalfOpen, breaker.State.CircuitState);
        Assert.Equal(3, breaker.State.FailureCount);
        await probe.FailAsync();
        Assert.Equal(CircuitState.Open, breaker.State.CircuitState);
    }

    [Fact]
    public async Task FailureAdmittedBeforeAManualClose_DoesNotCountInTheNewPeriod()
    {
        var breaker = new BreakerHarness();
        await breaker.FailAsync();
        var slow = breaker.Start();
        await breaker.Control.OpenAsync();
        await breaker.Control.CloseAsync();

        await slow.FailAsync();

        Assert.Equal(0, breaker.State.FailureCount);
    }

    [Fact]
    public async Task FailureAdmittedInTheSameClosedPeriod_StillCounts()
    {
        var breaker = new BreakerHarness();
        var slow = breaker.Start();
        await breaker.FailAsync();

        await slow.FailAsync();

        Assert.Equal(2, breaker.State.FailureCount);
    }
}
