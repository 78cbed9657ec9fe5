using Microsoft.Extensions.Time.Testing;
using Nygard.Resilience.Tests.Support;
using Polly;
using Polly.CircuitBreaker;

namespace Nygard.Resilience.Tests.Strategy;

public class SharedStoreTests
{
    private readonly FakeTimeProvider _time = new(BreakerHarness.Epoch);
    private readonly InMemoryNygardBreakerStateStore _store = new();

    [Fact]
    public async Task TwoPipelinesWithOneStore_AreOneBreaker()
    {
        var (first, firstOpened) = Build();
        var (second, secondOpened) = Build();

        await FailAsync(first);
        await FailAsync(second);
        await FailAsync(first);

        Assert.Equal(CircuitState.Open, _store.Current.State);
        await Assert.ThrowsAsync<BrokenCircuitException>(() => second.ExecuteAsync(_ => default).AsTask());
        await Assert.ThrowsAsync<BrokenCircuitException>(() => first.ExecuteAsync(_ => default).AsTask());
        Assert.Equal(1, firstOpened.Count);
        await WaitForAsync(() => secondOpened.Count == 1);
    }

    [Fact]
    public async Task SuccessOnOnePipeline_ResetsTheCountForBoth()
    {
        var (first, _) = Build();
        var (second, _) = Build();

        await FailAsync(first);
        await FailAsync(first);
        await second.ExecuteAsync(_ => default);
        await FailAsync(first);

        Assert.Equal(1, _store.Current.FailureCount);
        Assert.Equal(CircuitState.Closed, _store.Current.State);
    }

    [Fact]
    public async Task NewPipelineOnAnOpenStore_JoinsTheCurrentState()
    {
        var (first, _) = Build();
        for (var i = 0; i < 3; i++)
        {
            await FailAsync(first);
        }

        var (latecomer, _) = Build();

        await Assert.ThrowsAsync<BrokenCircuitException>(() => latecomer.ExecuteAsync(_ => default).AsTask());
        Assert.Equal(3, _store.Current.FailureCount);
    }

    private static async Task FailAsync(ResiliencePipeline pipeline) =>
        await Assert.ThrowsAsync<InvalidOperationException>(() => pipeline.ExecuteAsync(_ => throw new InvalidOperationException()).AsTask());

    private static async Task WaitForAsync(Func<bool> condition)
    {
        // The other pipeline learns of the transition from the store and raises its event in the background.
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        while (!condition())
        {
            await Task.Delay(1, timeout.Token);
        }
    }

    private (ResiliencePipeline Pipeline, Counter Opened) Build()
    {
        var opened = new Counter();
        var pipeline = new ResiliencePipelineBuilder { TimeProvider = _time }
            .AddNygardBreaker(new NygardBreakerStrategyOptions
            {
                FailureThreshold = 3,
                StateStore = _store,
                OnOpened = _ => opened.IncrementAsync(),
            })
            .Build();
        return (pipeline, opened);
    }
}
