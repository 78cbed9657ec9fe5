using System.Runtime.CompilerServices;
using Nygard.Resilience.Tests.Support;
using Polly;
using Polly.CircuitBreaker;

namespace Nygard.Resilience.Tests.Streaming;

public class StreamEarlyStopTests
{
    [Fact]
    public async Task ConsumerThatStopsEarly_ReturnsOnlyOnceTheSourceEndedAndTheProbesPermitIsBack()
    {
        var breaker = new BreakerHarness();
        await breaker.TripAsync();
        breaker.Advance(TimeSpan.FromSeconds(30));
        var sourceEnded = new Counter();

        await foreach (var item in breaker.Pipeline.ExecuteStreamAsync(token => Endless(sourceEnded, token)))
        {
            Assert.Equal(CircuitState.HalfOpen, breaker.State.CircuitState);
            break;
        }

        // Leaving the loop disposed the stream, which waited for the source to stop and the neutral outcome to be recorded.
        Assert.Equal(1, sourceEnded.Count);
        Assert.Equal("ok", (await breaker.SucceedAsync()).Result);
        Assert.Equal(CircuitState.Closed, breaker.State.CircuitState);
    }

    private static async IAsyncEnumerable<int> Endless(Counter ended, [EnumeratorCancellation] CancellationToken token = default)
    {
        try
        {
            for (var i = 0; ; i++)
            {
                await Task.Yield();
                token.ThrowIfCancellationRequested();
                yield return i;
            }
        }
        finally
        {
            // A source whose clean-up takes a while (closing a connection): the consumer must not get ahead of it.
            await Task.Delay(TimeSpan.FromMilliseconds(100), CancellationToken.None);
            ended.Increment();
        }
    }
}
