using Polly;
using Polly.CircuitBreaker;
using Polly.Telemetry;

namespace Nygard.Resilience.Registry;

/// <summary>
/// The registry's ear on the container's Polly telemetry: breakers announce themselves when built and report their
/// transitions.
/// </summary>
internal sealed class RegistryTelemetryListener(NygardBreakerRegistry registry) : TelemetryListener
{
    public override void Write<TResult, TArgs>(in TelemetryEventArguments<TResult, TArgs> args)
    {
        // A failing observer never changes a caller's outcome: whatever goes wrong here stays here.
        try
        {
            switch (args.Arguments)
            {
                case NygardBreakerBuiltArguments built:
                    registry.OnBuilt(built.Breaker);
                    break;
                case OnCircuitOpenedArguments<TResult> opened when args.Source.StrategyName is not null:
                    var isolated = opened.BreakDuration == TimeSpan.MaxValue;
                    registry.OnTransition(IdOf(args.Source), isolated ? CircuitState.Isolated : CircuitState.Open, opened.IsManual, isolated ? null : opened.BreakDuration);
                    break;
                case OnCircuitClosedArguments<TResult> closed when args.Source.StrategyName is not null:
                    registry.OnTransition(IdOf(args.Source), CircuitState.Closed, closed.IsManual, null);
                    break;
                case OnCircuitHalfOpenedArguments when args.Source.StrategyName is not null:
                    registry.OnTransition(IdOf(args.Source), CircuitState.HalfOpen, isManual: null, null);
                    break;
                default:
                    break;
            }
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            registry.ReportListenerFailure(e);
        }
    }

    private static NygardBreakerId IdOf(ResilienceTelemetrySource source) =>
        new(source.PipelineName, source.PipelineInstanceName, source.StrategyName!);
}
