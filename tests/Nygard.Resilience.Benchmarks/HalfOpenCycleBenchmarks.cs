using BenchmarkDotNet.Attributes;
using Microsoft.Extensions.Time.Testing;
using Polly;
using Polly.Utilities;

namespace Nygard.Resilience.Benchmarks;

/// <summary>
/// Half-open probe admission, measured as one whole cycle on fake time: two failures trip the breaker, the break
/// elapses, one probe is admitted and its success closes the breaker again.
/// </summary>
public class HalfOpenCycleBenchmarks
{
    private readonly FakeTimeProvider _time = new();
    private ResiliencePipeline _empty = null!;
    private ResiliencePipeline _nygard = null!;
    private ResiliencePipeline _pollyV8 = null!;
    private Polly.CircuitBreaker.AsyncCircuitBreakerPolicy _pollyV7 = null!;

    [GlobalSetup]
    public void Setup()
    {
        _empty = ResiliencePipeline.Empty;
        _nygard = Pipelines.Nygard(2, _time, Pipelines.ShortBreak);
        _pollyV8 = Pipelines.PollyV8(2, _time, Pipelines.ShortBreak);
        _pollyV7 = Pipelines.PollyV7Async(2, Pipelines.ShortBreak);
        SystemClock.UtcNow = () => _time.GetUtcNow().UtcDateTime; // Polly v7 reads this clock
    }

    [Benchmark(Baseline = true)]
    public async Task Empty()
    {
        await OutcomeCalls.FailAsync(_empty);
        await OutcomeCalls.FailAsync(_empty);
        await OutcomeCalls.SucceedAsync(_empty);
    }

    [Benchmark]
    public async Task Nygard() => await Cycle(_nygard);

    [Benchmark]
    public async Task PollyV8() => await Cycle(_pollyV8);

    [Benchmark]
    public async Task PollyV7()
    {
        // Polly v7 has no outcome API: its failures are thrown, so each needs a fresh exception.
        await _pollyV7.ExecuteAndCaptureAsync(static () => Task.FromException(new InvalidOperationException()));
        await _pollyV7.ExecuteAndCaptureAsync(static () => Task.FromException(new InvalidOperationException()));
        _time.Advance(Pipelines.ShortBreak);
        await _pollyV7.ExecuteAsync(static () => Task.CompletedTask);
    }

    private async Task Cycle(ResiliencePipeline pipeline)
    {
        await OutcomeCalls.FailAsync(pipeline);
        await OutcomeCalls.FailAsync(pipeline);
        _time.Advance(Pipelines.ShortBreak);
        var probe = await OutcomeCalls.SucceedAsync(pipeline);
        if (probe.Exception is not null)
        {
            throw new InvalidOperationException("the probe was not admitted", probe.Exception);
        }
    }
}
