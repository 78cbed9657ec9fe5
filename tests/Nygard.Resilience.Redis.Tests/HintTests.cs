using Nygard.Resilience.Testing;
using Nygard.Resilience.Redis.Tests.Support;
using Polly.CircuitBreaker;
using StackExchange.Redis;

namespace Nygard.Resilience.Redis.Tests;

/// <summary>Finding 5: a change message is a hint that makes the store re-read; it never changes state by itself.</summary>
public abstract class HintTests
{
    /// <summary>Returns the server to test against, or skips the test with the reason.</summary>
    protected abstract ITestRedis Require();

    [SkippableTheory]
    [InlineData("9223372036854775000")]
    [InlineData("n1;0123456789abcdef;9000000000000000000;9000000000000000000;3;0;0;0;;638000000000000000;1;")]
    [InlineData("n1;0123456789abcdef;9000000000000000000;9000000000000000000;1;0;0;0;999999999999999999;638000000000000000;0;")]
    [InlineData("0123456789abcdef:9000000000000000000")]
    [InlineData("9000000000000000000;9000000000000000000;3;0;0;0;;638000000000000000;1;")]
    [InlineData("9000000000000000000;9000000000000000000;1;0;0;0;999999999999999999;638000000000000000;0;")]
    public async Task ForgedPublish_NeitherOpensNorIsolatesNorCloses(string forged)
    {
        var server = Require();
        var key = $"forged-{Guid.NewGuid():N}";
        await using var closed = await BreakerInstance.StartAsync(server, key);
        await using var publisher = await server.ConnectAsync();
        var channel = RedisChannel.Literal($"{closed.Store.Key}:changes");

        for (var i = 0; i < 5; i++)
        {
            Assert.True(await publisher.GetSubscriber().PublishAsync(channel, forged) >= 1);
        }

        // A re-read answers every hint; wait until the store has made it, then check nothing changed.
        await Eventually.TrueAsync(() => closed.Store.RoundTrips >= 2, "the hint makes the store re-read");
        Assert.Equal(CircuitState.Closed, closed.State.CircuitState);
        Assert.Equal("ok", (await closed.SucceedAsync()).Result);

        await closed.Control.IsolateAsync();
        for (var i = 0; i < 5; i++)
        {
            await publisher.GetSubscriber().PublishAsync(channel, forged.Replace(";3;", ";0;", StringComparison.Ordinal));
        }

        var before = closed.Store.RoundTrips;
        await Eventually.TrueAsync(() => closed.Store.RoundTrips > before, "the hint makes the store re-read");
        Assert.Equal(CircuitState.Isolated, closed.State.CircuitState);
        Assert.Equal(1, closed.Opened); // the isolation's own, nothing more
    }

    [SkippableFact]
    public async Task EchoOfTheStoresOwnWrite_CausesNoReRead()
    {
        var server = Require();
        var key = $"echo-{Guid.NewGuid():N}";
        await using var instance = await BreakerInstance.StartAsync(server, key, o => o.FailureThreshold = 100);
        await Eventually.TrueAsync(() => instance.Store.RoundTrips >= 2, "the start-up reads are done");
        var before = instance.Store.RoundTrips;

        for (var i = 0; i < 20; i++)
        {
            await instance.FailAsync();
        }

        // Wait for the echoes to arrive: a marker message published after the last write arrives after them.
        using var marker = new SemaphoreSlim(0);
        await using var listener = await server.ConnectAsync();
        var channel = RedisChannel.Literal($"{instance.Store.Key}:changes");
        await Eventually.TrueAsync(() => listener.GetSubscriber().IsConnected(channel), "the listener's subscription connection is up");
        await listener.GetSubscriber().SubscribeAsync(channel, (_, _) => marker.Release());
        await instance.Control.OpenAsync();
        Assert.True(await marker.WaitAsync(TimeSpan.FromSeconds(5)));
        Assert.Equal(21, instance.Store.RoundTrips - before);
    }
}

/// <summary>The tests above against a real redis-server.</summary>
public sealed class HintTestsOnRedis(RedisServerFixture redis) : HintTests, IClassFixture<RedisServerFixture>
{
    protected override ITestRedis Require() => redis.Require();
}

/// <summary>The tests above against Microsoft Garnet.</summary>
public sealed class HintTestsOnGarnet(GarnetFixture garnet) : HintTests, IClassFixture<GarnetFixture>
{
    protected override ITestRedis Require() => garnet.Server;
}
