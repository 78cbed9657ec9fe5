using Polly;
using Polly.Telemetry;

namespace Nygard.Resilience.Events;

/// <summary>
/// The breaker's telemetry events (names and severities as Polly's breaker), reported through the builder's
/// telemetry: transitions, callbacks that failed, the store's availability, and the announcement of a built breaker.
/// </summary>
internal sealed class BreakerTelemetry<TResult>(ResilienceStrategyTelemetry telemetry, bool hasListener)
{
    public static readonly ResilienceEvent Opened = new(ResilienceEventSeverity.Error, NygardBreakerConstants.OnCircuitOpened);
    public static readonly ResilienceEvent Closed = new(ResilienceEventSeverity.Information, NygardBreakerConstants.OnCircuitClosed);
    public static readonly ResilienceEvent HalfOpened = new(ResilienceEventSeverity.Warning, NygardBreakerConstants.OnCircuitHalfOpened);

    private static readonly ResilienceEvent CallbackFailed = new(ResilienceEventSeverity.Warning, NygardBreakerConstants.OnObserverFailed);
    private static readonly ResilienceEvent StoreUnavailable = new(ResilienceEventSeverity.Error, NygardBreakerConstants.OnStoreUnavailable);
    private static readonly ResilienceEvent StoreRestored = new(ResilienceEventSeverity.Information, NygardBreakerConstants.OnStoreRestored);
    private static readonly ResilienceEvent StoreProblem = new(ResilienceEventSeverity.Warning, NygardBreakerConstants.OnStoreProblem);
    private static readonly ResilienceEvent Built = new(ResilienceEventSeverity.Debug, NygardBreakerConstants.OnBreakerBuilt);

    public ResilienceStrategyTelemetry Telemetry => telemetry;

    /// <summary>Gets a value indicating whether the builder had a telemetry listener: without one, reports go nowhere.</summary>
    public bool HasListener => hasListener;

    public void Report<TArgs>(ResilienceEvent resilienceEvent, ResilienceContext context, Outcome<TResult> outcome, TArgs args) =>
        telemetry.Report(resilienceEvent, context, outcome, args);

    public void Report<TArgs>(ResilienceEvent resilienceEvent, ResilienceContext context, TArgs args) =>
        telemetry.Report(resilienceEvent, context, args);

    /// <summary>Reports a delegate, listener or predicate that threw; the breaker carries on without it.</summary>
    public void ReportFailedCallback(string name, Exception exception, ResilienceContext context) =>
        telemetry.Report(CallbackFailed, context, Outcome.FromException<TResult>(exception), new NygardBreakerObserverFailedArguments(name, exception));

    public void ReportStoreAvailability(bool isAvailable, Exception? error) =>
        ReportWithoutCall(isAvailable ? StoreRestored : StoreUnavailable, new NygardBreakerStoreAvailabilityArguments(isAvailable, error));

    /// <summary>Reports a store problem that is not an outage (a repaired value, refused notifications).</summary>
    public void ReportStoreProblem(Exception problem) =>
        ReportWithoutCall(StoreProblem, new NygardBreakerStoreAvailabilityArguments(isAvailable: true, problem));

    /// <summary>Announces a newly built breaker to the builder's telemetry listeners (a registry listens for it).</summary>
    public void ReportBuilt(NygardBreakerHandle handle) => ReportWithoutCall(Built, new NygardBreakerBuiltArguments(handle));

    private void ReportWithoutCall<TArgs>(ResilienceEvent resilienceEvent, TArgs args)
    {
        var context = ResilienceContextPool.Shared.Get();
        try
        {
            telemetry.Report(resilienceEvent, context, args);
        }
        finally
        {
            ResilienceContextPool.Shared.Return(context);
        }
    }
}
