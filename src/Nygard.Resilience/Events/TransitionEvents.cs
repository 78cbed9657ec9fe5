using Polly;
using Polly.CircuitBreaker;

namespace Nygard.Resilience.Events;

/// <summary>
/// Raises one transition's events: the telemetry event, the <c>OnOpened</c> / <c>OnClosed</c> / <c>OnHalfOpened</c>
/// delegate, and the listeners' <c>OnStateChangedAsync</c>. A delegate that throws is reported and otherwise ignored.
/// </summary>
internal sealed class TransitionEvents<TResult>(NygardBreakerStrategyOptions<TResult> options, CallListeners<TResult> listeners, BreakerTelemetry<TResult> telemetry)
{
    private readonly Func<OnCircuitOpenedArguments<TResult>, ValueTask>? _onOpened = options.OnOpened;
    private readonly Func<OnCircuitClosedArguments<TResult>, ValueTask>? _onClosed = options.OnClosed;
    private readonly Func<OnCircuitHalfOpenedArguments, ValueTask>? _onHalfOpened = options.OnHalfOpened;

    /// <summary>Gets a value indicating whether a delegate or a listener is attached (listeners may come and go).</summary>
    public bool HasHandlers => _onOpened is not null || _onClosed is not null || _onHalfOpened is not null || listeners.Any;

    /// <summary>Gets a value indicating whether anyone learns of a transition: a telemetry listener, a delegate or a listener.</summary>
    public bool IsObserved => telemetry.HasListener || HasHandlers;

    /// <summary>
    /// Raises a transition's telemetry event and, when <paramref name="withHandlers"/>, its delegate and the listeners.
    /// Without handlers it completes synchronously.
    /// </summary>
    public async Task RaiseAsync(PendingTransition<TResult> transition, bool withHandlers)
    {
        var context = transition.Context ?? ResilienceContextPool.Shared.Get();
        try
        {
            var current = transition.Current;
            var outcome = transition.Outcome ?? Outcome.FromResult<TResult>(default!);
            switch (current.State)
            {
                case CircuitState.Open or CircuitState.Isolated:
                    var breakDuration = current.State == CircuitState.Isolated
                        ? TimeSpan.MaxValue
                        : (current.OpenUntil ?? current.TransitionedAt) - current.TransitionedAt;
                    var opened = new OnCircuitOpenedArguments<TResult>(context, outcome, breakDuration, current.IsManual);
                    telemetry.Report(BreakerTelemetry<TResult>.Opened, context, outcome, opened);
                    await InvokeAsync(withHandlers ? _onOpened : null, opened, nameof(options.OnOpened), context).ConfigureAwait(false);
                    break;
                case CircuitState.Closed:
                    var closed = new OnCircuitClosedArguments<TResult>(context, outcome, current.IsManual);
                    telemetry.Report(BreakerTelemetry<TResult>.Closed, context, outcome, closed);
                    await InvokeAsync(withHandlers ? _onClosed : null, closed, nameof(options.OnClosed), context).ConfigureAwait(false);
                    break;
                default:
                    var halfOpened = new OnCircuitHalfOpenedArguments(context);
                    telemetry.Report(BreakerTelemetry<TResult>.HalfOpened, context, halfOpened);
                    await InvokeAsync(withHandlers ? _onHalfOpened : null, halfOpened, nameof(options.OnHalfOpened), context).ConfigureAwait(false);
                    break;
            }

            if (withHandlers)
            {
                await listeners.StateChangedAsync(transition.Previous, current, context).ConfigureAwait(false);
            }
        }
        finally
        {
            // Stryker disable once Block,Statement : returning the context to Polly's shared pool only lets a later Get reuse it; a context not returned is collected, and the pool is process-wide, so no test can tell which instance a later Get hands out.
            if (transition.Context is null)
            {
                ResilienceContextPool.Shared.Return(context);
            }
        }
    }

    private async ValueTask InvokeAsync<TArgs>(Func<TArgs, ValueTask>? handler, TArgs args, string name, ResilienceContext context)
    {
        if (handler is null)
        {
            return;
        }

        try
        {
            await handler(args).ConfigureAwait(false);
        }
        catch (Exception e)
        {
            telemetry.ReportFailedCallback(name, e, context);
        }
    }
}
