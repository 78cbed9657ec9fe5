using Microsoft.Extensions.Time.Testing;
using Nygard.Resilience.Tests.Support;
using Polly;
using Polly.CircuitBreaker;

namespace Nygard.Resilience.Tests.Strategy;

/// <summary>Inputs at the edges: predicates that throw, clocks at the end of time, the generic convenience overload.</summary>
public class EdgeCaseTests
{
    [Fact]
    public async Task ShouldHandleThatThrows_KeepsTheCallersOutcome_IsReported_AndGivesTheProbesPermitBack()
    {
        var throwing = false;
        var breaker = new BreakerHarness(o => o.ShouldHandle = args =>
            throwing ? throw new InvalidOperationException("predicate broke") : new ValueTask<bool>(args.Outcome.Exception is not null));
        await breaker.TripAsync();
        breaker.Advance(TimeSpan.FromSeconds(30));
        throwing = true;

        var probeOutcome = await breaker.SucceedAsync();

        Assert.Equal("ok", probeOutcome.Result);
        Assert.Contains(breaker.Telemetry.Events, e => e.Name == "OnNygardBreakerObserverFailed" && e.Arguments is NygardBreakerObserverFailedArguments { Observer: "ShouldHandle" });
        Assert.Equal(CircuitState.HalfOpen, breaker.State.CircuitState);
        throwing = false;
        Assert.Equal("ok", (await breaker.SucceedAsync()).Result); // the permit came back at once, not after the lease
        Assert.Equal(CircuitState.Closed, breaker.State.CircuitState);
    }

    [Fact]
    public void ShouldHandleThatThrows_OnAThrownException_RethrowsTheCallersException()
    {
        var pipeline = new ResiliencePipelineBuilder()
            .AddNygardBreaker(new NygardBreakerStrategyOptions { ShouldHandle = _ => throw new InvalidOperationException("predicate broke") })
            .Build();

        Assert.Throws<TimeoutException>(() => pipeline.Execute(() => throw new TimeoutException()));
    }

    [Fact]
    public async Task ClockNearTheEndOfTime_TripsProbesAndOpensByHandWithoutThrowing()
    {
        var breaker = new BreakerHarness();
        breaker.Time.SetUtcNow(DateTimeOffset.MaxValue - TimeSpan.FromSeconds(1));

        await breaker.TripAsync();
        Assert.Equal(DateTimeOffset.MaxValue, breaker.State.OpenUntil);
        Assert.IsType<BrokenCircuitException>((await breaker.SucceedAsync()).Exception);
        await breaker.Control.HalfOpenAsync();
        Assert.Equal("ok", (await breaker.SucceedAsync()).Result);
        await breaker.Control.OpenAsync();
        Assert.Equal(DateTimeOffset.MaxValue, breaker.State.OpenUntil);
    }

    [Fact]
    public void GenericConvenienceOverload_OpensAfterThatManyExceptionsForThatLong()
    {
        var time = new FakeTimeProvider();
        var pipeline = new ResiliencePipelineBuilder<int> { TimeProvider = time }
            .AddNygardBreaker(failureThreshold: 2, breakDuration: TimeSpan.FromSeconds(5))
            .Build();

        Assert.Equal(-1, pipeline.Execute(() => -1)); // results are never failures by default
        Assert.Throws<TimeoutException>(() => pipeline.Execute<int>(() => throw new TimeoutException()));
        Assert.Throws<TimeoutException>(() => pipeline.Execute<int>(() => throw new TimeoutException()));

        var rejection = Assert.Throws<BrokenCircuitException>(() => pipeline.Execute(() => 1));
        Assert.Equal(TimeSpan.FromSeconds(5), rejection.RetryAfter);
        time.Advance(TimeSpan.FromSeconds(5));
        Assert.Equal(1, pipeline.Execute(() => 1));
    }
}
