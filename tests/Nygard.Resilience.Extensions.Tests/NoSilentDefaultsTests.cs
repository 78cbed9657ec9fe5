using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Testing;
using Polly;
using Polly.CircuitBreaker;
using Polly.Registry;

namespace Nygard.Resilience.Extensions.Tests;

public class NoSilentDefaultsTests
{
    [Fact]
    public async Task AnOptionsNameNothingConfigures_IsLoggedAsAWarningNamingIt()
    {
        var services = new ServiceCollection();
        services.AddLogging(l => l.AddFakeLogging());
        services.AddNygardBreakerRegistry();
        services.Configure<NygardBreakerStrategyOptions>("orders", o => o.FailureThreshold = 2);
        services.AddResiliencePipeline("orders", (builder, context) => builder.AddNygardBreaker(context, "ordrs"));
        await using var provider = services.BuildServiceProvider();

        provider.GetRequiredService<ResiliencePipelineProvider<string>>().GetPipeline("orders");

        var warning = Assert.Single(provider.GetFakeLogCollector().GetSnapshot(), r => r.Id.Name == "NygardBreakerOptionsNotConfigured");
        Assert.Equal(LogLevel.Warning, warning.Level);
        Assert.Equal("ordrs", warning.GetStructuredStateValue("OptionsName"));
    }

    [Fact]
    public async Task AConfiguredName_IsNotReported()
    {
        var services = new ServiceCollection();
        services.AddLogging(l => l.AddFakeLogging());
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?> { ["FailureThreshold"] = "2" }).Build();
        services.AddNygardBreakerOptions("orders", configuration);
        services.AddResiliencePipeline("orders", (builder, context) => builder.AddNygardBreaker(context));
        await using var provider = services.BuildServiceProvider();

        provider.GetRequiredService<ResiliencePipelineProvider<string>>().GetPipeline("orders");

        Assert.DoesNotContain(provider.GetFakeLogCollector().GetSnapshot(), r => r.Id.Name == "NygardBreakerOptionsNotConfigured");
    }

    [Fact]
    public async Task AnInvalidReload_IsLoggedAsAnError_AndTheLastValidOptionsStay()
    {
        var configuration = new ConfigurationBuilder()
            .AddInMemoryCollection(new Dictionary<string, string?> { ["Breakers:orders:FailureThreshold"] = "3" })
            .Build();
        var services = new ServiceCollection();
        services.AddLogging(l => l.AddFakeLogging());
        services.AddNygardBreakerOptions("orders", configuration.GetSection("Breakers:orders"));
        services.AddResiliencePipeline("orders", (builder, context) => builder.AddNygardBreaker(context));
        await using var provider = services.BuildServiceProvider();
        var pipelines = provider.GetRequiredService<ResiliencePipelineProvider<string>>();
        await pipelines.GetPipeline("orders").ExecuteAsync(_ => default);

        configuration["Breakers:orders:FailureThreshold"] = "0";
        configuration.Reload();

        var error = Assert.Single(provider.GetFakeLogCollector().GetSnapshot(), r => r.Id.Name == "NygardBreakerOptionsRejected");
        Assert.Equal(LogLevel.Error, error.Level);
        Assert.Contains("FailureThreshold", error.Message, StringComparison.Ordinal);
        var registry = provider.GetRequiredService<NygardBreakerRegistry>();
        Assert.True(registry.TryGetBreaker("orders/NygardBreaker", out var breaker));
        Assert.Equal(3, breaker.FailureThreshold);
        for (var i = 0; i < 3; i++)
        {
            await ReloadTests.FailAsync(pipelines.GetPipeline("orders"));
        }

        await Assert.ThrowsAsync<BrokenCircuitException>(() => pipelines.GetPipeline("orders").ExecuteAsync(_ => default).AsTask());
    }
}
