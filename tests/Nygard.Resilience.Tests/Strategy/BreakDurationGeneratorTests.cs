using Microsoft.Extensions.Time.Testing;
using Nygard.Resilience.Tests.Support;
using Polly;
using Polly.CircuitBreaker;

namespace Nygard.Resilience.Tests.Strategy;

public class BreakDurationGeneratorTests
{
    [Fact]
    public async Task Generator_LearnsTheFailureCountIncludingTheTrippingFailure_AndTheCallsContext()
    {
        var seen = new List<(double Rate, int Count, int Attempts, bool SameContext)>();
        ResilienceContext? tripping = null;
        var breaker = new BreakerHarness(o =>
        {
            o.FailureThreshold = 2;
            o.BreakDurationGenerator = args =>
            {
                seen.Add((args.FailureRate, args.FailureCount, args.HalfOpenAttempts, ReferenceEquals(args.Context, tripping)));
                return new ValueTask<TimeSpan>(TimeSpan.FromSeconds(10));
            };
        });
        await breaker.FailAsync();

        tripping = ResilienceContextPool.Shared.Get();
        try
        {
            await breaker.Pipeline.ExecuteOutcomeAsync((_, _) => Outcome.FromExceptionAsValueTask<string>(new InvalidOperationException()), tripping, 0);
        }
        finally
        {
            ResilienceContextPool.Shared.Return(tripping);
        }

        Assert.Equal([(1.0, 2, 0, true)], seen);
    }

    [Fact]
    public async Task NegativeDuration_IsClampedToZero_SoTheNextCallIsAProbe()
    {
        var breaker = new BreakerHarness(o => o.BreakDurationGenerator = _ => new ValueTask<TimeSpan>(TimeSpan.FromSeconds(-5)));

        await breaker.TripAsync();

        Assert.Equal(["opened 0s"], breaker.Events);
        Assert.Equal(BreakerHarness.Epoch, breaker.State.OpenUntil);
        Assert.Equal(TimeSpan.Zero, breaker.State.RetryAfter);
        Assert.Equal("ok", (await breaker.SucceedAsync()).Result);
        Assert.Equal(["opened 0s", "half-opened", "closed"], breaker.Events);
    }

    [Fact]
    public async Task DurationLongerThanADay_IsClampedToOneDay()
    {
        var breaker = new BreakerHarness(o => o.BreakDurationGenerator = _ => new ValueTask<TimeSpan>(TimeSpan.FromDays(3)));

        await breaker.TripAsync();

        Assert.Equal([$"opened {TimeSpan.FromDays(1).TotalSeconds}s"], breaker.Events);
        Assert.Equal(BreakerHarness.Epoch.AddDays(1), breaker.State.OpenUntil);
    }

    [Fact]
    public async Task DurationWithinRange_IsUsedAsIs()
    {
        var breaker = new BreakerHarness(o => o.BreakDurationGenerator = _ => new ValueTask<TimeSpan>(TimeSpan.FromHours(23)));

        await breaker.TripAsync();

        Assert.Equal(BreakerHarness.Epoch.AddHours(23), breaker.State.OpenUntil);
    }

    [Fact]
    public async Task GeneratorThatAnswersLater_HoldsNoThread_AndOpensWithItsDurationOnceItAnswers()
    {
        var answer = new TaskCompletionSource<TimeSpan>(TaskCreationOptions.RunContinuationsAsynchronously);
        var state = new NygardBreakerStateProvider();
        var pipeline = new ResiliencePipelineBuilder { TimeProvider = new FakeTimeProvider(BreakerHarness.Epoch) }
            .AddNygardBreaker(new NygardBreakerStrategyOptions
            {
                FailureThreshold = 1,
                StateProvider = state,
                BreakDurationGenerator = _ => new ValueTask<TimeSpan>(answer.Task),
            })
            .Build();

        var tripping = pipeline.ExecuteAsync(static _ => ValueTask.FromException(new TimeoutException()));

        Assert.False(tripping.IsCompleted);
        Assert.Equal(CircuitState.Closed, state.CircuitState);
        answer.SetResult(TimeSpan.FromMinutes(7));
        await Assert.ThrowsAsync<TimeoutException>(() => tripping.AsTask().WaitAsync(TimeSpan.FromSeconds(30)));
        Assert.Equal(CircuitState.Open, state.CircuitState);
        Assert.Equal(BreakerHarness.Epoch.AddMinutes(7), state.OpenUntil);
    }
}
