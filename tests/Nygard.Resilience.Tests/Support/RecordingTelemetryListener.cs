using Polly.Telemetry;

namespace Nygard.Resilience.Tests.Support;

/// <summary>Writes down every telemetry event a pipeline reports.</summary>
internal sealed class RecordingTelemetryListener : TelemetryListener
{
    private readonly List<(string Name, ResilienceEventSeverity Severity, object? Arguments)> _events = [];

    public IReadOnlyList<(string Name, ResilienceEventSeverity Severity, object? Arguments)> Events
    {
        get
        {
            lock (_events)
            {
                return [.. _events];
            }
        }
    }

    public IReadOnlyList<string> Names(string prefix = "OnCircuit") =>
        [.. Events.Where(e => e.Name.StartsWith(prefix, StringComparison.Ordinal)).Select(e => e.Name)];

    public override void Write<TResult, TArgs>(in TelemetryEventArguments<TResult, TArgs> args)
    {
        lock (_events)
        {
            _events.Add((args.Event.EventName, args.Event.Severity, args.Arguments));
        }
    }
}
