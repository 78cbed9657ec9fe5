using Nygard.Resilience.Testing;
using System.Diagnostics;
using Nygard.Resilience.Redis.Tests.Support;
using Polly.CircuitBreaker;

namespace Nygard.Resilience.Redis.Tests;

/// <summary>Redis killed and restarted under the breaker: no call fails for Redis's sake, and sharing resumes.</summary>
public class OutageTests
{
    private static readonly RedisNygardBreakerStateStoreOptions FastRecovery = new() { MaxStaleness = TimeSpan.FromMilliseconds(100) };

    [SkippableFact]
    public async Task ServerKilledUnderLoad_CallsGoOn_TheLocalBreakerProtects_AndSharingResumes()
    {
        Skip.If(RedisServer.MissingReason is not null, RedisServer.MissingReason);
        await using var server = await RedisServer.StartAsync();
        var key = $"outage-{Guid.NewGuid():N}";
        await using var a = await BreakerInstance.StartAsync(server, key, storeOptions: FastRecovery);
        await using var b = await BreakerInstance.StartAsync(server, key, storeOptions: FastRecovery);

        using var load = new CancellationTokenSource();
        var slowest = TimeSpan.Zero;
        var healthyCalls = Task.Run(async () =>
        {
            var calls = 0;
            while (!load.IsCancellationRequested)
            {
                var clock = Stopwatch.StartNew();
                Assert.Equal("ok", (await a.SucceedAsync()).Result);
                slowest = clock.Elapsed > slowest ? clock.Elapsed : slowest;
                calls++;
            }

            return calls;
        });

        await server.StopAsync();
        await Eventually.TrueAsync(() => !a.Store.IsAvailable, "a notices the outage");
        await load.CancelAsync();
        Assert.True(await healthyCalls > 0);
        // Bounded by OperationTimeout (250 ms) plus scheduling on a busy machine; a store that waited on the dead
        // server would hold calls for the client's own timeouts and reconnects, many seconds.
        Assert.True(slowest < TimeSpan.FromSeconds(2), $"a call waited {slowest} on the dead server");

        // The dependency fails while Redis is down: the local breaker still trips.
        for (var i = 0; i < 3; i++)
        {
            Assert.IsType<InvalidOperationException>((await a.FailAsync()).Exception);
        }

        Assert.Equal(CircuitState.Open, a.State.CircuitState);
        Assert.IsType<BrokenCircuitException>((await a.SucceedAsync()).Exception);
        Assert.Contains("OnNygardBreakerStoreUnavailable", a.TelemetryEvents);

        await server.StartAsync(CancellationToken.None);
        await Eventually.TrueAsync(() => a.Store.IsAvailable && b.Store.IsAvailable, "both notice the recovery", TimeSpan.FromSeconds(20));
        Assert.Contains("OnNygardBreakerStoreRestored", a.TelemetryEvents);
        Assert.Equal(CircuitState.Closed, a.State.CircuitState);

        for (var i = 0; i < 3; i++)
        {
            await b.FailAsync();
        }

        await Eventually.TrueAsync(() => a.State.CircuitState == CircuitState.Open, "a sees b's trip once sharing resumes");
    }

    [SkippableFact]
    public async Task OutageWithAllowCalls_LetsEveryCallThrough()
    {
        Skip.If(RedisServer.MissingReason is not null, RedisServer.MissingReason);
        await using var server = await RedisServer.StartAsync();
        await using var instance = await BreakerInstance.StartAsync(server, "allow", storeOptions: new() { OutageBehavior = RedisStoreOutageBehavior.AllowCalls });

        await server.StopAsync();
        await Eventually.TrueAsync(() => !instance.Store.IsAvailable, "the outage is noticed");

        for (var i = 0; i < 10; i++)
        {
            Assert.IsType<InvalidOperationException>((await instance.FailAsync()).Exception);
        }

        Assert.Equal("ok", (await instance.SucceedAsync()).Result);
        Assert.Equal(CircuitState.Closed, instance.State.CircuitState);
    }

    [SkippableFact]
    public async Task OutageWithRejectCalls_RejectsEveryCall()
    {
        Skip.If(RedisServer.MissingReason is not null, RedisServer.MissingReason);
        await using var server = await RedisServer.StartAsync();
        await using var instance = await BreakerInstance.StartAsync(server, "reject", storeOptions: new() { OutageBehavior = RedisStoreOutageBehavior.RejectCalls });

        await server.StopAsync();
        await Eventually.TrueAsync(() => !instance.Store.IsAvailable, "the outage is noticed");

        var rejection = Assert.IsType<BrokenCircuitException>((await instance.SucceedAsync()).Exception);
        Assert.True(rejection.RetryAfter > TimeSpan.Zero);
    }

    [SkippableFact]
    public async Task RedisUnreachableFromTheStart_CallsStillRunAndAreProtectedLocally()
    {
        Skip.If(RedisServer.MissingReason is not null, RedisServer.MissingReason);
        await using var server = await RedisServer.StartAsync();
        await server.StopAsync();

        await using var instance = await BreakerInstance.StartAsync(server, "never-up", waitForConnection: false);

        Assert.False(instance.Store.IsAvailable);
        Assert.Contains("OnNygardBreakerStoreUnavailable", instance.TelemetryEvents);
        Assert.Equal("ok", (await instance.SucceedAsync()).Result);
        for (var i = 0; i < 3; i++)
        {
            await instance.FailAsync();
        }

        Assert.IsType<BrokenCircuitException>((await instance.SucceedAsync()).Exception);
    }
}
