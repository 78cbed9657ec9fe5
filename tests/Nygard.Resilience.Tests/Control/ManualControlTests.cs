using Microsoft.Extensions.Time.Testing;
using Nygard.Resilience.Tests.Support;
using Polly;
using Polly.CircuitBreaker;

namespace Nygard.Resilience.Tests.Control;

public class ManualControlTests
{
    [Fact]
    public async Task OpenAsync_OpensNowForTheBreakDuration()
    {
        var breaker = new BreakerHarness();

        await breaker.Control.OpenAsync();

        Assert.Equal(CircuitState.Open, breaker.State.CircuitState);
        Assert.Equal(BreakerHarness.Epoch.AddSeconds(30), breaker.State.OpenUntil);
        Assert.IsType<BrokenCircuitException>((await breaker.SucceedAsync()).Exception);
    }

    [Fact]
    public async Task HalfOpenAsync_LetsTheNextCallThroughAsAProbe()
    {
        var breaker = new BreakerHarness();
        await breaker.TripAsync();

        await breaker.Control.HalfOpenAsync();
        var probe = breaker.Start();

        Assert.True(probe.Admitted);
        Assert.False(breaker.Start().Admitted);
        await probe.SucceedAsync();
        Assert.Equal(CircuitState.Closed, breaker.State.CircuitState);
    }

    [Fact]
    public async Task CloseAsync_ClosesAndResetsTheCount()
    {
        var breaker = new BreakerHarness();
        await breaker.TripAsync();

        await breaker.Control.CloseAsync();

        Assert.Equal(CircuitState.Closed, breaker.State.CircuitState);
        Assert.Equal(0, breaker.State.FailureCount);
        Assert.Equal("ok", (await breaker.SucceedAsync()).Result);
    }

    [Fact]
    public async Task CloseAsync_WhileClosed_ResetsTheCount()
    {
        var breaker = new BreakerHarness();
        await breaker.FailAsync();
        await breaker.FailAsync();

        await breaker.Control.CloseAsync();

        Assert.Equal(0, breaker.State.FailureCount);
        Assert.Empty(breaker.Events);
    }

    [Fact]
    public async Task IsolateAsync_RejectsEveryCallWithIsolatedCircuitExceptionUntilClosed()
    {
        var breaker = new BreakerHarness();

        await breaker.Control.IsolateAsync();
        breaker.Advance(TimeSpan.FromDays(2));

        Assert.Equal(CircuitState.Isolated, breaker.State.CircuitState);
        var rejection = Assert.IsType<IsolatedCircuitException>((await breaker.SucceedAsync()).Exception);
        Assert.Contains("NygardBreaker", rejection.Message, StringComparison.Ordinal);
        Assert.Null(breaker.State.RetryAfter);

        await breaker.Control.CloseAsync();
        Assert.Equal("ok", (await breaker.SucceedAsync()).Result);
    }

    [Fact]
    public async Task OneControl_DrivesSeveralBreakers()
    {
        var control = new NygardBreakerManualControl();
        var time = new FakeTimeProvider(BreakerHarness.Epoch);
        var first = new ResiliencePipelineBuilder { TimeProvider = time }.AddNygardBreaker(new NygardBreakerStrategyOptions { ManualControl = control }).Build();
        var second = new ResiliencePipelineBuilder { TimeProvider = time }.AddNygardBreaker(new NygardBreakerStrategyOptions { ManualControl = control }).Build();

        await control.IsolateAsync();

        await Assert.ThrowsAsync<IsolatedCircuitException>(() => first.ExecuteAsync(_ => default).AsTask());
        await Assert.ThrowsAsync<IsolatedCircuitException>(() => second.ExecuteAsync(_ => default).AsTask());

        await control.CloseAsync();
        await first.ExecuteAsync(_ => default);
        await second.ExecuteAsync(_ => default);
    }

    [Fact]
    public async Task ControlCreatedIsolated_IsolatesTheBreakersBuiltWithIt()
    {
        var control = new NygardBreakerManualControl(isIsolated: true);
        var pipeline = new ResiliencePipelineBuilder().AddNygardBreaker(new NygardBreakerStrategyOptions { ManualControl = control }).Build();

        await Assert.ThrowsAsync<IsolatedCircuitException>(() => pipeline.ExecuteAsync(_ => default).AsTask());

        await control.CloseAsync();
        await pipeline.ExecuteAsync(_ => default);
    }

    [Fact]
    public async Task BreakerBuiltAfterIsolateAsync_StartsIsolated()
    {
        var control = new NygardBreakerManualControl();
        await control.IsolateAsync();

        var pipeline = new ResiliencePipelineBuilder().AddNygardBreaker(new NygardBreakerStrategyOptions { ManualControl = control }).Build();

        await Assert.ThrowsAsync<IsolatedCircuitException>(() => pipeline.ExecuteAsync(_ => default).AsTask());
    }
}
