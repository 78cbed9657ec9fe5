using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Testing;
using Polly;
using Polly.Registry;

namespace Nygard.Resilience.Extensions.Tests;

public class TelemetryLoggingTests
{
    [Fact]
    public async Task Transitions_AreLoggedByPollysTelemetry_WithPollysEventNamesAndSeverities()
    {
        var services = new ServiceCollection();
        services.AddLogging(logging => logging.AddFakeLogging());
        services.AddNygardBreakerRegistry();
        services.Configure<NygardBreakerStrategyOptions>("logged", o => o.FailureThreshold = 1);
        services.AddResiliencePipeline("logged", (builder, context) => builder.AddNygardBreaker(context));
        await using var provider = services.BuildServiceProvider();

        await ReloadTests.FailAsync(provider.GetRequiredService<ResiliencePipelineProvider<string>>().GetPipeline("logged"));

        var opened = Assert.Single(provider.GetFakeLogCollector().GetSnapshot(), r => r.Message.Contains("OnCircuitOpened", StringComparison.Ordinal));
        Assert.Equal(LogLevel.Error, opened.Level);
        Assert.Contains("NygardBreaker", opened.Message, StringComparison.Ordinal);
    }
}
