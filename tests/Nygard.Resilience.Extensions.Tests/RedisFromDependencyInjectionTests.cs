using Microsoft.Extensions.DependencyInjection;
using Nygard.Resilience.Redis;
using Nygard.Resilience.Testing;
using Polly;
using Polly.CircuitBreaker;
using Polly.Registry;
using StackExchange.Redis;

namespace Nygard.Resilience.Extensions.Tests;

/// <summary>Two service providers (two hosts) whose DI-built breakers share state through a registered Redis store factory.</summary>
public class RedisFromDependencyInjectionTests
{
    [SkippableFact]
    public async Task RegisteredRedisFactory_MakesDependencyInjectedBreakersShareState()
    {
        Skip.If(RedisServer.MissingReason is not null, RedisServer.MissingReason);
        await using var server = await RedisServer.StartAsync();
        await using var first = await BuildHostAsync(server);
        await using var second = await BuildHostAsync(server);
        var firstPipeline = first.GetRequiredService<ResiliencePipelineProvider<string>>().GetPipeline("orders");
        var secondPipeline = second.GetRequiredService<ResiliencePipelineProvider<string>>().GetPipeline("orders");

        await ReloadTests.FailAsync(firstPipeline);
        await ReloadTests.FailAsync(secondPipeline);

        var deadline = DateTime.UtcNow.AddSeconds(10);
        Outcome<int> outcome;
        do
        {
            outcome = await Rejected(firstPipeline);
        }
        while (outcome.Exception is not BrokenCircuitException && DateTime.UtcNow < deadline);

        Assert.IsType<BrokenCircuitException>(outcome.Exception);
        Assert.True(await first.GetRequiredService<IConnectionMultiplexer>().GetDatabase().KeyExistsAsync("nygard:breaker:{orders/NygardBreaker}"));
        var registered = Assert.Single(first.GetRequiredService<NygardBreakerRegistry>().Breakers);
        Assert.Equal(("orders/NygardBreaker", true, true), (registered.Id.ToString(), registered.IsShared, registered.IsStoreAvailable));
    }

    private static async Task<ServiceProvider> BuildHostAsync(RedisServer server)
    {
        var connection = await server.ConnectAsync();
        var services = new ServiceCollection();
        services.AddSingleton<IConnectionMultiplexer>(connection);
        services.AddSingleton<INygardBreakerStateStoreFactory>(sp => new RedisNygardBreakerStateStoreFactory(
            sp.GetRequiredService<IConnectionMultiplexer>(),
            new RedisNygardBreakerStateStoreOptions { OperationTimeout = TimeSpan.FromSeconds(2) }));
        services.AddNygardBreakerRegistry();
        services.Configure<NygardBreakerStrategyOptions>("orders", o => o.FailureThreshold = 2);
        services.AddResiliencePipeline("orders", (builder, context) => builder.AddNygardBreaker(context));
        return services.BuildServiceProvider();
    }

    private static async Task<Outcome<int>> Rejected(ResiliencePipeline pipeline)
    {
        var context = ResilienceContextPool.Shared.Get();
        try
        {
            return await pipeline.ExecuteOutcomeAsync(static (_, _) => Outcome.FromResultAsValueTask(1), context, 0);
        }
        finally
        {
            ResilienceContextPool.Shared.Return(context);
        }
    }
}
