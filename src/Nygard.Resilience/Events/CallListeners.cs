using Nygard.Resilience.Engine;
using Polly;

namespace Nygard.Resilience.Events;

/// <summary>
/// The options' <see cref="INygardBreakerListener"/>s, read as they are at each call (they may change after the breaker
/// is built). A listener that throws is reported and skipped.
/// </summary>
internal sealed class CallListeners<TResult>(ListenerList listeners, NygardBreakerId breaker, BreakerTelemetry<TResult> telemetry)
{
    /// <summary>Gets a value indicating whether any listener is attached now.</summary>
    public bool Any => !listeners.IsEmpty;

    public async ValueTask BeforeCallAsync(ResilienceContext context)
    {
        foreach (var listener in listeners.Current)
        {
            try
            {
                await listener.BeforeCallAsync(context).ConfigureAwait(false);
            }
            catch (Exception e)
            {
                ReportFailure(listener, nameof(INygardBreakerListener.BeforeCallAsync), e, context);
            }
        }
    }

    public async ValueTask AfterCallAsync<TCall>(ResilienceContext context, Outcome<TCall> outcome, bool isFailure)
    {
        // Stryker disable once Conditional : converting a success too would only be wasted work, since OnSuccessAsync is not given the outcome.
        var failure = isFailure ? OutcomeConverter<object>.Convert(outcome) : default;
        foreach (var listener in listeners.Current)
        {
            try
            {
                if (isFailure)
                {
                    await listener.OnFailureAsync(context, failure).ConfigureAwait(false);
                }
                else
                {
                    await listener.OnSuccessAsync(context).ConfigureAwait(false);
                }
            }
            catch (Exception e)
            {
                ReportFailure(listener, isFailure ? nameof(INygardBreakerListener.OnFailureAsync) : nameof(INygardBreakerListener.OnSuccessAsync), e, context);
            }
        }
    }

    public async ValueTask StateChangedAsync(NygardBreakerSnapshot previous, NygardBreakerSnapshot current, ResilienceContext context)
    {
        var args = new NygardBreakerStateChangedArguments(breaker, previous.State, current.State, current.IsManual);
        foreach (var listener in listeners.Current)
        {
            try
            {
                await listener.OnStateChangedAsync(args).ConfigureAwait(false);
            }
            catch (Exception e)
            {
                ReportFailure(listener, nameof(INygardBreakerListener.OnStateChangedAsync), e, context);
            }
        }
    }

    private void ReportFailure(INygardBreakerListener listener, string method, Exception exception, ResilienceContext context) =>
        telemetry.ReportFailedCallback($"{listener.GetType().Name}.{method}", exception, context);
}
