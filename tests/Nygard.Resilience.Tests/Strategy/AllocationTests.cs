using Polly;

namespace Nygard.Resilience.Tests.Strategy;

/// <summary>A regression guard on the clean path: closed, success, no failures. Timing is left to the benchmarks.</summary>
public class AllocationTests
{
    [Fact]
    public void ClosedSuccess_Synchronous_AllocatesNothing()
    {
        var pipeline = new ResiliencePipelineBuilder().AddNygardBreaker(5, TimeSpan.FromSeconds(30)).Build();
        for (var i = 0; i < 100; i++)
        {
            pipeline.Execute(static () => { });
        }

        var before = GC.GetAllocatedBytesForCurrentThread();
        for (var i = 0; i < 10_000; i++)
        {
            pipeline.Execute(static () => { });
        }

        AssertNothingAllocatedPerCall(GC.GetAllocatedBytesForCurrentThread() - before, calls: 10_000);
    }

    [Fact]
    public void ClosedSuccess_AsyncCompletingSynchronously_AllocatesNothing()
    {
        var pipeline = new ResiliencePipelineBuilder().AddNygardBreaker(5, TimeSpan.FromSeconds(30)).Build();
        for (var i = 0; i < 100; i++)
        {
            Assert.True(CompletedSynchronously(pipeline.ExecuteAsync(static _ => default)));
        }

        var before = GC.GetAllocatedBytesForCurrentThread();
        for (var i = 0; i < 10_000; i++)
        {
            Assert.True(CompletedSynchronously(pipeline.ExecuteAsync(static _ => default)));
        }

        AssertNothingAllocatedPerCall(GC.GetAllocatedBytesForCurrentThread() - before, calls: 10_000);
    }

    private static void AssertNothingAllocatedPerCall(long allocated, int calls) =>
        // A few bytes in total can come from the runtime itself (tiered compilation), never from each call.
        Assert.True(allocated < calls / 10, $"{allocated} bytes allocated over {calls} calls");

    private static bool CompletedSynchronously(ValueTask pending) => pending.IsCompletedSuccessfully;
}
