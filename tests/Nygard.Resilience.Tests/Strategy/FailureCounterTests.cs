using Nygard.Resilience.Tests.Support;
using Polly.CircuitBreaker;

namespace Nygard.Resilience.Tests.Strategy;

/// <summary>
/// A store's one-step failure counter (<see cref="INygardBreakerFailureCounter"/>): offered exactly the failures that
/// only add to the count of a closed breaker; the tripping failure, probes and other outcomes go through the state machine.
/// </summary>
public class FailureCounterTests
{
    [Fact]
    public async Task FailuresBelowTheThreshold_AreCountedByTheStore_AndTheTrippingOneByTheStateMachine()
    {
        var store = new CountingStore();
        var breaker = new BreakerHarness(o => o.StateStore = store);

        var calls = new NygardBreakerCallCounter();
        ((NygardBreakerBuiltArguments)Assert.Single(breaker.Telemetry.Events, e => e.Name == "OnNygardBreakerBuilt").Arguments!).Breaker.CallCounter = calls;

        await breaker.FailAsync();
        await breaker.FailAsync();
        Assert.Equal([(0L, 3), (0L, 3)], store.Offered);
        Assert.Equal(2, store.Counted);
        Assert.Equal(new NygardBreakerCallCounts(0, 2, 0, 0), calls.Counts); // failures the store counted are calls all the same
        Assert.Equal(2, breaker.State.FailureCount);
        Assert.Empty(breaker.Events);

        await breaker.FailAsync();

        Assert.Equal([(0L, 3), (0L, 3)], store.Offered);
        Assert.Equal(CircuitState.Open, breaker.State.CircuitState);
        Assert.Equal(3, breaker.State.FailureCount);
        Assert.Equal(["opened 30s"], breaker.Events);
    }

    [Fact]
    public async Task SuccessesAndProbes_AreNotOfferedToTheCounter()
    {
        var store = new CountingStore();
        var breaker = new BreakerHarness(o => o.StateStore = store);
        await breaker.SucceedAsync();
        await breaker.FailAsync();
        await breaker.SucceedAsync();
        Assert.Equal([(0L, 3)], store.Offered);
        Assert.Equal(0, breaker.State.FailureCount);

        await breaker.TripAsync();
        breaker.Advance(TimeSpan.FromSeconds(30));
        await breaker.FailAsync();

        Assert.Equal([(0L, 3), (0L, 3), (0L, 3)], store.Offered);
        Assert.Equal(["opened 30s", "half-opened", "opened 30s"], breaker.Events);
    }

    [Fact]
    public async Task CounterThatDeclines_LeavesTheFailureToTheStateMachine()
    {
        var store = new CountingStore { Accepts = false };
        var breaker = new BreakerHarness(o => o.StateStore = store);

        await breaker.FailAsync();
        await breaker.FailAsync();
        Assert.Equal(2, breaker.State.FailureCount);
        await breaker.FailAsync();

        Assert.Equal([(0L, 3), (0L, 3)], store.Offered);
        Assert.Equal(0, store.Counted);
        Assert.Equal(CircuitState.Open, breaker.State.CircuitState);
    }

    /// <summary>An in-memory store with a failure counter that follows the interface's contract, and writes down what it was offered.</summary>
    private sealed class CountingStore : INygardBreakerStateStore, INygardBreakerFailureCounter
    {
        private readonly InMemoryNygardBreakerStateStore _inner = new();
        private readonly List<(long Generation, int Threshold)> _offered = [];

        public bool Accepts { get; init; } = true;

        public int Counted { get; private set; }

        public IReadOnlyList<(long Generation, int Threshold)> Offered => _offered;

        public NygardBreakerSnapshot Current => _inner.Current;

        public DateTimeOffset GetUtcNow(TimeProvider localTime) => _inner.GetUtcNow(localTime);

        public ValueTask<bool> TryReplaceAsync(NygardBreakerSnapshot expected, NygardBreakerSnapshot replacement, object? cause, CancellationToken cancellationToken) =>
            _inner.TryReplaceAsync(expected, replacement, cause, cancellationToken);

        public IDisposable Subscribe(INygardBreakerStateObserver observer) => _inner.Subscribe(observer);

        public async ValueTask<bool> TryCountFailureAsync(long generation, int failureThreshold, CancellationToken cancellationToken)
        {
            _offered.Add((generation, failureThreshold));
            var current = _inner.Current;
            if (!Accepts || current.State != CircuitState.Closed || current.Generation != generation || current.FailureCount + 1 >= failureThreshold)
            {
                return false;
            }

            var next = new NygardBreakerSnapshot(CircuitState.Closed, current.FailureCount + 1, 0, 0, [], null, current.TransitionedAt, current.IsManual, current.Generation, current.Version + 1);
            if (!await _inner.TryReplaceAsync(current, next, cause: null, cancellationToken))
            {
                return false;
            }

            Counted++;
            return true;
        }
    }
}
