using System.Collections.Concurrent;
using System.Runtime.CompilerServices;
using Microsoft.Extensions.Time.Testing;
using Polly;
using Polly.CircuitBreaker;

namespace Nygard.Resilience.Tests.Scenarios;

/// <summary>
/// One test per row of README's "Coming from aiobreaker" table: each aiobreaker member, done the way the table says.
/// </summary>
public class AiobreakerMappingTests
{
    private static readonly DateTimeOffset Epoch = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);

    private readonly FakeTimeProvider _time = new(Epoch);

    [Fact]
    public async Task FailMaxAndTimeoutDuration_AreFailureThresholdAndBreakDuration()
    {
        var state = new NygardBreakerStateProvider();
        var pipeline = Build(new NygardBreakerStrategyOptions { FailureThreshold = 5, BreakDuration = TimeSpan.FromSeconds(60), StateProvider = state });

        for (var i = 0; i < 4; i++)
        {
            await FailAsync(pipeline);
        }

        Assert.Equal(CircuitState.Closed, state.CircuitState);
        await FailAsync(pipeline);
        Assert.Equal(CircuitState.Open, state.CircuitState);

        _time.Advance(TimeSpan.FromSeconds(59));
        Assert.IsType<BrokenCircuitException>(await SucceedAsync(pipeline));
        _time.Advance(TimeSpan.FromSeconds(1));
        Assert.Null(await SucceedAsync(pipeline));
        Assert.Equal(CircuitState.Closed, state.CircuitState);
    }

    [Fact]
    public async Task Exclude_IsAShouldHandleThatLetsTheExcludedTypeCountAsASuccess()
    {
        var state = new NygardBreakerStateProvider();
        var pipeline = Build(new NygardBreakerStrategyOptions
        {
            FailureThreshold = 2,
            ShouldHandle = new PredicateBuilder().Handle<Exception>(e => e is not ArgumentException),
            StateProvider = state,
        });

        await FailAsync(pipeline);
        Assert.Equal(1, state.FailureCount);

        await FailAsync(pipeline, new ArgumentException("business error"));

        Assert.Equal(0, state.FailureCount);
        Assert.Equal(CircuitState.Closed, state.CircuitState);
    }

    [Fact]
    public async Task ListenersAndCircuitBreakerListener_AreListenersAndINygardBreakerListener()
    {
        var listener = new RecordingListener("l");
        var options = new NygardBreakerStrategyOptions { FailureThreshold = 1 };
        options.Listeners.Add(listener);
        var pipeline = Build(options);

        await SucceedAsync(pipeline);
        await FailAsync(pipeline);

        Assert.Equal(["l before", "l success", "l before", "l Closed->Open", "l failure"], listener.Calls);
    }

    [Fact]
    public async Task StateStorage_IsStateStore_PipelinesSharingItAreOneBreaker()
    {
        var store = new InMemoryNygardBreakerStateStore();
        var options = new NygardBreakerStrategyOptions { FailureThreshold = 1, StateStore = store };
        var first = Build(options);
        var second = Build(new NygardBreakerStrategyOptions { FailureThreshold = 1, StateStore = store });

        await FailAsync(first);

        Assert.Same(store, options.StateStore);   // breaker.state_storage
        Assert.IsType<BrokenCircuitException>(await SucceedAsync(second));
    }

    [Fact]
    public async Task Name_IsTheStrategyName_CarriedByEveryRejection()
    {
        var options = new NygardBreakerStrategyOptions { Name = "inventory", FailureThreshold = 1 };
        var pipeline = new ResiliencePipelineBuilder { TimeProvider = _time, Name = "orders" }.AddNygardBreaker(options).Build();

        await FailAsync(pipeline);
        var rejection = Assert.IsType<BrokenCircuitException>(await SucceedAsync(pipeline));

        Assert.Equal("inventory", options.Name);
        Assert.Equal("inventory", rejection.TelemetrySource?.StrategyName);
        Assert.Equal("orders", rejection.TelemetrySource?.PipelineName);
        Assert.Contains("inventory", rejection.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task CallAndCallAsync_AreExecuteAndExecuteAsync()
    {
        var state = new NygardBreakerStateProvider();
        var pipeline = Build(new NygardBreakerStrategyOptions { FailureThreshold = 2, StateProvider = state });

        Assert.Equal(42, pipeline.Execute(() => 42));
        Assert.Throws<InvalidOperationException>(() => pipeline.Execute(() => throw new InvalidOperationException("sync")));
        Assert.Equal(1, state.FailureCount);
        await Assert.ThrowsAsync<InvalidOperationException>(async () => await pipeline.ExecuteAsync(_ => throw new InvalidOperationException("async")));

        Assert.Equal(CircuitState.Open, state.CircuitState);
    }

    [Fact]
    public async Task Decorator_IsAMethodThatExecutesThroughThePipeline()
    {
        var state = new NygardBreakerStateProvider();
        var pipeline = Build(new NygardBreakerStrategyOptions { FailureThreshold = 2, StateProvider = state });
        var dependencyCalls = 0;
        ValueTask<int> GetStock(CancellationToken token)
        {
            dependencyCalls++;
            throw new InvalidOperationException("down");
        }

        // The "decorated" function: callers call this, never the dependency directly.
        Task<int> GetStockAsync(CancellationToken token) => pipeline.ExecuteAsync(GetStock, token).AsTask();

        await Assert.ThrowsAsync<InvalidOperationException>(() => GetStockAsync(CancellationToken.None));
        await Assert.ThrowsAsync<InvalidOperationException>(() => GetStockAsync(CancellationToken.None));
        await Assert.ThrowsAsync<BrokenCircuitException>(() => GetStockAsync(CancellationToken.None));

        Assert.Equal(2, dependencyCalls);
        Assert.Equal(CircuitState.Open, state.CircuitState);
    }

    [Fact]
    public async Task GeneratorCall_IsExecuteStreamAsync_OneOutcomePerStream()
    {
        var state = new NygardBreakerStateProvider();
        var pipeline = Build(new NygardBreakerStrategyOptions { FailureThreshold = 2, StateProvider = state });

        var items = new List<int>();
        await Assert.ThrowsAsync<InvalidOperationException>(async () =>
        {
            await foreach (var item in pipeline.ExecuteStreamAsync(token => Rows(3, failAfter: 2, token)))
            {
                items.Add(item);
            }
        });

        Assert.Equal([1, 2], items);
        Assert.Equal(1, state.FailureCount);

        await foreach (var item in pipeline.ExecuteStreamAsync(token => Rows(3, failAfter: null, token)))
        {
            items.Add(item);
        }

        Assert.Equal(0, state.FailureCount);
    }

    [Fact]
    public async Task AddListenerAddListenersRemoveListener_AreListenersAddAndRemove()
    {
        var first = new RecordingListener("a");
        var second = new RecordingListener("b");
        var third = new RecordingListener("c");
        var options = new NygardBreakerStrategyOptions();
        options.Listeners.Add(first);                                 // add_listener(a)
        foreach (var listener in new[] { second, third })            // add_listeners(b, c)
        {
            options.Listeners.Add(listener);
        }

        Assert.True(options.Listeners.Remove(second));               // remove_listener(b)
        var pipeline = Build(options);

        await SucceedAsync(pipeline);

        Assert.Equal(["a before", "a success"], first.Calls);
        Assert.Empty(second.Calls);
        Assert.Equal(["c before", "c success"], third.Calls);
    }

    [Fact]
    public async Task AddListenerAndRemoveListener_AfterBuild_ApplyToLaterCalls()
    {
        // SPEC: listeners added to or removed from Options.Listeners after Build() apply to later calls.
        var options = new NygardBreakerStrategyOptions();
        var pipeline = Build(options);
        await SucceedAsync(pipeline);

        var listener = new RecordingListener("late");
        options.Listeners.Add(listener);
        await SucceedAsync(pipeline);
        Assert.Equal(["late before", "late success"], listener.Calls);

        options.Listeners.Remove(listener);
        await SucceedAsync(pipeline);
        Assert.Equal(["late before", "late success"], listener.Calls);
    }

    [Fact]
    public void ListenersProperty_IsOptionsListeners_InTheOrderAdded()
    {
        var first = new RecordingListener("a");
        var second = new RecordingListener("b");
        var options = new NygardBreakerStrategyOptions();

        Assert.Empty(options.Listeners);
        options.Listeners.Add(first);
        options.Listeners.Add(second);

        Assert.Equal<INygardBreakerListener>([first, second], options.Listeners);
    }

    [Fact]
    public async Task AddExcludedExceptions_AndRemoveExcludedException_ChangeWhatLaterCallsCount()
    {
        var excluded = new ConcurrentDictionary<Type, byte>();
        var state = new NygardBreakerStateProvider();
        var pipeline = Build(ExcludingOptions(excluded, state));

        excluded.TryAdd(typeof(ArgumentException), 0);                 // add_excluded_exception(ValueError)
        foreach (var type in new[] { typeof(FormatException), typeof(KeyNotFoundException) })
        {
            excluded.TryAdd(type, 0);                                    // add_excluded_exceptions(...)
        }

        await FailAsync(pipeline, new ArgumentNullException("id"));     // a subclass is excluded too, as in aiobreaker
        await FailAsync(pipeline, new FormatException());
        await FailAsync(pipeline, new KeyNotFoundException());
        Assert.Equal(0, state.FailureCount);

        excluded.TryRemove(typeof(ArgumentException), out _);           // remove_excluded_exception(ValueError)
        await FailAsync(pipeline, new ArgumentNullException("id"));

        Assert.Equal(1, state.FailureCount);
    }

    [Fact]
    public async Task ExcludedExceptions_IsTheApplicationsSet_WhichThePredicateReads()
    {
        var excluded = new ConcurrentDictionary<Type, byte>();
        var options = ExcludingOptions(excluded, state: null);
        excluded.TryAdd(typeof(ArgumentException), 0);
        excluded.TryAdd(typeof(FormatException), 0);

        Assert.Equal([typeof(ArgumentException), typeof(FormatException)], excluded.Keys.OrderBy(t => t.Name));
        foreach (var type in excluded.Keys)
        {
            Assert.False(await IsSystemErrorAsync(options, (Exception)Activator.CreateInstance(type)!));
        }
    }

    [Fact]
    public async Task IsSystemError_IsThePredicateEvaluated()
    {
        var defaults = new NygardBreakerStrategyOptions();
        Assert.True(await IsSystemErrorAsync(defaults, new InvalidOperationException()));
        Assert.False(await IsSystemErrorAsync(defaults, new OperationCanceledException()));

        var excluding = new NygardBreakerStrategyOptions { ShouldHandle = new PredicateBuilder().Handle<Exception>(e => e is not ArgumentException) };
        Assert.True(await IsSystemErrorAsync(excluding, new TimeoutException()));
        Assert.False(await IsSystemErrorAsync(excluding, new ArgumentException()));
    }

    [Fact]
    public async Task CurrentState_IsCircuitState()
    {
        var state = new NygardBreakerStateProvider();
        var control = new NygardBreakerManualControl();
        var pipeline = Build(new NygardBreakerStrategyOptions { FailureThreshold = 1, BreakDuration = TimeSpan.FromSeconds(10), StateProvider = state, ManualControl = control });

        Assert.Equal(CircuitState.Closed, state.CircuitState);
        await FailAsync(pipeline);
        Assert.Equal(CircuitState.Open, state.CircuitState);

        _time.Advance(TimeSpan.FromSeconds(10));
        var probe = new TaskCompletionSource();
        var running = pipeline.ExecuteAsync(async _ => await probe.Task);
        Assert.Equal(CircuitState.HalfOpen, state.CircuitState);
        probe.SetResult();
        await running;
        Assert.Equal(CircuitState.Closed, state.CircuitState);

        await control.IsolateAsync();
        Assert.Equal(CircuitState.Isolated, state.CircuitState);
    }

    [Fact]
    public async Task FailCounter_IsFailureCount()
    {
        var state = new NygardBreakerStateProvider();
        var pipeline = Build(new NygardBreakerStrategyOptions { FailureThreshold = 3, StateProvider = state });

        await FailAsync(pipeline);
        await FailAsync(pipeline);
        Assert.Equal(2, state.FailureCount);

        await SucceedAsync(pipeline);
        Assert.Equal(0, state.FailureCount);
    }

    [Fact]
    public async Task OpensAt_IsOpenUntil()
    {
        var state = new NygardBreakerStateProvider();
        var pipeline = Build(new NygardBreakerStrategyOptions { FailureThreshold = 1, BreakDuration = TimeSpan.FromSeconds(60), StateProvider = state });
        Assert.Null(state.OpenUntil);

        _time.Advance(TimeSpan.FromSeconds(5));
        await FailAsync(pipeline);

        Assert.Equal(Epoch + TimeSpan.FromSeconds(65), state.OpenUntil);
    }

    [Fact]
    public async Task TimeUntilOpen_IsRetryAfter()
    {
        var state = new NygardBreakerStateProvider();
        var pipeline = Build(new NygardBreakerStrategyOptions { FailureThreshold = 1, BreakDuration = TimeSpan.FromSeconds(60), StateProvider = state });
        Assert.Null(state.RetryAfter);

        await FailAsync(pipeline);
        _time.Advance(TimeSpan.FromSeconds(20));
        Assert.Equal(TimeSpan.FromSeconds(40), state.RetryAfter);

        _time.Advance(TimeSpan.FromSeconds(50));
        Assert.Equal(TimeSpan.Zero, state.RetryAfter);
    }

    [Fact]
    public async Task SleepUntilOpen_IsWaitForRetryAsync()
    {
        var state = new NygardBreakerStateProvider();
        var pipeline = Build(new NygardBreakerStrategyOptions { FailureThreshold = 1, BreakDuration = TimeSpan.FromSeconds(60), StateProvider = state });
        await FailAsync(pipeline);

        var wait = state.WaitForRetryAsync();
        _time.Advance(TimeSpan.FromSeconds(59));
        Assert.False(wait.IsCompleted);

        _time.Advance(TimeSpan.FromSeconds(1));
        await wait.WaitAsync(TimeSpan.FromSeconds(30), TimeProvider.System);   // a guard against hanging, not a delay
        Assert.Null(await SucceedAsync(pipeline));
    }

    [Fact]
    public async Task OpenHalfOpenClose_AreManualControlOpenAsyncHalfOpenAsyncCloseAsync()
    {
        var state = new NygardBreakerStateProvider();
        var control = new NygardBreakerManualControl();
        var pipeline = Build(new NygardBreakerStrategyOptions { BreakDuration = TimeSpan.FromSeconds(30), StateProvider = state, ManualControl = control });

        await control.OpenAsync();
        Assert.Equal(CircuitState.Open, state.CircuitState);
        Assert.Equal(Epoch + TimeSpan.FromSeconds(30), state.OpenUntil);
        Assert.IsType<BrokenCircuitException>(await SucceedAsync(pipeline));

        await control.HalfOpenAsync();
        Assert.Equal(CircuitState.HalfOpen, state.CircuitState);

        await control.CloseAsync();
        Assert.Equal(CircuitState.Closed, state.CircuitState);
        Assert.Null(await SucceedAsync(pipeline));
    }

    [Fact]
    public async Task CircuitBreakerError_IsBrokenCircuitException_OrIsolatedCircuitException()
    {
        var control = new NygardBreakerManualControl();
        var pipeline = Build(new NygardBreakerStrategyOptions { FailureThreshold = 1, ManualControl = control });

        Assert.IsType<InvalidOperationException>(await FailAsync(pipeline));   // the tripping call gets its own error
        Assert.IsType<BrokenCircuitException>(await SucceedAsync(pipeline));

        await control.IsolateAsync();
        Assert.IsType<IsolatedCircuitException>(await SucceedAsync(pipeline));
    }

    private static NygardBreakerStrategyOptions ExcludingOptions(ConcurrentDictionary<Type, byte> excluded, NygardBreakerStateProvider? state) => new()
    {
        FailureThreshold = 10,
        StateProvider = state,
        ShouldHandle = args => ValueTask.FromResult(
            args.Outcome.Exception is { } e
            && e is not OperationCanceledException
            && !excluded.Keys.Any(type => type.IsInstanceOfType(e))),
    };

    private static async Task<bool> IsSystemErrorAsync(NygardBreakerStrategyOptions options, Exception exception)
    {
        var context = ResilienceContextPool.Shared.Get();
        try
        {
            return await options.ShouldHandle(new CircuitBreakerPredicateArguments<object>(context, Outcome.FromException<object>(exception)));
        }
        finally
        {
            ResilienceContextPool.Shared.Return(context);
        }
    }

    private static async IAsyncEnumerable<int> Rows(int count, int? failAfter, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        for (var row = 1; row <= count; row++)
        {
            await Task.Yield();
            cancellationToken.ThrowIfCancellationRequested();
            if (row - 1 == failAfter)
            {
                throw new InvalidOperationException("stream broke");
            }

            yield return row;
        }
    }

    private static async Task<Exception?> SucceedAsync(ResiliencePipeline pipeline)
    {
        try
        {
            await pipeline.ExecuteAsync(_ => ValueTask.CompletedTask);
            return null;
        }
        catch (Exception e)
        {
            return e;
        }
    }

    private static async Task<Exception?> FailAsync(ResiliencePipeline pipeline, Exception? error = null)
    {
        try
        {
            await pipeline.ExecuteAsync(_ => throw (error ?? new InvalidOperationException("boom")));
            return null;
        }
        catch (Exception e)
        {
            return e;
        }
    }

    private ResiliencePipeline Build(NygardBreakerStrategyOptions options) =>
        new ResiliencePipelineBuilder { TimeProvider = _time }.AddNygardBreaker(options).Build();

    private sealed class RecordingListener(string name) : INygardBreakerListener
    {
        public List<string> Calls { get; } = [];

        public ValueTask BeforeCallAsync(ResilienceContext context) => Add("before");

        public ValueTask OnSuccessAsync(ResilienceContext context) => Add("success");

        public ValueTask OnFailureAsync(ResilienceContext context, Outcome<object> outcome) => Add("failure");

        public ValueTask OnStateChangedAsync(CircuitState from, CircuitState to, bool isManual) => Add($"{from}->{to}");

        private ValueTask Add(string call)
        {
            lock (Calls)
            {
                Calls.Add($"{name} {call}");
            }

            return default;
        }
    }
}
