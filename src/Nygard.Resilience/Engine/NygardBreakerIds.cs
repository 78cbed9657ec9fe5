using Polly.CircuitBreaker;
using Polly.Telemetry;

namespace Nygard.Resilience.Engine;

/// <summary>Names a breaker as Polly's telemetry does: the pipeline, its instance and the strategy.</summary>
internal static class NygardBreakerIds
{
    /// <summary>Reads the telemetry source Polly gives the strategy being built (through the one public way to see it).</summary>
    public static NygardBreakerId From(ResilienceStrategyTelemetry telemetry, string strategyName)
    {
        var probe = new BrokenCircuitException();
        telemetry.SetTelemetrySource(probe);
        return probe.TelemetrySource is { } source
            ? new NygardBreakerId(source.PipelineName, source.PipelineInstanceName, source.StrategyName ?? strategyName)
            : new NygardBreakerId(null, null, strategyName);
    }
}
