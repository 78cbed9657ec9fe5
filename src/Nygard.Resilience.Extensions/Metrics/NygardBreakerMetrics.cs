using System.Diagnostics.Metrics;
using Nygard.Resilience.Registry;

namespace Nygard.Resilience.Metrics;

/// <summary>
/// The meter <c>Nygard.Resilience</c>: observable gauges of every registered breaker's state and failure count, and an
/// observable counter of calls by outcome read from each breaker's <see cref="NygardBreakerCallCounter"/> (so that a
/// call pays for one increment, not for a measurement), tagged as Polly tags its own events (<c>pipeline.name</c>, <c>pipeline.instance</c>,
/// <c>strategy.name</c>) plus <c>outcome</c> on the counter.
/// </summary>
internal sealed class NygardBreakerMetrics : IDisposable
{
    public const string MeterName = "Nygard.Resilience";

    public const string StateInstrument = "nygard.breaker.state";

    public const string FailureCountInstrument = "nygard.breaker.failure_count";

    public const string CallsInstrument = "nygard.breaker.calls";

    private static readonly NygardBreakerCallOutcome[] Outcomes = Enum.GetValues<NygardBreakerCallOutcome>();

    private readonly NygardBreakerRegistry _registry;
    private readonly Meter _meter;

    public NygardBreakerMetrics(NygardBreakerRegistry registry, IMeterFactory? meterFactory)
    {
        _registry = registry;
        _meter = meterFactory?.Create(MeterName) ?? new Meter(MeterName);
        State = _meter.CreateObservableGauge(StateInstrument, () => Measure(static b => (int)b.Handle!.State), unit: "{state}", description: "The circuit's state: 0 closed, 1 open, 2 half-open, 3 isolated.");
        FailureCount = _meter.CreateObservableGauge(FailureCountInstrument, () => Measure(static b => b.Handle!.FailureCount), unit: "{failure}", description: "Consecutive handled failures.");
        Calls = _meter.CreateObservableCounter(CallsInstrument, MeasureCalls, unit: "{call}", description: "Calls through the breaker by outcome: success, failure, rejected, ignored.");
    }

    public ObservableGauge<int> State { get; }

    public ObservableGauge<int> FailureCount { get; }

    public ObservableCounter<long> Calls { get; }

    private static string OutcomeTag(NygardBreakerCallOutcome outcome) => outcome switch
    {
        NygardBreakerCallOutcome.Success => "success",
        NygardBreakerCallOutcome.Failure => "failure",
        NygardBreakerCallOutcome.Rejected => "rejected",
        _ => "ignored",
    };

    public void Dispose() => _meter.Dispose();

    private static KeyValuePair<string, object?>[] Tags(RegisteredBreaker breaker, params KeyValuePair<string, object?>[] more) =>
    [
        new("pipeline.name", breaker.Id.PipelineName),
        new("pipeline.instance", breaker.Id.PipelineInstanceName),
        new("strategy.name", breaker.Id.StrategyName),
        .. more,
    ];

    private IEnumerable<Measurement<long>> MeasureCalls() =>
        _registry.Registered.SelectMany(static breaker => Outcomes.Select(outcome =>
            new Measurement<long>(breaker.Counter.Total(outcome), Tags(breaker, new KeyValuePair<string, object?>("outcome", OutcomeTag(outcome))))));

    private IEnumerable<Measurement<int>> Measure(Func<RegisteredBreaker, int> value) =>
        _registry.Registered.Select(breaker => new Measurement<int>(value(breaker), Tags(breaker)));
}
