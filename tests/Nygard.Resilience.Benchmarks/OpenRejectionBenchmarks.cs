using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Configs;
using Polly;
using Polly.CircuitBreaker;

namespace Nygard.Resilience.Benchmarks;

/// <summary>
/// Calls rejected by an open breaker: thrown (<c>ExecuteAsync</c>) and returned (<c>ExecuteOutcomeAsync</c>).
/// The empty pipeline's successful call is the baseline for scale.
/// </summary>
[GroupBenchmarksBy(BenchmarkLogicalGroupRule.ByCategory)]
[CategoriesColumn]
public class OpenRejectionBenchmarks
{
    private readonly ResiliencePipeline _empty = ResiliencePipeline.Empty;
    private readonly ResiliencePipeline _nygard = Pipelines.Nygard(1);
    private readonly ResiliencePipeline _pollyV8 = Pipelines.PollyV8(2);
    private readonly Polly.CircuitBreaker.AsyncCircuitBreakerPolicy _pollyV7 = Pipelines.PollyV7Async(1);

    [GlobalSetup]
    public void Trip()
    {
        for (var i = 0; i < 2; i++)
        {
            Swallow(() => _nygard.Execute(static () => throw new InvalidOperationException()));
            Swallow(() => _pollyV8.Execute(static () => throw new InvalidOperationException()));
            Swallow(() => _pollyV7.ExecuteAsync(static () => throw new InvalidOperationException()).GetAwaiter().GetResult());
        }

        if (_pollyV7.CircuitState != CircuitState.Open)
        {
            throw new InvalidOperationException("Polly v7's breaker did not open.");
        }
    }

    [Benchmark(Baseline = true), BenchmarkCategory("outcome")]
    public ValueTask<Outcome<int>> Empty_Outcome() => OutcomeCalls.SucceedAsync(_empty);

    [Benchmark, BenchmarkCategory("outcome")]
    public ValueTask<Outcome<int>> Nygard_Outcome() => OutcomeCalls.SucceedAsync(_nygard);

    [Benchmark, BenchmarkCategory("outcome")]
    public ValueTask<Outcome<int>> PollyV8_Outcome() => OutcomeCalls.SucceedAsync(_pollyV8);

    [Benchmark, BenchmarkCategory("outcome")]
    public async Task<PolicyResult> PollyV7_Captured() => await _pollyV7.ExecuteAndCaptureAsync(static () => Task.CompletedTask);

    [Benchmark(Baseline = true), BenchmarkCategory("thrown")]
    public async Task Empty_Thrown() => await _empty.ExecuteAsync(static _ => default);

    [Benchmark, BenchmarkCategory("thrown")]
    public async Task Nygard_Thrown() => await Thrown(_nygard);

    [Benchmark, BenchmarkCategory("thrown")]
    public async Task PollyV8_Thrown() => await Thrown(_pollyV8);

    [Benchmark, BenchmarkCategory("thrown")]
    public async Task PollyV7_Thrown()
    {
        try
        {
            await _pollyV7.ExecuteAsync(static () => Task.CompletedTask);
        }
        catch (BrokenCircuitException)
        {
        }
    }

    private static async Task Thrown(ResiliencePipeline pipeline)
    {
        try
        {
            await pipeline.ExecuteAsync(static _ => default);
        }
        catch (BrokenCircuitException)
        {
        }
    }

    private static void Swallow(Action action)
    {
        try
        {
            action();
        }
        catch (Exception)
        {
            // the failures that trip the breakers, then the rejections once they are open
        }
    }
}
