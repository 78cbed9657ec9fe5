using Polly;
using Polly.CircuitBreaker;

namespace Nygard.Resilience.Benchmarks;

/// <summary>The pipelines every benchmark compares: ours, Polly v8's breaker and Polly v7's consecutive breaker.</summary>
internal static class Pipelines
{
    public static readonly TimeSpan LongBreak = TimeSpan.FromDays(1);

    public static readonly TimeSpan ShortBreak = TimeSpan.FromSeconds(1);

    public static ResiliencePipeline Nygard(int failureThreshold, TimeProvider? time = null, TimeSpan? breakDuration = null) =>
        new ResiliencePipelineBuilder { TimeProvider = time ?? TimeProvider.System }
            .AddNygardBreaker(new NygardBreakerStrategyOptions { FailureThreshold = failureThreshold, BreakDuration = breakDuration ?? LongBreak })
            .Build();

    /// <summary>Polly v8's only breaker; with a failure ratio of 1 and a minimum throughput it opens after that many failures in a row.</summary>
    public static ResiliencePipeline PollyV8(int minimumThroughput, TimeProvider? time = null, TimeSpan? breakDuration = null) =>
        new ResiliencePipelineBuilder { TimeProvider = time ?? TimeProvider.System }
            .AddCircuitBreaker(new CircuitBreakerStrategyOptions
            {
                FailureRatio = 1.0,
                MinimumThroughput = minimumThroughput,
                SamplingDuration = TimeSpan.FromDays(1),
                BreakDuration = breakDuration ?? LongBreak,
            })
            .Build();

    public static Polly.CircuitBreaker.CircuitBreakerPolicy PollyV7(int failuresAllowed) =>
        Policy.Handle<Exception>().CircuitBreaker(failuresAllowed, LongBreak);

    public static Polly.CircuitBreaker.AsyncCircuitBreakerPolicy PollyV7Async(int failuresAllowed, TimeSpan? breakDuration = null) =>
        Policy.Handle<Exception>().CircuitBreakerAsync(failuresAllowed, breakDuration ?? LongBreak);
}
