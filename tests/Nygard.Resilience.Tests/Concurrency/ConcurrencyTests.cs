using Microsoft.Extensions.Time.Testing;
using Nygard.Resilience.Tests.Support;
using Polly;
using Polly.CircuitBreaker;

namespace Nygard.Resilience.Tests.Concurrency;

/// <summary>Real threads released together on a barrier, with exact invariants, repeated to catch races.</summary>
public class ConcurrencyTests
{
    private const int Threads = 8;

    [Fact]
    public async Task FailuresFromManyThreads_AreCountedExactly()
    {
        for (var round = 0; round < 20; round++)
        {
            var provider = new NygardBreakerStateProvider();
            var pipeline = new ResiliencePipelineBuilder()
                .AddNygardBreaker(new NygardBreakerStrategyOptions { FailureThreshold = int.MaxValue, StateProvider = provider })
                .Build();

            await RunTogetherAsync(Threads, _ =>
            {
                for (var i = 0; i < 500; i++)
                {
                    try
                    {
                        pipeline.Execute(static () => throw new InvalidOperationException());
                    }
                    catch (InvalidOperationException)
                    {
                    }
                }
            });

            Assert.Equal(Threads * 500, provider.FailureCount);
        }
    }

    [Fact]
    public async Task ManyThreadsFailingPastTheThreshold_OpenTheBreakerExactlyOnce()
    {
        for (var round = 0; round < 50; round++)
        {
            var opened = new Counter();
            var listenerTransitions = new Counter();
            var provider = new NygardBreakerStateProvider();
            var options = new NygardBreakerStrategyOptions
            {
                FailureThreshold = 20,
                StateProvider = provider,
                OnOpened = _ => opened.IncrementAsync(),
            };
            options.Listeners.Add(new CountingListener(listenerTransitions));
            var pipeline = new ResiliencePipelineBuilder().AddNygardBreaker(options).Build();
            var rejected = new Counter();

            await RunTogetherAsync(Threads, _ =>
            {
                for (var i = 0; i < 20; i++)
                {
                    try
                    {
                        pipeline.Execute(static () => throw new InvalidOperationException());
                    }
                    catch (BrokenCircuitException)
                    {
                        rejected.Increment();
                    }
                    catch (InvalidOperationException)
                    {
                    }
                }
            });

            Assert.Equal(1, opened.Count);
            Assert.Equal(1, listenerTransitions.Count);
            Assert.Equal(CircuitState.Open, provider.CircuitState);
            // Failures admitted before the trip that finish after it are late outcomes: they do not count.
            Assert.Equal(20, provider.FailureCount);
            Assert.InRange((Threads * 20) - rejected.Count, 20, Threads * 20);
        }
    }

    [Fact]
    public async Task ManyCallersArrivingAtOnceWhenTheBreakEnds_AdmitExactlyHalfOpenPermitsProbes()
    {
        for (var round = 0; round < 50; round++)
        {
            const int permits = 3;
            var time = new FakeTimeProvider(BreakerHarness.Epoch);
            var halfOpened = new Counter();
            var provider = new NygardBreakerStateProvider();
            var pipeline = new ResiliencePipelineBuilder { TimeProvider = time }
                .AddNygardBreaker(new NygardBreakerStrategyOptions
                {
                    FailureThreshold = 1,
                    HalfOpenPermits = permits,
                    BreakDuration = TimeSpan.FromSeconds(5),
                    StateProvider = provider,
                    OnHalfOpened = _ => halfOpened.IncrementAsync(),
                })
                .Build();
            Assert.Throws<InvalidOperationException>(() => pipeline.Execute(static () => throw new InvalidOperationException()));
            time.Advance(TimeSpan.FromSeconds(5));

            using var release = new ManualResetEventSlim();
            var admitted = new Counter();
            var rejected = new Counter();
            var running = RunTogetherAsync(16, _ =>
            {
                try
                {
                    pipeline.Execute(() =>
                    {
                        admitted.Increment();
                        release.Wait(TimeSpan.FromSeconds(30));
                    });
                }
                catch (BrokenCircuitException)
                {
                    rejected.Increment();
                }
            });

            SpinWait.SpinUntil(() => rejected.Count + admitted.Count == 16, TimeSpan.FromSeconds(30));
            Assert.Equal(permits, admitted.Count);
            Assert.Equal(16 - permits, rejected.Count);
            release.Set();
            await running.WaitAsync(TimeSpan.FromSeconds(30));

            Assert.Equal(1, halfOpened.Count);
            Assert.Equal(CircuitState.Closed, provider.CircuitState);
        }
    }

    [Fact]
    public async Task MixedTrafficWithTimeMovingAndManualCommands_OnlyEverTakesLegalTransitions()
    {
        for (var round = 0; round < 10; round++)
        {
            var time = new FakeTimeProvider(BreakerHarness.Epoch);
            var transitions = new List<(CircuitState From, CircuitState To)>();
            var control = new NygardBreakerManualControl();
            var options = new NygardBreakerStrategyOptions
            {
                FailureThreshold = 3,
                HalfOpenPermits = 2,
                BreakDuration = TimeSpan.FromMilliseconds(50),
                ManualControl = control,
            };
            options.Listeners.Add(new TransitionListener(transitions));
            var pipeline = new ResiliencePipelineBuilder { TimeProvider = time }.AddNygardBreaker(options).Build();

            await RunTogetherAsync(Threads, thread =>
            {
                var random = new Random((round * 100) + thread);
                for (var i = 0; i < 400; i++)
                {
                    var roll = random.Next(100);
                    if (thread == 0 && roll < 30)
                    {
                        time.Advance(TimeSpan.FromMilliseconds(random.Next(0, 40)));
                        continue;
                    }

                    if (thread == 1 && roll < 3)
                    {
                        (roll switch { 0 => control.CloseAsync(), 1 => control.OpenAsync(), _ => control.HalfOpenAsync() }).Wait();
                        continue;
                    }

                    try
                    {
                        pipeline.Execute(() =>
                        {
                            if (roll < 50)
                            {
                                throw new InvalidOperationException();
                            }
                        });
                    }
                    catch (Exception e) when (e is InvalidOperationException or BrokenCircuitException)
                    {
                    }
                }
            });

            lock (transitions)
            {
                Assert.NotEmpty(transitions);
                for (var i = 0; i < transitions.Count; i++)
                {
                    var (from, to) = transitions[i];
                    Assert.NotEqual(from, to);
                    if (i > 0)
                    {
                        Assert.Equal(transitions[i - 1].To, from);
                    }
                }
            }
        }
    }

    [Fact]
    public async Task HandlersThatCallBackIntoTheBreakerFromManyThreads_DoNotDeadlock()
    {
        for (var round = 0; round < 10; round++)
        {
            ResiliencePipeline? pipeline = null;
            var control = new NygardBreakerManualControl();
            pipeline = new ResiliencePipelineBuilder()
                .AddNygardBreaker(new NygardBreakerStrategyOptions
                {
                    FailureThreshold = 2,
                    ManualControl = control,
                    OnOpened = async _ =>
                    {
                        await pipeline!.ExecuteOutcomeAsync((_, _) => Outcome.FromResultAsValueTask(0), ResilienceContextPool.Shared.Get(), 0);
                        await control.CloseAsync();
                    },
                    OnClosed = async _ => await control.HalfOpenAsync(),
                })
                .Build();

            var finished = RunTogetherAsync(Threads, _ =>
            {
                for (var i = 0; i < 200; i++)
                {
                    try
                    {
                        pipeline.Execute(static () => throw new InvalidOperationException());
                    }
                    catch (Exception e) when (e is InvalidOperationException or BrokenCircuitException)
                    {
                    }
                }
            });

            await finished.WaitAsync(TimeSpan.FromSeconds(60)); // a deadlock fails here with a TimeoutException
        }
    }

    private static Task RunTogetherAsync(int threads, Action<int> work)
    {
        using var ready = new CountdownEvent(threads);
        var start = new ManualResetEventSlim();
        var tasks = new Task[threads];
        for (var t = 0; t < threads; t++)
        {
            var thread = t;
            tasks[t] = Task.Factory.StartNew(
                () =>
                {
                    ready.Signal();
                    start.Wait();
                    work(thread);
                },
                CancellationToken.None,
                TaskCreationOptions.LongRunning,
                TaskScheduler.Default);
        }

        ready.Wait();
        start.Set();
        return Task.WhenAll(tasks).ContinueWith(_ => start.Dispose(), TaskScheduler.Default).WaitAsync(TimeSpan.FromSeconds(120));
    }

    private sealed class CountingListener(Counter transitions) : INygardBreakerListener
    {
        public ValueTask OnStateChangedAsync(CircuitState from, CircuitState to, bool isManual) => transitions.IncrementAsync();
    }

    private sealed class TransitionListener(List<(CircuitState From, CircuitState To)> transitions) : INygardBreakerListener
    {
        public ValueTask OnStateChangedAsync(CircuitState from, CircuitState to, bool isManual)
        {
            lock (transitions)
            {
                transitions.Add((from, to));
            }

            return default;
        }
    }
}
