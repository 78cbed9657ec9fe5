using Microsoft.Extensions.Time.Testing;
using Nygard.Resilience.Tests.Support;
using Polly;
using Polly.CircuitBreaker;
using Polly.Registry;
using Polly.Telemetry;

namespace Nygard.Resilience.Tests.Operations;

/// <summary>The handle every breaker announces through telemetry when it is built: what a registry reads and commands.</summary>
public class BreakerHandleTests
{
    private readonly FakeTimeProvider _time = new(BreakerHarness.Epoch);
    private readonly RecordingTelemetryListener _telemetry = new();

    [Fact]
    public async Task Handle_ReadsTheBreakersStateOptionsAndLastTransition()
    {
        var pipeline = Build(new NygardBreakerStrategyOptions { FailureThreshold = 2, BreakDuration = TimeSpan.FromSeconds(20), HalfOpenPermits = 3, SuccessThreshold = 2 });
        var handle = SingleHandle();

        Assert.Equal(CircuitState.Closed, handle.State);
        Assert.Null(handle.LastTransitionAt);
        Assert.Null(handle.OpenUntil);
        Assert.Null(handle.RetryAfter);
        Assert.Equal((2, TimeSpan.FromSeconds(20), 3, 2), (handle.FailureThreshold, handle.BreakDuration, handle.HalfOpenPermits, handle.SuccessThreshold));
        Assert.False(handle.IsShared);
        Assert.True(handle.IsStoreAvailable);
        Assert.False(handle.IsDisposed);
        Assert.Equal(_time.GetUtcNow(), handle.GetUtcNow());

        _time.Advance(TimeSpan.FromSeconds(5));
        await FailAsync(pipeline);
        Assert.Equal(1, handle.FailureCount);
        Assert.Null(handle.LastTransitionAt);
        await FailAsync(pipeline);
        _time.Advance(TimeSpan.FromSeconds(3));

        Assert.Equal(CircuitState.Open, handle.State);
        Assert.Equal(BreakerHarness.Epoch.AddSeconds(5), handle.LastTransitionAt);
        Assert.Equal(BreakerHarness.Epoch.AddSeconds(25), handle.OpenUntil);
        Assert.Equal(TimeSpan.FromSeconds(17), handle.RetryAfter);
        Assert.Equal($"{handle.Id}: {handle.Snapshot}", handle.ToString());
    }

    [Fact]
    public async Task HandleCommands_ChangeTheBreakerAsItsManualControlDoes()
    {
        var pipeline = Build(new NygardBreakerStrategyOptions());
        var handle = SingleHandle();

        await handle.IsolateAsync();
        Assert.Equal(CircuitState.Isolated, handle.State);
        await Assert.ThrowsAsync<IsolatedCircuitException>(() => pipeline.ExecuteAsync(_ => default).AsTask());

        await handle.OpenAsync();
        Assert.Equal(CircuitState.Open, handle.State);
        Assert.Equal(TimeSpan.FromSeconds(60), handle.RetryAfter);

        await handle.HalfOpenAsync();
        Assert.Equal(CircuitState.HalfOpen, handle.State);
        Assert.Null(handle.OpenUntil);

        await handle.CloseAsync();
        Assert.Equal(CircuitState.Closed, handle.State);
        Assert.Equal(_time.GetUtcNow(), handle.LastTransitionAt);
    }

    [Fact]
    public async Task StoreThatLosesAndRegainsItsBackend_IsReportedByTheHandleAndTelemetry()
    {
        var store = new ObservedStore();
        var pipeline = Build(new NygardBreakerStrategyOptions { StateStore = store, FailureThreshold = 1 });
        var handle = SingleHandle();
        var outage = new TimeoutException("backend down");

        Assert.True(handle.IsShared);
        Assert.True(handle.IsStoreAvailable);

        store.Observers.NotifyAvailabilityChanged(false, outage);
        Assert.False(handle.IsStoreAvailable);
        await FailAsync(pipeline);
        Assert.Equal(CircuitState.Open, handle.State);

        store.Observers.NotifyAvailabilityChanged(true, null);
        Assert.True(handle.IsStoreAvailable);

        var reports = _telemetry.Events.Where(e => e.Name.StartsWith("OnNygardBreakerStore", StringComparison.Ordinal)).ToList();
        Assert.Equal(["OnNygardBreakerStoreUnavailable", "OnNygardBreakerStoreRestored"], reports.Select(e => e.Name));
        Assert.Equal([ResilienceEventSeverity.Error, ResilienceEventSeverity.Information], reports.Select(e => e.Severity));
        var unavailable = (NygardBreakerStoreAvailabilityArguments)reports[0].Arguments!;
        var restored = (NygardBreakerStoreAvailabilityArguments)reports[1].Arguments!;
        Assert.False(unavailable.IsAvailable);
        Assert.Same(outage, unavailable.Exception);
        Assert.True(restored.IsAvailable);
        Assert.Null(restored.Exception);
    }

    [Fact]
    public void StoreProblemThatIsNotAnOutage_IsReportedAsAWarning_AndTheStoreStaysAvailable()
    {
        var store = new ObservedStore();
        _ = Build(new NygardBreakerStrategyOptions { StateStore = store });
        var handle = SingleHandle();
        var problem = new FormatException("stored value did not decode; repaired");

        store.Observers.NotifyProblem(problem);

        Assert.True(handle.IsStoreAvailable);
        var report = Assert.Single(_telemetry.Events, e => e.Name.StartsWith("OnNygardBreakerStore", StringComparison.Ordinal));
        Assert.Equal(("OnNygardBreakerStoreProblem", ResilienceEventSeverity.Warning), (report.Name, report.Severity));
        var arguments = (NygardBreakerStoreAvailabilityArguments)report.Arguments!;
        Assert.True(arguments.IsAvailable);
        Assert.Same(problem, arguments.Exception);
    }

    [Fact]
    public async Task DisposedPipeline_LetsGoOfItsStoreControlAndStateProvider()
    {
        var store = new ObservedStore();
        var control = new NygardBreakerManualControl();
        var provider = new NygardBreakerStateProvider();
        var disposedOpened = new Counter();
        var registry = new ResiliencePipelineRegistry<string>();
        _ = registry.GetOrAddPipeline("old", builder => Configure(builder, new NygardBreakerStrategyOptions
        {
            ManualControl = control,
            StateProvider = provider,
            OnOpened = _ => disposedOpened.IncrementAsync(),
        }, store));
        var handle = SingleHandle();
        Assert.Equal(1, store.Subscribers);
        await control.IsolateAsync();
        Assert.Equal(CircuitState.Isolated, provider.CircuitState);
        Assert.Equal(1, disposedOpened.Count); // isolating raised OnOpened

        registry.Dispose();
        registry.Dispose();

        // The state provider no longer reads the disposed (isolated) breaker, so nobody waits on it for ever.
        Assert.True(handle.IsDisposed);
        Assert.Equal(CircuitState.Closed, provider.CircuitState);
        Assert.True(provider.WaitForRetryAsync().IsCompletedSuccessfully);

        // The control no longer reaches the disposed breaker: the store it used is left alone.
        await control.CloseAsync();
        Assert.Equal(CircuitState.Isolated, store.Current.State);

        // The store no longer notifies it.
        Assert.Equal(0, store.Subscribers);
        Assert.Equal(1, disposedOpened.Count);
    }

    private static async Task FailAsync(ResiliencePipeline pipeline) =>
        await Assert.ThrowsAsync<InvalidOperationException>(() => pipeline.ExecuteAsync(_ => throw new InvalidOperationException()).AsTask());

    private ResiliencePipeline Build(NygardBreakerStrategyOptions options) =>
        Configure(new ResiliencePipelineBuilder(), options, store: null).Build();

    private ResiliencePipelineBuilder Configure(ResiliencePipelineBuilder builder, NygardBreakerStrategyOptions options, INygardBreakerStateStore? store)
    {
        builder.TimeProvider = _time;
        _ = store is null ? builder.AddNygardBreaker(options) : builder.AddNygardBreaker(options, store);
        return builder.ConfigureTelemetry(new TelemetryOptions { TelemetryListeners = { _telemetry } });
    }

    private NygardBreakerHandle SingleHandle() =>
        Assert.Single(_telemetry.Events, e => e.Name == "OnNygardBreakerBuilt").Arguments is NygardBreakerBuiltArguments built
            ? built.Breaker
            : throw new InvalidOperationException("The breaker was not announced with NygardBreakerBuiltArguments.");

    /// <summary>A store kept outside the in-memory type, which can say that its backend went away and came back.</summary>
    private sealed class ObservedStore : INygardBreakerStateStore
    {
        private readonly InMemoryNygardBreakerStateStore _inner = new();
        private int _subscribers;

        public NygardBreakerStateObservers Observers { get; } = new();

        public NygardBreakerSnapshot Current => _inner.Current;

        public DateTimeOffset GetUtcNow(TimeProvider localTime) => _inner.GetUtcNow(localTime);

        public async ValueTask<bool> TryReplaceAsync(NygardBreakerSnapshot expected, NygardBreakerSnapshot replacement, object? cause, CancellationToken cancellationToken)
        {
            if (!await _inner.TryReplaceAsync(expected, replacement, cause, cancellationToken))
            {
                return false;
            }

            Observers.NotifyChanged(expected, replacement, cause);
            return true;
        }

        public int Subscribers => Volatile.Read(ref _subscribers);

        public IDisposable Subscribe(INygardBreakerStateObserver observer)
        {
            Interlocked.Increment(ref _subscribers);
            return new Subscription(this, Observers.Add(observer));
        }

        private sealed class Subscription(ObservedStore store, IDisposable inner) : IDisposable
        {
            public void Dispose()
            {
                inner.Dispose();
                Interlocked.Decrement(ref store._subscribers);
            }
        }
    }
}
