using Polly;
using Polly.CircuitBreaker;

namespace Nygard.Resilience.Tests.Strategy;

/// <summary>The overloads that give the breaker its store, for the generic and the non-generic builder.</summary>
public class BuilderOverloadTests
{
    [Fact]
    public async Task GenericBuilderWithAStore_KeepsTheStateThereWhateverTheOptionsSay()
    {
        var given = new InMemoryNygardBreakerStateStore();
        var inOptions = new InMemoryNygardBreakerStateStore();
        var builder = new ResiliencePipelineBuilder<string>();

        var returned = builder.AddNygardBreaker(new NygardBreakerStrategyOptions<string> { FailureThreshold = 1, StateStore = inOptions }, given);
        var pipeline = returned.Build();
        await Assert.ThrowsAsync<InvalidOperationException>(() => pipeline.ExecuteAsync<string>(_ => throw new InvalidOperationException()).AsTask());

        Assert.Same(builder, returned);
        Assert.Equal(CircuitState.Open, given.Current.State);
        Assert.Equal(CircuitState.Closed, inOptions.Current.State);
    }

    [Fact]
    public void NonGenericBuilderWithAStore_ReturnsTheSameBuilder()
    {
        var builder = new ResiliencePipelineBuilder();

        Assert.Same(builder, builder.AddNygardBreaker(new NygardBreakerStrategyOptions(), new InMemoryNygardBreakerStateStore()));
    }

    [Fact]
    public void GenericBuilder_RefusesAStateProviderAttachedToAnotherBreaker()
    {
        var provider = new NygardBreakerStateProvider();
        new ResiliencePipelineBuilder<string>().AddNygardBreaker(new NygardBreakerStrategyOptions<string> { StateProvider = provider });

        var error = Assert.Throws<InvalidOperationException>(() =>
            new ResiliencePipelineBuilder<string>().AddNygardBreaker(new NygardBreakerStrategyOptions<string> { StateProvider = provider }));
        Assert.Contains("StateProvider", error.Message, StringComparison.Ordinal);

        var elsewhere = new NygardBreakerStateProvider();
        new ResiliencePipelineBuilder<string>().AddNygardBreaker(new NygardBreakerStrategyOptions<string> { StateProvider = elsewhere }, new InMemoryNygardBreakerStateStore());
        Assert.Throws<InvalidOperationException>(() =>
            new ResiliencePipelineBuilder<string>().AddNygardBreaker(new NygardBreakerStrategyOptions<string> { StateProvider = elsewhere }, new InMemoryNygardBreakerStateStore()));
    }

    [Fact]
    public async Task BreakerRebuiltOnTheSameStore_MayReuseTheStateProvider()
    {
        var store = new InMemoryNygardBreakerStateStore();
        var provider = new NygardBreakerStateProvider();
        var first = new ResiliencePipelineBuilder<string>()
            .AddNygardBreaker(new NygardBreakerStrategyOptions<string> { FailureThreshold = 1, StateProvider = provider }, store)
            .Build();
        await Assert.ThrowsAsync<InvalidOperationException>(() => first.ExecuteAsync<string>(_ => throw new InvalidOperationException()).AsTask());

        _ = new ResiliencePipelineBuilder<string>()
            .AddNygardBreaker(new NygardBreakerStrategyOptions<string> { FailureThreshold = 5, StateProvider = provider }, store)
            .Build();

        Assert.Equal(CircuitState.Open, provider.CircuitState);
    }
}
