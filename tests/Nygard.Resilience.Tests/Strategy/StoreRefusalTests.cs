using Polly;
using Polly.CircuitBreaker;

namespace Nygard.Resilience.Tests.Strategy;

/// <summary>
/// A store that refuses a change: retried on the newer snapshot it holds, at most a bounded number of times, and not at
/// all when it holds nothing newer (it cannot reach its backend), so no call or command waits on it.
/// </summary>
public class StoreRefusalTests
{
    private const int MaxStoreAttempts = 1_000;

    [Fact]
    public async Task ManualCommand_OnAStoreThatRefusesWithoutAnythingNewer_TriesOnce()
    {
        var store = new RefusingStore(newerOnEveryRefusal: false);
        var control = Build(store);

        await control.OpenAsync().WaitAsync(TimeSpan.FromSeconds(30));

        Assert.Equal(1, store.Attempts);
        Assert.Equal(CircuitState.Closed, store.Current.State);
    }

    [Fact]
    public async Task ManualCommand_OnAStoreThatAlwaysHoldsSomethingNewer_GivesUpAfterTheBound()
    {
        var store = new RefusingStore(newerOnEveryRefusal: true);
        var control = Build(store);

        await control.OpenAsync().WaitAsync(TimeSpan.FromSeconds(30));

        Assert.Equal(MaxStoreAttempts, store.Attempts);
    }

    [Fact]
    public async Task FailedCall_OnAStoreThatAlwaysHoldsSomethingNewer_ReturnsItsOwnOutcomeAfterTheBound()
    {
        var store = new RefusingStore(newerOnEveryRefusal: true);
        var pipeline = new ResiliencePipelineBuilder().AddNygardBreaker(new NygardBreakerStrategyOptions(), store).Build();

        var error = await Assert.ThrowsAsync<TimeoutException>(() => pipeline.ExecuteAsync(_ => throw new TimeoutException("mine")).AsTask().WaitAsync(TimeSpan.FromSeconds(30)));

        Assert.Equal("mine", error.Message);
        Assert.Equal(MaxStoreAttempts, store.Attempts);
    }

    private static NygardBreakerManualControl Build(INygardBreakerStateStore store)
    {
        var control = new NygardBreakerManualControl();
        _ = new ResiliencePipelineBuilder().AddNygardBreaker(new NygardBreakerStrategyOptions { ManualControl = control }, store).Build();
        return control;
    }

    /// <summary>Refuses every change; optionally holds a newer (closed) snapshot after each refusal, as if another writer got there first.</summary>
    private sealed class RefusingStore(bool newerOnEveryRefusal) : INygardBreakerStateStore
    {
        private NygardBreakerSnapshot _current = NygardBreakerSnapshot.Initial;
        private int _attempts;

        public int Attempts => Volatile.Read(ref _attempts);

        public NygardBreakerSnapshot Current => Volatile.Read(ref _current);

        public DateTimeOffset GetUtcNow(TimeProvider localTime) => localTime.GetUtcNow();

        public ValueTask<bool> TryReplaceAsync(NygardBreakerSnapshot expected, NygardBreakerSnapshot replacement, object? cause, CancellationToken cancellationToken)
        {
            Interlocked.Increment(ref _attempts);
            if (newerOnEveryRefusal)
            {
                var now = Current;
                Volatile.Write(ref _current, new NygardBreakerSnapshot(now.State, now.FailureCount, 0, 0, [], null, now.TransitionedAt, now.IsManual, now.Generation, now.Version + 1));
            }

            return new ValueTask<bool>(false);
        }

        public IDisposable Subscribe(INygardBreakerStateObserver observer) => new NygardBreakerStateObservers().Add(observer);
    }
}
