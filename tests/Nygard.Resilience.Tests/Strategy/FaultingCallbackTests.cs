using Nygard.Resilience.Tests.Support;
using Polly;
using Polly.CircuitBreaker;

namespace Nygard.Resilience.Tests.Strategy;

/// <summary>ExecuteOutcomeAsync callbacks should not throw; one whose task faults anyway still counts, and keeps no permit.</summary>
public class FaultingCallbackTests
{
    [Fact]
    public async Task ProbeWhoseTaskFaults_PropagatesItsExceptionAndReopensTheBreaker()
    {
        var breaker = new BreakerHarness();
        await breaker.TripAsync();
        breaker.Advance(TimeSpan.FromSeconds(30));

        var error = await Assert.ThrowsAsync<TimeoutException>(() => FaultAfterYieldingAsync(breaker.Pipeline));

        Assert.Equal("faulted", error.Message);
        Assert.Equal(CircuitState.Open, breaker.State.CircuitState);
        Assert.Equal(["opened 30s", "half-opened", "opened 30s"], breaker.Events);
    }

    [Fact]
    public async Task ClosedCallWhoseTaskFaults_CountsAsAFailure()
    {
        var breaker = new BreakerHarness();

        await Assert.ThrowsAsync<TimeoutException>(() => FaultAfterYieldingAsync(breaker.Pipeline));

        Assert.Equal(1, breaker.State.FailureCount);
    }

    private static async Task FaultAfterYieldingAsync(ResiliencePipeline pipeline)
    {
        var context = ResilienceContextPool.Shared.Get();
        try
        {
            await pipeline.ExecuteOutcomeAsync<string, int>(
                static async (_, _) =>
                {
                    await Task.Yield();
                    throw new TimeoutException("faulted");
                },
                context,
                0);
        }
        finally
        {
            ResilienceContextPool.Shared.Return(context);
        }
    }
}
