using Nygard.Resilience.Tests.Support;
using Polly;
using Polly.CircuitBreaker;
using Polly.Telemetry;

namespace Nygard.Resilience.Tests.Strategy;

public class EventTests
{
    /// <summary>What a telemetry listener records of <c>TripAndProbeAsync</c>: each transition with its call and outcome.</summary>
    private static readonly string[] EveryTransitionOfTripAndProbe = ["OnCircuitOpened trip tripped", "OnCircuitHalfOpened probe ", "OnCircuitClosed probe 42"];

    [Fact]
    public async Task EveryTransition_RaisesExactlyOneDelegateAndOneTelemetryEvent_InOrder()
    {
        var breaker = new BreakerHarness();

        await breaker.TripAsync();
        breaker.Advance(TimeSpan.FromSeconds(30));
        await breaker.FailAsync();
        breaker.Advance(TimeSpan.FromSeconds(30));
        await breaker.SucceedAsync();

        Assert.Equal(["opened 30s", "half-opened", "opened 30s", "half-opened", "closed"], breaker.Events);
        Assert.Equal(
            ["OnCircuitOpened", "OnCircuitHalfOpened", "OnCircuitOpened", "OnCircuitHalfOpened", "OnCircuitClosed"],
            breaker.Telemetry.Names());
    }

    [Fact]
    public async Task TelemetryEvents_HavePollysSeverities()
    {
        var breaker = new BreakerHarness();

        await breaker.TripAsync();
        breaker.Advance(TimeSpan.FromSeconds(30));
        await breaker.SucceedAsync();

        var severities = breaker.Telemetry.Events.Where(e => e.Name.StartsWith("OnCircuit", StringComparison.Ordinal)).ToDictionary(e => e.Name, e => e.Severity);
        Assert.Equal(ResilienceEventSeverity.Error, severities["OnCircuitOpened"]);
        Assert.Equal(ResilienceEventSeverity.Warning, severities["OnCircuitHalfOpened"]);
        Assert.Equal(ResilienceEventSeverity.Information, severities["OnCircuitClosed"]);
    }

    [Fact]
    public async Task OnOpened_GetsTheTrippingOutcomeAndContext()
    {
        Outcome<object>? seen = null;
        string? operationKey = null;
        var breaker = new BreakerHarness(o => o.OnOpened = args =>
        {
            seen = args.Outcome;
            operationKey = args.Context.OperationKey;
            return default;
        });
        await breaker.FailAsync();
        await breaker.FailAsync();

        var context = ResilienceContextPool.Shared.Get("checkout");
        await breaker.Pipeline.ExecuteOutcomeAsync((_, _) => Outcome.FromExceptionAsValueTask<string>(new TimeoutException("third")), context, 0);

        Assert.Equal("third", seen?.Exception?.Message);
        Assert.Equal("checkout", operationKey);
    }

    [Fact]
    public async Task TelemetryListenerAlone_GetsEachTransitionsCallContextAndOutcome()
    {
        // No delegates and no listeners: the telemetry listener is the breaker's only observer.
        var time = new Microsoft.Extensions.Time.Testing.FakeTimeProvider();
        var telemetry = new CauseRecordingListener();
        var pipeline = new ResiliencePipelineBuilder { TimeProvider = time }
            .AddNygardBreaker(new NygardBreakerStrategyOptions { FailureThreshold = 1, BreakDuration = TimeSpan.FromSeconds(5) })
            .ConfigureTelemetry(new TelemetryOptions { TelemetryListeners = { telemetry } })
            .Build();

        await TripAndProbeAsync(time, (callback, context) => pipeline.ExecuteOutcomeAsync(callback, context, 0).AsTask());

        Assert.Equal(EveryTransitionOfTripAndProbe, telemetry.Seen);
        Assert.Empty(telemetry.Others); // in particular, no delegate reported as failed for being absent
    }

    [Fact]
    public async Task TelemetryListenerAlone_OfTheGenericBuilder_GetsEveryTransition()
    {
        var time = new Microsoft.Extensions.Time.Testing.FakeTimeProvider();
        var telemetry = new CauseRecordingListener();
        var pipeline = new ResiliencePipelineBuilder<int> { TimeProvider = time }
            .AddNygardBreaker(new NygardBreakerStrategyOptions<int> { FailureThreshold = 1, BreakDuration = TimeSpan.FromSeconds(5) })
            .ConfigureTelemetry(new TelemetryOptions { TelemetryListeners = { telemetry } })
            .Build();

        await TripAndProbeAsync(time, (callback, context) => pipeline.ExecuteOutcomeAsync(callback, context, 0).AsTask());

        Assert.Equal(EveryTransitionOfTripAndProbe, telemetry.Seen);
    }

    [Fact]
    public async Task TelemetryListenerThatCommandsTheSameBreaker_IsRaisedInOrderWithoutDeadlock()
    {
        // The listener closes the breaker from inside the OnCircuitOpened event, on the thread raising it: the close is
        // queued behind the event being raised and raised when it returns.
        var control = new NygardBreakerManualControl();
        var telemetry = new CauseRecordingListener { OnOpened = () => control.CloseAsync().GetAwaiter().GetResult() };
        var pipeline = new ResiliencePipelineBuilder()
            .AddNygardBreaker(new NygardBreakerStrategyOptions { FailureThreshold = 1, ManualControl = control })
            .ConfigureTelemetry(new TelemetryOptions { TelemetryListeners = { telemetry } })
            .Build();

        var trip = Task.Run(() => pipeline.ExecuteOutcomeAsync((_, _) => Outcome.FromExceptionAsValueTask<int>(new TimeoutException("tripped")), ResilienceContextPool.Shared.Get("trip"), 0).AsTask());
        await trip.WaitAsync(TimeSpan.FromSeconds(30));

        Assert.Equal(["OnCircuitOpened trip tripped", "OnCircuitClosed  "], telemetry.Seen);
        await pipeline.ExecuteAsync(static _ => default); // closed: the call runs
    }

    [Fact]
    public async Task DelegatesThatCompleteLater_AreAwaited_AndTheProbeStillRunsAndCloses()
    {
        var breaker = new BreakerHarness(o =>
        {
            o.FailureThreshold = 1;
            o.OnOpened = async _ => await Task.Yield();
            o.OnHalfOpened = async _ => await Task.Yield();
            o.OnClosed = async _ => await Task.Yield();
        });
        await breaker.FailAsync();
        breaker.Advance(TimeSpan.FromSeconds(30));

        var probe = await breaker.SucceedAsync();

        Assert.Equal("ok", probe.Result);
        Assert.Equal(CircuitState.Closed, breaker.State.CircuitState);
        Assert.Equal(["OnCircuitOpened", "OnCircuitHalfOpened", "OnCircuitClosed"], breaker.Telemetry.Names());
    }

    [Fact]
    public async Task OnOpened_GetsTheTrippingOutcomeAndContext_WhenAnEarlierObserverTripsAnotherBreakerMeanwhile()
    {
        // A store observer notified before the breaker trips a second breaker from inside the notification; the
        // first breaker must still recognise its own call as the cause of its transition.
        var other = new ResiliencePipelineBuilder()
            .AddNygardBreaker(new NygardBreakerStrategyOptions { FailureThreshold = 1 })
            .Build();
        var store = new InMemoryNygardBreakerStateStore();
        using var tripsTheOther = store.Subscribe(new CallbackObserver(() =>
            Assert.Throws<InvalidOperationException>(() => other.Execute(() => throw new InvalidOperationException("other")))));
        string? operationKey = null;
        var breaker = new BreakerHarness(o =>
        {
            o.FailureThreshold = 1;
            o.StateStore = store;
            o.OnOpened = args =>
            {
                operationKey = args.Context.OperationKey;
                return default;
            };
        });

        var context = ResilienceContextPool.Shared.Get("checkout");
        await breaker.Pipeline.ExecuteOutcomeAsync((_, _) => Outcome.FromExceptionAsValueTask<string>(new TimeoutException("trip")), context, 0);

        Assert.Equal("checkout", operationKey);
        Assert.Throws<BrokenCircuitException>(() => other.Execute(() => { }));
    }

    private sealed class CallbackObserver(Action onChanged) : INygardBreakerStateObserver
    {
        public void OnChanged(NygardBreakerSnapshot previous, NygardBreakerSnapshot current, object? cause)
        {
            if (current.Generation != previous.Generation)
            {
                onChanged();
            }
        }
    }

    [Fact]
    public async Task ManualTransitions_AreMarkedManual()
    {
        var breaker = new BreakerHarness();

        await breaker.Control.OpenAsync();
        await breaker.Control.CloseAsync();
        await breaker.Control.HalfOpenAsync();
        await breaker.Control.IsolateAsync();

        Assert.Equal(["opened manual 30s", "closed manual", "half-opened", $"opened manual {TimeSpan.MaxValue.TotalSeconds}s"], breaker.Events);
    }

    [Fact]
    public async Task ManualCommandThatLeavesTheStateAsItWas_RaisesNothing()
    {
        var breaker = new BreakerHarness();

        await breaker.Control.CloseAsync();
        await breaker.Control.OpenAsync();
        await breaker.Control.OpenAsync();

        Assert.Equal(["opened manual 30s"], breaker.Events);
        Assert.Equal(["OnCircuitOpened"], breaker.Telemetry.Names());
    }

    [Fact]
    public async Task ThrowingDelegates_ChangeNeitherTheStateNorTheOutcome_AndAreReported()
    {
        var breaker = new BreakerHarness(o =>
        {
            o.OnOpened = _ => throw new InvalidOperationException("opened handler broke");
            o.OnHalfOpened = _ => throw new InvalidOperationException("half-opened handler broke");
            o.OnClosed = _ => throw new InvalidOperationException("closed handler broke");
        });

        await breaker.FailAsync();
        await breaker.FailAsync();
        var tripping = await breaker.CallAsync(new TimeoutException("mine"));
        breaker.Advance(TimeSpan.FromSeconds(30));
        var probe = await breaker.SucceedAsync();

        Assert.Equal("mine", tripping.Exception?.Message);
        Assert.Equal("ok", probe.Result);
        Assert.Equal(CircuitState.Closed, breaker.State.CircuitState);
        var failures = breaker.Telemetry.Events.Where(e => e.Name == "OnNygardBreakerObserverFailed").Select(e => (NygardBreakerObserverFailedArguments)e.Arguments!).ToList();
        Assert.Equal(["OnOpened", "OnHalfOpened", "OnClosed"], failures.Select(f => f.Observer));
        Assert.Equal("opened handler broke", failures[0].Exception.Message);
    }

    [Fact]
    public async Task HandlerThatCallsBackIntoTheBreaker_DoesNotDeadlock()
    {
        BreakerHarness? self = null;
        var innerOutcome = default(Outcome<string>?);
        var closedRaised = new TaskCompletionSource<bool>(TaskCreationOptions.RunContinuationsAsynchronously);
        var breaker = self = new BreakerHarness(o =>
        {
            o.OnOpened = async _ =>
            {
                innerOutcome = await self!.SucceedAsync();
                await self.Control.CloseAsync();
            };
            o.OnClosed = args =>
            {
                closedRaised.TrySetResult(args.IsManual);
                return default;
            };
        });

        for (var i = 0; i < 3; i++)
        {
            await breaker.FailAsync().WaitAsync(TimeSpan.FromSeconds(30));
        }

        Assert.True(await closedRaised.Task.WaitAsync(TimeSpan.FromSeconds(30)));
        Assert.IsType<BrokenCircuitException>(innerOutcome?.Exception);
        Assert.Equal(CircuitState.Closed, breaker.State.CircuitState);
    }

    /// <summary>Trips a breaker (threshold 1, break 5 s) with a call named "trip", then lets a call named "probe" close it.</summary>
    private static async Task TripAndProbeAsync(
        Microsoft.Extensions.Time.Testing.FakeTimeProvider time,
        Func<Func<ResilienceContext, int, ValueTask<Outcome<int>>>, ResilienceContext, Task> execute)
    {
        await execute(static (_, _) => Outcome.FromExceptionAsValueTask<int>(new TimeoutException("tripped")), ResilienceContextPool.Shared.Get("trip"));
        time.Advance(TimeSpan.FromSeconds(5));
        await execute(static (_, _) => Outcome.FromResultAsValueTask(42), ResilienceContextPool.Shared.Get("probe"));
    }

    /// <summary>Writes down each transition's event name, operation key and outcome (exception message or result).</summary>
    private sealed class CauseRecordingListener : TelemetryListener
    {
        public List<string> Seen { get; } = [];

        /// <summary>Gets the names of the breaker's other events (not transitions, not the announcement of the built breaker).</summary>
        public List<string> Others { get; } = [];

        public Action? OnOpened { get; init; }

        public override void Write<TResult, TArgs>(in TelemetryEventArguments<TResult, TArgs> args)
        {
            var name = args.Event.EventName;
            if (name.StartsWith("OnCircuit", StringComparison.Ordinal))
            {
                Seen.Add($"{name} {args.Context.OperationKey} {args.Outcome?.Exception?.Message ?? args.Outcome?.Result?.ToString()}");
                if (name == "OnCircuitOpened")
                {
                    OnOpened?.Invoke();
                }
            }
            else if (name.StartsWith("OnNygardBreaker", StringComparison.Ordinal) && name != "OnNygardBreakerBuilt")
            {
                Others.Add(name);
            }
        }
    }
}
