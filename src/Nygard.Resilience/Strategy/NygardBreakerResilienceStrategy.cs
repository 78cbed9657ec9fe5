using Nygard.Resilience.StateMachine;
using Polly;
using Polly.CircuitBreaker;
using Polly.Telemetry;

namespace Nygard.Resilience.Strategy;

/// <summary>
/// The consecutive-failure circuit breaker as a Polly strategy. It asks the state machine what to do, asks the
/// store to swap the result in, and raises events for the transitions the store reports.
/// </summary>
internal sealed class NygardBreakerResilienceStrategy<TResult> : ResilienceStrategy<TResult>, INygardBreaker, INygardBreakerStateObserver, IDisposable
{
    private readonly INygardBreakerStateStore _store;
    private readonly BreakerPolicy _policy;
    private readonly TimeSpan _breakDuration;
    private readonly Func<BreakDurationGeneratorArguments, ValueTask<TimeSpan>>? _breakDurationGenerator;
    private readonly Func<CircuitBreakerPredicateArguments<TResult>, ValueTask<bool>> _shouldHandle;
    private readonly BreakerEvents<TResult> _events;
    private readonly ResilienceStrategyTelemetry _telemetry;
    private readonly string _name;
    private readonly IDisposable _subscription;
    private readonly IDisposable? _manualControlRegistration;
    private readonly NygardBreakerStateProvider? _stateProvider;
    private TaskCompletionSource _nextTransition = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public NygardBreakerResilienceStrategy(NygardBreakerStrategyOptions<TResult> options, TimeProvider timeProvider, ResilienceStrategyTelemetry telemetry)
    {
        _store = options.StateStore ?? new InMemoryNygardBreakerStateStore();
        _policy = new BreakerPolicy(options.FailureThreshold, options.HalfOpenPermits, options.SuccessThreshold, options.BreakDuration);
        _breakDuration = options.BreakDuration;
        _breakDurationGenerator = options.BreakDurationGenerator;
        _shouldHandle = options.ShouldHandle;
        _name = options.Name ?? NygardBreakerConstants.DefaultName;
        _telemetry = telemetry;
        _events = new BreakerEvents<TResult>(options, telemetry);
        TimeProvider = timeProvider;

        _subscription = _store.Subscribe(this);
        _stateProvider = options.StateProvider;
        _stateProvider?.Attach(this);
        if (options.ManualControl is { } manualControl)
        {
            _manualControlRegistration = manualControl.Register(this);
            if (manualControl.IsIsolated)
            {
                var isolating = ApplyManualAsync(ManualCommand.Isolate, CancellationToken.None);
                if (!isolating.IsCompletedSuccessfully)
                {
                    _ = isolating.AsTask();
                }
            }
        }
    }

    public TimeProvider TimeProvider { get; }

    public NygardBreakerSnapshot Snapshot => _store.Current;

    public Task NextTransition => Volatile.Read(ref _nextTransition).Task;

    public DateTimeOffset GetUtcNow() => _store.GetUtcNow(TimeProvider);

    public void Dispose()
    {
        _subscription.Dispose();
        _manualControlRegistration?.Dispose();
        _stateProvider?.Detach(this);
    }

    void INygardBreakerStateObserver.OnChanged(NygardBreakerSnapshot previous, NygardBreakerSnapshot current)
    {
        if (current.Generation == previous.Generation)
        {
            return;
        }

        // The call that caused the transition waits for its events and lends them its context and outcome;
        // a transition made elsewhere (another pipeline, another process, or from inside an event handler)
        // is raised in the background.
        var cause = TransitionCause<TResult>.Current;
        var waited = cause is not null && ReferenceEquals(cause.Owner, this) && !HandlerScope.IsActive;
        _events.Enqueue(new PendingTransition<TResult>(previous, current, waited ? cause!.Context : null, waited ? cause!.Outcome : null));
        if (!waited)
        {
            _events.RaisePendingInBackground();
        }

        Interlocked.Exchange(ref _nextTransition, new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously)).TrySetResult();
    }

    public async ValueTask ApplyManualAsync(ManualCommand command, CancellationToken cancellationToken)
    {
        var context = ResilienceContextPool.Shared.Get(cancellationToken);
        try
        {
            while (true)
            {
                var snapshot = _store.Current;
                var next = BreakerStateMachine.Manual(snapshot, command, GetUtcNow(), _breakDuration);
                if (ReferenceEquals(next, snapshot) || await ReplaceAsync(snapshot, next, context, outcome: null).ConfigureAwait(false))
                {
                    break;
                }
            }

            await RaiseOwnEventsAsync().ConfigureAwait(false);
        }
        finally
        {
            ResilienceContextPool.Shared.Return(context);
        }
    }

    protected override async ValueTask<Outcome<TResult>> ExecuteCore<TState>(
        Func<ResilienceContext, TState, ValueTask<Outcome<TResult>>> callback,
        ResilienceContext context,
        TState state)
    {
        if (_events.HasListeners)
        {
            await _events.BeforeCallAsync(context).ConfigureAwait(context.ContinueOnCapturedContext);
        }

        var snapshot = _store.Current;
        CallTicket ticket;
        if (snapshot.State == CircuitState.Closed)
        {
            ticket = new CallTicket(snapshot.Generation, null);
        }
        else
        {
            var admission = await AdmitAsync(context).ConfigureAwait(context.ContinueOnCapturedContext);
            if (admission.Kind != AdmissionKind.Admitted)
            {
                return Outcome.FromException<TResult>(CreateRejection(admission));
            }

            ticket = admission.Ticket;
        }

        Outcome<TResult> outcome;
        try
        {
            outcome = await callback(context, state).ConfigureAwait(context.ContinueOnCapturedContext);
        }
        catch (Exception e)
        {
            // ExecuteOutcomeAsync callbacks should not throw, but one that does must not keep a probe's permit:
            // record the exception as its outcome and let it propagate unchanged.
            await RecordThrownAsync(context, ticket, e).ConfigureAwait(context.ContinueOnCapturedContext);
            throw;
        }

        var kind = await ClassifyAsync(context, outcome).ConfigureAwait(context.ContinueOnCapturedContext);
        if (kind != OutcomeKind.Success || ticket.IsProbe || _store.Current.FailureCount != 0)
        {
            await RecordAsync(context, ticket, kind, outcome).ConfigureAwait(context.ContinueOnCapturedContext);
        }

        if (_events.HasListeners && kind != OutcomeKind.Neutral)
        {
            await _events.AfterCallAsync(context, outcome, kind == OutcomeKind.Failure).ConfigureAwait(context.ContinueOnCapturedContext);
        }

        return outcome;
    }

    private async ValueTask RecordThrownAsync(ResilienceContext context, CallTicket ticket, Exception exception)
    {
        var outcome = Outcome.FromException<TResult>(exception);
        var kind = await ClassifyAsync(context, outcome).ConfigureAwait(false);
        await RecordAsync(context, ticket, kind, outcome).ConfigureAwait(false);
    }

    private async ValueTask<OutcomeKind> ClassifyAsync(ResilienceContext context, Outcome<TResult> outcome)
    {
        if (outcome.Exception is OperationCanceledException && context.CancellationToken.IsCancellationRequested)
        {
            return OutcomeKind.Neutral;
        }

        var handled = await _shouldHandle(new CircuitBreakerPredicateArguments<TResult>(context, outcome)).ConfigureAwait(context.ContinueOnCapturedContext);
        return handled ? OutcomeKind.Failure : OutcomeKind.Success;
    }

    private async ValueTask<Admission> AdmitAsync(ResilienceContext context)
    {
        while (true)
        {
            var snapshot = _store.Current;
            var admission = BreakerStateMachine.Admit(snapshot, GetUtcNow(), _policy);
            if (ReferenceEquals(admission.Next, snapshot))
            {
                return admission;
            }

            if (await ReplaceAsync(snapshot, admission.Next, context, outcome: null).ConfigureAwait(false))
            {
                await RaiseOwnEventsAsync().ConfigureAwait(false);
                return admission;
            }
        }
    }

    private async ValueTask RecordAsync(ResilienceContext context, CallTicket ticket, OutcomeKind kind, Outcome<TResult> outcome)
    {
        while (true)
        {
            var snapshot = _store.Current;
            if (snapshot.Generation != ticket.Generation)
            {
                return;
            }

            var now = GetUtcNow();
            var halfOpenAttempts = BreakerStateMachine.HalfOpenAttemptsIfOpening(snapshot, ticket, kind, now, _policy);
            var breakDuration = halfOpenAttempts < 0
                ? _breakDuration
                : await GetBreakDurationAsync(halfOpenAttempts, snapshot.FailureCount + 1, context).ConfigureAwait(false);
            var next = BreakerStateMachine.Record(snapshot, ticket, kind, now, _policy, breakDuration);
            if (ReferenceEquals(next, snapshot) || await ReplaceAsync(snapshot, next, context, outcome).ConfigureAwait(false))
            {
                break;
            }
        }

        await RaiseOwnEventsAsync().ConfigureAwait(false);
    }

    private async ValueTask<bool> ReplaceAsync(NygardBreakerSnapshot snapshot, NygardBreakerSnapshot next, ResilienceContext context, Outcome<TResult>? outcome)
    {
        if (next.Generation != snapshot.Generation)
        {
            TransitionCause<TResult>.Current = new TransitionCause<TResult>(this, context, outcome);
        }

        return await _store.TryReplaceAsync(snapshot, next, CancellationToken.None).ConfigureAwait(false);
    }

    private ValueTask RaiseOwnEventsAsync()
    {
        if (!_events.HasPending || HandlerScope.IsActive)
        {
            return default;
        }

        return new ValueTask(_events.RaisePendingAsync());
    }

    private async ValueTask<TimeSpan> GetBreakDurationAsync(int halfOpenAttempts, int failureCount, ResilienceContext context)
    {
        if (_breakDurationGenerator is null)
        {
            return _breakDuration;
        }

        try
        {
            var generated = await _breakDurationGenerator(new BreakDurationGeneratorArguments(1.0, failureCount, context, halfOpenAttempts)).ConfigureAwait(false);
            return generated < TimeSpan.Zero ? TimeSpan.Zero : generated > NygardBreakerConstants.MaxBreakDuration ? NygardBreakerConstants.MaxBreakDuration : generated;
        }
        catch (Exception e)
        {
            _events.ReportObserverFailure(nameof(NygardBreakerStrategyOptions<TResult>.BreakDurationGenerator), e, context);
            return _breakDuration;
        }
    }

    private ExecutionRejectedException CreateRejection(in Admission admission)
    {
        ExecutionRejectedException exception = admission.Kind == AdmissionKind.RejectedIsolated
            ? new IsolatedCircuitException($"The circuit breaker '{_name}' is isolated: it is held open manually until it is closed.")
            : new BrokenCircuitException(
                $"The circuit breaker '{_name}' is open: calls are not allowed for another {admission.RetryAfter}.",
                admission.RetryAfter < TimeSpan.Zero ? TimeSpan.Zero : admission.RetryAfter);
        _telemetry.SetTelemetrySource(exception);
        return exception;
    }
}
