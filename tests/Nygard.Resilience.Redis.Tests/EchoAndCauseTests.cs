using Nygard.Resilience.Testing;
using System.Collections.Concurrent;
using Nygard.Resilience.Redis.Tests.Support;
using Polly;
using Polly.CircuitBreaker;

namespace Nygard.Resilience.Redis.Tests;

/// <summary>Issue 11 and finding 4: a trip made here carries its call; views never step back; one OnOpened per trip.</summary>
public abstract class EchoAndCauseTests
{
    /// <summary>Returns the server to test against, or skips the test with the reason.</summary>
    protected abstract ITestRedis Require();

    private static readonly ResiliencePropertyKey<int> CallNumber = new("call");

    [SkippableFact]
    public async Task ConcurrentTrips_OnOpenedAlwaysCarriesTheTrippingCallsContextAndException()
    {
        var server = Require();
        var key = $"echo-{Guid.NewGuid():N}";
        var opened = new ConcurrentQueue<(string? OperationKey, Exception? Exception)>();
        await using var instance = await BreakerInstance.StartAsync(server, key, o =>
        {
            o.FailureThreshold = 1;
            o.OnOpened = args =>
            {
                opened.Enqueue((args.Context.OperationKey, args.Outcome.Exception));
                return default;
            };
        });
        await using var neighbour = await BreakerInstance.StartAsync(server, key, o => o.FailureThreshold = 1);

        const int Trips = 150;
        var failures = 0;
        var bad = new List<string>();
        for (var trip = 0; trip < Trips; trip++)
        {
            await instance.Control.CloseAsync();
            var before = opened.Count;
            var callers = Enumerable.Range(0, 4).Select(n => Task.Run(async () =>
            {
                var context = ResilienceContextPool.Shared.Get($"op-{trip}-{n}");
                try
                {
                    var outcome = await instance.Pipeline.ExecuteOutcomeAsync(
                        static (_, error) => Outcome.FromExceptionAsValueTask<string>(error),
                        context,
                        new InvalidOperationException($"failure {trip}-{n}"));
                    if (outcome.Exception is InvalidOperationException)
                    {
                        Interlocked.Increment(ref failures);
                    }
                }
                finally
                {
                    ResilienceContextPool.Shared.Return(context);
                }
            })).ToArray();
            await Task.WhenAll(callers).WaitAsync(TimeSpan.FromSeconds(30));

            // Exactly one caller's failure tripped this breaker (the others were rejected or came in the same period).
            Assert.Equal(CircuitState.Open, instance.State.CircuitState);
            foreach (var args in opened.Skip(before))
            {
                // Raised by the call that tripped the breaker, with its context and its exception.
                if (args.OperationKey?.StartsWith($"op-{trip}-", StringComparison.Ordinal) != true || args.Exception is not InvalidOperationException)
                {
                    bad.Add($"trip {trip}: key={args.OperationKey ?? "null"} exception={args.Exception?.GetType().Name ?? "null"}");
                }
            }
        }

        Assert.Empty(bad);
        Assert.Equal(Trips, opened.Count);
    }

    [SkippableFact]
    public async Task StormOfTripsOnThreeInstances_ViewsOnlyMoveForward_AndEachTripIsRaisedOnceEach()
    {
        var server = Require();
        var key = $"forward-{Guid.NewGuid():N}";
        var instances = new List<BreakerInstance>();
        var observers = new List<RecordingObserver>();
        for (var i = 0; i < 3; i++)
        {
            var instance = await BreakerInstance.StartAsync(server, key, o =>
            {
                o.FailureThreshold = 2;
                o.BreakDuration = TimeSpan.FromMilliseconds(20);
            });
            var observer = new RecordingObserver();
            instance.Store.Subscribe(observer);
            instances.Add(instance);
            observers.Add(observer);
        }

        try
        {
            var until = DateTime.UtcNow + TimeSpan.FromSeconds(3);
            var workers = instances.SelectMany(instance => Enumerable.Range(0, 3).Select(n => Task.Run(async () =>
            {
                var i = 0;
                while (DateTime.UtcNow < until)
                {
                    _ = (++i % 3 == 0) ? await instance.SucceedAsync() : await instance.FailAsync();
                }
            }))).ToArray();
            await Task.WhenAll(workers).WaitAsync(TimeSpan.FromSeconds(60));

            for (var i = 0; i < 3; i++)
            {
                var changes = observers[i].Changes;
                Assert.NotEmpty(changes);
                var backward = changes.Where(c => c.Current.Version <= c.Previous.Version).Select(c => $"{c.Previous} -> {c.Current}").ToList();
                Assert.True(backward.Count == 0, $"instance {i} stepped back {backward.Count} times: {string.Join("; ", backward.Take(3))}");
                // News from the other instances may still be arriving: compare once both counts have settled.
                var observer = observers[i];
                var instance = instances[i];
                int Trips() => observer.Changes.Count(c => c.Current.State == CircuitState.Open && c.Current.Generation != c.Previous.Generation);
                await Eventually.TrueAsync(() => instance.Opened == Trips(), $"instance {i}: one OnOpened per trip (now {Trips()} trips, {instance.Opened} OnOpened)");
            }
        }
        finally
        {
            foreach (var instance in instances)
            {
                await instance.DisposeAsync();
            }
        }
    }
}

/// <summary>The tests above against a real redis-server.</summary>
public sealed class EchoAndCauseTestsOnRedis(RedisServerFixture redis) : EchoAndCauseTests, IClassFixture<RedisServerFixture>
{
    protected override ITestRedis Require() => redis.Require();
}

/// <summary>The tests above against Microsoft Garnet.</summary>
public sealed class EchoAndCauseTestsOnGarnet(GarnetFixture garnet) : EchoAndCauseTests, IClassFixture<GarnetFixture>
{
    protected override ITestRedis Require() => garnet.Server;
}
