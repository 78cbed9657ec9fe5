using Nygard.Resilience.Testing;
using Nygard.Resilience.Redis.Tests.Support;
using Polly.CircuitBreaker;
using StackExchange.Redis;

namespace Nygard.Resilience.Redis.Tests;

/// <summary>Finding 2: Redis loses or rolls back the key; no trip is lost, views only move forward, collisions do not let stale data win.</summary>
public abstract class LostKeyTests
{
    /// <summary>Returns the server to test against, or skips the test with the reason.</summary>
    protected abstract ITestRedis Require();

    private static readonly RedisNygardBreakerStateStoreOptions Fast = new() { MaxStaleness = TimeSpan.FromMilliseconds(100), OperationTimeout = TimeSpan.FromSeconds(2) };

    [SkippableTheory]
    [InlineData("DEL", false)]
    [InlineData("DEL", true)]
    [InlineData("FLUSHALL", false)]
    [InlineData("FLUSHALL", true)]
    public async Task KeyLost_WhileOpenOrIsolated_IsWrittenBack_AndANewcomerAndTheFleetStayOpen(string how, bool isolate)
    {
        var server = Require();
        var key = $"lost-{Guid.NewGuid():N}";
        await using var a = await BreakerInstance.StartAsync(server, key, storeOptions: Fast);
        await using var b = await BreakerInstance.StartAsync(server, key, storeOptions: Fast);
        var expected = isolate ? CircuitState.Isolated : CircuitState.Open;
        if (isolate)
        {
            await a.Control.IsolateAsync();
        }
        else
        {
            await a.FailAsync();
            await a.FailAsync();
            await a.FailAsync();
        }

        await Eventually.TrueAsync(() => b.State.CircuitState == expected, "b sees it");

        if (how == "DEL")
        {
            await a.Connection.GetDatabase().KeyDeleteAsync(a.Store.Key);
        }
        else
        {
            await a.Connection.GetServer(a.Connection.GetEndPoints()[0]).FlushAllDatabasesAsync();
        }

        await Eventually.TrueAsync(() => StoredValues.TryReadStateAsync(a).Result == expected, "the state is written back", TimeSpan.FromSeconds(3));
        await using var newcomer = await BreakerInstance.StartAsync(server, key, storeOptions: Fast);
        Assert.Equal(expected, newcomer.State.CircuitState);
        foreach (var instance in new[] { a, b, newcomer })
        {
            Assert.IsAssignableFrom<BrokenCircuitException>((await instance.SucceedAsync()).Exception);
            Assert.Equal(expected, instance.State.CircuitState);
        }
    }

    [SkippableFact]
    public async Task OldValueWrittenBack_TheNewerStateIsRestored_AndNoViewStepsBack()
    {
        var server = Require();
        var key = $"rollback-{Guid.NewGuid():N}";
        await using var a = await BreakerInstance.StartAsync(server, key, storeOptions: Fast);
        await using var b = await BreakerInstance.StartAsync(server, key, storeOptions: Fast);
        var observer = new RecordingObserver();
        b.Store.Subscribe(observer);
        await a.FailAsync();
        var old = (string?)await a.Connection.GetDatabase().StringGetAsync(a.Store.Key);
        await a.FailAsync();
        await a.FailAsync();
        await Eventually.TrueAsync(() => b.State.CircuitState == CircuitState.Open, "b sees the trip");

        await a.Connection.GetDatabase().StringSetAsync(a.Store.Key, old); // a replica that missed the last writes

        await Eventually.TrueAsync(() => StoredValues.TryReadStateAsync(a).Result == CircuitState.Open, "the trip is written back", TimeSpan.FromSeconds(3));
        Assert.Equal(CircuitState.Open, b.State.CircuitState);
        Assert.IsType<BrokenCircuitException>((await b.SucceedAsync()).Exception);
        Assert.All(observer.Changes, c => Assert.True(c.Current.Version > c.Previous.Version, $"{c.Previous} -> {c.Current}"));
        Assert.Equal(1, b.Opened);
    }

    [SkippableFact]
    public async Task KeyRecreatedWithTheSameVersionNumber_AStaleInstanceCannotReplaceAnIsolation()
    {
        var server = Require();
        var key = $"collision-{Guid.NewGuid():N}";
        var quiet = new RedisNygardBreakerStateStoreOptions { MaxStaleness = TimeSpan.FromMinutes(10), OperationTimeout = TimeSpan.FromSeconds(2) };
        await using var stale = await BreakerInstance.StartAsync(server, key, o => o.FailureThreshold = 100, storeOptions: quiet);
        await stale.FailAsync(); // version 1: one failure
        var staleVersion = stale.Store.Current.Version;

        // The key is lost; a new lineage starts elsewhere and an operator isolates the breaker at the same version number.
        var isolated = new NygardBreakerSnapshot(CircuitState.Isolated, 0, 0, 0, [], null, DateTimeOffset.UtcNow, true, 1, staleVersion);
        await StoredValues.WriteAsync(stale, isolated, "00000000000000b2");
        await using var operatorHost = await BreakerInstance.StartAsync(server, key, o => o.FailureThreshold = 100, storeOptions: quiet);
        Assert.Equal(CircuitState.Isolated, operatorHost.State.CircuitState);

        // The stale instance, which has not re-read, records a failure computed from its old view.
        await stale.FailAsync();

        Assert.Equal(CircuitState.Isolated, await StoredValues.TryReadStateAsync(operatorHost));
        await Eventually.TrueAsync(() => stale.State.CircuitState == CircuitState.Isolated, "the stale instance takes up the isolation");
        Assert.IsType<IsolatedCircuitException>((await stale.SucceedAsync()).Exception);
    }
}

/// <summary>The tests above against a real redis-server.</summary>
public sealed class LostKeyTestsOnRedis(RedisServerFixture redis) : LostKeyTests, IClassFixture<RedisServerFixture>
{
    protected override ITestRedis Require() => redis.Require();
}

/// <summary>The tests above against Microsoft Garnet.</summary>
public sealed class LostKeyTestsOnGarnet(GarnetFixture garnet) : LostKeyTests, IClassFixture<GarnetFixture>
{
    protected override ITestRedis Require() => garnet.Server;
}
