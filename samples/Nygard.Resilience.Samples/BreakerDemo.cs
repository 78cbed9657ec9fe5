using Polly;
using Polly.CircuitBreaker;
using Polly.Retry;
using Polly.Timeout;

namespace Nygard.Resilience.Samples;

/// <summary>
/// A flaky dependency behind retry + Nygard breaker + timeout: a trip, rejections, a half-open probe that fails,
/// and recovery.
/// </summary>
internal static class BreakerDemo
{
    public static async Task<int> RunAsync()
    {
        var service = new FlakyInventoryService();
        var breaker = new NygardBreakerStateProvider();
        var timeline = new Timeline(breaker);

        var pipeline = new ResiliencePipelineBuilder<int>()
            .AddRetry(new RetryStrategyOptions<int>
            {
                MaxRetryAttempts = 1,
                Delay = TimeSpan.FromMilliseconds(50),
                // Retrying a call the breaker rejected would only be rejected again.
                ShouldHandle = new PredicateBuilder<int>().Handle<Exception>(e => e is not BrokenCircuitException),
                OnRetry = args =>
                {
                    timeline.Event($"retrying because: {args.Outcome.Exception?.Message}");
                    return default;
                },
            })
            .AddNygardBreaker(new NygardBreakerStrategyOptions<int>
            {
                FailureThreshold = 3,
                BreakDuration = TimeSpan.FromSeconds(1.5),
                StateProvider = breaker,
                OnOpened = args =>
                {
                    timeline.Event($"OnOpened: breaking for {args.BreakDuration.TotalSeconds}s");
                    return default;
                },
                OnHalfOpened = _ =>
                {
                    timeline.Event("OnHalfOpened: letting one probe through");
                    return default;
                },
                OnClosed = _ =>
                {
                    timeline.Event("OnClosed: dependency is healthy again");
                    return default;
                },
            })
            .AddTimeout(TimeSpan.FromMilliseconds(300))
            .Build();

        async Task CallAsync(string what)
        {
            var context = ResilienceContextPool.Shared.Get();
            try
            {
                var outcome = await pipeline.ExecuteOutcomeAsync(
                    static async (ctx, svc) =>
                    {
                        try
                        {
                            return Outcome.FromResult(await svc.GetStockAsync(ctx.CancellationToken));
                        }
                        catch (Exception e)
                        {
                            return Outcome.FromException<int>(e);
                        }
                    },
                    context,
                    service);
                timeline.Call(what, outcome.Exception switch
                {
                    null => $"stock = {outcome.Result}",
                    BrokenCircuitException rejected => $"rejected at once (retry after {rejected.RetryAfter?.TotalSeconds:0.00}s)",
                    TimeoutRejectedException => "timed out",
                    var error => $"failed: {error.Message}",
                });
            }
            finally
            {
                ResilienceContextPool.Shared.Return(context);
            }
        }

        Timeline.Heading("The dependency is up");
        await CallAsync("get stock");
        await CallAsync("get stock");

        Timeline.Heading("The dependency goes down: failures count up, the third one trips the breaker");
        service.Health = ServiceHealth.Down;
        await CallAsync("get stock");
        await CallAsync("get stock");

        Timeline.Heading("While open, calls are rejected without touching the dependency");
        var callsBefore = service.Calls;
        await CallAsync("get stock");
        await CallAsync("get stock");
        timeline.Event($"the dependency saw {service.Calls - callsBefore} of those calls");

        Timeline.Heading("The break ends, but the dependency now hangs: the probe times out and the breaker opens again");
        service.Health = ServiceHealth.Hanging;
        await breaker.WaitForRetryAsync();
        await CallAsync("probe");

        Timeline.Heading("The dependency recovers: the next probe closes the breaker");
        service.Health = ServiceHealth.Up;
        await breaker.WaitForRetryAsync();
        await CallAsync("probe");
        await CallAsync("get stock");

        var healthy = breaker.CircuitState == CircuitState.Closed;
        Console.WriteLine();
        Console.WriteLine(healthy ? "Done: the breaker tripped, rejected, probed and recovered." : "Unexpected: the breaker did not recover.");
        return healthy ? 0 : 1;
    }
}
