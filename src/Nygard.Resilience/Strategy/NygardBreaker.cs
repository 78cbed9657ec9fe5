using System.Runtime.CompilerServices;
using Nygard.Resilience.StateMachine;
using Polly;
using Polly.CircuitBreaker;
using Polly.Telemetry;

namespace Nygard.Resilience.Strategy;

/// <summary>
/// One built breaker: asks the state machine what to do, asks the store to swap the result in, and raises events
/// for the transitions the store reports. <typeparamref name="TResult"/> is the options' result type; a call's own
/// result type may differ (the non-generic builder), so outcomes are converted only where events or a custom
/// predicate need them.
/// </summary>
internal sealed class NygardBreaker<TResult> : INygardBreaker, INygardBreakerStateObserver, IDisposable
{
    /// <summary>The conversion for calls whose result type is the options' own.</summary>
    internal static readonly Func<Outcome<TResult>, Outcome<TResult>> Identity = static outcome => outcome;

    private readonly INygardBreakerStateStore _store;
    private readonly InMemoryNygardBreakerStateStore? _inMemoryStore;
    private readonly BreakerPolicy _policy;
    private readonly TimeSpan _breakDuration;
    private readonly Func<BreakDurationGeneratorArguments, ValueTask<TimeSpan>>? _breakDurationGenerator;
    private readonly Func<CircuitBreakerPredicateArguments<TResult>, ValueTask<bool>> _shouldHandle;
    private readonly bool _defaultPredicate;
    private readonly BreakerEvents<TResult> _events;
    private readonly ResilienceStrategyTelemetry _telemetry;
    private readonly string _brokenMessage;
    private readonly string _isolatedMessage;
    private readonly IDisposable _subscription;
    private readonly IDisposable? _manualControlRegistration;
    private readonly NygardBreakerStateProvider? _stateProvider;
    private readonly BreakTimer? _breakTimer;
    private TaskCompletionSource? _nextTransition;
    private BreakingException? _breakingException;
    private int _storeUnavailable;
    private int _disposed;

    public NygardBreaker(NygardBreakerStrategyOptions<TResult> options, TimeProvider timeProvider, ResilienceStrategyTelemetry telemetry, INygardBreakerStateStore? store = null)
    {
        _store = store ?? options.StateStore ?? new InMemoryNygardBreakerStateStore();
        _inMemoryStore = _store as InMemoryNygardBreakerStateStore;
        _policy = new BreakerPolicy(options.FailureThreshold, options.HalfOpenPermits, options.SuccessThreshold, options.BreakDuration);
        _breakDuration = options.BreakDuration;
        _breakDurationGenerator = options.BreakDurationGenerator;
        _shouldHandle = options.ShouldHandle;
        Id = IdentifyFrom(telemetry, options.Name ?? NygardBreakerConstants.DefaultName);
        _brokenMessage = $"The circuit breaker '{Id}' is open: calls are not allowed until the break ends (see RetryAfter).";
        _isolatedMessage = $"The circuit breaker '{Id}' is isolated: it is held open manually until it is closed.";
        _telemetry = telemetry;
        _events = new BreakerEvents<TResult>(options, telemetry, Id);
        _defaultPredicate = ReferenceEquals(_shouldHandle, DefaultPredicates<TResult>.HandleExceptions);
        TimeProvider = timeProvider;
        _breakTimer = _inMemoryStore is not null ? new BreakTimer(timeProvider) : null;

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

        _events.ReportBuilt(new NygardBreakerHandle(this));
    }

    public TimeProvider TimeProvider { get; }

    public NygardBreakerId Id { get; }

    public BreakerPolicy Policy => _policy;

    public bool IsStoreAvailable => Volatile.Read(ref _storeUnavailable) == 0;

    public bool IsDisposed => Volatile.Read(ref _disposed) != 0;

    /// <summary>Gets a value indicating whether calls may take the clean path: default predicate and no listeners.</summary>
    public bool CleanPathEligible => _defaultPredicate && !_events.HasListeners;

    /// <summary>Gets the store that keeps this breaker's state.</summary>
    public INygardBreakerStateStore Store => _store;

    public NygardBreakerSnapshot Snapshot => _inMemoryStore is not null ? _inMemoryStore.Current : _store.Current;

    /// <summary>Gets a task that completes at the next transition; created only when someone waits for one.</summary>
    public Task NextTransition
    {
        get
        {
            var next = Volatile.Read(ref _nextTransition);
            if (next is null)
            {
                var created = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
                next = Interlocked.CompareExchange(ref _nextTransition, created, null) ?? created;
            }

            return next.Task;
        }
    }

    public DateTimeOffset GetUtcNow() => _store.GetUtcNow(TimeProvider);

    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        _subscription.Dispose();
        _manualControlRegistration?.Dispose();
        _stateProvider?.Detach(this);
    }

    /// <summary>Runs one call through the breaker.</summary>
    /// <param name="callback">The call.</param>
    /// <param name="context">The call's context.</param>
    /// <param name="state">The call's state.</param>
    /// <param name="convert">Turns the call's outcome into the options' outcome type, for events and a custom predicate.</param>
    public ValueTask<Outcome<TCall>> ExecuteAsync<TCall, TState>(
        Func<ResilienceContext, TState, ValueTask<Outcome<TCall>>> callback,
        ResilienceContext context,
        TState state,
        Func<Outcome<TCall>, Outcome<TResult>> convert)
    {
        // The clean path: default predicate, no listeners, closed, a synchronous success, no failures before the call
        // and the same snapshot after it (so nothing happened meanwhile that this success should reset).
        // It reads the snapshot twice and changes nothing; every other path is a call to a method that is not
        // inlined, which keeps this method's stack frame (and the zeroing of it) small.
        if (!CleanPathEligible || Snapshot is not { State: CircuitState.Closed } snapshot)
        {
            return ExecuteUncleanAsync(callback, context, state, convert);
        }

        ValueTask<Outcome<TCall>> pending;
        try
        {
            pending = callback(context, state);
        }
        catch (Exception e)
        {
            return RecordThrownAndRethrowAsync<TCall>(context, snapshot.Generation, e);
        }

        if (!pending.IsCompletedSuccessfully)
        {
            return CompleteClosedAsync(pending, context, snapshot.Generation, convert);
        }

        var outcome = pending.Result;
        return outcome.Exception is null && snapshot.FailureCount == 0 && ReferenceEquals(Snapshot, snapshot)
            ? new ValueTask<Outcome<TCall>>(outcome)
            : CompleteClosedAsync(outcome, context, snapshot.Generation, convert);
    }

    /// <summary>Completes a call admitted while closed whose outcome is still pending.</summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    internal ValueTask<Outcome<TCall>> CompleteClosedAsync<TCall>(
        ValueTask<Outcome<TCall>> pending,
        ResilienceContext context,
        long generation,
        Func<Outcome<TCall>, Outcome<TResult>> convert) =>
        CompleteAsync(pending, new CallTicket(generation, null), context, convert);

    /// <summary>Completes a call admitted while closed whose outcome is known but not clean: a failure, or a state that changed during the call.</summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    internal ValueTask<Outcome<TCall>> CompleteClosedAsync<TCall>(
        Outcome<TCall> outcome,
        ResilienceContext context,
        long generation,
        Func<Outcome<TCall>, Outcome<TResult>> convert) =>
        CompleteAsync(new ValueTask<Outcome<TCall>>(outcome), new CallTicket(generation, null), context, convert);

    /// <summary>Records an exception thrown by a call admitted while closed, then rethrows it.</summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    internal ValueTask<Outcome<TCall>> RecordThrownAndRethrowAsync<TCall>(ResilienceContext context, long generation, Exception exception) =>
        RecordThrownAndRethrowAsync<TCall>(context, new CallTicket(generation, null), exception);

    /// <summary>Runs a call that did not take the clean path: rejected at once while open, otherwise the full path.</summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    public ValueTask<Outcome<TCall>> ExecuteUncleanAsync<TCall, TState>(
        Func<ResilienceContext, TState, ValueTask<Outcome<TCall>>> callback,
        ResilienceContext context,
        TState state,
        Func<Outcome<TCall>, Outcome<TResult>> convert)
    {
        // The rejection path: open with the break still running (or isolated), no listeners. Nothing changes,
        // so the call is answered synchronously without the admission loop.
        if (!_events.HasListeners)
        {
            var snapshot = Snapshot;
            if (snapshot.State == CircuitState.Open && snapshot.OpenUntil is { } openUntil)
            {
                var retryAfter = _breakTimer?.Remaining(snapshot, openUntil) ?? openUntil - GetUtcNow();
                if (retryAfter > TimeSpan.Zero)
                {
                    return new ValueTask<Outcome<TCall>>(Outcome.FromException<TCall>(CreateBrokenCircuitException(retryAfter, snapshot)));
                }
            }
            else if (snapshot.State == CircuitState.Isolated)
            {
                return new ValueTask<Outcome<TCall>>(Outcome.FromException<TCall>(CreateIsolatedCircuitException()));
            }
        }

        return ExecuteSlowAsync(callback, context, state, convert);
    }

    void INygardBreakerStateObserver.OnChanged(NygardBreakerSnapshot previous, NygardBreakerSnapshot current, object? cause)
    {
        if (current.Generation == previous.Generation)
        {
            return;
        }

        // The call that caused the transition waits for its events and lends them its context and outcome;
        // a transition made elsewhere (another pipeline, another process, or from inside an event handler)
        // is raised in the background.
        var own = cause is TransitionCause<TResult> c && ReferenceEquals(c.Owner, this) ? c : null;
        if (current.State != CircuitState.HalfOpen)
        {
            // The exception that opened the breaker, as Polly's breaker keeps it for its rejections: only for a trip made
            // by a call in this process, kept through half-open, cleared by anything else.
            Volatile.Write(ref _breakingException, current.State == CircuitState.Open && own?.Outcome?.Exception is { } exception ? new BreakingException(current.Generation, exception) : null);
        }

        var waiting = own is not null && !HandlerScope.IsActive ? own : null;
        _events.Enqueue(new PendingTransition<TResult>(previous, current, waiting?.Context, waiting?.Outcome));
        if (waiting is null)
        {
            _events.RaisePendingInBackground();
        }

        Interlocked.Exchange(ref _nextTransition, null)?.TrySetResult();
    }

    void INygardBreakerStateObserver.OnStoreAvailabilityChanged(bool isAvailable, Exception? exception)
    {
        Volatile.Write(ref _storeUnavailable, isAvailable ? 0 : 1);
        _events.ReportStoreAvailability(isAvailable, exception);
    }

    public async ValueTask ApplyManualAsync(ManualCommand command, CancellationToken cancellationToken)
    {
        var context = ResilienceContextPool.Shared.Get(cancellationToken);
        try
        {
            while (true)
            {
                var snapshot = Snapshot;
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

    private async ValueTask<Outcome<TCall>> ExecuteSlowAsync<TCall, TState>(
        Func<ResilienceContext, TState, ValueTask<Outcome<TCall>>> callback,
        ResilienceContext context,
        TState state,
        Func<Outcome<TCall>, Outcome<TResult>> convert)
    {
        if (_events.HasListeners)
        {
            await _events.BeforeCallAsync(context).ConfigureAwait(context.ContinueOnCapturedContext);
        }

        var snapshot = Snapshot;
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
                return Outcome.FromException<TCall>(CreateRejection(admission));
            }

            ticket = admission.Ticket;
        }

        ValueTask<Outcome<TCall>> pending;
        try
        {
            pending = callback(context, state);
        }
        catch (Exception e)
        {
            return await RecordThrownAndRethrowAsync<TCall>(context, ticket, e).ConfigureAwait(context.ContinueOnCapturedContext);
        }

        return await CompleteAsync(pending, ticket, context, convert).ConfigureAwait(context.ContinueOnCapturedContext);
    }

    private async ValueTask<Outcome<TCall>> CompleteAsync<TCall>(
        ValueTask<Outcome<TCall>> pending,
        CallTicket ticket,
        ResilienceContext context,
        Func<Outcome<TCall>, Outcome<TResult>> convert)
    {
        Outcome<TCall> outcome;
        try
        {
            outcome = await pending.ConfigureAwait(context.ContinueOnCapturedContext);
        }
        catch (Exception e)
        {
            // ExecuteOutcomeAsync callbacks should not throw, but one that does must not keep a probe's permit:
            // record the exception as its outcome and let it propagate unchanged.
            await RecordThrownAsync(context, ticket, e).ConfigureAwait(context.ContinueOnCapturedContext);
            throw;
        }

        OutcomeKind kind;
        Outcome<TResult>? converted = null;
        if (IsCancelledByCaller(outcome.Exception, context))
        {
            kind = OutcomeKind.Neutral;
        }
        else if (_defaultPredicate)
        {
            kind = outcome.Exception is null or OperationCanceledException ? OutcomeKind.Success : OutcomeKind.Failure;
        }
        else
        {
            converted = convert(outcome);
            kind = await ClassifyAsync(context, converted.Value).ConfigureAwait(context.ContinueOnCapturedContext);
        }

        if (kind != OutcomeKind.Success || ticket.IsProbe || Snapshot.FailureCount != 0)
        {
            await RecordAsync(context, ticket, kind, outcome, convert, converted).ConfigureAwait(context.ContinueOnCapturedContext);
        }

        if (_events.HasListeners && kind != OutcomeKind.Neutral)
        {
            await _events.AfterCallAsync(context, converted ?? convert(outcome), kind == OutcomeKind.Failure).ConfigureAwait(context.ContinueOnCapturedContext);
        }

        return outcome;
    }

    private static bool IsCancelledByCaller(Exception? exception, ResilienceContext context) =>
        exception is OperationCanceledException && context.CancellationToken.IsCancellationRequested;

    private async ValueTask<Outcome<TCall>> RecordThrownAndRethrowAsync<TCall>(ResilienceContext context, CallTicket ticket, Exception exception)
    {
        await RecordThrownAsync(context, ticket, exception).ConfigureAwait(context.ContinueOnCapturedContext);
        System.Runtime.ExceptionServices.ExceptionDispatchInfo.Throw(exception);
        return default;
    }

    private async ValueTask RecordThrownAsync(ResilienceContext context, CallTicket ticket, Exception exception)
    {
        var outcome = Outcome.FromException<TResult>(exception);
        var kind = IsCancelledByCaller(exception, context) ? OutcomeKind.Neutral : await ClassifyAsync(context, outcome).ConfigureAwait(false);
        await RecordAsync(context, ticket, kind, outcome, Identity, outcome).ConfigureAwait(false);
    }

    /// <summary>Asks ShouldHandle; a predicate that throws is reported and the outcome counts as neither (a probe gives its permit back).</summary>
    private async ValueTask<OutcomeKind> ClassifyAsync(ResilienceContext context, Outcome<TResult> outcome)
    {
        try
        {
            return await _shouldHandle(new CircuitBreakerPredicateArguments<TResult>(context, outcome)).ConfigureAwait(false) ? OutcomeKind.Failure : OutcomeKind.Success;
        }
        catch (Exception e)
        {
            _events.ReportObserverFailure(nameof(NygardBreakerStrategyOptions<TResult>.ShouldHandle), e, context);
            return OutcomeKind.Neutral;
        }
    }

    private async ValueTask<Admission> AdmitAsync(ResilienceContext context)
    {
        while (true)
        {
            var snapshot = Snapshot;
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

    /// <summary>Records how an admitted call ended; its outcome is converted only if it causes a transition.</summary>
    private async ValueTask RecordAsync<TCall>(
        ResilienceContext context,
        CallTicket ticket,
        OutcomeKind kind,
        Outcome<TCall> outcome,
        Func<Outcome<TCall>, Outcome<TResult>> convert,
        Outcome<TResult>? converted)
    {
        while (true)
        {
            var snapshot = Snapshot;
            if (snapshot.Generation != ticket.Generation)
            {
                return;
            }

            var now = BreakerStateMachine.RecordNeedsTime(snapshot, ticket, kind, _policy) ? GetUtcNow() : default;
            var halfOpenAttempts = BreakerStateMachine.HalfOpenAttemptsIfOpening(snapshot, ticket, kind, now, _policy);
            var breakDuration = halfOpenAttempts < 0
                ? _breakDuration
                : await GetBreakDurationAsync(halfOpenAttempts, snapshot.FailureCount + 1, context).ConfigureAwait(false);
            var next = BreakerStateMachine.Record(snapshot, ticket, kind, now, _policy, breakDuration);
            if (ReferenceEquals(next, snapshot))
            {
                break;
            }

            if (next.Generation != snapshot.Generation)
            {
                converted ??= convert(outcome);
            }

            if (await ReplaceAsync(snapshot, next, context, converted).ConfigureAwait(false))
            {
                break;
            }
        }

        await RaiseOwnEventsAsync().ConfigureAwait(false);
    }

    private ValueTask<bool> ReplaceAsync(NygardBreakerSnapshot snapshot, NygardBreakerSnapshot next, ResilienceContext context, Outcome<TResult>? outcome)
    {
        var cause = next.Generation == snapshot.Generation ? null : new TransitionCause<TResult>(this, context, outcome);
        return _store.TryReplaceAsync(snapshot, next, cause, CancellationToken.None);
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

    /// <summary>Reads the names Polly's telemetry gives this breaker (pipeline, instance, strategy).</summary>
    private static NygardBreakerId IdentifyFrom(ResilienceStrategyTelemetry telemetry, string strategyName)
    {
        var probe = new BrokenCircuitException();
        telemetry.SetTelemetrySource(probe);
        return probe.TelemetrySource is { } source
            ? new NygardBreakerId(source.PipelineName, source.PipelineInstanceName, source.StrategyName ?? strategyName)
            : new NygardBreakerId(null, null, strategyName);
    }

    private ExecutionRejectedException CreateRejection(in Admission admission) =>
        admission.Kind == AdmissionKind.RejectedIsolated ? CreateIsolatedCircuitException() : CreateBrokenCircuitException(admission.RetryAfter, admission.Next);

    private BrokenCircuitException CreateBrokenCircuitException(TimeSpan retryAfter, NygardBreakerSnapshot snapshot)
    {
        retryAfter = retryAfter < TimeSpan.Zero ? TimeSpan.Zero : retryAfter;
        var breaking = Volatile.Read(ref _breakingException);
        var openGeneration = snapshot.State == CircuitState.Open ? snapshot.Generation : snapshot.Generation - 1;
        var exception = breaking is not null && breaking.OpenGeneration == openGeneration
            ? new BrokenCircuitException(_brokenMessage, retryAfter, breaking.Exception)
            : new BrokenCircuitException(_brokenMessage, retryAfter);
        _telemetry.SetTelemetrySource(exception);
        return exception;
    }

    private IsolatedCircuitException CreateIsolatedCircuitException()
    {
        var exception = new IsolatedCircuitException(_isolatedMessage);
        _telemetry.SetTelemetrySource(exception);
        return exception;
    }
}
