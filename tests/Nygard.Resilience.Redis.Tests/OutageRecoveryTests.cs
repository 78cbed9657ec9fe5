using Nygard.Resilience.Redis.Tests.Support;
using Nygard.Resilience.Testing;
using Polly.CircuitBreaker;

namespace Nygard.Resilience.Redis.Tests;

/// <summary>Finding 10: what the outage made up locally never collides with Redis's numbering after recovery.</summary>
public class OutageRecoveryTests
{
    [SkippableFact]
    public async Task LocalTripDuringOutage_AfterRecovery_FailuresOnAnotherInstanceTripTheFleet()
    {
        Skip.If(RedisServer.MissingReason is not null, RedisServer.MissingReason);
        await using var server = await RedisServer.StartAsync();
        // The defaults but a longer re-check: the failures below come while the stores may not have re-read yet.
        var options = new RedisNygardBreakerStateStoreOptions { MaxStaleness = TimeSpan.FromSeconds(30) };

        for (var round = 0; round < 3; round++)
        {
            var key = $"recovery-{round}-{Guid.NewGuid():N}";
            await using var a = await BreakerInstance.StartAsync(server, key, storeOptions: options);
            await using var b = await BreakerInstance.StartAsync(server, key, storeOptions: options);

            await server.StopAsync();
            await Eventually.TrueAsync(() => !a.Store.IsAvailable, "a notices the outage");
            for (var i = 0; i < 3; i++)
            {
                await a.FailAsync();
            }

            Assert.Equal(CircuitState.Open, a.State.CircuitState); // the local breaker

            await server.StartAsync(CancellationToken.None);
            await Eventually.TrueAsync(() => a.Connection.IsConnected && b.Connection.IsConnected, "both multiplexers reconnect", TimeSpan.FromSeconds(20));

            for (var i = 0; i < 3; i++)
            {
                Assert.IsType<InvalidOperationException>((await b.FailAsync()).Exception);
            }

            Assert.True(b.State.CircuitState == CircuitState.Open, $"b: {b.Store.Current}; a: {a.Store.Current}; stored: {(await StoredValues.ReadAsync(b)).Snapshot}");
            Assert.True(b.Store.IsAvailable, "b's failures went to Redis, not to a local breaker");
            await Eventually.TrueAsync(() => a.State.CircuitState == CircuitState.Open, $"round {round}: a sees b's trip");
            Assert.Equal(CircuitState.Open, (await StoredValues.ReadAsync(b)).Snapshot.State);
            Assert.IsType<BrokenCircuitException>((await a.SucceedAsync()).Exception);
        }
    }
}
