using Nygard.Resilience.Redis.Tests.Support;
using Nygard.Resilience.Testing;
using Polly.CircuitBreaker;

namespace Nygard.Resilience.Redis.Tests;

/// <summary>Finding 7, store side: a non-tripping failure counted by one script, never more than the threshold allows.</summary>
public abstract class FailureCountingTests
{
    /// <summary>Returns the server to test against, or skips the test with the reason.</summary>
    protected abstract ITestRedis Require();

    [SkippableFact]
    public async Task CountFailure_AddsOneBelowTheThreshold_AndRefusesWhatWouldTripOrIsAnotherPeriod()
    {
        var server = Require();
        var key = $"count-{Guid.NewGuid():N}";
        await using var a = await BreakerInstance.StartAsync(server, key, o => o.FailureThreshold = 3);
        await using var b = await BreakerInstance.StartAsync(server, key, o => o.FailureThreshold = 3);
        await a.FailAsync(); // the key exists: one failure through the compare-and-swap

        Assert.True(await a.Store.TryCountFailureAsync(generation: 0, failureThreshold: 3, CancellationToken.None));
        Assert.Equal(2, a.State.FailureCount);
        Assert.False(await a.Store.TryCountFailureAsync(generation: 0, failureThreshold: 3, CancellationToken.None)); // the third would trip
        Assert.False(await a.Store.TryCountFailureAsync(generation: 5, failureThreshold: 100, CancellationToken.None)); // another period
        await Eventually.TrueAsync(() => b.State.FailureCount == 2, "b takes up the count");

        await b.FailAsync(); // the trip goes through the state machine
        Assert.Equal(CircuitState.Open, b.State.CircuitState);
        await Eventually.TrueAsync(() => a.State.CircuitState == CircuitState.Open, "a sees the trip");
        Assert.False(await a.Store.TryCountFailureAsync(a.Store.Current.Generation, 100, CancellationToken.None)); // not closed
    }

    [SkippableFact]
    public async Task CountFailure_FromManyCallersOnManyInstances_LosesNone()
    {
        var server = Require();
        var key = $"count-many-{Guid.NewGuid():N}";
        var instances = new List<BreakerInstance>();
        for (var i = 0; i < 4; i++)
        {
            instances.Add(await BreakerInstance.StartAsync(server, key, o => o.FailureThreshold = 10_000));
        }

        try
        {
            await instances[0].FailAsync();
            await Eventually.TrueAsync(() => instances.All(x => x.State.FailureCount == 1), "every instance knows the key");

            // A reconnect of any of an instance's connections (which a busy machine may see right after start-up) holds
            // its counting for MaxStaleness, on purpose: each instance first counts one failure, so the storm starts
            // with every instance counting.
            foreach (var instance in instances)
            {
                await Eventually.TrueAsync(() => instance.Store.TryCountFailureAsync(0, 10_000, CancellationToken.None).AsTask(), "the instance counts failures");
            }

            var counted = 0;
            await Task.WhenAll(instances.SelectMany(instance => Enumerable.Range(0, 4).Select(_ => Task.Run(async () =>
            {
                for (var i = 0; i < 50; i++)
                {
                    if (await instance.Store.TryCountFailureAsync(0, 10_000, CancellationToken.None))
                    {
                        Interlocked.Increment(ref counted);
                    }
                }
            }))));

            Assert.Equal(800, counted);
            Assert.Equal(1 + instances.Count + 800, (await StoredValues.ReadAsync(instances[0])).Snapshot.FailureCount);
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
public sealed class FailureCountingTestsOnRedis(RedisServerFixture redis) : FailureCountingTests, IClassFixture<RedisServerFixture>
{
    protected override ITestRedis Require() => redis.Require();
}

/// <summary>The tests above against Microsoft Garnet.</summary>
public sealed class FailureCountingTestsOnGarnet(GarnetFixture garnet) : FailureCountingTests, IClassFixture<GarnetFixture>
{
    protected override ITestRedis Require() => garnet.Server;
}
