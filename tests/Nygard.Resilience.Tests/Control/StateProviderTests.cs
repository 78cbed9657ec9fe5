using Microsoft.Extensions.Time.Testing;
using Nygard.Resilience.Tests.Support;
using Polly;
using Polly.CircuitBreaker;

namespace Nygard.Resilience.Tests.Control;

public class StateProviderTests
{
    [Fact]
    public void BeforeTheBreakerIsBuilt_ReportsClosedWithNoFailures()
    {
        var provider = new NygardBreakerStateProvider();

        Assert.Equal(CircuitState.Closed, provider.CircuitState);
        Assert.Equal(0, provider.FailureCount);
        Assert.Null(provider.OpenUntil);
        Assert.True(provider.WaitForRetryAsync().IsCompletedSuccessfully);
    }

    [Fact]
    public async Task ToString_SaysTheStateTheCountAndWhileOpenTheTimeLeft()
    {
        var breaker = new BreakerHarness();
        Assert.Equal("Closed, 0 failures", breaker.State.ToString());
        await breaker.FailAsync();
        Assert.Equal("Closed, 1 failure", breaker.State.ToString());

        await breaker.TripAsync();
        breaker.Advance(TimeSpan.FromSeconds(2.5));

        Assert.Equal("Open, 3 failures, retry after 00:00:27.5000000", breaker.State.ToString());
        Assert.Equal("Closed, 0 failures", new NygardBreakerStateProvider().ToString());
    }

    [Fact]
    public async Task WaitForRetryAsync_CompletesAtOnceUnlessOpen()
    {
        var breaker = new BreakerHarness();
        await breaker.FailAsync();

        Assert.True(breaker.State.WaitForRetryAsync().IsCompletedSuccessfully);
    }

    [Fact]
    public async Task WaitForRetryAsync_CompletesWhenTheBreakEnds()
    {
        var breaker = new BreakerHarness();
        await breaker.TripAsync();

        var wait = breaker.State.WaitForRetryAsync();
        breaker.Advance(TimeSpan.FromSeconds(29));
        Assert.False(wait.IsCompleted);

        breaker.Advance(TimeSpan.FromSeconds(1));
        await wait.WaitAsync(TimeSpan.FromSeconds(30));
        Assert.Equal("ok", (await breaker.SucceedAsync()).Result);
    }

    [Fact]
    public async Task WaitForRetryAsync_TimerThatFiresEarly_WaitsAgainUntilACallWouldBeAdmitted()
    {
        var clock = new FakeTimeProvider(BreakerHarness.Epoch);
        var provider = new NygardBreakerStateProvider();
        var control = new NygardBreakerManualControl();
        var time = new EarlyTimerTimeProvider(clock, TimeSpan.FromMilliseconds(2));
        var pipeline = new ResiliencePipelineBuilder { TimeProvider = time }
            .AddNygardBreaker(new NygardBreakerStrategyOptions { BreakDuration = TimeSpan.FromSeconds(1), StateProvider = provider, ManualControl = control })
            .Build();
        await control.OpenAsync();

        var wait = provider.WaitForRetryAsync();
        Assert.Equal(1, time.TimersCreated);
        clock.Advance(TimeSpan.FromMilliseconds(998));

        // The early wake-up runs on the thread pool: wait (bounded) until it either returned or armed a second timer.
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (!wait.IsCompleted && time.TimersCreated < 2 && DateTime.UtcNow < deadline)
        {
            await Task.Yield();
        }

        Assert.False(wait.IsCompleted, "the timer fired 2 ms early; the break has not ended");
        Assert.Equal(2, time.TimersCreated);
        Assert.Throws<BrokenCircuitException>(() => pipeline.Execute(() => { }));

        clock.Advance(TimeSpan.FromMilliseconds(2));
        await wait.WaitAsync(TimeSpan.FromSeconds(30));
        pipeline.Execute(() => { });
        Assert.Equal(CircuitState.Closed, provider.CircuitState);
    }

    [Fact]
    public async Task WaitForRetryAsync_OnTheSystemClock_ReturnsOnlyWhenTheNextCallIsAdmitted()
    {
        var provider = new NygardBreakerStateProvider();
        var control = new NygardBreakerManualControl();
        var pipeline = new ResiliencePipelineBuilder()
            .AddNygardBreaker(new NygardBreakerStrategyOptions { BreakDuration = TimeSpan.FromMilliseconds(15), StateProvider = provider, ManualControl = control })
            .Build();

        var rejected = 0;
        for (var cycle = 0; cycle < 40; cycle++)
        {
            await control.OpenAsync();
            await provider.WaitForRetryAsync().WaitAsync(TimeSpan.FromSeconds(30));
            try
            {
                pipeline.Execute(() => { });
            }
            catch (BrokenCircuitException)
            {
                rejected++;
            }

            await control.CloseAsync();
        }

        Assert.Equal(0, rejected);
    }

    [Fact]
    public async Task WaitForRetryAsync_EndsEarlyWhenTheBreakerIsClosedByHand()
    {
        var breaker = new BreakerHarness();
        await breaker.TripAsync();
        var wait = breaker.State.WaitForRetryAsync();

        await breaker.Control.CloseAsync();

        await wait.WaitAsync(TimeSpan.FromSeconds(30));
        Assert.Equal(BreakerHarness.Epoch, breaker.Time.GetUtcNow());
    }

    [Fact]
    public async Task WaitForRetryAsync_WhileIsolated_WaitsForTheClose()
    {
        var breaker = new BreakerHarness();
        await breaker.Control.IsolateAsync();
        var wait = breaker.State.WaitForRetryAsync();
        breaker.Advance(TimeSpan.FromDays(2));
        Assert.False(wait.IsCompleted);

        await breaker.Control.CloseAsync();

        await wait.WaitAsync(TimeSpan.FromSeconds(30));
    }

    [Fact]
    public async Task WaitForRetryAsync_HonoursCancellation()
    {
        var breaker = new BreakerHarness();
        await breaker.TripAsync();
        using var cancellation = new CancellationTokenSource();
        var wait = breaker.State.WaitForRetryAsync(cancellation.Token);

        await cancellation.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => wait.WaitAsync(TimeSpan.FromSeconds(30)));
    }

    [Fact]
    public void AProviderAttachedToOneBreaker_CannotBeGivenToAnother()
    {
        var provider = new NygardBreakerStateProvider();
        new ResiliencePipelineBuilder().AddNygardBreaker(new NygardBreakerStrategyOptions { StateProvider = provider });

        var error = Assert.Throws<InvalidOperationException>(() =>
            new ResiliencePipelineBuilder().AddNygardBreaker(new NygardBreakerStrategyOptions { StateProvider = provider }));

        Assert.Contains("StateProvider", error.Message, StringComparison.Ordinal);
    }
}
