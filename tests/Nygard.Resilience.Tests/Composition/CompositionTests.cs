using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using Nygard.Resilience.Tests.Support;
using Polly;
using Polly.CircuitBreaker;
using Polly.Registry;
using Polly.Retry;
using Polly.Testing;
using Polly.Timeout;

namespace Nygard.Resilience.Tests.Composition;

public class CompositionTests
{
    [Fact]
    public async Task RetryAroundTheBreaker_StopsCallingTheDependencyOnceTheBreakerOpens()
    {
        var provider = new NygardBreakerStateProvider();
        var pipeline = new ResiliencePipelineBuilder()
            .AddRetry(new RetryStrategyOptions { MaxRetryAttempts = 10, Delay = TimeSpan.Zero })
            .AddNygardBreaker(new NygardBreakerStrategyOptions { FailureThreshold = 3, StateProvider = provider })
            .Build();
        var calls = 0;

        await Assert.ThrowsAsync<BrokenCircuitException>(() => pipeline.ExecuteAsync(_ =>
        {
            calls++;
            throw new InvalidOperationException();
        }).AsTask());

        Assert.Equal(3, calls);
        Assert.Equal(CircuitState.Open, provider.CircuitState);
    }

    [Fact]
    public async Task TimeoutInsideTheBreaker_CountsEachTimeoutAsAFailure()
    {
        var time = new FakeTimeProvider(BreakerHarness.Epoch);
        var provider = new NygardBreakerStateProvider();
        var pipeline = new ResiliencePipelineBuilder { TimeProvider = time }
            .AddNygardBreaker(new NygardBreakerStrategyOptions { FailureThreshold = 2, StateProvider = provider })
            .AddTimeout(TimeSpan.FromSeconds(1))
            .Build();

        for (var i = 1; i <= 2; i++)
        {
            var hanging = pipeline.ExecuteAsync(async token => await Task.Delay(Timeout.InfiniteTimeSpan, time, token)).AsTask();
            time.Advance(TimeSpan.FromSeconds(1));
            await Assert.ThrowsAsync<TimeoutRejectedException>(() => hanging);
            Assert.Equal(i, provider.FailureCount);
        }

        Assert.Equal(CircuitState.Open, provider.CircuitState);
    }

    [Fact]
    public async Task RetryBreakerAndTimeout_ComposeAsAUsualPipeline()
    {
        var time = new FakeTimeProvider(BreakerHarness.Epoch);
        var pipeline = new ResiliencePipelineBuilder { TimeProvider = time }
            .AddRetry(new RetryStrategyOptions { MaxRetryAttempts = 2, Delay = TimeSpan.Zero })
            .AddNygardBreaker(new NygardBreakerStrategyOptions { FailureThreshold = 5 })
            .AddTimeout(TimeSpan.FromSeconds(1))
            .Build();
        var attempts = 0;

        var result = await pipeline.ExecuteAsync(_ => new ValueTask<string>(++attempts < 3 ? throw new InvalidOperationException() : "third time lucky"));

        Assert.Equal("third time lucky", result);
        var descriptor = pipeline.GetPipelineDescriptor();
        Assert.Equal(3, descriptor.Strategies.Count);
        Assert.IsType<NygardBreakerStrategyOptions>(descriptor.Strategies[1].Options);
    }

    [Fact]
    public async Task GenericBuilder_CountsResultBasedFailures()
    {
        var provider = new NygardBreakerStateProvider();
        var pipeline = new ResiliencePipelineBuilder<int>()
            .AddNygardBreaker(new NygardBreakerStrategyOptions<int>
            {
                FailureThreshold = 2,
                StateProvider = provider,
                ShouldHandle = new PredicateBuilder<int>().HandleResult(503),
            })
            .Build();

        Assert.Equal(503, await pipeline.ExecuteAsync(_ => new ValueTask<int>(503)));
        Assert.Equal(1, provider.FailureCount);
        Assert.Equal(200, await pipeline.ExecuteAsync(_ => new ValueTask<int>(200)));
        Assert.Equal(0, provider.FailureCount);
        Assert.Equal(503, await pipeline.ExecuteAsync(_ => new ValueTask<int>(503)));
        Assert.Equal(503, await pipeline.ExecuteAsync(_ => new ValueTask<int>(503)));

        Assert.Equal(CircuitState.Open, provider.CircuitState);
        await Assert.ThrowsAsync<BrokenCircuitException>(() => pipeline.ExecuteAsync(_ => new ValueTask<int>(200)).AsTask());
    }

    [Fact]
    public async Task OnOpened_ForTheGenericBuilder_CarriesTheTrippingResult()
    {
        int? trippingResult = null;
        var pipeline = new ResiliencePipelineBuilder<int>()
            .AddNygardBreaker(new NygardBreakerStrategyOptions<int>
            {
                FailureThreshold = 1,
                ShouldHandle = args => new ValueTask<bool>(args.Outcome.Result >= 500),
                OnOpened = args =>
                {
                    trippingResult = args.Outcome.Result;
                    return default;
                },
            })
            .Build();

        await pipeline.ExecuteAsync(_ => new ValueTask<int>(502));

        Assert.Equal(502, trippingResult);
    }

    [Fact]
    public async Task RegisteredThroughDependencyInjection_ResolvesByKeyAndKeepsItsState()
    {
        var services = new ServiceCollection();
        var provider = new NygardBreakerStateProvider();
        services.AddResiliencePipeline("inventory", builder => builder
            .AddNygardBreaker(new NygardBreakerStrategyOptions { FailureThreshold = 2, StateProvider = provider }));
        await using var serviceProvider = services.BuildServiceProvider();

        var registry = serviceProvider.GetRequiredService<ResiliencePipelineProvider<string>>();
        var first = registry.GetPipeline("inventory");
        await Assert.ThrowsAsync<InvalidOperationException>(() => first.ExecuteAsync(_ => throw new InvalidOperationException()).AsTask());
        var again = registry.GetPipeline("inventory");
        await Assert.ThrowsAsync<InvalidOperationException>(() => again.ExecuteAsync(_ => throw new InvalidOperationException()).AsTask());

        Assert.Same(first, again);
        Assert.Equal(CircuitState.Open, provider.CircuitState);
        await Assert.ThrowsAsync<BrokenCircuitException>(() => again.ExecuteAsync(_ => default).AsTask());
    }

    [Fact]
    public async Task RegisteredThroughDependencyInjection_ReportsTelemetryWithPollysEventNames()
    {
        var services = new ServiceCollection();
        var listener = new RecordingTelemetryListener();
        services.AddResiliencePipeline("payments", builder => builder.AddNygardBreaker(1, TimeSpan.FromSeconds(5)));
        services.Configure<Polly.Telemetry.TelemetryOptions>(o => o.TelemetryListeners.Add(listener));
        await using var serviceProvider = services.BuildServiceProvider();
        var pipeline = serviceProvider.GetRequiredService<ResiliencePipelineProvider<string>>().GetPipeline("payments");

        await Assert.ThrowsAsync<InvalidOperationException>(() => pipeline.ExecuteAsync(_ => throw new InvalidOperationException()).AsTask());

        Assert.Equal(["OnCircuitOpened"], listener.Names());
    }
}
