using Nygard.Resilience.Tests.Support;
using Polly;
using Polly.CircuitBreaker;

namespace Nygard.Resilience.Tests.Strategy;

public class HalfOpenStateTests
{
    [Fact]
    public async Task AfterTheBreak_TheNextCallIsAProbeThatHalfOpensTheBreaker()
    {
        var breaker = new BreakerHarness();
        await breaker.TripAsync();
        breaker.Advance(TimeSpan.FromSeconds(30));
        Assert.Equal(CircuitState.Open, breaker.State.CircuitState);

        var probe = breaker.Start();

        Assert.True(probe.Admitted);
        Assert.Equal(CircuitState.HalfOpen, breaker.State.CircuitState);
        Assert.Equal(["opened 30s", "half-opened"], breaker.Events);
        await probe.SucceedAsync();
    }

    [Fact]
    public async Task ProbeSuccess_ClosesAndResetsTheCount()
    {
        var breaker = new BreakerHarness();
        await breaker.TripAsync();
        breaker.Advance(TimeSpan.FromSeconds(30));

        var outcome = await breaker.SucceedAsync();

        Assert.Equal("ok", outcome.Result);
        Assert.Equal(CircuitState.Closed, breaker.State.CircuitState);
        Assert.Equal(0, breaker.State.FailureCount);
        Assert.Equal(["opened 30s", "half-opened", "closed"], breaker.Events);
    }

    [Fact]
    public async Task ProbeFailure_OpensAgainForAnotherBreakAndCountsOneMoreFailure()
    {
        var breaker = new BreakerHarness();
        await breaker.TripAsync();
        breaker.Advance(TimeSpan.FromSeconds(30));

        var outcome = await breaker.FailAsync();

        Assert.IsType<InvalidOperationException>(outcome.Exception);
        Assert.Equal(CircuitState.Open, breaker.State.CircuitState);
        Assert.Equal(4, breaker.State.FailureCount);
        Assert.Equal(BreakerHarness.Epoch.AddSeconds(60), breaker.State.OpenUntil);
        Assert.Equal(["opened 30s", "half-opened", "opened 30s"], breaker.Events);
    }

    [Fact]
    public async Task HalfOpenPermits_AdmitThatManyProbesAtOnceAndRejectTheRest()
    {
        var breaker = new BreakerHarness(o => o.HalfOpenPermits = 2);
        await breaker.TripAsync();
        breaker.Advance(TimeSpan.FromSeconds(30));

        var first = breaker.Start();
        var second = breaker.Start();
        var third = breaker.Start();

        Assert.True(first.Admitted);
        Assert.True(second.Admitted);
        Assert.False(third.Admitted);
        var rejection = Assert.IsType<BrokenCircuitException>((await third.Completion).Exception);
        Assert.Equal(TimeSpan.FromSeconds(30), rejection.RetryAfter);
        await first.SucceedAsync();
        await second.SucceedAsync();
    }

    [Fact]
    public async Task SuccessThreshold_NeedsThatManyConsecutiveProbeSuccessesToClose()
    {
        var breaker = new BreakerHarness(o => o.SuccessThreshold = 3);
        await breaker.TripAsync();
        breaker.Advance(TimeSpan.FromSeconds(30));

        await breaker.SucceedAsync();
        await breaker.SucceedAsync();
        Assert.Equal(CircuitState.HalfOpen, breaker.State.CircuitState);
        Assert.Equal(0, breaker.State.FailureCount);

        await breaker.SucceedAsync();
        Assert.Equal(CircuitState.Closed, breaker.State.CircuitState);
    }

    [Fact]
    public async Task SuccessThreshold_AFailedProbeStartsTheCountAgain()
    {
        var breaker = new BreakerHarness(o => o.SuccessThreshold = 2);
        await breaker.TripAsync();
        breaker.Advance(TimeSpan.FromSeconds(30));
        await breaker.SucceedAsync();

        await breaker.FailAsync();
        breaker.Advance(TimeSpan.FromSeconds(30));
        await breaker.SucceedAsync();

        Assert.Equal(CircuitState.HalfOpen, breaker.State.CircuitState);
    }

    [Fact]
    public async Task ProbeThatNeverFinishes_GivesItsPermitBackAfterTheBreakDuration()
    {
        var breaker = new BreakerHarness();
        await breaker.TripAsync();
        breaker.Advance(TimeSpan.FromSeconds(30));
        var stuck = breaker.Start();
        Assert.True(stuck.Admitted);
        Assert.False(breaker.Start().Admitted);

        breaker.Advance(TimeSpan.FromSeconds(30));
        var next = breaker.Start();

        Assert.True(next.Admitted);
        await next.SucceedAsync();
        Assert.Equal(CircuitState.Closed, breaker.State.CircuitState);
    }

    [Fact]
    public async Task ProbeWhoseLeaseLapsed_StillReopensTheBreakerWhenItFinallyFails()
    {
        var breaker = new BreakerHarness(o => o.HalfOpenPermits = 1);
        await breaker.TripAsync();
        breaker.Advance(TimeSpan.FromSeconds(30));
        var slow = breaker.Start();
        breaker.Advance(TimeSpan.FromSeconds(30));

        await slow.FailAsync();

        Assert.Equal(CircuitState.Open, breaker.State.CircuitState);
        Assert.Equal(4, breaker.State.FailureCount);
        Assert.Equal(["opened 30s", "half-opened", "opened 30s"], breaker.Events);
    }

    [Fact]
    public async Task DependencySlowerThanTheBreak_StillClosesTheBreakerWhenItsProbesSucceed()
    {
        var breaker = new BreakerHarness(o => o.BreakDuration = TimeSpan.FromMilliseconds(500));
        await breaker.TripAsync();
        breaker.Advance(TimeSpan.FromMilliseconds(500));

        var first = breaker.Start();
        breaker.Advance(TimeSpan.FromMilliseconds(600));
        var second = breaker.Start();
        Assert.True(first.Admitted);
        Assert.True(second.Admitted); // the first probe's permit lapsed, so another may probe

        await first.SucceedAsync();

        Assert.Equal(CircuitState.Closed, breaker.State.CircuitState);
        Assert.Equal(["opened 0.5s", "half-opened", "closed"], breaker.Events);
        await second.SucceedAsync();
        Assert.Equal(CircuitState.Closed, breaker.State.CircuitState);
    }

    [Fact]
    public async Task OneTickBreak_EveryCallProbes_AndTheFirstSuccessCloses()
    {
        var breaker = new BreakerHarness(o => o.BreakDuration = TimeSpan.FromTicks(1));
        await breaker.TripAsync();
        breaker.Advance(TimeSpan.FromTicks(1));

        var probe = breaker.Start();
        breaker.Advance(TimeSpan.FromTicks(1));
        await probe.SucceedAsync();

        Assert.Equal(CircuitState.Closed, breaker.State.CircuitState);
    }

    [Fact]
    public async Task BreakDurationGenerator_GetsTheNumberOfConsecutiveFailedProbes()
    {
        var attempts = new List<int>();
        var breaker = new BreakerHarness(o => o.BreakDurationGenerator = args =>
        {
            attempts.Add(args.HalfOpenAttempts);
            return new ValueTask<TimeSpan>(TimeSpan.FromSeconds(10 * (args.HalfOpenAttempts + 1)));
        });
        await breaker.TripAsync();

        breaker.Advance(TimeSpan.FromSeconds(10));
        await breaker.FailAsync();
        breaker.Advance(TimeSpan.FromSeconds(20));
        await breaker.FailAsync();
        breaker.Advance(TimeSpan.FromSeconds(30));
        await breaker.SucceedAsync();
        await breaker.TripAsync();

        Assert.Equal([0, 1, 2, 0], attempts);
        Assert.Equal(["opened 10s", "half-opened", "opened 20s", "half-opened", "opened 30s", "half-opened", "closed", "opened 10s"], breaker.Events);
    }

    [Fact]
    public async Task BreakDurationGenerator_ThatThrows_FallsBackToBreakDurationAndIsReported()
    {
        var breaker = new BreakerHarness(o => o.BreakDurationGenerator = _ => throw new InvalidOperationException("generator broke"));

        await breaker.TripAsync();

        Assert.Equal(BreakerHarness.Epoch.AddSeconds(30), breaker.State.OpenUntil);
        Assert.Contains(breaker.Telemetry.Events, e => e.Name == "OnNygardBreakerObserverFailed");
    }
}
