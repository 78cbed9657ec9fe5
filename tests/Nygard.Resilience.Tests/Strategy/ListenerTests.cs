using Nygard.Resilience.Tests.Support;
using Polly;
using Polly.CircuitBreaker;

namespace Nygard.Resilience.Tests.Strategy;

public class ListenerTests
{
    [Fact]
    public async Task Listener_HearsEveryCallAndTransitionInOrder()
    {
        var listener = new RecordingListener();
        var breaker = new BreakerHarness(o =>
        {
            o.FailureThreshold = 2;
            o.Listeners.Add(listener);
        });

        await breaker.SucceedAsync();
        await breaker.FailAsync();
        await breaker.FailAsync();
        await breaker.SucceedAsync();
        await breaker.Control.CloseAsync();

        Assert.Equal(
            [
                "before", "success",
                "before", "failure boom",
                "before", "Closed->Open", "failure boom",
                "before",
                "Open->Closed manual",
            ],
            listener.Calls);
    }

    [Fact]
    public async Task ThrowingListener_DoesNotChangeTheOutcomeOrTheState_AndIsReported()
    {
        var breaker = new BreakerHarness(o =>
        {
            o.FailureThreshold = 1;
            o.Listeners.Add(new ThrowingListener());
        });

        var success = await breaker.SucceedAsync();
        var failure = await breaker.CallAsync(new TimeoutException("mine"));

        Assert.Equal("ok", success.Result);
        Assert.Equal("mine", failure.Exception?.Message);
        Assert.Equal(CircuitState.Open, breaker.State.CircuitState);
        var observers = breaker.Telemetry.Events.Where(e => e.Name == "OnNygardBreakerObserverFailed")
            .Select(e => ((NygardBreakerObserverFailedArguments)e.Arguments!).Observer).ToList();
        Assert.Equal(
            ["ThrowingListener.BeforeCallAsync", "ThrowingListener.OnSuccessAsync", "ThrowingListener.BeforeCallAsync", "ThrowingListener.OnStateChangedAsync", "ThrowingListener.OnFailureAsync"],
            observers);
    }

    [Fact]
    public async Task ListenerWithOnlyDefaults_IsANoOp()
    {
        var breaker = new BreakerHarness(o => o.Listeners.Add(new SilentListener()));

        await breaker.TripAsync();

        Assert.DoesNotContain(breaker.Telemetry.Events, e => e.Name == "OnNygardBreakerObserverFailed");
    }

    [Fact]
    public async Task ListenerSharedByTwoBreakers_LearnsWhichOneChanged()
    {
        var listener = new BreakerNamingListener();
        var options = new NygardBreakerStrategyOptions { FailureThreshold = 1 };
        options.Listeners.Add(listener);
        var orders = new ResiliencePipelineBuilder { Name = "orders" }.AddNygardBreaker(options).Build();
        var payments = new ResiliencePipelineBuilder { Name = "payments" }.AddNygardBreaker(options).Build();

        Assert.Throws<TimeoutException>(() => payments.Execute(() => throw new TimeoutException()));
        Assert.Throws<TimeoutException>(() => orders.Execute(() => throw new TimeoutException()));
        await Task.CompletedTask;

        Assert.Equal(["payments/NygardBreaker Closed->Open", "orders/NygardBreaker Closed->Open"], listener.Changes);
    }

    [Fact]
    public async Task ListenerAddedOrRemovedAfterBuild_AppliesToLaterCalls()
    {
        var breaker = new BreakerHarness(o => o.FailureThreshold = 2);
        await breaker.SucceedAsync();
        var listener = new RecordingListener();

        breaker.Options.Listeners.Add(listener);
        await breaker.SucceedAsync();
        await breaker.FailAsync();
        breaker.Options.Listeners.Remove(listener);
        await breaker.FailAsync();

        Assert.Equal(["before", "success", "before", "failure boom"], listener.Calls);
        Assert.Equal(CircuitState.Open, breaker.State.CircuitState);
    }

    [Fact]
    public async Task ListenerAddedToABreakerNobodyObserved_HearsTheTransitionsMadeAfterIt()
    {
        // No telemetry listener, no delegates, no listeners: transitions are not queued until someone listens.
        var time = new Microsoft.Extensions.Time.Testing.FakeTimeProvider();
        var control = new NygardBreakerManualControl();
        var options = new NygardBreakerStrategyOptions { FailureThreshold = 1, BreakDuration = TimeSpan.FromSeconds(10), ManualControl = control };
        var pipeline = new ResiliencePipelineBuilder { TimeProvider = time }.AddNygardBreaker(options).Build();
        await Assert.ThrowsAsync<InvalidOperationException>(() => pipeline.ExecuteAsync(static _ => throw new InvalidOperationException("boom")).AsTask());
        var listener = new RecordingListener();

        options.Listeners.Add(listener);
        await control.CloseAsync();
        await pipeline.ExecuteAsync(static _ => default);

        Assert.Equal(["Open->Closed manual", "before", "success"], listener.Calls);
    }

    private sealed class BreakerNamingListener : INygardBreakerListener
    {
        public List<string> Changes { get; } = [];

        public ValueTask OnStateChangedAsync(NygardBreakerStateChangedArguments args)
        {
            lock (Changes)
            {
                Changes.Add($"{args.Breaker} {args.From}->{args.To}");
            }

            return default;
        }
    }

    private sealed class RecordingListener : INygardBreakerListener
    {
        public List<string> Calls { get; } = [];

        public ValueTask BeforeCallAsync(ResilienceContext context) => Add("before");

        public ValueTask OnSuccessAsync(ResilienceContext context) => Add("success");

        public ValueTask OnFailureAsync(ResilienceContext context, Outcome<object> outcome) => Add($"failure {outcome.Exception?.Message}");

        public ValueTask OnStateChangedAsync(CircuitState from, CircuitState to, bool isManual) => Add($"{from}->{to}{(isManual ? " manual" : string.Empty)}");

        private ValueTask Add(string call)
        {
            Calls.Add(call);
            return default;
        }
    }

    private sealed class ThrowingListener : INygardBreakerListener
    {
        public ValueTask BeforeCallAsync(ResilienceContext context) => throw new InvalidOperationException();

        public ValueTask OnSuccessAsync(ResilienceContext context) => throw new InvalidOperationException();

        public ValueTask OnFailureAsync(ResilienceContext context, Outcome<object> outcome) => throw new InvalidOperationException();

        public ValueTask OnStateChangedAsync(CircuitState from, CircuitState to, bool isManual) => throw new InvalidOperationException();
    }

    private sealed class SilentListener : INygardBreakerListener
    {
    }
}
