using Nygard.Resilience.Tests.Support;
using Polly;
using Polly.CircuitBreaker;

namespace Nygard.Resilience.Tests.Strategy;

public class OpenStateTests
{
    [Fact]
    public async Task Open_RejectsWithBrokenCircuitExceptionNamingTheBreakerAndTheExactTimeLeft()
    {
        var breaker = new BreakerHarness(o => o.Name = "inventory-breaker");
        await breaker.TripAsync();
        breaker.Advance(TimeSpan.FromSeconds(12));

        var outcome = await breaker.SucceedAsync();

        var rejection = Assert.IsType<BrokenCircuitException>(outcome.Exception);
        Assert.Equal(TimeSpan.FromSeconds(18), rejection.RetryAfter);
        Assert.Contains("inventory-breaker", rejection.Message, StringComparison.Ordinal);
        Assert.Equal("inventory-breaker", rejection.TelemetrySource?.StrategyName);
    }

    [Fact]
    public async Task Open_DoesNotRunTheCallback()
    {
        var breaker = new BreakerHarness();
        await breaker.TripAsync();
        var runs = 0;

        await Assert.ThrowsAsync<BrokenCircuitException>(() => breaker.Pipeline.ExecuteAsync(_ =>
        {
            runs++;
            return default;
        }).AsTask());

        Assert.Equal(0, runs);
    }

    [Fact]
    public async Task Open_ExecuteOutcomeAsyncReturnsTheRejectionWithoutThrowing()
    {
        var breaker = new BreakerHarness();
        await breaker.TripAsync();

        var outcome = await breaker.SucceedAsync();

        Assert.IsType<BrokenCircuitException>(outcome.Exception);
    }

    [Fact]
    public async Task Open_KeepsTheFailureCountAndReportsWhenTheBreakEnds()
    {
        var breaker = new BreakerHarness();
        await breaker.TripAsync();
        breaker.Advance(TimeSpan.FromSeconds(10));

        Assert.Equal(3, breaker.State.FailureCount);
        Assert.Equal(BreakerHarness.Epoch.AddSeconds(30), breaker.State.OpenUntil);
        Assert.Equal(TimeSpan.FromSeconds(20), breaker.State.RetryAfter);
    }

    [Fact]
    public async Task RetryAfter_IsNeverNegativeOnceTheBreakIsOver()
    {
        var breaker = new BreakerHarness();
        await breaker.TripAsync();

        breaker.Advance(TimeSpan.FromMinutes(5));

        Assert.Equal(CircuitState.Open, breaker.State.CircuitState);
        Assert.Equal(TimeSpan.Zero, breaker.State.RetryAfter);
    }

    [Fact]
    public async Task StateQueries_AreNullUnlessOpen()
    {
        var breaker = new BreakerHarness();
        await breaker.FailAsync();

        Assert.Null(breaker.State.OpenUntil);
        Assert.Null(breaker.State.RetryAfter);
    }

    [Fact]
    public async Task Open_LastsTheBreakDurationToTheTick()
    {
        var breaker = new BreakerHarness();
        await breaker.TripAsync();

        breaker.Advance(TimeSpan.FromSeconds(30) - TimeSpan.FromTicks(1));
        Assert.IsType<BrokenCircuitException>((await breaker.SucceedAsync()).Exception);

        breaker.Advance(TimeSpan.FromTicks(1));
        Assert.Equal("ok", (await breaker.SucceedAsync()).Result);
    }
}
