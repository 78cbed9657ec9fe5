using System.Collections.Concurrent;
using Polly;
using Polly.CircuitBreaker;
using Polly.Telemetry;

namespace Nygard.Resilience.Strategy;

/// <summary>
/// Raises one breaker's events: the <c>OnOpened</c> / <c>OnClosed</c> / <c>OnHalfOpened</c> delegates, listeners and
/// telemetry. Transitions are queued in the order the store made them and raised one at a time, outside any
/// lock; an observer that throws is reported to telemetry and otherwise ignored.
/// </summary>
[System.Diagnostics.CodeAnalysis.SuppressMessage("Design", "CA1001:Types that own disposable fields should be disposable", Justification = "The semaphore's wait handle is never created, so it holds nothing to release; events may still be raised in the background after the strategy is disposed.")]
internal sealed class BreakerEvents<TResult>
{
    private static readonly ResilienceEvent OpenedEvent = new(ResilienceEventSeverity.Error, NygardBreakerConstants.OnCircuitOpened);
    private static readonly ResilienceEvent ClosedEvent = new(ResilienceEventSeverity.Information, NygardBreakerConstants.OnCircuitClosed);
    private static readonly ResilienceEvent HalfOpenedEvent = new(ResilienceEventSeverity.Warning, NygardBreakerConstants.OnCircuitHalfOpened);
    private static readonly ResilienceEvent ObserverFailedEvent = new(ResilienceEventSeverity.Warning, NygardBreakerConstants.OnObserverFailed);
    private static readonly ResilienceEvent StoreUnavailableEvent = new(ResilienceEventSeverity.Error, NygardBreakerConstants.OnStoreUnavailable);
    private static readonly ResilienceEvent StoreRestoredEvent = new(ResilienceEventSeverity.Information, NygardBreakerConstants.OnStoreRestored);
    private static readonly ResilienceEvent BuiltEvent = new(ResilienceEventSeverity.Debug, NygardBreakerConstants.OnBreakerBuilt);

    private readonly ConcurrentQueue<PendingTransition<TResult>> _pending = new();
    private readonly SemaphoreSlim _gate = new(1, 1);
    private readonly ResilienceStrategyTelemetry _telemetry;
    private readonly Func<OnCircuitOpenedArguments<TResult>, ValueTask>? _onOpened;
    private readonly Func<OnCircuitClosedArguments<TResult>, ValueTask>? _onClosed;
    private readonly Func<OnCircuitHalfOpenedArguments, ValueTask>? _onHalfOpened;
    private readonly ListenerList _listeners;

    private readonly NygardBreakerId _id;

    public BreakerEvents(NygardBreakerStrategyOptions<TResult> options, ResilienceStrategyTelemetry telemetry, NygardBreakerId id)
    {
        _id = id;
        _telemetry = telemetry;
        _onOpened = options.OnOpened;
        _onClosed = options.OnClosed;
        _onHalfOpened = options.OnHalfOpened;
        _listeners = (ListenerList)options.Listeners;
    }

    /// <summary>Gets a value indicating whether any listener is attached now (listeners may be added after the breaker is built).</summary>
    public bool HasListeners => _listeners.Current.Length != 0;

    public bool HasPending => !_pending.IsEmpty;

    public void Enqueue(PendingTransition<TResult> transition) => _pending.Enqueue(transition);

    /// <summary>Raises the queued transitions in a background work item (for changes no waiting call will raise).</summary>
    public void RaisePendingInBackground() =>
        ThreadPool.UnsafeQueueUserWorkItem(static events => _ = events.RaisePendingAsync(), this, preferLocal: false);

    /// <summary>Raises every queued transition, in order, once the events raised before them are done.</summary>
    public async Task RaisePendingAsync()
    {
        await _gate.WaitAsync().ConfigureAwait(false);
        HandlerScope.Enter();
        try
        {
            while (_pending.TryDequeue(out var transition))
            {
                await RaiseAsync(transition).ConfigureAwait(false);
            }
        }
        finally
        {
            _gate.Release();
        }
    }

    public async ValueTask BeforeCallAsync(ResilienceContext context)
    {
        foreach (var listener in _listeners.Current)
        {
            try
            {
                await listener.BeforeCallAsync(context).ConfigureAwait(false);
            }
            catch (Exception e)
            {
                ReportObserverFailure(listener, nameof(INygardBreakerListener.BeforeCallAsync), e, context);
            }
        }
    }

    public async ValueTask AfterCallAsync(ResilienceContext context, Outcome<TResult> outcome, bool isFailure)
    {
        var boxed = outcome.Exception is { } exception ? Outcome.FromException<object>(exception) : Outcome.FromResult<object>(outcome.Result);
        foreach (var listener in _listeners.Current)
        {
            try
            {
                if (isFailure)
                {
                    await listener.OnFailureAsync(context, boxed).ConfigureAwait(false);
                }
                else
                {
                    await listener.OnSuccessAsync(context).ConfigureAwait(false);
                }
            }
            catch (Exception e)
            {
                ReportObserverFailure(listener, isFailure ? nameof(INygardBreakerListener.OnFailureAsync) : nameof(INygardBreakerListener.OnSuccessAsync), e, context);
            }
        }
    }

    public void ReportObserverFailure(string observer, Exception exception, ResilienceContext context) =>
        _telemetry.Report(ObserverFailedEvent, context, Outcome.FromException<TResult>(exception), new NygardBreakerObserverFailedArguments(observer, exception));

    /// <summary>Announces a newly built breaker to the builder's telemetry listeners.</summary>
    public void ReportBuilt(NygardBreakerHandle handle)
    {
        var context = ResilienceContextPool.Shared.Get();
        try
        {
            _telemetry.Report(BuiltEvent, context, new NygardBreakerBuiltArguments(handle));
        }
        finally
        {
            ResilienceContextPool.Shared.Return(context);
        }
    }

    public void ReportStoreAvailability(bool isAvailable, Exception? error)
    {
        var context = ResilienceContextPool.Shared.Get();
        try
        {
            _telemetry.Report(isAvailable ? StoreRestoredEvent : StoreUnavailableEvent, context, new NygardBreakerStoreAvailabilityArguments(isAvailable, error));
        }
        finally
        {
            ResilienceContextPool.Shared.Return(context);
        }
    }

    private void ReportObserverFailure(INygardBreakerListener listener, string method, Exception exception, ResilienceContext context) =>
        ReportObserverFailure($"{listener.GetType().Name}.{method}", exception, context);

    private async Task RaiseAsync(PendingTransition<TResult> transition)
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
                    _telemetry.Report(OpenedEvent, context, outcome, opened);
                    await InvokeAsync(_onOpened, opened, nameof(NygardBreakerStrategyOptions<TResult>.OnOpened), context).ConfigureAwait(false);
                    break;
                case CircuitState.Closed:
                    var closed = new OnCircuitClosedArguments<TResult>(context, outcome, current.IsManual);
                    _telemetry.Report(ClosedEvent, context, outcome, closed);
                    await InvokeAsync(_onClosed, closed, nameof(NygardBreakerStrategyOptions<TResult>.OnClosed), context).ConfigureAwait(false);
                    break;
                default:
                    var halfOpened = new OnCircuitHalfOpenedArguments(context);
                    _telemetry.Report(HalfOpenedEvent, context, halfOpened);
                    await InvokeAsync(_onHalfOpened, halfOpened, nameof(NygardBreakerStrategyOptions<TResult>.OnHalfOpened), context).ConfigureAwait(false);
                    break;
            }

            foreach (var listener in _listeners.Current)
            {
                try
                {
                    await listener.OnStateChangedAsync(new NygardBreakerStateChangedArguments(_id, transition.Previous.State, current.State, current.IsManual)).ConfigureAwait(false);
                }
                catch (Exception e)
                {
                    ReportObserverFailure(listener, nameof(INygardBreakerListener.OnStateChangedAsync), e, context);
                }
            }
        }
        finally
        {
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
            ReportObserverFailure(name, e, context);
        }
    }
}
