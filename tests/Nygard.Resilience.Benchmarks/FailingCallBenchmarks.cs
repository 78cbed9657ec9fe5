using BenchmarkDotNet.Attributes;
using Polly;

namespace Nygard.Resilience.Benchmarks;

/// <summary>A failing call while closed that is counted but does not trip (the thresholds are out of reach).</summary>
public class FailingCallBenchmarks
{
    private readonly ResiliencePipeline _empty = ResiliencePipeline.Empty;
    private readonly ResiliencePipeline _nygard = Pipelines.Nygard(int.MaxValue);
    private readonly ResiliencePipeline _pollyV8 = Pipelines.PollyV8(int.MaxValue);
    private readonly Polly.CircuitBreaker.AsyncCircuitBreakerPolicy _pollyV7 = Pipelines.PollyV7Async(int.MaxValue);

    [Benchmark(Baseline = true)]
    public ValueTask<Outcome<int>> Empty() => OutcomeCalls.FailAsync(_empty);

    [Benchmark]
    public ValueTask<Outcome<int>> Nygard() => OutcomeCalls.FailAsync(_nygard);

    [Benchmark]
    public ValueTask<Outcome<int>> PollyV8() => OutcomeCalls.FailAsync(_pollyV8);

    /// <summary>Polly v7 has no outcome API: its failure is a throw (of a fresh exception), captured.</summary>
    [Benchmark]
    public Task<PolicyResult> PollyV7() => _pollyV7.ExecuteAndCaptureAsync(static () => Task.FromException(new InvalidOperationException()));
}
