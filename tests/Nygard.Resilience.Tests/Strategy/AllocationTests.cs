using Microsoft.Extensions.Time.Testing;
using Polly;
using Polly.Telemetry;

namespace Nygard.Resilience.Tests.Strategy;

/// <summary>
/// Regression guards on what calls allocate: nothing on the clean path (closed, success, no failures), and a bounded
/// amount for a whole trip, probe and close. Timing is left to the benchmarks.
/// </summary>
public class AllocationTests
{
    private const int WarmUpCalls = 100;
    private const int MeasuredCalls = 10_000;

    [Fact]
    public void ClosedSuccess_Synchronous_AllocatesNothing()
    {
        var pipeline = new ResiliencePipelineBuilder().AddNygardBreaker(5, TimeSpan.FromSeconds(30)).Build();

        AssertNothingAllocatedPerCall(() => pipeline.Execute(static () => { }));
    }

    [Fact]
    public void ClosedSuccess_CountedByACallCounter_AllocatesNothing()
    {
        var handles = new HandleListener();
        var pipeline = new ResiliencePipelineBuilder { TelemetryListener = handles }.AddNygardBreaker(5, TimeSpan.FromSeconds(30)).Build();
        var counter = new NygardBreakerCallCounter();
        Assert.Single(handles.Built).CallCounter = counter;

        AssertNothingAllocatedPerCall(() => pipeline.Execute(static () => { }));

        Assert.Equal(WarmUpCalls + MeasuredCalls, counter.Total(NygardBreakerCallOutcome.Success));
    }

    [Fact]
    public void ClosedSuccess_AsyncCompletingSynchronously_AllocatesNothing()
    {
        var pipeline = new ResiliencePipelineBuilder().AddNygardBreaker(5, TimeSpan.FromSeconds(30)).Build();

        AssertNothingAllocatedPerCall(() => Assert.True(CompletedSynchronously(pipeline.ExecuteAsync(static _ => default))));
    }

    [Fact]
    public void TripProbeAndClose_AllocateABoundedAmountPerCycle()
    {
        // What a cycle allocates: a probe lease and the cause of the trip (the exception rejections carry); the in-memory
        // store makes no snapshot nobody reads. The bound catches a per-transition allocation creeping back
        // (docs/performance.md has the history). With no
        // handlers every call completes synchronously, so the test needs no async method of its own (Debug builds
        // allocate those).
        var time = new FakeTimeProvider();
        var pipeline = new ResiliencePipelineBuilder { TimeProvider = time }
            .AddNygardBreaker(new NygardBreakerStrategyOptions { FailureThreshold = 2, BreakDuration = TimeSpan.FromSeconds(1) })
            .Build();
        var failure = Outcome.FromException<int>(new InvalidOperationException("dependency failed"));
        var success = Outcome.FromResult(1);

        void Cycle()
        {
            Assert.NotNull(Call(failure).Exception);
            Assert.NotNull(Call(failure).Exception);
            time.Advance(TimeSpan.FromSeconds(1));
            Assert.Null(Call(success).Exception);
        }

        Outcome<int> Call(Outcome<int> result)
        {
            var context = ResilienceContextPool.Shared.Get();
            var pending = pipeline.ExecuteOutcomeAsync(static (_, result) => new ValueTask<Outcome<int>>(result), context, result);
            Assert.True(pending.IsCompletedSuccessfully, "a call with no handlers to wait for completes synchronously");
            ResilienceContextPool.Shared.Return(context);
            return pending.Result;
        }

        for (var i = 0; i < 100; i++)
        {
            Cycle();
        }

        const int Cycles = 1_000;
        var before = GC.GetAllocatedBytesForCurrentThread();
        for (var i = 0; i < Cycles; i++)
        {
            Cycle();
        }

        var perCycle = (GC.GetAllocatedBytesForCurrentThread() - before) / Cycles;
        Assert.True(perCycle <= 100, $"{perCycle} bytes allocated per trip, probe and close");
    }

    private static void AssertNothingAllocatedPerCall(Action call)
    {
        for (var i = 0; i < WarmUpCalls; i++)
        {
            call();
        }

        var before = GC.GetAllocatedBytesForCurrentThread();
        for (var i = 0; i < MeasuredCalls; i++)
        {
            call();
        }

        // A few bytes in total can come from the runtime itself (tiered compilation), never from each call.
        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        Assert.True(allocated < MeasuredCalls / 10, $"{allocated} bytes allocated over {MeasuredCalls} calls");
    }

    private static bool CompletedSynchronously(ValueTask pending) => pending.IsCompletedSuccessfully;

    /// <summary>Takes the handles of built breakers and nothing else, so that it allocates nothing per call.</summary>
    private sealed class HandleListener : TelemetryListener
    {
        public List<NygardBreakerHandle> Built { get; } = [];

        public override void Write<TResult, TArgs>(in TelemetryEventArguments<TResult, TArgs> args)
        {
            if (args.Arguments is NygardBreakerBuiltArguments built)
            {
                Built.Add(built.Breaker);
            }
        }
    }
}
