using Nygard.Resilience.Testing;
using Nygard.Resilience.Redis.Tests.Support;
using Polly;
using Polly.CircuitBreaker;

namespace Nygard.Resilience.Redis.Tests;

/// <summary>Several instances, each with its own connection, sharing one breaker through a real Redis server.</summary>
public abstract class SharedBreakerTests
{
    /// <summary>Returns the server to test against, or skips the test with the reason.</summary>
    protected abstract ITestRedis Require();

    [SkippableFact]
    public async Task TripOnOneInstance_RejectsCallsOnTheOthers()
    {
        var server = Require();
        var key = NewKey();
        await using var a = await BreakerInstance.StartAsync(server, key);
        await using var b = await BreakerInstance.StartAsync(server, key);
        await using var c = await BreakerInstance.StartAsync(server, key);

        for (var i = 0; i < 3; i++)
        {
            await a.FailAsync();
        }

        await Eventually.TrueAsync(() => b.State.CircuitState == CircuitState.Open && c.State.CircuitState == CircuitState.Open, "b and c see the trip");
        Assert.IsType<BrokenCircuitException>((await b.SucceedAsync()).Exception);
        Assert.IsType<BrokenCircuitException>((await c.SucceedAsync()).Exception);
        await Eventually.TrueAsync(() => b.Opened == 1 && c.Opened == 1, "b and c raise OnOpened once each");
        Assert.Equal(1, a.Opened);
    }

    [SkippableFact]
    public async Task FailuresFromSeveralInstances_AddUp()
    {
        var server = Require();
        var key = NewKey();
        await using var a = await BreakerInstance.StartAsync(server, key);
        await using var b = await BreakerInstance.StartAsync(server, key);
        await using var c = await BreakerInstance.StartAsync(server, key);

        await a.FailAsync();
        await b.FailAsync();
        Assert.Equal(2, b.State.FailureCount);
        await c.FailAsync();

        Assert.Equal(CircuitState.Open, c.State.CircuitState);
        await Eventually.TrueAsync(() => a.State.CircuitState == CircuitState.Open, "a sees the trip");
    }

    [SkippableFact]
    public async Task Newcomer_JoinsTheCurrentStateInsteadOfResettingIt()
    {
        var server = Require();
        var key = NewKey();
        await using var a = await BreakerInstance.StartAsync(server, key);
        await a.FailAsync();
        await a.FailAsync();

        await using var newcomer = await BreakerInstance.StartAsync(server, key);

        Assert.Equal(2, newcomer.State.FailureCount);
        await newcomer.FailAsync();
        Assert.Equal(CircuitState.Open, newcomer.State.CircuitState);
        await Eventually.TrueAsync(() => a.State.CircuitState == CircuitState.Open, "a sees the newcomer's trip");
    }

    [SkippableFact]
    public async Task ManyCallersOnManyInstances_WhenTheBreakEnds_OneProbeRunsFleetWide()
    {
        var server = Require();
        var key = NewKey();
        var instances = new List<BreakerInstance>();
        for (var i = 0; i < 3; i++)
        {
            instances.Add(await BreakerInstance.StartAsync(server, key, o => o.BreakDuration = TimeSpan.FromSeconds(3)));
        }

        try
        {
            for (var i = 0; i < 3; i++)
            {
                await instances[0].FailAsync();
            }

            await Eventually.TrueAsync(() => instances.All(x => x.State.CircuitState == CircuitState.Open), "every instance sees the trip");
            await instances[0].State.WaitForRetryAsync();

            using var release = new ManualResetEventSlim();
            using var start = new Barrier(12);
            var admitted = 0;
            var rejected = 0;
            var callers = Enumerable.Range(0, 12).Select(n => Task.Factory.StartNew(
                () =>
                {
                    start.SignalAndWait();
                    try
                    {
                        instances[n % 3].Pipeline.Execute(() =>
                        {
                            Interlocked.Increment(ref admitted);
                            release.Wait(TimeSpan.FromSeconds(30));
                        });
                    }
                    catch (BrokenCircuitException)
                    {
                        Interlocked.Increment(ref rejected);
                    }
                },
                CancellationToken.None,
                TaskCreationOptions.LongRunning,
                TaskScheduler.Default)).ToArray();

            await Eventually.TrueAsync(() => Volatile.Read(ref admitted) + Volatile.Read(ref rejected) == 12, "every caller is admitted or rejected");
            Assert.Equal(1, admitted);
            release.Set();
            await Task.WhenAll(callers).WaitAsync(TimeSpan.FromSeconds(30));
            await Eventually.TrueAsync(() => instances.All(x => x.State.CircuitState == CircuitState.Closed), "the probe's success closes the breaker everywhere");
        }
        finally
        {
            foreach (var instance in instances)
            {
                await instance.DisposeAsync();
            }
        }
    }

    [SkippableFact]
    public async Task HostWhoseClockIsAnHourFast_DoesNotEndTheBreakEarly()
    {
        var server = Require();
        var key = NewKey();
        await using var honest = await BreakerInstance.StartAsync(server, key);
        await using var fast = await BreakerInstance.StartAsync(server, key, storeOptions: new RedisNygardBreakerStateStoreOptions { TimeProvider = new ShiftedTimeProvider(TimeSpan.FromHours(1)), OperationTimeout = TimeSpan.FromSeconds(2) });

        for (var i = 0; i < 3; i++)
        {
            await honest.FailAsync();
        }

        await Eventually.TrueAsync(() => fast.State.CircuitState == CircuitState.Open, "the fast host sees the trip");
        var rejection = Assert.IsType<BrokenCircuitException>((await fast.SucceedAsync()).Exception);
        Assert.InRange(rejection.RetryAfter!.Value, TimeSpan.FromSeconds(25), TimeSpan.FromSeconds(31)); // server time, to within a round trip
        Assert.InRange(fast.Store.GetUtcNow(TimeProvider.System) - DateTimeOffset.UtcNow, TimeSpan.FromSeconds(-2), TimeSpan.FromSeconds(2));
    }

    [SkippableFact]
    public async Task LostChangeMessage_ForABreakerThatIsNotClosed_IsCorrectedWithinTheStalenessBound()
    {
        var server = Require();
        var key = NewKey();
        await using var instance = await BreakerInstance.StartAsync(server, key, storeOptions: new RedisNygardBreakerStateStoreOptions { MaxStaleness = TimeSpan.FromMilliseconds(200), OperationTimeout = TimeSpan.FromSeconds(2) });
        await instance.Control.IsolateAsync();
        var isolated = await StoredValues.ReadAsync(instance);

        // Close the breaker the way another instance would, but without publishing it: the message is "lost".
        var closed = new NygardBreakerSnapshot(CircuitState.Closed, 0, 0, 0, [], null, DateTimeOffset.UtcNow, true, isolated.Snapshot.Generation + 1, isolated.Snapshot.Version + 1);
        await StoredValues.WriteAsync(instance, closed, isolated.Incarnation!);
        var written = DateTime.UtcNow;

        await Eventually.TrueAsync(() => instance.State.CircuitState == CircuitState.Closed, "the re-check finds the change", TimeSpan.FromSeconds(5));
        Assert.True(DateTime.UtcNow - written < TimeSpan.FromSeconds(3), "corrected within a few staleness periods (200 ms each)");
    }

    [SkippableFact]
    public async Task Key_IsNamespacedHashTaggedAndExpires()
    {
        var server = Require();
        await using var instance = await BreakerInstance.StartAsync(server, "orders", storeOptions: new RedisNygardBreakerStateStoreOptions { KeyPrefix = "svc:breakers:", KeyExpiry = TimeSpan.FromDays(2), OperationTimeout = TimeSpan.FromSeconds(2) });

        await instance.FailAsync();

        Assert.Equal("svc:breakers:{orders}", instance.Store.Key);
        var ttl = await instance.Connection.GetDatabase().KeyTimeToLiveAsync(instance.Store.Key);
        Assert.InRange(ttl!.Value, TimeSpan.FromDays(2) - TimeSpan.FromMinutes(1), TimeSpan.FromDays(2));
    }

    [SkippableFact]
    public async Task ManualControl_OnOneInstance_IsSeenByTheOthers()
    {
        var server = Require();
        var key = NewKey();
        await using var a = await BreakerInstance.StartAsync(server, key);
        await using var b = await BreakerInstance.StartAsync(server, key);

        await a.Control.IsolateAsync();

        await Eventually.TrueAsync(() => b.State.CircuitState == CircuitState.Isolated, "b sees the isolation");
        Assert.IsType<IsolatedCircuitException>((await b.SucceedAsync()).Exception);
        await b.Control.CloseAsync();
        await Eventually.TrueAsync(() => a.State.CircuitState == CircuitState.Closed, "a sees the close");
    }

    [Fact]
    public void InvalidOptions_AreRejectedNamingTheOption()
    {
        using var connection = StackExchange.Redis.ConnectionMultiplexer.Connect(new StackExchange.Redis.ConfigurationOptions { EndPoints = { { "127.0.0.1", 1 } }, AbortOnConnectFail = false });

        var error = Assert.Throws<ArgumentException>(() => new RedisNygardBreakerStateStore(connection, "k", new RedisNygardBreakerStateStoreOptions { MaxStaleness = TimeSpan.Zero }));
        Assert.Contains("MaxStaleness", error.Message, StringComparison.Ordinal);
        error = Assert.Throws<ArgumentException>(() => new RedisNygardBreakerStateStore(connection, "k", new RedisNygardBreakerStateStoreOptions { KeyExpiry = TimeSpan.FromHours(1), OperationTimeout = TimeSpan.Zero }));
        Assert.Contains("KeyExpiry", error.Message, StringComparison.Ordinal);
        Assert.Contains("OperationTimeout", error.Message, StringComparison.Ordinal);
        error = Assert.Throws<ArgumentException>(() => new RedisNygardBreakerStateStore(connection, "k", new RedisNygardBreakerStateStoreOptions { TimeProvider = null! }));
        Assert.Contains("TimeProvider", error.Message, StringComparison.Ordinal);
        Assert.Throws<ArgumentException>(() => new RedisNygardBreakerStateStore(connection, " "));
    }

    private static string NewKey() => $"test-{Guid.NewGuid():N}";

    private sealed class ShiftedTimeProvider(TimeSpan shift) : TimeProvider
    {
        public override DateTimeOffset GetUtcNow() => System.GetUtcNow() + shift;
    }
}

/// <summary>The tests above against a real redis-server.</summary>
public sealed class SharedBreakerTestsOnRedis(RedisServerFixture redis) : SharedBreakerTests, IClassFixture<RedisServerFixture>
{
    protected override ITestRedis Require() => redis.Require();
}

/// <summary>The tests above against Microsoft Garnet.</summary>
public sealed class SharedBreakerTestsOnGarnet(GarnetFixture garnet) : SharedBreakerTests, IClassFixture<GarnetFixture>
{
    protected override ITestRedis Require() => garnet.Server;
}

/// <summary>The tests above against a three-master Redis Cluster.</summary>
public sealed class SharedBreakerTestsOnCluster(RedisClusterFixture cluster) : SharedBreakerTests, IClassFixture<RedisClusterFixture>
{
    protected override ITestRedis Require() => cluster.Require();
}
