using BenchmarkDotNet.Attributes;
using Polly;
using Polly.CircuitBreaker;
using Polly.Retry;

namespace Nygard.Resilience.Benchmarks;

/// <summary>A realistic pipeline, retry + breaker + timeout, on the healthy path, with each breaker in the middle.</summary>
public class CompositePipelineBenchmarks
{
    private readonly ResiliencePipeline _empty = ResiliencePipeline.Empty;
    private readonly ResiliencePipeline _withoutBreaker = Build(builder => builder);
    private readonly ResiliencePipeline _nygard = Build(builder => builder.AddNygardBreaker(5, TimeSpan.FromSeconds(30)));
    private readonly ResiliencePipeline _pollyV8 = Build(builder => builder.AddCircuitBreaker(new CircuitBreakerStrategyOptions()));
    private readonly Polly.Wrap.AsyncPolicyWrap _pollyV7 = Policy.WrapAsync(
        Policy.Handle<Exception>().RetryAsync(3),
        Policy.Handle<Exception>().CircuitBreakerAsync(5, TimeSpan.FromSeconds(30)),
        Policy.TimeoutAsync(TimeSpan.FromSeconds(10)));

    [Benchmark(Baseline = true)]
    public ValueTask Empty() => _empty.ExecuteAsync(static _ => default);

    [Benchmark]
    public ValueTask RetryTimeout_NoBreaker() => _withoutBreaker.ExecuteAsync(static _ => default);

    [Benchmark]
    public ValueTask RetryNygardTimeout() => _nygard.ExecuteAsync(static _ => default);

    [Benchmark]
    public ValueTask RetryPollyV8BreakerTimeout() => _pollyV8.ExecuteAsync(static _ => default);

    [Benchmark]
    public Task PollyV7_RetryBreakerTimeoutWrap() => _pollyV7.ExecuteAsync(static () => Task.CompletedTask);

    private static ResiliencePipeline Build(Func<ResiliencePipelineBuilder, ResiliencePipelineBuilder> breaker) =>
        breaker(new ResiliencePipelineBuilder().AddRetry(new RetryStrategyOptions()))
            .AddTimeout(TimeSpan.FromSeconds(10))
            .Build();
}
