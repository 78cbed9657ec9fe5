using System.Diagnostics;
using Nygard.Resilience.Redis.Tests.Support;
using Polly.CircuitBreaker;

namespace Nygard.Resilience.Redis.Tests;

/// <summary>Finding 9: the constructor waits at most one OperationTimeout in total while Redis is frozen.</summary>
public class StartUpTests(RedisServerFixture redis) : IClassFixture<RedisServerFixture>
{
    [SkippableTheory]
    [InlineData("CLIENT PAUSE")]
    [InlineData("DEBUG SLEEP")]
    public async Task RedisFrozen_TheConstructorTakesAtMostOneOperationTimeout_AndTheStoreRecovers(string freeze)
    {
        var server = redis.Require();
        await using var connection = await server.ConnectAsync();
        await using var admin = await server.ConnectAsync();
        var timeout = TimeSpan.FromMilliseconds(400);

        var frozen = freeze == "CLIENT PAUSE"
            ? admin.GetDatabase().ExecuteAsync("CLIENT", "PAUSE", "1500", "ALL")
            : admin.GetDatabase().ExecuteAsync("DEBUG", "SLEEP", "1.5");
        await Task.Delay(50);
        var clock = Stopwatch.StartNew();
        using var store = new RedisNygardBreakerStateStore(connection, $"frozen-{Guid.NewGuid():N}", new RedisNygardBreakerStateStoreOptions { OperationTimeout = timeout, MaxStaleness = TimeSpan.FromMilliseconds(100) });
        var elapsed = clock.Elapsed;

        Assert.True(elapsed < timeout + TimeSpan.FromMilliseconds(200), $"the constructor took {elapsed}");
        Assert.False(store.IsAvailable);
        Assert.Equal(CircuitState.Closed, store.Current.State);
        try
        {
            await frozen;
        }
        catch (Exception e) when (e is StackExchange.Redis.RedisException or TimeoutException)
        {
            // DEBUG SLEEP may outlast the admin connection's own timeout; the server still wakes up
        }

        await Eventually.TrueAsync(() => store.IsAvailable, "the store recovers", TimeSpan.FromSeconds(10));
    }
}
