using Nygard.Resilience.Testing;
using System.Diagnostics;
using Nygard.Resilience.Redis.Tests.Support;
using Polly.CircuitBreaker;
using StackExchange.Redis;

namespace Nygard.Resilience.Redis.Tests;

/// <summary>Findings 1 and 3: corrupt or inconsistent values are reported and repaired, never thrown, never retried without end.</summary>
public abstract class CorruptDataTests
{
    /// <summary>Returns the server to test against, or skips the test with the reason.</summary>
    protected abstract ITestRedis Require();

    private const long Day = TimeSpan.TicksPerDay;

    public static TheoryData<string, string> CorruptValues => new()
    {
        { "not a number", "n1;0123456789abcdef;5;1;0;NaN;0;0;;638000000000000000;0;" },
        { "overflow", "n1;0123456789abcdef;5;1;0;99999999999999999999;0;0;;638000000000000000;0;" },
        { "negative ticks", "n1;0123456789abcdef;5;1;0;0;0;0;;-638000000000000000;0;" },
        { "state 7", "n1;0123456789abcdef;5;1;7;0;0;0;;638000000000000000;0;" },
        { "break longer than a day", $"n1;0123456789abcdef;5;1;1;3;0;0;{638000000000000000 + (2 * Day)};638000000000000000;0;" },
        { "generation above version", "n1;0123456789abcdef;5;9;0;0;0;0;;638000000000000000;0;" },
        { "another codec's format", "5;1;0;3;0;0;;638000000000000000;0;" },
        { "old version-and-data hash", "HASH" },
        { "a list", "LIST" },
    };

    [SkippableTheory]
    [MemberData(nameof(CorruptValues))]
    public async Task CorruptValue_BeforeStartUp_TheConstructorAndCallsDoNotThrow_AndTheKeyIsRepairedClosed(string what, string value)
    {
        var server = Require();
        var key = $"corrupt-{Guid.NewGuid():N}";
        await using var connection = await server.ConnectAsync();
        await CorruptAsync(connection, $"nygard:breaker:{{{key}}}", value);
        var unobserved = CountUnobservedTaskExceptions();

        await using var instance = await BreakerInstance.StartAsync(server, key);

        Assert.Equal(CircuitState.Closed, instance.State.CircuitState);
        Assert.Equal("ok", (await instance.SucceedAsync()).Result);
        Assert.IsType<InvalidOperationException>((await instance.FailAsync()).Exception);
        await instance.Control.OpenAsync();
        Assert.Equal(CircuitState.Open, instance.State.CircuitState);
        var repaired = await StoredValues.ReadAsync(instance);
        Assert.Equal(CircuitState.Open, repaired.Snapshot.State);
        Assert.Contains(instance.TelemetryEvents, e => e == "OnNygardBreakerStoreProblem");
        Assert.True(unobserved() == 0, $"{what}: unobserved task exceptions");
    }

    [SkippableTheory]
    [MemberData(nameof(CorruptValues))]
    public async Task CorruptValue_WhileRunning_CallsAndCommandsAreBounded_AndTheNewestKnownStateIsWrittenBack(string what, string value)
    {
        var server = Require();
        var key = $"corrupt-{Guid.NewGuid():N}";
        var options = new RedisNygardBreakerStateStoreOptions { OperationTimeout = TimeSpan.FromSeconds(1), MaxStaleness = TimeSpan.FromMilliseconds(100) };
        await using var a = await BreakerInstance.StartAsync(server, key, storeOptions: options);
        await using var b = await BreakerInstance.StartAsync(server, key, storeOptions: options);
        var unobserved = CountUnobservedTaskExceptions();
        await a.FailAsync();
        await a.FailAsync();
        await Eventually.TrueAsync(() => b.State.FailureCount == 2, "b sees the failures");

        await CorruptAsync(a.Connection, a.Store.Key, value);

        // Every call and command finishes within OperationTimeout (one second here), with its own outcome.
        var clock = Stopwatch.StartNew();
        Assert.IsType<InvalidOperationException>((await b.FailAsync()).Exception);
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(2), $"{what}: a failing call took {clock.Elapsed}");
        Assert.Equal(CircuitState.Open, b.State.CircuitState); // the third failure counted, on top of the two known
        clock.Restart();
        await b.Control.CloseAsync().WaitAsync(TimeSpan.FromSeconds(5));
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(2), $"{what}: CloseAsync took {clock.Elapsed}");

        await a.Control.IsolateAsync();
        await CorruptAsync(a.Connection, a.Store.Key, value);
        await Eventually.TrueAsync(() => StoredValues.TryReadStateAsync(a).Result == CircuitState.Isolated, $"{what}: the isolation is written back", TimeSpan.FromSeconds(5));
        await Eventually.TrueAsync(() => b.State.CircuitState == CircuitState.Isolated, $"{what}: b sees the isolation", TimeSpan.FromSeconds(5));
        Assert.Contains(a.TelemetryEvents.Concat(b.TelemetryEvents), e => e == "OnNygardBreakerStoreProblem"); // whoever met the corrupt value reported it
        Assert.True(unobserved() == 0, $"{what}: unobserved task exceptions");
    }

    internal static async Task CorruptAsync(IConnectionMultiplexer connection, string key, string value)
    {
        // One transaction, so that the store cannot write back between the delete and the corrupt value.
        var transaction = connection.GetDatabase().CreateTransaction();
        var steps = new List<Task> { transaction.KeyDeleteAsync(key) };
        steps.Add(value switch
        {
            "HASH" => transaction.HashSetAsync(key, [new("v", 7), new("d", "5;1;0;3;0;0;;638000000000000000;0;")]),
            "LIST" => transaction.ListRightPushAsync(key, "x"),
            _ => transaction.StringSetAsync(key, value),
        });
        Assert.True(await transaction.ExecuteAsync());
        await Task.WhenAll(steps);
    }

    /// <summary>Counts unobserved task exceptions from now on; the returned function collects garbage first.</summary>
    internal static Func<int> CountUnobservedTaskExceptions()
    {
        var count = 0;
        EventHandler<UnobservedTaskExceptionEventArgs> handler = (_, e) =>
        {
            if (e.Exception.InnerExceptions.Any(x => x is RedisException or TimeoutException or FormatException or OverflowException or InvalidDataException))
            {
                Interlocked.Increment(ref count);
            }
        };
        TaskScheduler.UnobservedTaskException += handler;
        return () =>
        {
            GC.Collect();
            GC.WaitForPendingFinalizers();
            GC.Collect();
            TaskScheduler.UnobservedTaskException -= handler;
            return Volatile.Read(ref count);
        };
    }
}

/// <summary>The tests above against a real redis-server.</summary>
public sealed class CorruptDataTestsOnRedis(RedisServerFixture redis) : CorruptDataTests, IClassFixture<RedisServerFixture>
{
    protected override ITestRedis Require() => redis.Require();
}

/// <summary>The tests above against Microsoft Garnet.</summary>
public sealed class CorruptDataTestsOnGarnet(GarnetFixture garnet) : CorruptDataTests, IClassFixture<GarnetFixture>
{
    protected override ITestRedis Require() => garnet.Server;
}
