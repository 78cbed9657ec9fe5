using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Polly;
using Polly.CircuitBreaker;
using Polly.Registry;

namespace Nygard.Resilience.Extensions.Tests;

public class ReloadTests
{
    [Fact]
    public async Task ReloadThatChangesOptions_KeepsTheFailureCount_AndAppliesTheNewThreshold()
    {
        var (configuration, services, provider) = Build(("FailureThreshold", "3"), ("BreakDuration", "00:01:00"));
        await using var _ = services;
        var pipelines = services.GetRequiredService<ResiliencePipelineProvider<string>>();

        await FailAsync(pipelines.GetPipeline("orders"));
        await FailAsync(pipelines.GetPipeline("orders"));
        Assert.Equal(2, provider.FailureCount);

        configuration["Breakers:orders:FailureThreshold"] = "5";
        configuration.Reload();

        Assert.Equal(5, services.GetRequiredService<IOptionsMonitor<NygardBreakerStrategyOptions>>().Get("orders").FailureThreshold);
        Assert.Equal(2, provider.FailureCount);
        await FailAsync(pipelines.GetPipeline("orders"));
        await FailAsync(pipelines.GetPipeline("orders"));
        Assert.Equal(CircuitState.Closed, provider.CircuitState);
        await FailAsync(pipelines.GetPipeline("orders"));
        Assert.Equal(CircuitState.Open, provider.CircuitState);
    }

    [Fact]
    public async Task Reload_LeavesOneBreakerInTheRegistry_WithTheNewOptions()
    {
        var (configuration, services, _) = Build(("FailureThreshold", "3"));
        await using var _ = services;
        var pipelines = services.GetRequiredService<ResiliencePipelineProvider<string>>();
        await pipelines.GetPipeline("orders").ExecuteAsync(_ => default);
        var registry = services.GetRequiredService<NygardBreakerRegistry>();
        var before = Assert.Single(registry.Breakers);

        configuration["Breakers:orders:FailureThreshold"] = "7";
        configuration.Reload();
        await pipelines.GetPipeline("orders").ExecuteAsync(_ => default);

        var after = Assert.Single(registry.Breakers);
        Assert.Equal((before.Id, 7, before.Store), (after.Id, after.FailureThreshold, after.Store));
        Assert.True(before.IsDisposed);
        Assert.Same(before.CallCounter, after.CallCounter);
        Assert.Equal(new NygardBreakerCallCounts(2, 0, 0, 0), registry.GetCallCounts(after.Id)); // one call before the reload, one after
    }

    [Fact]
    public async Task ReloadWhileOpen_KeepsTheBreakerOpenUntilItsBreakEnds()
    {
        var (configuration, services, provider) = Build(("FailureThreshold", "1"), ("BreakDuration", "00:05:00"));
        await using var _ = services;
        var pipelines = services.GetRequiredService<ResiliencePipelineProvider<string>>();
        await FailAsync(pipelines.GetPipeline("orders"));
        var openUntil = provider.OpenUntil;

        configuration["Breakers:orders:BreakDuration"] = "00:00:10";
        configuration.Reload();

        await Assert.ThrowsAsync<BrokenCircuitException>(() => pipelines.GetPipeline("orders").ExecuteAsync(_ => default).AsTask());
        Assert.Equal(openUntil, provider.OpenUntil);
    }

    [Fact]
    public async Task OptionsBoundFromConfiguration_ReachTheBreaker()
    {
        var (_, services, provider) = Build(("FailureThreshold", "2"), ("BreakDuration", "00:00:30"), ("HalfOpenPermits", "3"));
        await using var _ = services;
        var options = services.GetRequiredService<IOptionsMonitor<NygardBreakerStrategyOptions>>().Get("orders");
        var pipeline = services.GetRequiredService<ResiliencePipelineProvider<string>>().GetPipeline("orders");

        await FailAsync(pipeline);
        await FailAsync(pipeline);

        Assert.Equal(TimeSpan.FromSeconds(30), options.BreakDuration);
        Assert.Equal(3, options.HalfOpenPermits);
        Assert.Equal(CircuitState.Open, provider.CircuitState);
        Assert.InRange(provider.RetryAfter!.Value, TimeSpan.FromSeconds(25), TimeSpan.FromSeconds(30));
    }

    [Theory]
    [InlineData("FailureThreshold", "0", "FailureThreshold")]
    [InlineData("BreakDuration", "2.00:00:00", "BreakDuration")]
    [InlineData("FailureThreshold", "many", "Breakers:orders:FailureThreshold")]
    public void BadConfigurationValue_FailsStartUpNamingIt(string key, string value, string named)
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?> { [$"Breakers:orders:{key}"] = value }).Build();
        var services = new ServiceCollection();
        services.AddNygardBreakerOptions("orders", configuration.GetSection("Breakers:orders"));
        using var provider = services.BuildServiceProvider();

        var error = Assert.ThrowsAny<Exception>(() => provider.GetRequiredService<IStartupValidator>().Validate());

        Assert.Contains(named, error.Message, StringComparison.Ordinal);
    }

    internal static (IConfigurationRoot Configuration, ServiceProvider Services, NygardBreakerStateProvider State) Build(params (string Key, string Value)[] settings)
    {
        var configuration = new ConfigurationBuilder()
            .AddInMemoryCollection(settings.ToDictionary(s => $"Breakers:orders:{s.Key}", s => (string?)s.Value))
            .Build();
        var state = new NygardBreakerStateProvider();
        var services = new ServiceCollection();
        services.AddNygardBreakerOptions("orders", configuration.GetSection("Breakers:orders"))
            .Configure(o => o.StateProvider = state);
        services.AddResiliencePipeline("orders", (builder, context) => builder.AddNygardBreaker(context));
        return (configuration, services.BuildServiceProvider(), state);
    }

    internal static async Task FailAsync(ResiliencePipeline pipeline) =>
        await Assert.ThrowsAnyAsync<Exception>(() => pipeline.ExecuteAsync(_ => throw new InvalidOperationException("dependency failed")).AsTask());
}
