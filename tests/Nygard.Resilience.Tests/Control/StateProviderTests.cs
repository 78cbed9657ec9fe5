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
