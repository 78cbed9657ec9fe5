using Microsoft.Extensions.Time.Testing;
using Nygard.Resilience.StateMachine;
using Polly;
using Polly.CircuitBreaker;

namespace Nygard.Resilience.Tests.State;

/// <summary>The in-memory store keeps a value and makes snapshots only when asked, once per change.</summary>
public class InMemoryStoreTests
{
    [Fact]
    public void Current_IsOneSnapshotPerChange_ShowingTheStateThatChangeMade()
    {
        var store = new InMemoryNygardBreakerStateStore();
        var pipeline = Pipeline(store, failureThreshold: 3);
        var initial = store.Current;
        Assert.Same(NygardBreakerSnapshot.Initial, initial);

        Assert.Throws<InvalidOperationException>(() => pipeline.Execute(static () => throw new InvalidOperationException()));

        var afterFailure = store.Current;
        Assert.NotSame(initial, afterFailure);
        Assert.Same(afterFailure, store.Current);
        Assert.Equal((CircuitState.Closed, 1, 1L, 0L), (afterFailure.State, afterFailure.FailureCount, afterFailure.Version, afterFailure.Generation));
    }

    [Fact]
    public async Task TryReplaceAsync_ReplacementIsWhatCurrentShows_AndAStaleExpectationIsRefused()
    {
        var store = new InMemoryNygardBreakerStateStore();
        var initial = store.Current;
        var open = new NygardBreakerSnapshot(CircuitState.Open, 5, 0, 0, [], DateTimeOffset.UnixEpoch.AddMinutes(1), DateTimeOffset.UnixEpoch, isManual: true, generation: 1, version: 1);

        Assert.True(await store.TryReplaceAsync(initial, open, cause: null, CancellationToken.None));
        Assert.Same(open, store.Current);
        Assert.Equal(CircuitState.Open, store.Stamp.State);
        Assert.False(await store.TryReplaceAsync(initial, NygardBreakerSnapshot.Initial, cause: null, CancellationToken.None));
        Assert.Same(open, store.Current);
    }

    [Fact]
    public void Observers_HearEveryChangeAsSnapshots_WithTheStateBeforeAndAfter()
    {
        var store = new InMemoryNygardBreakerStateStore();
        var heard = new List<(NygardBreakerSnapshot Previous, NygardBreakerSnapshot Current)>();
        using var subscription = store.Subscribe(new Recorder(heard));
        var pipeline = Pipeline(store, failureThreshold: 2);

        for (var i = 0; i < 2; i++)
        {
            Assert.Throws<InvalidOperationException>(() => pipeline.Execute(static () => throw new InvalidOperationException()));
        }

        Assert.Equal(2, heard.Count);
        Assert.Same(NygardBreakerSnapshot.Initial, heard[0].Previous);
        Assert.Equal(1, heard[0].Current.FailureCount);
        Assert.Same(heard[0].Current, heard[1].Previous);
        Assert.Equal(CircuitState.Open, heard[1].Current.State);
        Assert.Same(store.Current, heard[1].Current);
    }

    [Fact]
    public void ReadsDuringChanges_NeverMixTwoStates()
    {
        // Every state written keeps FailureCount, Generation, Version and the break end in step, so a read that mixed two
        // states would break the relation. Two readers race one writer on real threads.
        const int Changes = 200_000;
        var store = new InMemoryNygardBreakerStateStore();
        var mixed = 0;
        var busy = 0;
        var done = 0;

        void ReadUntilDone()
        {
            while (Volatile.Read(ref done) == 0)
            {
                var state = store.ReadState();
                if (state.Version != state.Generation || state.OpenUntilUtcTicks != state.Generation * 1_000 || state.FailureCount != (int)state.Generation)
                {
                    Interlocked.Increment(ref mixed);
                }

                var stamp = store.ReadStamp(out var openUntil);
                if (stamp.IsBusy)
                {
                    Interlocked.Increment(ref busy);
                }
                else if (openUntil != stamp.Generation * 1_000)
                {
                    Interlocked.Increment(ref mixed);
                }
            }
        }

        var readers = new[] { new Thread(ReadUntilDone), new Thread(ReadUntilDone) };
        store.TryReplace(0, InStep(0), cause: null);
        foreach (var reader in readers)
        {
            reader.Start();
        }

        for (var i = 1; i <= Changes; i++)
        {
            Assert.True(store.TryReplace(i - 1, InStep(i), cause: null));
        }

        Volatile.Write(ref done, 1);
        foreach (var reader in readers)
        {
            reader.Join();
        }

        Assert.Equal(0, mixed);
        Assert.Equal(InStep(Changes), store.ReadState());
    }

    [Fact]
    public void Current_IsNeverOlderThanTheStampReadBeforeIt()
    {
        // A call that saw the breaker open must not then be shown a snapshot from before: the snapshot is replaced before
        // the stamp is published. One reader races one writer on real threads.
        const int Changes = 100_000;
        var store = new InMemoryNygardBreakerStateStore();
        var older = 0;
        var done = 0;
        var reader = new Thread(() =>
        {
            while (Volatile.Read(ref done) == 0)
            {
                var stamp = store.Stamp;
                if (!stamp.IsBusy && store.Current.Generation < stamp.Generation)
                {
                    Interlocked.Increment(ref older);
                }
            }
        });
        reader.Start();

        for (var i = 1; i <= Changes; i++)
        {
            Assert.True(store.TryReplace(i - 1, InStep(i), cause: null));
        }

        Volatile.Write(ref done, 1);
        reader.Join();
        Assert.Equal(0, older);
    }

    [Fact]
    public async Task Readers_DoNotWaitForAnObserverThatIsStillRunning()
    {
        using var inside = new ManualResetEventSlim();
        using var release = new ManualResetEventSlim();
        var store = new InMemoryNygardBreakerStateStore();
        using var subscription = store.Subscribe(new Blocking(inside, release));
        var open = new NygardBreakerSnapshot(CircuitState.Open, 1, 0, 0, [], DateTimeOffset.UnixEpoch.AddMinutes(1), DateTimeOffset.UnixEpoch, isManual: true, generation: 1, version: 1);

        var writer = Task.Run(() => store.TryReplaceAsync(store.Current, open, cause: null, CancellationToken.None).AsTask());
        Assert.True(inside.Wait(TimeSpan.FromSeconds(30)));
        try
        {
            var reads = Task.Run(() => (store.Current, store.ReadState(), store.ReadStamp(out _)));
            var (current, state, stamp) = await reads.WaitAsync(TimeSpan.FromSeconds(30));

            Assert.Same(open, current);
            Assert.Equal(open.Value, state);
            Assert.Equal(CircuitState.Open, stamp.State);
        }
        finally
        {
            release.Set();
        }

        Assert.True(await writer.WaitAsync(TimeSpan.FromSeconds(30)));
    }

    private static BreakerState InStep(long n) =>
        BreakerState.Initial with { State = CircuitState.Open, FailureCount = (int)n, OpenUntilUtcTicks = n * 1_000, Generation = n, Version = n };

    private static ResiliencePipeline Pipeline(InMemoryNygardBreakerStateStore store, int failureThreshold) =>
        new ResiliencePipelineBuilder { TimeProvider = new FakeTimeProvider() }
            .AddNygardBreaker(new NygardBreakerStrategyOptions { FailureThreshold = failureThreshold, StateStore = store })
            .Build();

    /// <summary>Holds the store's change until the test lets it go.</summary>
    private sealed class Blocking(ManualResetEventSlim inside, ManualResetEventSlim release) : INygardBreakerStateObserver
    {
        public void OnChanged(NygardBreakerSnapshot previous, NygardBreakerSnapshot current, object? cause)
        {
            inside.Set();
            release.Wait(TimeSpan.FromSeconds(30));
        }
    }

    private sealed class Recorder(List<(NygardBreakerSnapshot, NygardBreakerSnapshot)> heard) : INygardBreakerStateObserver
    {
        public void OnChanged(NygardBreakerSnapshot previous, NygardBreakerSnapshot current, object? cause) => heard.Add((previous, current));
    }
}
