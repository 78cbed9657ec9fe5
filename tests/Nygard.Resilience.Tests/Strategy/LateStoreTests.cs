using Microsoft.Extensions.Time.Testing;
using Polly;
using Polly.CircuitBreaker;

namespace Nygard.Resilience.Tests.Strategy;

/// <summary>
/// A store whose swaps complete later, as a remote store's do: the call waits for its store step without holding the
/// caller's thread, and ends once the store answers.
/// </summary>
public class LateStoreTests
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);
    private static readonly DateTimeOffset Epoch = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);

    [Fact]
    public async Task FailedCall_WaitsForTheStoreWithoutHoldingTheCaller_ThenReturnsItsOutcome()
    {
        using var store = new LateStore(NygardBreakerSnapshot.Initial);
        var pipeline = Build(store);

        var call = pipeline.ExecuteAsync(static _ => ValueTask.FromException(new TimeoutException("mine")));

        await store.Asked.WaitAsync(Patience);
        Assert.False(call.IsCompleted);
        store.Answer();
        var error = await Assert.ThrowsAsync<TimeoutException>(() => call.AsTask().WaitAsync(Patience));
        Assert.Equal("mine", error.Message);
        Assert.Equal(1, store.Current.FailureCount);
    }

    [Fact]
    public async Task Probe_WaitsForTheHalfOpenSwapWithoutHoldingTheCaller_ThenRunsAndCloses()
    {
        var open = new NygardBreakerSnapshot(CircuitState.Open, 1, 0, 0, [], Epoch, Epoch.AddSeconds(-5), isManual: false, generation: 1, version: 1);
        using var store = new LateStore(open);
        var pipeline = Build(store);
        var ran = 0;

        var call = pipeline.ExecuteAsync(_ =>
        {
            Interlocked.Increment(ref ran);
            return ValueTask.CompletedTask;
        });

        await store.Asked.WaitAsync(Patience);
        Assert.False(call.IsCompleted);
        Assert.Equal(0, Volatile.Read(ref ran));
        store.Answer();
        await store.Asked.WaitAsync(Patience); // the probe ran, and its success asks to close
        Assert.Equal(CircuitState.HalfOpen, store.Current.State);
        store.Answer();
        await call.AsTask().WaitAsync(Patience);
        Assert.Equal(1, ran);
        Assert.Equal(CircuitState.Closed, store.Current.State);
    }

    [Fact]
    public async Task Probe_OnAStoreThatAnswersLaterAndAlwaysHoldsSomethingNewer_GivesUpAfterTheBoundAndRuns()
    {
        const int MaxStoreAttempts = 1_000;
        var open = new NygardBreakerSnapshot(CircuitState.Open, 1, 0, 0, [], Epoch, Epoch.AddSeconds(-5), isManual: false, generation: 1, version: 1);
        using var store = new LateStore(open, refuseWithNewer: true);
        var pipeline = Build(store);

        var outcome = await pipeline.ExecuteAsync(static _ => ValueTask.FromResult("ran")).AsTask().WaitAsync(Patience);

        Assert.Equal("ran", outcome);
        Assert.Equal(MaxStoreAttempts, store.Attempts);
    }

    private static ResiliencePipeline Build(INygardBreakerStateStore store) =>
        new ResiliencePipelineBuilder { TimeProvider = new FakeTimeProvider(Epoch.AddMinutes(1)) }
            .AddNygardBreaker(new NygardBreakerStrategyOptions(), store)
            .Build();

    /// <summary>
    /// Answers each swap when the test says so (or, refusing, after a yield and with a newer snapshot, as if another
    /// writer got there first).
    /// </summary>
    private sealed class LateStore(NygardBreakerSnapshot initial, bool refuseWithNewer = false) : INygardBreakerStateStore, IDisposable
    {
        private readonly SemaphoreSlim _answers = new(0);
        private NygardBreakerSnapshot _current = initial;
        private int _attempts;

        public SemaphoreSlim Asked { get; } = new(0);

        public int Attempts => Volatile.Read(ref _attempts);

        public NygardBreakerSnapshot Current => Volatile.Read(ref _current);

        public DateTimeOffset GetUtcNow(TimeProvider localTime) => localTime.GetUtcNow();

        public void Answer() => _answers.Release();

        public void Dispose()
        {
            _answers.Dispose();
            Asked.Dispose();
        }

        public async ValueTask<bool> TryReplaceAsync(NygardBreakerSnapshot expected, NygardBreakerSnapshot replacement, object? cause, CancellationToken cancellationToken)
        {
            Interlocked.Increment(ref _attempts);
            if (refuseWithNewer)
            {
                await Task.Yield();
                var now = Current;
                Volatile.Write(ref _current, new NygardBreakerSnapshot(now.State, now.FailureCount, 0, 0, [], now.OpenUntil, now.TransitionedAt, now.IsManual, now.Generation, now.Version + 1));
                return false;
            }

            Asked.Release();
            await _answers.WaitAsync(cancellationToken).ConfigureAwait(false);
            if (!ReferenceEquals(Current, expected))
            {
                return false;
            }

            Volatile.Write(ref _current, replacement);
            return true;
        }

        public IDisposable Subscribe(INygardBreakerStateObserver observer) => new NygardBreakerStateObservers().Add(observer);
    }
}
