using System.Runtime.CompilerServices;
using Nygard.Resilience.Tests.Support;
using Polly;
using Polly.CircuitBreaker;

namespace Nygard.Resilience.Tests.Streaming;

public class StreamTests
{
    [Fact]
    public async Task Stream_YieldsEveryItemInOrderAndCountsOneSuccess()
    {
        var breaker = new BreakerHarness();
        await breaker.FailAsync();

        var items = await ToListAsync(breaker.Pipeline.ExecuteStreamAsync(_ => Numbers(5)));

        Assert.Equal([0, 1, 2, 3, 4], items);
        Assert.Equal(0, breaker.State.FailureCount);
    }

    [Fact]
    public async Task Stream_ThatThrows_SurfacesTheExceptionAndCountsOneFailure()
    {
        var breaker = new BreakerHarness();
        var items = new List<int>();

        var error = await Assert.ThrowsAsync<InvalidOperationException>(async () =>
        {
            await foreach (var item in breaker.Pipeline.ExecuteStreamAsync(_ => Numbers(5, failAfter: 2)))
            {
                items.Add(item);
            }
        });

        Assert.Equal("stream broke", error.Message);
        Assert.Equal([0, 1], items);
        Assert.Equal(1, breaker.State.FailureCount);
    }

    [Fact]
    public async Task Stream_WhileOpen_IsRejectedWithoutCreatingTheSource()
    {
        var breaker = new BreakerHarness();
        await breaker.TripAsync();
        var created = 0;

        await Assert.ThrowsAsync<BrokenCircuitException>(async () =>
        {
            await foreach (var item in breaker.Pipeline.ExecuteStreamAsync(_ =>
            {
                created++;
                return Numbers(3);
            }))
            {
                Assert.Fail($"no item expected, got {item}");
            }
        });

        Assert.Equal(0, created);
    }

    [Fact]
    public async Task Stream_IsAdmittedWhenEnumerationStarts()
    {
        var breaker = new BreakerHarness();
        var stream = breaker.Pipeline.ExecuteStreamAsync(_ => Numbers(1));

        await breaker.TripAsync();

        await Assert.ThrowsAsync<BrokenCircuitException>(() => ToListAsync(stream));
    }

    [Fact]
    public async Task ConsumerThatStopsEarly_IsNeutral_AndCancelsTheSource()
    {
        var breaker = new BreakerHarness();
        await breaker.FailAsync();
        await breaker.FailAsync();
        var produced = new Counter();
        var sourceToken = CancellationToken.None;

        await foreach (var item in breaker.Pipeline.ExecuteStreamAsync(token =>
        {
            sourceToken = token;
            return Endless(produced, () => { }, token);
        }))
        {
            if (item == 2)
            {
                break;
            }
        }

        Assert.True(sourceToken.IsCancellationRequested);
        Assert.Equal(2, breaker.State.FailureCount);
        Assert.Equal(CircuitState.Closed, breaker.State.CircuitState);
    }

    [Fact]
    public async Task Stream_BuffersAtMostOneItemAheadOfTheConsumer()
    {
        var breaker = new BreakerHarness();
        var produced = new Counter();
        var consumed = 0;

        await foreach (var item in breaker.Pipeline.ExecuteStreamAsync(token => Endless(produced, () => { }, token)))
        {
            consumed++;
            Assert.InRange(produced.Count, consumed, consumed + 2);
            if (consumed == 50)
            {
                break;
            }
        }

        Assert.Equal(50, consumed);
    }

    [Fact]
    public async Task Stream_CancelledByTheCaller_ThrowsOperationCanceledAndIsNeutral()
    {
        var breaker = new BreakerHarness();
        await breaker.FailAsync();
        using var cancellation = new CancellationTokenSource();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(async () =>
        {
            await foreach (var item in breaker.Pipeline.ExecuteStreamAsync(token => Endless(new Counter(), () => { }, token), cancellation.Token))
            {
                if (item == 3)
                {
                    await cancellation.CancelAsync();
                }
            }
        });

        Assert.Equal(1, breaker.State.FailureCount);
    }

    private static async IAsyncEnumerable<int> Numbers(int count, int failAfter = -1)
    {
        for (var i = 0; i < count; i++)
        {
            if (i == failAfter)
            {
                throw new InvalidOperationException("stream broke");
            }

            await Task.Yield();
            yield return i;
        }
    }

    private static async IAsyncEnumerable<int> Endless(Counter produced, Action onCancelled, [EnumeratorCancellation] CancellationToken token = default)
    {
        using var registration = token.Register(onCancelled);
        for (var i = 0; ; i++)
        {
            await Task.Yield();
            token.ThrowIfCancellationRequested();
            produced.Increment();
            yield return i;
        }
    }

    private static async Task<List<int>> ToListAsync(IAsyncEnumerable<int> stream)
    {
        var items = new List<int>();
        await foreach (var item in stream)
        {
            items.Add(item);
        }

        return items;
    }
}
