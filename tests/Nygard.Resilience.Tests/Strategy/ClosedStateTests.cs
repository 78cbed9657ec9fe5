using Nygard.Resilience.Tests.Support;
using Polly;
using Polly.CircuitBreaker;

namespace Nygard.Resilience.Tests.Strategy;

public class ClosedStateTests
{
    [Fact]
    public async Task GenericBreaker_CallThatCompletesLater_ReturnsAtOnceAndEndsWithItsResult()
    {
        var pipeline = new ResiliencePipelineBuilder<int>().AddNygardBreaker(new NygardBreakerStrategyOptions<int>()).Build();
        var result = new TaskCompletionSource<int>(TaskCreationOptions.RunContinuationsAsynchronously);

        var call = pipeline.ExecuteAsync(async _ => await result.Task).AsTask();
        Assert.False(call.IsCompleted); // the breaker waits for the call without blocking its caller
        result.SetResult(42);

        Assert.Equal(42, await call);
    }

    [Fact]
    public async Task Success_ReturnsTheResultAndKeepsTheCountAtZero()
    {
        var breaker = new BreakerHarness();

        var outcome = await breaker.SucceedAsync();

        Assert.Equal("ok", outcome.Result);
        Assert.Equal(CircuitState.Closed, breaker.State.CircuitState);
        Assert.Equal(0, breaker.State.FailureCount);
    }

    [Fact]
    public async Task Failures_BelowTheThreshold_AreCountedConsecutively()
    {
        var breaker = new BreakerHarness(o => o.FailureThreshold = 5);

        for (var i = 1; i <= 4; i++)
        {
            var outcome = await breaker.FailAsync();
            Assert.IsType<InvalidOperationException>(outcome.Exception);
            Assert.Equal(i, breaker.State.FailureCount);
        }

        Assert.Equal(CircuitState.Closed, breaker.State.CircuitState);
    }

    [Fact]
    public void Success_ThatEndsAfterAFailureCountedDuringIt_ResetsTheCount()
    {
        // The failure completes inside the successful call, so the success is the later outcome: consecutive
        // failures are zero afterwards, although the count was zero when the successful call began.
        var breaker = new BreakerHarness();

        breaker.Pipeline.Execute(() => Assert.Throws<InvalidOperationException>(() => breaker.Pipeline.Execute(() => throw new InvalidOperationException("nested"))));

        Assert.Equal(0, breaker.State.FailureCount);
    }

    [Fact]
    public void Success_ThatEndsAfterAFailureCountedDuringIt_ResetsTheCount_InAGenericPipeline()
    {
        var state = new NygardBreakerStateProvider();
        var pipeline = new ResiliencePipelineBuilder<string>()
            .AddNygardBreaker(new NygardBreakerStrategyOptions<string> { FailureThreshold = 3, StateProvider = state })
            .Build();

        pipeline.Execute(() =>
        {
            Assert.Throws<InvalidOperationException>(() => pipeline.Execute(string () => throw new InvalidOperationException("nested")));
            Assert.Equal(1, state.FailureCount);
            return "ok";
        });

        Assert.Equal(0, state.FailureCount);
    }

    [Fact]
    public async Task Success_AfterFailures_ResetsTheCount()
    {
        var breaker = new BreakerHarness();
        await breaker.FailAsync();
        await breaker.FailAsync();

        await breaker.SucceedAsync();
        await breaker.FailAsync();
        await breaker.FailAsync();

        Assert.Equal(2, breaker.State.FailureCount);
        Assert.Equal(CircuitState.Closed, breaker.State.CircuitState);
    }

    [Fact]
    public async Task FailureReachingTheThreshold_OpensAndTheTrippingCallGetsItsOwnException()
    {
        var breaker = new BreakerHarness();
        await breaker.FailAsync();
        await breaker.FailAsync();

        var tripping = await breaker.CallAsync(new TimeoutException("the third"));

        Assert.Equal("the third", Assert.IsType<TimeoutException>(tripping.Exception).Message);
        Assert.Equal(CircuitState.Open, breaker.State.CircuitState);
        Assert.Equal(3, breaker.State.FailureCount);
        Assert.Equal(["opened 30s"], breaker.Events);
    }

    [Fact]
    public async Task ExceptionNotHandledByShouldHandle_CountsAsASuccess()
    {
        var breaker = new BreakerHarness(o => o.ShouldHandle = new PredicateBuilder().Handle<InvalidOperationException>());
        await breaker.FailAsync();
        await breaker.FailAsync();

        var excluded = await breaker.CallAsync(new ArgumentException("business error"));

        Assert.IsType<ArgumentException>(excluded.Exception);
        Assert.Equal(0, breaker.State.FailureCount);
        Assert.Equal(CircuitState.Closed, breaker.State.CircuitState);
    }

    [Fact]
    public async Task DefaultShouldHandle_HandlesExceptionsButNotResultsOrOperationCanceled()
    {
        var options = new NygardBreakerStrategyOptions<string>();
        var context = ResilienceContextPool.Shared.Get();

        Assert.True(await options.ShouldHandle(new(context, Outcome.FromException<string>(new InvalidOperationException()))));
        Assert.False(await options.ShouldHandle(new(context, Outcome.FromException<string>(new OperationCanceledException()))));
        Assert.False(await options.ShouldHandle(new(context, Outcome.FromResult("a failed-looking result"))));
    }

    [Fact]
    public void Defaults_MatchTheDocumentedValues()
    {
        var options = new NygardBreakerStrategyOptions();

        Assert.Equal("NygardBreaker", options.Name);
        Assert.Equal(5, options.FailureThreshold);
        Assert.Equal(TimeSpan.FromSeconds(60), options.BreakDuration);
        Assert.Equal(1, options.HalfOpenPermits);
        Assert.Equal(1, options.SuccessThreshold);
        Assert.Null(options.BreakDurationGenerator);
        Assert.Null(options.StateStore);
        Assert.Null(options.StateProvider);
        Assert.Null(options.ManualControl);
        Assert.Empty(options.Listeners);
    }

    [Fact]
    public async Task ConvenienceOverload_UsesTheGivenThresholdAndBreakDuration()
    {
        var time = new Microsoft.Extensions.Time.Testing.FakeTimeProvider(BreakerHarness.Epoch);
        var pipeline = new ResiliencePipelineBuilder { TimeProvider = time }.AddNygardBreaker(2, TimeSpan.FromSeconds(7)).Build();

        for (var i = 0; i < 2; i++)
        {
            await Assert.ThrowsAsync<InvalidOperationException>(() => pipeline.ExecuteAsync(_ => throw new InvalidOperationException()).AsTask());
        }

        var rejected = await Assert.ThrowsAsync<BrokenCircuitException>(() => pipeline.ExecuteAsync(_ => default).AsTask());
        Assert.Equal(TimeSpan.FromSeconds(7), rejected.RetryAfter);
    }
}
