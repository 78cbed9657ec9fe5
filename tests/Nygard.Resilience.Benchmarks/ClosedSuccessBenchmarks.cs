using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Configs;
using Polly;

namespace Nygard.Resilience.Benchmarks;

/// <summary>The path paid on every healthy call: closed, success, zero failures.</summary>
[GroupBenchmarksBy(BenchmarkLogicalGroupRule.ByCategory)]
[CategoriesColumn]
public class ClosedSuccessBenchmarks
{
    private readonly ResiliencePipeline _empty = ResiliencePipeline.Empty;
    private readonly ResiliencePipeline _nygard = Pipelines.Nygard(5);
    private readonly ResiliencePipeline _pollyV8 = Pipelines.PollyV8(100);
    private readonly ResiliencePipeline _noOpGeneric = NoOpStrategies.Generic();
    private readonly ResiliencePipeline _noOpNonGeneric = NoOpStrategies.NonGeneric();
    private readonly Polly.CircuitBreaker.CircuitBreakerPolicy _pollyV7 = Pipelines.PollyV7(5);
    private readonly Polly.CircuitBreaker.AsyncCircuitBreakerPolicy _pollyV7Async = Pipelines.PollyV7Async(5);

    [Benchmark(Baseline = true), BenchmarkCategory("sync")]
    public void Empty_Sync() => _empty.Execute(static () => { });

    [Benchmark, BenchmarkCategory("sync")]
    public void Nygard_Sync() => _nygard.Execute(static () => { });

    [Benchmark, BenchmarkCategory("sync")]
    public void PollyV8_Sync() => _pollyV8.Execute(static () => { });

    [Benchmark, BenchmarkCategory("sync")]
    public void NoOpStrategy_Sync() => _noOpNonGeneric.Execute(static () => { });

    [Benchmark, BenchmarkCategory("sync")]
    public void NoOpStrategyOfObject_Sync() => _noOpGeneric.Execute(static () => { });

    [Benchmark, BenchmarkCategory("sync")]
    public void PollyV7_Sync() => _pollyV7.Execute(static () => { });

    [Benchmark(Baseline = true), BenchmarkCategory("async")]
    public ValueTask Empty_Async() => _empty.ExecuteAsync(static _ => default);

    [Benchmark, BenchmarkCategory("async")]
    public ValueTask Nygard_Async() => _nygard.ExecuteAsync(static _ => default);

    [Benchmark, BenchmarkCategory("async")]
    public ValueTask PollyV8_Async() => _pollyV8.ExecuteAsync(static _ => default);

    [Benchmark, BenchmarkCategory("async")]
    public ValueTask NoOpStrategy_Async() => _noOpNonGeneric.ExecuteAsync(static _ => default);

    [Benchmark, BenchmarkCategory("async")]
    public ValueTask NoOpStrategyOfObject_Async() => _noOpGeneric.ExecuteAsync(static _ => default);

    [Benchmark, BenchmarkCategory("async")]
    public Task PollyV7_Async() => _pollyV7Async.ExecuteAsync(static () => Task.CompletedTask);
}
