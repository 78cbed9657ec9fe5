using Nygard.Resilience.Tests.Support;
using Polly;
using Polly.CircuitBreaker;

namespace Nygard.Resilience.Tests.Control;

public class ManualControlLifecycleTests
{
    public static TheoryData<string> CommandsThatEndIsolation => ["open", "half-open", "close"];

    [Fact]
    public async Task CommandCancelledWhileItRuns_StopsBeforeTheNextBreaker()
    {
        var control = new NygardBreakerManualControl();
        using var cancellation = new CancellationTokenSource();
        var first = new NygardBreakerStateProvider();
        var second = new NygardBreakerStateProvider();
        _ = new ResiliencePipelineBuilder()
            .AddNygardBreaker(new NygardBreakerStrategyOptions { ManualControl = control, StateProvider = first, OnOpened = _ => new ValueTask(cancellation.CancelAsync()) })
            .Build();
        _ = new ResiliencePipelineBuilder()
            .AddNygardBreaker(new NygardBreakerStrategyOptions { ManualControl = control, StateProvider = second })
            .Build();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => control.OpenAsync(cancellation.Token));

        Assert.Equal((CircuitState.Open, CircuitState.Closed), (first.CircuitState, second.CircuitState));
    }

    [Theory]
    [MemberData(nameof(CommandsThatEndIsolation))]
    public async Task BreakerBuiltAfterIsolationEnded_DoesNotStartIsolated(string command)
    {
        var control = new NygardBreakerManualControl();
        await control.IsolateAsync();
        await (command switch
        {
            "open" => control.OpenAsync(),
            "half-open" => control.HalfOpenAsync(),
            _ => control.CloseAsync(),
        });

        var provider = new NygardBreakerStateProvider();
        var pipeline = new ResiliencePipelineBuilder()
            .AddNygardBreaker(new NygardBreakerStrategyOptions { ManualControl = control, StateProvider = provider })
            .Build();

        Assert.Equal(CircuitState.Closed, provider.CircuitState);
        await pipeline.ExecuteAsync(_ => default);
    }

    [Fact]
    public async Task CommandWithACancelledToken_ThrowsAndLeavesTheBreakersAlone()
    {
        var breaker = new BreakerHarness();
        using var cancellation = new CancellationTokenSource();
        await cancellation.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => breaker.Control.OpenAsync(cancellation.Token));
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => breaker.Control.IsolateAsync(cancellation.Token));

        Assert.Equal(CircuitState.Closed, breaker.State.CircuitState);
        Assert.Empty(breaker.Events);
    }

    [Fact]
    public async Task DisposedBreaker_IsNoLongerCommanded_WhileTheOthersStillAre()
    {
        var control = new NygardBreakerManualControl();
        var keptStore = new InMemoryNygardBreakerStateStore();
        var droppedStore = new InMemoryNygardBreakerStateStore();
        var registry = new Polly.Registry.ResiliencePipelineRegistry<string>();
        _ = registry.GetOrAddPipeline("dropped", b => b.AddNygardBreaker(new NygardBreakerStrategyOptions { ManualControl = control }, droppedStore));
        _ = new ResiliencePipelineBuilder().AddNygardBreaker(new NygardBreakerStrategyOptions { ManualControl = control }, keptStore).Build();

        registry.Dispose();
        await control.OpenAsync();

        Assert.Equal(CircuitState.Open, keptStore.Current.State);
        Assert.Equal(CircuitState.Closed, droppedStore.Current.State);
    }

    [Fact]
    public async Task IsolateAsync_CancelledBeforeItStarts_DoesNotMakeLaterBreakersStartIsolated()
    {
        var control = new NygardBreakerManualControl();
        using var cancelled = new CancellationTokenSource();
        await cancelled.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => control.IsolateAsync(cancelled.Token));
        var later = new ResiliencePipelineBuilder()
            .AddNygardBreaker(new NygardBreakerStrategyOptions { ManualControl = control })
            .Build();

        later.Execute(() => { });
    }
}
