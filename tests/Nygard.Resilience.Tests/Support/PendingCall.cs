using Polly;

namespace Nygard.Resilience.Tests.Support;

/// <summary>A call through a pipeline whose outcome the test decides later.</summary>
internal sealed class PendingCall
{
    private readonly TaskCompletionSource<Outcome<string>> _result = new();

    public PendingCall(ResiliencePipeline pipeline, CancellationToken cancellationToken)
    {
        Completion = RunAsync(pipeline, cancellationToken);
    }

    /// <summary>Gets a value indicating whether the breaker let the call run.</summary>
    public bool Admitted { get; private set; }

    public Task<Outcome<string>> Completion { get; }

    public Task<Outcome<string>> SucceedAsync() => FinishAsync(Outcome.FromResult("late ok"));

    public Task<Outcome<string>> FailAsync() => FinishAsync(Outcome.FromException<string>(new InvalidOperationException("late boom")));

    public Task<Outcome<string>> FinishAsync(Outcome<string> outcome)
    {
        _result.SetResult(outcome);
        return Completion;
    }

    private async Task<Outcome<string>> RunAsync(ResiliencePipeline pipeline, CancellationToken cancellationToken)
    {
        var context = ResilienceContextPool.Shared.Get(cancellationToken);
        try
        {
            return await pipeline.ExecuteOutcomeAsync(
                static async (ctx, call) =>
                {
                    call.Admitted = true;
                    try
                    {
                        return await call._result.Task.WaitAsync(ctx.CancellationToken).ConfigureAwait(false);
                    }
                    catch (OperationCanceledException e)
                    {
                        return Outcome.FromException<string>(e);
                    }
                },
                context,
                this);
        }
        finally
        {
            ResilienceContextPool.Shared.Return(context);
        }
    }
}
