using Nygard.Resilience.Testing;
using Nygard.Resilience.Redis.Tests.Support;
using Polly.CircuitBreaker;

namespace Nygard.Resilience.Redis.Tests;

/// <summary>
/// Counts, on the Redis server, the commands processed (INFO stats) and the scripts run (INFO commandstats; each is
/// one round trip) around calls. This class has a server of its own and the store's refresh is slowed down, so only
/// the calls' own work is counted.
/// </summary>
public class RoundTripTests(RedisServerFixture redis) : IClassFixture<RedisServerFixture>
{
    private static readonly RedisNygardBreakerStateStoreOptions Quiet = new() { MaxStaleness = TimeSpan.FromMinutes(5), OperationTimeout = TimeSpan.FromSeconds(2) };

    [SkippableFact]
    public async Task CleanSuccessPath_MakesNoRoundTrip()
    {
        await using var instance = await StartWarmAsync();

        var commands = await CountCommandsAsync(instance, async () =>
        {
            for (var i = 0; i < 1_000; i++)
            {
                Assert.Equal("ok", (await instance.SucceedAsync()).Result);
            }
        });

        Assert.Equal(0, commands);
    }

    [SkippableFact]
    public async Task Failure_MakesOneRoundTrip_AndSoDoesTheTrip()
    {
        await using var instance = await StartWarmAsync();

        Assert.Equal(1, await CountRoundTripsAsync(instance, () => instance.FailAsync()));
        Assert.Equal(1, await CountRoundTripsAsync(instance, () => instance.FailAsync()));
        Assert.Equal(1, await CountRoundTripsAsync(instance, () => instance.FailAsync()));

        Assert.Equal(CircuitState.Open, instance.State.CircuitState);
    }

    [SkippableFact]
    public async Task RejectionsWhileOpen_MakeNoRoundTrip()
    {
        await using var instance = await StartWarmAsync();
        for (var i = 0; i < 3; i++)
        {
            await instance.FailAsync();
        }

        var commands = await CountCommandsAsync(instance, async () =>
        {
            for (var i = 0; i < 1_000; i++)
            {
                Assert.IsType<BrokenCircuitException>((await instance.SucceedAsync()).Exception);
            }
        });

        Assert.Equal(0, commands);
    }

    /// <summary>A new breaker whose scripts the server already knows, so that no first-use load is counted.</summary>
    private async Task<BreakerInstance> StartWarmAsync()
    {
        var instance = await BreakerInstance.StartAsync(redis.Require(), $"trips-{Guid.NewGuid():N}", storeOptions: Quiet);
        await instance.FailAsync();
        await instance.SucceedAsync();
        return instance;
    }

    /// <summary>Every command the server processed during the work, not counting the INFO commands that measure it.</summary>
    private static async Task<long> CountCommandsAsync(BreakerInstance instance, Func<Task> work)
    {
        var first = await RedisServer.CommandsProcessedAsync(instance.Connection);
        var infoItself = await RedisServer.CommandsProcessedAsync(instance.Connection) - first;
        var before = await RedisServer.CommandsProcessedAsync(instance.Connection);
        await work();
        var after = await RedisServer.CommandsProcessedAsync(instance.Connection);
        return after - before - infoItself;
    }

    private static async Task<long> CountRoundTripsAsync(BreakerInstance instance, Func<Task> work)
    {
        var before = await RedisServer.ScriptsRunAsync(instance.Connection);
        await work();
        return await RedisServer.ScriptsRunAsync(instance.Connection) - before;
    }
}
