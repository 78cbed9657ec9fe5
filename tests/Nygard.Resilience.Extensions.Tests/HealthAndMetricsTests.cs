using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Diagnostics.Metrics.Testing;
using Polly;
using Polly.Registry;

namespace Nygard.Resilience.Extensions.Tests;

public class HealthAndMetricsTests
{
    [Fact]
    public async Task Health_IsHealthyWhileClosed_AndDegradedNamingTheBreakerWhileOpen()
    {
        await using var services = Build(HealthStatus.Degraded);
        var health = services.GetRequiredService<HealthCheckService>();
        var pipelines = services.GetRequiredService<ResiliencePipelineProvider<string>>();
        await pipelines.GetPipeline("payments").ExecuteAsync(_ => default);
        await pipelines.GetPipeline("orders").ExecuteAsync(_ => default);

        var healthy = await health.CheckHealthAsync();
        Assert.Equal(HealthStatus.Healthy, healthy.Status);
        var closed = Assert.IsAssignableFrom<IReadOnlyDictionary<string, object?>>(healthy.Entries["nygard-breakers"].Data["orders/NygardBreaker"]);
        Assert.Equal("Closed", closed["state"]);
        Assert.Equal(0, closed["failureCount"]);
        Assert.Null(closed["retryAfterSeconds"]);

        await ReloadTests.FailAsync(pipelines.GetPipeline("orders"));

        var degraded = await health.CheckHealthAsync();
        var entry = degraded.Entries["nygard-breakers"];
        Assert.Equal(HealthStatus.Degraded, degraded.Status);
        Assert.Contains("orders/NygardBreaker is Open", entry.Description, StringComparison.Ordinal);
        var open = Assert.IsAssignableFrom<IReadOnlyDictionary<string, object?>>(entry.Data["orders/NygardBreaker"]);
        Assert.Equal("Open", open["state"]);
        Assert.Equal(1, open["failureCount"]);
        Assert.Equal(1, open["failureThreshold"]);
        Assert.InRange(Assert.IsType<double>(open["retryAfterSeconds"]), 0.0, 60.0);
        Assert.Equal(false, open["shared"]);
        Assert.Equal(true, open["storeAvailable"]);
        Assert.Equal("Closed", ((IReadOnlyDictionary<string, object?>)entry.Data["payments/NygardBreaker"])["state"]);
    }

    [Fact]
    public async Task Health_ReportsTheChosenFailureStatus()
    {
        await using var services = Build(HealthStatus.Unhealthy);
        var pipelines = services.GetRequiredService<ResiliencePipelineProvider<string>>();

        await ReloadTests.FailAsync(pipelines.GetPipeline("orders"));

        Assert.Equal(HealthStatus.Unhealthy, (await services.GetRequiredService<HealthCheckService>().CheckHealthAsync()).Status);
    }

    [Fact]
    public async Task Gauges_FollowTheStateAndTheFailureCount_WithPollysTags()
    {
        // Other tests build breakers (and meters named Nygard.Resilience) in parallel: collect this provider's gauges.
        var key = $"metrics-{Guid.NewGuid():N}";
        await using var services = Build(HealthStatus.Degraded, key);
        var pipeline = services.GetRequiredService<ResiliencePipelineProvider<string>>().GetPipeline(key);
        var metrics = services.GetRequiredService<NygardBreakerRegistry>().Metrics;
        using var state = new MetricCollector<int>(metrics.State);
        using var failures = new MetricCollector<int>(metrics.FailureCount);
        Assert.Equal(("Nygard.Resilience", "nygard.breaker.state", "nygard.breaker.failure_count"), (metrics.State.Meter.Name, metrics.State.Name, metrics.FailureCount.Name));
        await pipeline.ExecuteAsync(_ => default);

        state.RecordObservableInstruments();
        var closed = state.GetMeasurementSnapshot().Last(m => Equals(m.Tags["pipeline.name"], key));
        Assert.Equal(0, closed.Value);
        Assert.Equal("NygardBreaker", closed.Tags["strategy.name"]);
        Assert.True(closed.Tags.ContainsKey("pipeline.instance"));

        await ReloadTests.FailAsync(pipeline);

        state.RecordObservableInstruments();
        failures.RecordObservableInstruments();
        Assert.Equal(1, state.GetMeasurementSnapshot().Last(m => Equals(m.Tags["pipeline.name"], key)).Value);
        Assert.Equal(1, failures.GetMeasurementSnapshot().Last(m => Equals(m.Tags["pipeline.name"], key)).Value);
    }

    [Fact]
    public async Task PollysEventCounter_CarriesTheBreakersTransitions()
    {
        var key = $"events-{Guid.NewGuid():N}";
        using var events = new MetricCollector<int>(null, "Polly", "resilience.polly.strategy.events");
        await using var services = Build(HealthStatus.Degraded, key);
        var pipeline = services.GetRequiredService<ResiliencePipelineProvider<string>>().GetPipeline(key);

        await ReloadTests.FailAsync(pipeline);

        var opened = Assert.Single(events.GetMeasurementSnapshot(), m => Equals(m.Tags["event.name"], "OnCircuitOpened") && Equals(m.Tags["pipeline.name"], key));
        Assert.Equal("NygardBreaker", opened.Tags["strategy.name"]);
        Assert.Equal("Error", opened.Tags["event.severity"]);
    }

    [Fact]
    public async Task HealthAndGauges_CoverBreakersDeclaredWithInlineOptions()
    {
        var key = $"inline-{Guid.NewGuid():N}";
        var services = new ServiceCollection();
        services.AddLogging();
        services.AddHealthChecks().AddNygardBreakers();
        services.AddResiliencePipeline(key, b => b.AddNygardBreaker(new NygardBreakerStrategyOptions { FailureThreshold = 1 }));
        services.AddResiliencePipeline("context", (b, c) => b.AddNygardBreaker(c));
        await using var provider = services.BuildServiceProvider();
        var pipelines = provider.GetRequiredService<ResiliencePipelineProvider<string>>();
        await pipelines.GetPipeline("context").ExecuteAsync(_ => default);
        using var state = new MetricCollector<int>(provider.GetRequiredService<NygardBreakerRegistry>().Metrics.State);

        await ReloadTests.FailAsync(pipelines.GetPipeline(key));

        var report = await provider.GetRequiredService<HealthCheckService>().CheckHealthAsync();
        var entry = report.Entries["nygard-breakers"];
        Assert.Equal(HealthStatus.Degraded, report.Status);
        Assert.Equal(2, entry.Data.Count);
        Assert.Equal("Open", HttpClientTests.State(entry.Data[$"{key}/NygardBreaker"]));
        state.RecordObservableInstruments();
        Assert.Equal(1, state.GetMeasurementSnapshot().Last(m => Equals(m.Tags["pipeline.name"], key)).Value);
    }

    private static ServiceProvider Build(HealthStatus failureStatus, string key = "orders")
    {
        var services = new ServiceCollection();
        services.AddLogging();
        services.AddHealthChecks().AddNygardBreakers(failureStatus: failureStatus);
        services.Configure<NygardBreakerStrategyOptions>(key, o => o.FailureThreshold = 1);
        services.AddResiliencePipeline(key, (builder, context) => builder.AddNygardBreaker(context));
        services.AddResiliencePipeline("payments", (builder, context) => builder.AddNygardBreaker(context));
        return services.BuildServiceProvider();
    }
}
