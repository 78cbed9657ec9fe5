using Microsoft.Extensions.Time.Testing;
using Nygard.Resilience.Redis.Tests.Support;
using Nygard.Resilience.Testing;
using Polly.CircuitBreaker;

namespace Nygard.Resilience.Redis.Tests;

/// <summary>Finding 8: an idle closed breaker with a healthy subscription sends nothing; a breaker that is not closed re-checks every MaxStaleness.</summary>
public class IdleCostTests(RedisServerFixture redis) : IClassFixture<RedisServerFixture>
{
    [SkippableFact]
    public async Task IdleClosedBreaker_SendsNoCommands_ANotClosedOneRechecksEveryMaxStaleness_ALostSubscriptionTriggersARead()
    {
        var server = redis.Require();
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var instance = await BreakerInstance.StartAsync(server, $"idle-{Guid.NewGuid():N}", storeOptions: new RedisNygardBreakerStateStoreOptions
        {
            TimeProvider = time,
            MaxStaleness = TimeSpan.FromSeconds(1),
            OperationTimeout = TimeSpan.FromSeconds(2),
        });
        await using var admin = await server.ConnectAsync();
        await Eventually.TrueAsync(() => instance.Store.RoundTrips >= 2, "the start-up reads are done");

        // 100 seconds of idle time, closed.
        var before = await CommandsAsync(admin);
        for (var second = 0; second < 100; second++)
        {
            time.Advance(TimeSpan.FromSeconds(1));
        }

        // Anything the ticks started was sent on the store's connection before this ping, which is answered in order.
        await instance.Connection.GetDatabase().PingAsync();
        Assert.InRange(await CommandsAsync(admin) - before, 0, 10); // ≤ 0.1 command per second

        // Not closed: re-checked once per MaxStaleness.
        await instance.Control.IsolateAsync();
        var reads = instance.Store.RoundTrips;
        for (var second = 0; second < 10; second++)
        {
            time.Advance(TimeSpan.FromSeconds(1));
            var expected = reads + second + 1;
            await Eventually.TrueAsync(() => instance.Store.RoundTrips >= expected, $"re-check {second + 1}");
        }

        // Closed again, and the subscription is lost: the store re-reads once it is back.
        await instance.Control.CloseAsync();
        reads = instance.Store.RoundTrips;
        await admin.GetDatabase().ExecuteAsync("CLIENT", "KILL", "TYPE", "pubsub");
        await Eventually.TrueAsync(() => instance.Store.RoundTrips > reads, "a re-read after the subscription came back");
        Assert.Equal(CircuitState.Closed, instance.State.CircuitState);
    }

    private static async Task<long> CommandsAsync(StackExchange.Redis.IConnectionMultiplexer admin) => await RedisServer.CommandsProcessedAsync(admin);
}
