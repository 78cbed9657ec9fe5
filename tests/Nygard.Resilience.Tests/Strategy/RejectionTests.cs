using Microsoft.Extensions.Time.Testing;
using Nygard.Resilience.Tests.Support;
using Polly;
using Polly.CircuitBreaker;

namespace Nygard.Resilience.Tests.Strategy;

/// <summary>What a rejected call is told: why the breaker opened, and which breaker it was.</summary>
public class RejectionTests
{
    [Fact]
    public async Task Rejection_CarriesTheExceptionThatTrippedTheBreaker_AsPollyDoes()
    {
        var breaker = new BreakerHarness();
        await breaker.FailAsync();
        await breaker.FailAsync();
        var tripping = new TimeoutException("the one that tripped it");
        await breaker.CallAsync(tripping);

        var rejection = Assert.IsType<BrokenCircuitException>((await breaker.SucceedAsync()).Exception);

        Assert.Same(tripping, rejection.InnerException);
    }

    [Fact]
    public async Task Rejection_WhileHalfOpenWithEveryPermitTaken_StillCarriesTheTrippingException()
    {
        var breaker = new BreakerHarness();
        await breaker.TripAsync();
        breaker.Advance(TimeSpan.FromSeconds(30));
        var probe = breaker.Start();

        var rejection = Assert.IsType<BrokenCircuitException>((await breaker.SucceedAsync()).Exception);

        Assert.Equal("boom", rejection.InnerException?.Message);
        await probe.SucceedAsync();
    }

    [Fact]
    public async Task Rejection_AfterAFailedProbe_CarriesTheProbesException()
    {
        var breaker = new BreakerHarness();
        await breaker.TripAsync();
        breaker.Advance(TimeSpan.FromSeconds(30));
        var probeFailure = new InvalidOperationException("probe failed");
        await breaker.CallAsync(probeFailure);

        var rejection = Assert.IsType<BrokenCircuitException>((await breaker.SucceedAsync()).Exception);

        Assert.Same(probeFailure, rejection.InnerException);
    }

    [Fact]
    public async Task Rejection_OfABreakerNobodyObserves_CarriesTheExceptionThatOpenedItLast()
    {
        // No telemetry listener and no handlers: the breaker raises no events, but still remembers why it opened.
        var time = new FakeTimeProvider();
        var control = new NygardBreakerManualControl();
        var pipeline = new ResiliencePipelineBuilder { TimeProvider = time }
            .AddNygardBreaker(new NygardBreakerStrategyOptions { FailureThreshold = 2, BreakDuration = TimeSpan.FromSeconds(10), ManualControl = control })
            .Build();
        var tripping = new TimeoutException("the one that tripped it");
        var failedProbe = new InvalidOperationException("the probe that failed");

        await CallAsync(pipeline, new InvalidOperationException("first"));
        await CallAsync(pipeline, tripping);
        Assert.Same(tripping, (await RejectionAsync(pipeline)).InnerException);
        time.Advance(TimeSpan.FromSeconds(10));
        await CallAsync(pipeline, failedProbe);
        Assert.Same(failedProbe, (await RejectionAsync(pipeline)).InnerException);
        await control.CloseAsync();
        await control.OpenAsync();
        Assert.Null((await RejectionAsync(pipeline)).InnerException);
    }

    [Fact]
    public async Task Rejection_AfterAManualOpen_HasNoInnerException()
    {
        var breaker = new BreakerHarness();
        await breaker.TripAsync();
        await breaker.Control.CloseAsync();
        await breaker.Control.OpenAsync();

        var rejection = Assert.IsType<BrokenCircuitException>((await breaker.SucceedAsync()).Exception);

        Assert.Null(rejection.InnerException);
    }

    [Fact]
    public async Task Rejection_AfterATripByAResult_HasNoInnerException()
    {
        var time = new FakeTimeProvider();
        var pipeline = new ResiliencePipelineBuilder<int> { TimeProvider = time }
            .AddNygardBreaker(new NygardBreakerStrategyOptions<int>
            {
                FailureThreshold = 1,
                ShouldHandle = args => new ValueTask<bool>(args.Outcome.Result < 0),
            })
            .Build();
        pipeline.Execute(() => -1);

        var rejection = Assert.Throws<BrokenCircuitException>(() => pipeline.Execute(() => 1));

        Assert.Null(rejection.InnerException);
    }

    [Fact]
    public async Task Rejection_InAStoreTrippedByAnotherPipeline_HasNoInnerException()
    {
        var store = new InMemoryNygardBreakerStateStore();
        var time = new FakeTimeProvider();
        ResiliencePipeline Build() => new ResiliencePipelineBuilder { TimeProvider = time }
            .AddNygardBreaker(new NygardBreakerStrategyOptions { FailureThreshold = 1, StateStore = store })
            .Build();
        var tripping = Build();
        var other = Build();
        Assert.Throws<TimeoutException>(() => tripping.Execute(() => throw new TimeoutException()));

        var here = Assert.Throws<BrokenCircuitException>(() => tripping.Execute(() => { }));
        var there = Assert.Throws<BrokenCircuitException>(() => other.Execute(() => { }));

        Assert.IsType<TimeoutException>(here.InnerException);
        Assert.Null(there.InnerException);
        await Task.CompletedTask;
    }

    [Fact]
    public void Rejection_NamesTheBreakerByPipelineInstanceAndStrategy()
    {
        var orders = new ResiliencePipelineBuilder { Name = "orders", InstanceName = "eu" }
            .AddNygardBreaker(new NygardBreakerStrategyOptions { FailureThreshold = 1, Name = "db" })
            .Build();
        var payments = new ResiliencePipelineBuilder { Name = "payments" }
            .AddNygardBreaker(new NygardBreakerStrategyOptions { FailureThreshold = 1 })
            .Build();
        Assert.Throws<TimeoutException>(() => orders.Execute(() => throw new TimeoutException()));
        Assert.Throws<TimeoutException>(() => payments.Execute(() => throw new TimeoutException()));

        var fromOrders = Assert.Throws<BrokenCircuitException>(() => orders.Execute(() => { }));
        var fromPayments = Assert.Throws<BrokenCircuitException>(() => payments.Execute(() => { }));

        Assert.Contains("'orders/eu/db'", fromOrders.Message, StringComparison.Ordinal);
        Assert.Contains("'payments/NygardBreaker'", fromPayments.Message, StringComparison.Ordinal);
        Assert.Equal("orders", fromOrders.TelemetrySource?.PipelineName);
    }

    [Fact]
    public void IsolatedRejection_NamesTheBreaker()
    {
        var control = new NygardBreakerManualControl(isIsolated: true);
        var pipeline = new ResiliencePipelineBuilder { Name = "orders" }
            .AddNygardBreaker(new NygardBreakerStrategyOptions { ManualControl = control })
            .Build();

        var rejection = Assert.Throws<IsolatedCircuitException>(() => pipeline.Execute(() => { }));

        Assert.Contains("'orders/NygardBreaker'", rejection.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(null, null, "NygardBreaker", "NygardBreaker")]
    [InlineData("orders", null, "NygardBreaker", "orders/NygardBreaker")]
    [InlineData("orders", "eu", "db", "orders/eu/db")]
    [InlineData(null, "eu", "db", "eu/db")]
    [InlineData("", "", "db", "db")]
    public void NygardBreakerId_ToString_JoinsThePartsThatAreSet(string? pipeline, string? instance, string strategy, string expected) =>
        Assert.Equal(expected, new NygardBreakerId(pipeline, instance, strategy).ToString());

    private static async Task<BrokenCircuitException> RejectionAsync(ResiliencePipeline pipeline) =>
        Assert.IsType<BrokenCircuitException>(await CallAsync(pipeline, null));

    private static async Task<Exception?> CallAsync(ResiliencePipeline pipeline, Exception? failWith)
    {
        var outcome = await pipeline.ExecuteOutcomeAsync(
            static (_, error) => error is null ? Outcome.FromResultAsValueTask(0) : Outcome.FromExceptionAsValueTask<int>(error),
            ResilienceContextPool.Shared.Get(),
            failWith);
        return outcome.Exception;
    }
}
