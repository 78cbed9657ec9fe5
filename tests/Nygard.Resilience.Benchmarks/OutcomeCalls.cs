using Polly;

namespace Nygard.Resilience.Benchmarks;

/// <summary>Calls through <c>ExecuteOutcomeAsync</c> with a pooled context: no throw on either side.</summary>
internal static class OutcomeCalls
{
    private static readonly InvalidOperationException Failure = new("dependency failed");

    public static async ValueTask<Outcome<int>> FailAsync(ResiliencePipeline pipeline)
    {
        var context = ResilienceContextPool.Shared.Get();
        var outcome = await pipeline.ExecuteOutcomeAsync(static (_, _) => Outcome.FromExceptionAsValueTask<int>(Failure), context, 0);
        ResilienceContextPool.Shared.Return(context);
        return outcome;
    }

    public static async ValueTask<Outcome<int>> SucceedAsync(ResiliencePipeline pipeline)
    {
        var context = ResilienceContextPool.Shared.Get();
        var outcome = await pipeline.ExecuteOutcomeAsync(static (_, _) => Outcome.FromResultAsValueTask(1), context, 0);
        ResilienceContextPool.Shared.Return(context);
        return outcome;
    }
}
