using System.Collections.Immutable;
using Microsoft.Extensions.Time.Testing;
using Nygard.Resilience.Tests.Support;
using Polly;
using Polly.CircuitBreaker;

namespace Nygard.Resilience.Tests.Control;

public class StateProviderEdgeTests
{
    [Fact]
    public void OpenUntil_IsNullUnlessOpen_EvenIfTheStoreKeepsABreakEnd()
    {
        var until = BreakerHarness.Epoch.AddMinutes(1);
        var store = new FixedStore(Snapshot(CircuitState.HalfOpen, until));
        var provider = new NygardBreakerStateProvider();
        _ = new ResiliencePipelineBuilder().AddNygardBreaker(new NygardBreakerStrategyOptions { StateProvider = provider }, store).Build();

        Assert.Equal(CircuitState.HalfOpen, provider.CircuitState);
        Assert.Null(provider.OpenUntil);

        store.Current = Snapshot(CircuitState.Open, until);
        Assert.Equal(until, provider.OpenUntil);
    }

    [Fact]
    public async Task WaitForRetryAsync_WithACancelledToken_ThrowsWhateverTheState()
    {
        var breaker = new BreakerHarness();
        using var cancellation = new CancellationTokenSource();
        await cancellation.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => breaker.State.WaitForRetryAsync(cancellation.Token));
    }

    [Fact]
    public async Task WaitForRetryAsync_CancelledDuringTheBreak_FailsWithTheDelaysCancellation()
    {
        var breaker = new BreakerHarness();
        await breaker.TripAsync();
        using var cancellation = new CancellationTokenSource();
        var wait = breaker.State.WaitForRetryAsync(cancellation.Token);

        await cancellation.CancelAsync();

        var error = await Assert.ThrowsAsync<TaskCanceledException>(() => wait.WaitAsync(TimeSpan.FromSeconds(30)));
        Assert.True(error.CancellationToken.IsCancellationRequested);
        Assert.Equal(CircuitState.Open, breaker.State.CircuitState);
    }

    [Fact]
    public async Task WaitForRetryAsync_IsolationThatTurnsIntoABreak_WaitsForTheBreakToEnd()
    {
        var clock = new FakeTimeProvider(BreakerHarness.Epoch);
        var time = new EarlyTimerTimeProvider(clock, TimeSpan.Zero);
        var provider = new NygardBreakerStateProvider();
        var control = new NygardBreakerManualControl();
        var pipeline = new ResiliencePipelineBuilder { TimeProvider = time }
            .AddNygardBreaker(new NygardBreakerStrategyOptions { BreakDuration = TimeSpan.FromSeconds(30), StateProvider = provider, ManualControl = control })
            .Build();
        await control.IsolateAsync();
        var wait = provider.WaitForRetryAsync();
        Assert.Equal(0, time.TimersCreated);

        await control.OpenAsync();

        // The wake-up after the isolation ended runs on the thread pool: wait (bounded) until it returned or armed the break's timer.
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (!wait.IsCompleted && time.TimersCreated < 1 && DateTime.UtcNow < deadline)
        {
            await Task.Yield();
        }

        Assert.False(wait.IsCompleted, "the breaker went from isolated to open: a call made now would be rejected");
        Assert.Equal(1, time.TimersCreated);
        clock.Advance(TimeSpan.FromSeconds(30));
        await wait.WaitAsync(TimeSpan.FromSeconds(30));
        await pipeline.ExecuteAsync(_ => default);
    }

    [Fact]
    public async Task WaitForRetryAsync_EndedByATransition_ReleasesTheBreaksTimer()
    {
        var clock = new FakeTimeProvider(BreakerHarness.Epoch);
        var time = new TimerCountingTimeProvider(clock);
        var provider = new NygardBreakerStateProvider();
        var control = new NygardBreakerManualControl();
        _ = new ResiliencePipelineBuilder { TimeProvider = time }
            .AddNygardBreaker(new NygardBreakerStrategyOptions { StateProvider = provider, ManualControl = control })
            .Build();
        await control.OpenAsync();
        var wait = provider.WaitForRetryAsync();
        Assert.Equal((1, 0), (time.Created, time.Disposed));

        await control.CloseAsync();
        await wait.WaitAsync(TimeSpan.FromSeconds(30));

        Assert.Equal((1, 1), (time.Created, time.Disposed));
    }

    private static NygardBreakerSnapshot Snapshot(CircuitState state, DateTimeOffset openUntil) =>
        new(state, failureCount: 3, probeSuccesses: 0, failedProbes: 0, ImmutableArray<DateTimeOffset>.Empty, openUntil, BreakerHarness.Epoch, isManual: false, generation: 1, version: 1);

    /// <summary>Counts the timers created on a fake clock and how many of them were disposed.</summary>
    private sealed class TimerCountingTimeProvider(FakeTimeProvider clock) : TimeProvider
    {
        private int _created;
        private int _disposed;

        public int Created => Volatile.Read(ref _created);

        public int Disposed => Volatile.Read(ref _disposed);

        public override DateTimeOffset GetUtcNow() => clock.GetUtcNow();

        public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
        {
            Interlocked.Increment(ref _created);
            return new CountedTimer(this, clock.CreateTimer(callback, state, dueTime, period));
        }

        private sealed class CountedTimer(TimerCountingTimeProvider owner, ITimer inner) : ITimer
        {
            public bool Change(TimeSpan dueTime, TimeSpan period) => inner.Change(dueTime, period);

            public void Dispose()
            {
                Interlocked.Increment(ref owner._disposed);
                inner.Dispose();
            }

            public ValueTask DisposeAsync()
            {
                Interlocked.Increment(ref owner._disposed);
                return inner.DisposeAsync();
            }
        }
    }

    /// <summary>A store that holds whatever snapshot the test gives it and refuses every change.</summary>
    private sealed class FixedStore(NygardBreakerSnapshot current) : INygardBreakerStateStore
    {
        public NygardBreakerSnapshot Current { get; set; } = current;

        public DateTimeOffset GetUtcNow(TimeProvider localTime) => localTime.GetUtcNow();

        public ValueTask<bool> TryReplaceAsync(NygardBreakerSnapshot expected, NygardBreakerSnapshot replacement, object? cause, CancellationToken cancellationToken) => new(false);

        public IDisposable Subscribe(INygardBreakerStateObserver observer) => new NygardBreakerStateObservers().Add(observer);
    }
}
