using System.Diagnostics.Metrics;
using Nygard.Resilience.Registry;

namespace Nygard.Resilience.Metrics;

/// <summary>
/// Observable gauges of every registered breaker, on the meter <c>Nygard.Resilience</c>, tagged as Polly tags its
/// own events (<c>pipeline.name</c>, <c>pipeline.instance</c>, <c>strategy.name</c>).
/// </summary>
internal sealed class NygardBreakerMetrics
{
    public const string MeterName = "Nygard.Resilience";

    public const string StateInstrument = "nygard.breaker.state";

    public const string FailureCountInstrument = "nygard.breaker.failure_count";

    private readonly NygardBreakerRegistry _registry;

    public NygardBreakerMetrics(NygardBreakerRegistry registry, IMeterFactory? meterFactory)
    {
        _registry = registry;
        var meter = meterFactory?.Create(MeterName) ?? new Meter(MeterName);
        State = meter.CreateObservableGauge(StateInstrument, () => Measure(static e => (int)e.Snapshot.State), unit: "{state}", description: "The circuit's state: 0 closed, 1 open, 2 half-open, 3 isolated.");
        FailureCount = meter.CreateObservableGauge(FailureCountInstrument, () => Measure(static e => e.Snapshot.FailureCount), unit: "{failure}", description: "Consecutive handled failures.");
    }

    public ObservableGauge<int> State { get; }

    public ObservableGauge<int> FailureCount { get; }

    private IEnumerable<Measurement<int>> Measure(Func<NygardBreakerEntry, int> value) =>
        _registry.Entries.Select(entry => new Measurement<int>(
            value(entry),
            new KeyValuePair<string, object?>("pipeline.name", entry.Identity.PipelineName),
            new KeyValuePair<string, object?>("pipeline.instance", entry.Identity.InstanceName),
            new KeyValuePair<string, object?>("strategy.name", entry.Identity.StrategyName)));
}
