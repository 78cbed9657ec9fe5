using Nygard.Resilience.Tests.Support;
using Polly.CircuitBreaker;

namespace Nygard.Resilience.Tests.Strategy;

public class CancellationTests
{
    [Fact]
    public async Task CallCancelledByTheCaller_NeitherCountsAsAFailureNorResetsTheCount()
    {
        var breaker = new BreakerHarness(o => o.ShouldHandle = _ => new ValueTask<bool>(true));
        await breaker.FailAsync();
        await breaker.FailAsync();
        using var cancellation = new CancellationTokenSource();
        await cancellation.CancelAsync();

        var outcome = await breaker.CallAsync(new OperationCanceledException(cancellation.Token), cancellation.Token);

        Assert.IsType<OperationCanceledException>(outcome.Exception);
        Assert.Equal(2, breaker.State.FailureCount);
        Assert.Equal(CircuitState.Closed, breaker.State.CircuitState);
    }

    [Fact]
    public async Task OperationCanceledWithoutTheCallersTokenCancelled_IsJudgedByShouldHandle()
    {
        var breaker = new BreakerHarness(o => o.ShouldHandle = _ => new ValueTask<bool>(true));

        await breaker.CallAsync(new OperationCanceledException());

        Assert.Equal(1, breaker.State.FailureCount);
    }

    [Fact]
    public async Task CancelledProbe_GivesItsPermitBack()
    {
        var breaker = new BreakerHarness();
        await breaker.TripAsync();
        breaker.Advance(TimeSpan.FromSeconds(30));
        using var cancellation = new CancellationTokenSource();
        var probe = breaker.Start(cancellation.Token);
        Assert.True(probe.Admitted);
        Assert.False(breaker.Start().Admitted);

        await cancellation.CancelAsync();
        await probe.Completion;
        var next = breaker.Start();

        Assert.True(next.Admitted);
        Assert.Equal(CircuitState.HalfOpen, breaker.State.CircuitState);
        Assert.Equal(3, breaker.State.FailureCount);
        await next.SucceedAsync();
        Assert.Equal(CircuitState.Closed, breaker.State.CircuitState);
    }

    [Fact]
    public async Task ProbeWhoseCallbackThrowsThroughExecuteOutcomeAsync_IsStillRecorded()
    {
        var breaker = new BreakerHarness();
        await breaker.TripAsync();
        breaker.Advance(TimeSpan.FromSeconds(30));
        var context = Polly.ResilienceContextPool.Shared.Get();

        await Assert.ThrowsAsync<InvalidOperationException>(() => breaker.Pipeline.ExecuteOutcomeAsync<string, int>(
            (_, _) => throw new InvalidOperationException("thrown, not returned"),
            context,
            0).AsTask());

        Assert.Equal(CircuitState.Open, breaker.State.CircuitState);
        Assert.Equal(4, breaker.State.FailureCount);
    }

    [Fact]
    public async Task ClosedCallWhoseCallbackThrowsThroughExecuteOutcomeAsync_IsStillCounted()
    {
        var breaker = new BreakerHarness();
        var context = Polly.ResilienceContextPool.Shared.Get();

        await Assert.ThrowsAsync<InvalidOperationException>(() => breaker.Pipeline.ExecuteOutcomeAsync<string, int>(
            (_, _) => throw new InvalidOperationException("thrown, not returned"),
            context,
            0).AsTask());

        Assert.Equal(1, breaker.State.FailureCount);
    }
}
