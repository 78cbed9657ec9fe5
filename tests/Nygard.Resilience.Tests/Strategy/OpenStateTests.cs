using Nygard.Resilience.Tests.Support;
using Polly;
using Polly.CircuitBreaker;

namespace Nygard.Resilience.Tests.Strategy;

public class OpenStateTests
{
    [Fact]
    public async Task Open_RejectsWithBrokenCircuitExceptionNamingTheBreakerAndTheExactTimeLeft()
    {
        var breaker = new BreakerHarness(o => o.Name = "inventory-breaker");
        await breaker.TripAsync();
        breaker.Advance(TimeSpan.FromSeconds(12));

        var outcome = await breaker.SucceedAsync();

        var rejection = Assert.IsType<BrokenCircuitException>(outcome.Exception);
        Assert.Equal(TimeSpan.FromSeconds(18), rejection.RetryAfter);
        Assert.Contains("inventory-breaker", rejection.Message, StringComparison.Ordinal);
        Assert.Equal("inventory-breaker", rejection.TelemetrySource?.StrategyName);
    }

    [Fact]
    public async Task Open_DoesNotRunTheCallback()
    {
        var breaker = new BreakerHarness();
        await breaker.TripAsync();
        var runs = 0;

        await Assert.ThrowsAsync<BrokenCircuitException>(() => breaker.Pipeline.ExecuteAsync(_ =>
        {
            runs++;
            return default;
        }).AsTask());

        Assert.Equal(0, runs);
    }

    [Fact]
    public async Task Open_ExecuteOutcomeAsyncReturnsTheRejectionWithoutThrowing()
    {
        var breaker = new BreakerHarness();
        await breaker.TripAsync();

        var outcome = await breaker.SucceedAsync();

        Assert.IsType<BrokenCircuitException>(outcome.Exception);
    }

    [Fact]
    public async Task Open_RejectsWithTheExactTimeLeftThroughoutTheBreak()
    {
        // Rejections remember when the break ends on a cheaper clock; stepping through the break in small steps
        // makes most rejections answer from that memory.
        var breaker = new BreakerHarness();
        await breaker.TripAsync();
        var step = TimeSpan.FromMilliseconds(250);

        for (var elapsed = TimeSpan.Zero; elapsed < breaker.Options.BreakDuration; elapsed += step)
        {
            var outcome = await breaker.SucceedAsync();

            var rejection = Assert.IsType<BrokenCircuitException>(outcome.Exception);
            Assert.Equal(breaker.Options.BreakDuration - elapsed, rejection.RetryAfter);
            breaker.Advance(step);
        }
    }

    [Fact]
    public async Task Open_AdmitsAProbeTheMomentTheBreakEnds_EvenJustAfterARejection()
    {
        var breaker = new BreakerHarness();
        await breaker.TripAsync();
        breaker.Advance(breaker.Options.BreakDuration - TimeSpan.FromMilliseconds(500));
        Assert.IsType<BrokenCircuitException>((await breaker.SucceedAsync()).Exception);
        breaker.Advance(TimeSpan.FromMilliseconds(250));
        var last = Assert.IsType<BrokenCircuitException>((await breaker.SucceedAsync()).Exception);
        breaker.Advance(TimeSpan.FromMilliseconds(250));

        var probe = await breaker.SucceedAsync();

        Assert.Equal(TimeSpan.FromMilliseconds(250), last.RetryAfter);

        Assert.Null(probe.Exception);
        Assert.Equal(CircuitState.Closed, breaker.State.CircuitState);
    }

    [Fact]
    public async Task Open_OnAHandMadeClockThatOnlyTellsTheTime_EndsTheBreakWhenThatClockSaysSo()
    {
        // A provider overriding only GetUtcNow keeps the real timestamps; the break must follow GetUtcNow alone.
        var clock = new HandMadeClock();
        var pipeline = new ResiliencePipelineBuilder { TimeProvider = clock }
            .AddNygardBreaker(new NygardBreakerStrategyOptions { FailureThreshold = 1, BreakDuration = TimeSpan.FromSeconds(30) })
            .Build();
        await CallAsync(pipeline, new InvalidOperationException("boom"));
        Assert.IsType<BrokenCircuitException>((await CallAsync(pipeline, failWith: null)).Exception);

        clock.Now += TimeSpan.FromSeconds(30);

        Assert.Null((await CallAsync(pipeline, failWith: null)).Exception);
    }

    [Fact]
    public async Task Open_OnTheSystemClock_RejectsWithTheTimeLeftAndForgetsTheBreakOnceClosed()
    {
        // The system clock's rejections read Environment.TickCount64 instead of the precise clock; only a long break
        // keeps this test free of waiting.
        var control = new NygardBreakerManualControl();
        var pipeline = new ResiliencePipelineBuilder()
            .AddNygardBreaker(new NygardBreakerStrategyOptions { FailureThreshold = 1, BreakDuration = TimeSpan.FromHours(1), ManualControl = control })
            .Build();
        await CallAsync(pipeline, new InvalidOperationException("boom"));

        var retryAfters = new List<TimeSpan>();
        for (var i = 0; i < 100; i++)
        {
            var rejected = await CallAsync(pipeline, failWith: null);
            retryAfters.Add(Assert.IsType<BrokenCircuitException>(rejected.Exception).RetryAfter!.Value);
        }

        Assert.All(retryAfters, retryAfter => Assert.InRange(retryAfter, TimeSpan.FromMinutes(59), TimeSpan.FromHours(1)));
        await control.CloseAsync();
        Assert.Null((await CallAsync(pipeline, failWith: null)).Exception);
    }

    [Fact]
    public async Task Open_KeepsTheFailureCountAndReportsWhenTheBreakEnds()
    {
        var breaker = new BreakerHarness();
        await breaker.TripAsync();
        breaker.Advance(TimeSpan.FromSeconds(10));

        Assert.Equal(3, breaker.State.FailureCount);
        Assert.Equal(BreakerHarness.Epoch.AddSeconds(30), breaker.State.OpenUntil);
        Assert.Equal(TimeSpan.FromSeconds(20), breaker.State.RetryAfter);
    }

    [Fact]
    public async Task RetryAfter_IsNeverNegativeOnceTheBreakIsOver()
    {
        var breaker = new BreakerHarness();
        await breaker.TripAsync();

        breaker.Advance(TimeSpan.FromMinutes(5));

        Assert.Equal(CircuitState.Open, breaker.State.CircuitState);
        Assert.Equal(TimeSpan.Zero, breaker.State.RetryAfter);
    }

    [Fact]
    public async Task StateQueries_AreNullUnlessOpen()
    {
        var breaker = new BreakerHarness();
        await breaker.FailAsync();

        Assert.Null(breaker.State.OpenUntil);
        Assert.Null(breaker.State.RetryAfter);
    }

    [Fact]
    public async Task Open_LastsTheBreakDurationToTheTick()
    {
        var breaker = new BreakerHarness();
        await breaker.TripAsync();

        breaker.Advance(TimeSpan.FromSeconds(30) - TimeSpan.FromTicks(1));
        Assert.IsType<BrokenCircuitException>((await breaker.SucceedAsync()).Exception);

        breaker.Advance(TimeSpan.FromTicks(1));
        Assert.Equal("ok", (await breaker.SucceedAsync()).Result);
    }

    private sealed class HandMadeClock : TimeProvider
    {
        public DateTimeOffset Now { get; set; } = BreakerHarness.Epoch;

        public override DateTimeOffset GetUtcNow() => Now;
    }

    private static async Task<Outcome<int>> CallAsync(ResiliencePipeline pipeline, Exception? failWith)
    {
        var context = ResilienceContextPool.Shared.Get();
        var outcome = await pipeline.ExecuteOutcomeAsync(
            static (_, error) => error is null ? Outcome.FromResultAsValueTask(1) : Outcome.FromExceptionAsValueTask<int>(error),
            context,
            failWith);
        ResilienceContextPool.Shared.Return(context);
        return outcome;
    }
}
