using Microsoft.Extensions.Time.Testing;
using Nygard.Resilience.Tests.Support;
using Polly;
using Polly.CircuitBreaker;
using Polly.Telemetry;

namespace Nygard.Resilience.Tests.Operations;

/// <summary>The counter a registry gives a breaker's handle: every call counted once, by how it ended, on every path.</summary>
public class CallCounterTests
{
    private readonly FakeTimeProvider _time = new(BreakerHarness.Epoch);
    private readonly RecordingTelemetryListener _telemetry = new();

    [Fact]
    public async Task Counter_CountsSuccessesFailuresRejectionsAndCancellations_OfTheCleanAndTheFullPath()
    {
        var pipeline = Build(new NygardBreakerStrategyOptions { FailureThreshold = 2, BreakDuration = TimeSpan.FromSeconds(10) });
        var counter = Count();
        using var cancelled = new CancellationTokenSource(); // cancelled by the call itself: Polly skips a call cancelled before it starts

        pipeline.Execute(static () => { });                                // clean path, synchronous
        await pipeline.ExecuteAsync(static async _ => await Task.Yield());  // clean path, completes later
        await FailAsync(pipeline);
        pipeline.Execute(static () => { });                                // resets the count: not the clean path
        await FailAsync(pipeline);
        await Assert.ThrowsAsync<OperationCanceledException>(() => pipeline.ExecuteAsync(_ => CancelAsync(cancelled), cancelled.Token).AsTask());
        await FailAsync(pipeline);                                         // trips
        Assert.Throws<BrokenCircuitException>(() => pipeline.Execute(static () => { }));
        Assert.Throws<BrokenCircuitException>(() => pipeline.Execute(static () => { }));

        Assert.Equal(new NygardBreakerCallCounts(3, 3, 2, 1), counter.Counts);
        Assert.Equal((3L, 3L, 2L, 1L), (counter.Total(NygardBreakerCallOutcome.Success), counter.Total(NygardBreakerCallOutcome.Failure), counter.Total(NygardBreakerCallOutcome.Rejected), counter.Total(NygardBreakerCallOutcome.Ignored)));
    }

    [Fact]
    public async Task Counter_CountsTheGenericBreaker_AndOutcomesJudgedByAPredicate()
    {
        var pipeline = new ResiliencePipelineBuilder<int> { TimeProvider = _time }
            .AddNygardBreaker(new NygardBreakerStrategyOptions<int>
            {
                FailureThreshold = 2,
                ShouldHandle = args => args.Outcome.Result switch
                {
                    500 => PredicateResult.True(),
                    418 => throw new InvalidOperationException("predicate failed"),
                    _ => PredicateResult.False(),
                },
            })
            .ConfigureTelemetry(new TelemetryOptions { TelemetryListeners = { _telemetry } })
            .Build();
        var counter = Count();

        Assert.Equal(200, await pipeline.ExecuteAsync(static _ => ValueTask.FromResult(200)));
        Assert.Equal(418, await pipeline.ExecuteAsync(static _ => ValueTask.FromResult(418))); // a throwing predicate counts neither way
        Assert.Equal(500, await pipeline.ExecuteAsync(static _ => ValueTask.FromResult(500)));
        Assert.Equal(500, await pipeline.ExecuteAsync(static _ => ValueTask.FromResult(500)));
        await Assert.ThrowsAsync<BrokenCircuitException>(() => pipeline.ExecuteAsync(static _ => ValueTask.FromResult(200)).AsTask());

        Assert.Equal(new NygardBreakerCallCounts(1, 2, 1, 1), counter.Counts);
    }

    [Fact]
    public async Task Counter_CountsTheGenericBreakersCleanPath()
    {
        var pipeline = new ResiliencePipelineBuilder<int> { TimeProvider = _time }
            .AddNygardBreaker(new NygardBreakerStrategyOptions<int>())
            .ConfigureTelemetry(new TelemetryOptions { TelemetryListeners = { _telemetry } })
            .Build();
        var counter = Count();

        Assert.Equal(7, pipeline.Execute(static () => 7));
        Assert.Equal(8, await pipeline.ExecuteAsync(static _ => ValueTask.FromResult(8)));

        Assert.Equal(new NygardBreakerCallCounts(2, 0, 0, 0), counter.Counts);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Counter_CountsAnOutcomeCallbackThatThrows_AsOneFailure(bool afterYielding)
    {
        var pipeline = Build(new NygardBreakerStrategyOptions());
        var counter = Count();
        var context = ResilienceContextPool.Shared.Get();

        Func<ResilienceContext, int, ValueTask<Outcome<int>>> callback = afterYielding
            ? static async (_, _) =>
            {
                await Task.Yield();
                throw new InvalidOperationException("the callback threw after yielding");
            }
            : static (_, _) => throw new InvalidOperationException("the callback threw at once");

        await Assert.ThrowsAsync<InvalidOperationException>(() => pipeline.ExecuteOutcomeAsync(callback, context, 0).AsTask());

        Assert.Equal(new NygardBreakerCallCounts(0, 1, 0, 0), counter.Counts);
    }

    [Fact]
    public async Task Counter_CountsRejectionsOfABreakerWithListeners_AndOfAHalfOpenBreakerWithoutAPermit()
    {
        var listener = new CountingListener();
        var options = new NygardBreakerStrategyOptions { FailureThreshold = 1, BreakDuration = TimeSpan.FromSeconds(10) };
        options.Listeners.Add(listener);
        var pipeline = Build(options);
        var counter = Count();

        await FailAsync(pipeline);
        Assert.Throws<BrokenCircuitException>(() => pipeline.Execute(static () => { }));
        _time.Advance(TimeSpan.FromSeconds(10));
        var probe = new PendingCall(pipeline, CancellationToken.None);
        Assert.True(probe.Admitted);
        Assert.Throws<BrokenCircuitException>(() => pipeline.Execute(static () => { }));
        await probe.SucceedAsync();

        Assert.Equal(new NygardBreakerCallCounts(1, 1, 2, 0), counter.Counts);
        Assert.Equal((1, 1), (listener.Successes, listener.Failures));
    }

    [Fact]
    public async Task Counter_GivenAfterTheBuild_CountsLaterCallsOnly_AndTakenAway_StopsCounting()
    {
        var pipeline = Build(new NygardBreakerStrategyOptions());
        var handle = Handle();
        pipeline.Execute(static () => { });
        Assert.Null(handle.CallCounter);

        var counter = new NygardBreakerCallCounter();
        handle.CallCounter = counter;
        pipeline.Execute(static () => { });
        await FailAsync(pipeline);
        handle.CallCounter = null;
        pipeline.Execute(static () => { });
        await FailAsync(pipeline);

        Assert.Equal(new NygardBreakerCallCounts(1, 1, 0, 0), counter.Counts);
    }

    [Fact]
    public async Task Counter_SharedByTwoBreakers_AddsBothTotals()
    {
        var first = Build(new NygardBreakerStrategyOptions { Name = "first" });
        var second = Build(new NygardBreakerStrategyOptions { Name = "second" });
        var counter = new NygardBreakerCallCounter();
        foreach (var handle in Handles())
        {
            handle.CallCounter = counter;
        }

        first.Execute(static () => { });
        second.Execute(static () => { });
        await FailAsync(second);

        Assert.Equal(new NygardBreakerCallCounts(2, 1, 0, 0), counter.Counts);
    }

    [Fact]
    public async Task Counter_StreamWhoseConsumerStopsEarly_CountsAsIgnored()
    {
        var pipeline = Build(new NygardBreakerStrategyOptions());
        var counter = Count();

        await foreach (var item in pipeline.ExecuteStreamAsync(static token => Numbers(token)))
        {
            Assert.Equal(1, item);
            break;
        }

        await foreach (var _ in pipeline.ExecuteStreamAsync(static token => Numbers(token)))
        {
        }

        Assert.Equal(new NygardBreakerCallCounts(1, 0, 0, 1), counter.Counts);
    }

    [Fact]
    public async Task Counter_CountsEveryCallOfManyThreadsExactlyOnce()
    {
        const int Threads = 8;
        const int CallsPerThread = 20_000;
        var pipeline = Build(new NygardBreakerStrategyOptions { FailureThreshold = int.MaxValue });
        var counter = Count();
        using var start = new Barrier(Threads);

        var workers = Enumerable.Range(0, Threads).Select(worker => Task.Factory.StartNew(
            () =>
            {
                start.SignalAndWait();
                for (var i = 0; i < CallsPerThread; i++)
                {
                    if ((i + worker) % 10 == 0)
                    {
                        Assert.Throws<InvalidOperationException>(() => pipeline.Execute(static () => throw new InvalidOperationException()));
                    }
                    else
                    {
                        pipeline.Execute(static () => { });
                    }
                }
            },
            TaskCreationOptions.LongRunning)).ToArray();
        await Task.WhenAll(workers);

        var counts = counter.Counts;
        Assert.Equal(Threads * CallsPerThread / 10, counts.Failures);
        Assert.Equal(Threads * CallsPerThread * 9 / 10, counts.Successes);
        Assert.Equal((0L, 0L), (counts.Rejections, counts.Ignored));
    }

    [Fact]
    public void Total_OfAnUnknownOutcome_FailsNamingTheArgument()
    {
        var error = Assert.Throws<ArgumentOutOfRangeException>(() => new NygardBreakerCallCounter().Total((NygardBreakerCallOutcome)4));

        Assert.Equal("outcome", error.ParamName);
    }

    private static async IAsyncEnumerable<int> Numbers([System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken token)
    {
        for (var i = 1; i <= 3; i++)
        {
            await Task.Yield();
            token.ThrowIfCancellationRequested();
            yield return i;
        }
    }

    private static async ValueTask CancelAsync(CancellationTokenSource cancellation)
    {
        await cancellation.CancelAsync();
        cancellation.Token.ThrowIfCancellationRequested();
    }

    private static async Task FailAsync(ResiliencePipeline pipeline) =>
        await Assert.ThrowsAsync<InvalidOperationException>(() => pipeline.ExecuteAsync(static _ => throw new InvalidOperationException()).AsTask());

    private ResiliencePipeline Build(NygardBreakerStrategyOptions options) =>
        new ResiliencePipelineBuilder { TimeProvider = _time }
            .AddNygardBreaker(options)
            .ConfigureTelemetry(new TelemetryOptions { TelemetryListeners = { _telemetry } })
            .Build();

    private IEnumerable<NygardBreakerHandle> Handles() =>
        _telemetry.Events.Where(e => e.Name == "OnNygardBreakerBuilt").Select(e => ((NygardBreakerBuiltArguments)e.Arguments!).Breaker);

    private NygardBreakerHandle Handle() => Assert.Single(Handles());

    private NygardBreakerCallCounter Count()
    {
        var counter = new NygardBreakerCallCounter();
        Handle().CallCounter = counter;
        return counter;
    }

    private sealed class CountingListener : INygardBreakerListener
    {
        public int Successes { get; private set; }

        public int Failures { get; private set; }

        public ValueTask OnSuccessAsync(ResilienceContext context)
        {
            Successes++;
            return default;
        }

        public ValueTask OnFailureAsync(ResilienceContext context, Outcome<object> outcome)
        {
            Failures++;
            return default;
        }
    }
}
