using System.Runtime.CompilerServices;
using System.Runtime.ExceptionServices;
using Nygard.Resilience.Events;
using Nygard.Resilience.StateMachine;
using Polly;
using Polly.CircuitBreaker;
using Polly.Telemetry;

namespace Nygard.Resilience.Engine;

/// <summary>
/// One built breaker. A call is admitted, runs, has its outcome classified and recorded; the state machine decides
/// every step on a copy of the store's state, the store swaps the changed state in, and the transition queue raises the
/// events of each change.
/// <typeparamref name="TResult"/> is the options' result type; a call's own result type may differ (the non-generic
/// builder), so outcomes are converted only where an event or a custom predicate needs them. How the breaker reads the
/// store, its store step and what the store tells it are in <c>NygardBreaker.Store.cs</c>; what the state provider,
/// the manual control and the handle ask of it, in <c>NygardBreaker.Control.cs</c>.
/// </summary>
internal sealed partial class NygardBreaker<TResult> : INygardBreaker, INygardBreakerStateObserver, IBreakerStateObserver, IDisposable
{
    private readonly INygardBreakerStateStore _store;
    private readonly InMemoryNygardBreakerStateStore? _inMemoryStore;
    private readonly INygardBreakerFailureCounter? _failureCounter;
    private readonly BreakerClock _clock;
    private readonly OutcomeClassifier<TResult> _classifier;
    private readonly BreakDurations<TResult> _breakDurations;
    private readonly CallListeners<TResult> _listeners;
    private readonly TransitionQueue<TResult> _transitions;
    private readonly BreakerTelemetry<TResult> _telemetry;
    private readonly Rejections _rejections;
    private readonly bool _defaultPredicate;
    private readonly ListenerList _listenerList;
    private readonly IDisposable _subscription;
    private readonly IDisposable? _manualControlRegistration;
    private readonly NygardBreakerStateProvider? _stateProvider;
    private NygardBreakerCallCounter? _callCounter;
    private int _storeUnavailable;
    private int _disposed;

    public NygardBreaker(NygardBreakerStrategyOptions<TResult> options, TimeProvider timeProvider, ResilienceStrategyTelemetry telemetry, bool telemetryHasListener, INygardBreakerStateStore? store = null)
    {
        _store = store ?? options.StateStore ?? new InMemoryNygardBreakerStateStore();
        _inMemoryStore = _store as InMemoryNygardBreakerStateStore;
        _failureCounter = _store as INygardBreakerFailureCounter;
        Id = NygardBreakerIds.From(telemetry, options.Name ?? NygardBreakerConstants.DefaultName);
        Policy = new BreakerPolicy(options.FailureThreshold, options.HalfOpenPermits, options.SuccessThreshold, options.BreakDuration);
        _clock = new BreakerClock(_store, timeProvider);
        _telemetry = new BreakerTelemetry<TResult>(telemetry, telemetryHasListener);
        _classifier = new OutcomeClassifier<TResult>(options.ShouldHandle, _telemetry);
        _breakDurations = new BreakDurations<TResult>(options.BreakDuration, options.BreakDurationGenerator, _telemetry);
        _defaultPredicate = _classifier.IsDefault;
        _listenerList = (ListenerList)options.Listeners;
        _listeners = new CallListeners<TResult>(_listenerList, Id, _telemetry);
        _transitions = new TransitionQueue<TResult>(new TransitionEvents<TResult>(options, _listeners, _telemetry));
        _rejections = new Rejections(Id, telemetry);

        _subscription = _inMemoryStore is not null ? _inMemoryStore.Subscribe((IBreakerStateObserver)this) : _store.Subscribe(this);
        _stateProvider = options.StateProvider;
        _stateProvider?.Attach(this);
        if (options.ManualControl is { } manualControl)
        {
            _manualControlRegistration = manualControl.Register(this);
            if (manualControl.IsIsolated)
            {
                _ = ApplyManualAsync(ManualCommand.Isolate, CancellationToken.None).AsTask();
            }
        }

        _telemetry.ReportBuilt(new NygardBreakerHandle(this));
    }

    /// <summary>Gets a value indicating whether calls may take the clean path: the default predicate and no listeners.</summary>
    internal bool CleanPathEligible => _defaultPredicate && _listenerList.IsEmpty;

    /// <summary>Runs one call through the breaker.</summary>
    public ValueTask<Outcome<TCall>> ExecuteAsync<TCall, TState>(Func<ResilienceContext, TState, ValueTask<Outcome<TCall>>> callback, ResilienceContext context, TState state)
    {
        // The clean path: a closed breaker admits without a change, and a synchronous success changes nothing if the
        // breaker had no failures and nothing happened meanwhile. It reads the stamp twice and writes nothing.
        var stamp = Stamp;
        if (!CleanPathEligible || !BreakerStateMachine.AdmitsFreely(stamp))
        {
            return ExecuteUncleanAsync(callback, context, state);
        }

        ValueTask<Outcome<TCall>> pending;
        try
        {
            pending = callback(context, state);
        }
        catch (Exception e)
        {
            return RecordThrownAndRethrowAsync<TCall>(new CallTicket(stamp.Generation, null), e, context);
        }

        if (!pending.IsCompletedSuccessfully)
        {
            return CompleteAsync(pending, new CallTicket(stamp.Generation, null), context);
        }

        var outcome = pending.Result;
        if (outcome.Exception is null && BreakerStateMachine.IsCleanSuccess(stamp) && Stamp == stamp)
        {
            CountCleanSuccess();
            return new ValueTask<Outcome<TCall>>(outcome);
        }

        return CompleteAsync(new ValueTask<Outcome<TCall>>(outcome), new CallTicket(stamp.Generation, null), context);
    }

    /// <summary>Counts a success that took the clean path; with no counter this is one field read.</summary>
    internal void CountCleanSuccess() => _callCounter?.Add(NygardBreakerCallOutcome.Success);

    /// <summary>
    /// Runs a call that did not take the clean path. A closed breaker admits it and a rejection that changes nothing is
    /// answered at once, both decided on the stamp and break end read without a lock; anything else is decided on the
    /// whole state.
    /// </summary>
    [MethodImpl(MethodImplOptions.NoInlining)] // keeps the clean path's frame small
    internal ValueTask<Outcome<TCall>> ExecuteUncleanAsync<TCall, TState>(Func<ResilienceContext, TState, ValueTask<Outcome<TCall>>> callback, ResilienceContext context, TState state)
    {
        if (_listeners.Any)
        {
            return ExecuteWithListenersAsync(callback, context, state);
        }

        var stamp = ReadStamp(out var openUntil);
        if (BreakerStateMachine.AdmitsFreely(stamp))
        {
            return RunAsync(callback, context, state, new CallTicket(stamp.Generation, null));
        }

        // Stryker disable once Conditional : RejectsAtOnce reads the time only for an open breaker, so reading the clock for every state decides the same; the condition only spares the read.
        var now = stamp.State == CircuitState.Open ? _clock.NowFor(stamp.Generation, openUntil) : default;
        if (!stamp.IsBusy && BreakerStateMachine.RejectsAtOnce(stamp.State, stamp.Generation, openUntil, now) is { } rejection)
        {
            return new ValueTask<Outcome<TCall>>(Reject<TCall>(rejection));
        }

        return AdmitAndRunAsync(callback, context, state);
    }

    private async ValueTask<Outcome<TCall>> ExecuteWithListenersAsync<TCall, TState>(Func<ResilienceContext, TState, ValueTask<Outcome<TCall>>> callback, ResilienceContext context, TState state)
    {
        await _listeners.BeforeCallAsync(context).ConfigureAwait(context.ContinueOnCapturedContext);
        return await AdmitAndRunAsync(callback, context, state).ConfigureAwait(context.ContinueOnCapturedContext);
    }

    /// <summary>
    /// Decides the call's admission on the whole state, stores it and runs the call if it was admitted. The state is
    /// handled outside any async method, so that a store step that completes at once copies it only on the stack.
    /// </summary>
    private ValueTask<Outcome<TCall>> AdmitAndRunAsync<TCall, TState>(Func<ResilienceContext, TState, ValueTask<Outcome<TCall>>> callback, ResilienceContext context, TState state)
    {
        var next = Read(out var expected);
        var admission = AdmitNow(ref next);
        var storing = TryStoreAsync(next, expected, default(Outcome<TResult>?), context, attempt: 1);
        if (!storing.IsCompletedSuccessfully)
        {
            return AdmitAgainAsync(storing, admission, callback, context, state);
        }

        return storing.Result
            ? Admitted(callback, context, state, admission)
            : AdmitAgainAsync(new ValueTask<bool>(false), admission, callback, context, state);
    }

    /// <summary>Waits for a store step that did not complete at once, and decides again while the store holds something newer.</summary>
    private async ValueTask<Outcome<TCall>> AdmitAgainAsync<TCall, TState>(ValueTask<bool> storing, Admission admission, Func<ResilienceContext, TState, ValueTask<Outcome<TCall>>> callback, ResilienceContext context, TState state)
    {
        for (var attempt = 2; !await storing.ConfigureAwait(false); attempt++)
        {
            var next = Read(out var expected);
            admission = AdmitNow(ref next);
            storing = TryStoreAsync(next, expected, default(Outcome<TResult>?), context, attempt);
        }

        return await Admitted(callback, context, state, admission).ConfigureAwait(context.ContinueOnCapturedContext);
    }

    /// <summary>Runs the call of a stored admission, or rejects it.</summary>
    private ValueTask<Outcome<TCall>> Admitted<TCall, TState>(Func<ResilienceContext, TState, ValueTask<Outcome<TCall>>> callback, ResilienceContext context, TState state, in Admission admission) =>
        admission.Kind != AdmissionKind.Admitted
            ? new ValueTask<Outcome<TCall>>(Reject<TCall>(admission))
            : RunAsync(callback, context, state, admission.Ticket);

    /// <summary>Runs an admitted call and records how it ended.</summary>
    private ValueTask<Outcome<TCall>> RunAsync<TCall, TState>(Func<ResilienceContext, TState, ValueTask<Outcome<TCall>>> callback, ResilienceContext context, TState state, CallTicket ticket)
    {
        ValueTask<Outcome<TCall>> pending;
        try
        {
            pending = callback(context, state);
        }
        catch (Exception e)
        {
            return RecordThrownAndRethrowAsync<TCall>(ticket, e, context);
        }

        return CompleteAsync(pending, ticket, context);
    }

    private Admission AdmitNow(ref BreakerState state) =>
        // Stryker disable once Conditional : a closed state is admitted without reading the time, so reading the clock anyway decides the same; the condition only spares the read.
        BreakerStateMachine.Admit(ref state, BreakerStateMachine.AdmitsFreely(state.State) ? default : _clock.Now, Policy);

    private Outcome<TCall> Reject<TCall>(in Admission rejection)
    {
        _callCounter?.Add(NygardBreakerCallOutcome.Rejected);
        return Outcome.FromException<TCall>(_rejections.Create(rejection));
    }

    internal async ValueTask<Outcome<TCall>> CompleteAsync<TCall>(ValueTask<Outcome<TCall>> pending, CallTicket ticket, ResilienceContext context)
    {
        Outcome<TCall> outcome;
        try
        {
            outcome = await pending.ConfigureAwait(context.ContinueOnCapturedContext);
        }
        catch (Exception e)
        {
            // ExecuteOutcomeAsync callbacks should not throw, but one that does must not keep a probe's permit:
            // its exception is recorded as its outcome and propagates unchanged.
            await RecordAsync(ticket, Outcome.FromException<TCall>(e), context).ConfigureAwait(context.ContinueOnCapturedContext);
            throw;
        }

        var kind = await RecordAsync(ticket, outcome, context).ConfigureAwait(context.ContinueOnCapturedContext);
        if (kind != OutcomeKind.Neutral && _listeners.Any)
        {
            await _listeners.AfterCallAsync(context, outcome, kind == OutcomeKind.Failure).ConfigureAwait(context.ContinueOnCapturedContext);
        }

        return outcome;
    }

    internal async ValueTask<Outcome<TCall>> RecordThrownAndRethrowAsync<TCall>(CallTicket ticket, Exception exception, ResilienceContext context)
    {
        await RecordAsync(ticket, Outcome.FromException<TCall>(exception), context).ConfigureAwait(context.ContinueOnCapturedContext);
        ExceptionDispatchInfo.Throw(exception);
        return default;
    }

    /// <summary>Classifies how an admitted call ended and records it; returns how it counted.</summary>
    private async ValueTask<OutcomeKind> RecordAsync<TCall>(CallTicket ticket, Outcome<TCall> outcome, ResilienceContext context)
    {
        var kind = await _classifier.ClassifyAsync(outcome, context).ConfigureAwait(false);
        _callCounter?.Add(kind switch
        {
            OutcomeKind.Success => NygardBreakerCallOutcome.Success,
            OutcomeKind.Failure => NygardBreakerCallOutcome.Failure,
            _ => NygardBreakerCallOutcome.Ignored,
        });
        if (kind == OutcomeKind.Failure && _failureCounter is { } counter && BreakerStateMachine.CountsWithoutTransition(Read(out _), ticket, Policy) &&
            await counter.TryCountFailureAsync(ticket.Generation, Policy.FailureThreshold, CancellationToken.None).ConfigureAwait(false))
        {
            return kind;
        }

        for (var attempt = 1; !await RecordOnceAsync(ticket, kind, outcome, context, attempt).ConfigureAwait(false); attempt++)
        {
        }

        return kind;
    }

    /// <summary>
    /// Decides what an outcome does on the whole state and stores it: <see langword="false"/> to decide again. Like
    /// <see cref="AdmitAndRunAsync"/>, it handles the state outside any async method unless a break duration generator or
    /// the store completes later.
    /// </summary>
    private ValueTask<bool> RecordOnceAsync<TCall>(CallTicket ticket, OutcomeKind kind, Outcome<TCall> outcome, ResilienceContext context, int attempt)
    {
        var next = Read(out var expected);
        var now = BreakerStateMachine.RecordNeedsTime(next, ticket, kind, Policy) ? _clock.Now : default;
        var decision = BreakerStateMachine.Decide(ref next, ticket, kind, now, Policy);
        return decision.Opens
            ? OpenAndStoreAsync(ref next, expected, decision, now, outcome, context, attempt)
            : TryStoreAsync<TCall>(next, expected, outcome, context, attempt);
    }

    /// <summary>Chooses the break duration for a decision that opens the breaker, and stores the open state.</summary>
    private ValueTask<bool> OpenAndStoreAsync<TCall>(ref BreakerState next, in Expected expected, in Decision decision, DateTimeOffset now, Outcome<TCall> outcome, ResilienceContext context, int attempt)
    {
        var choosing = _breakDurations.ChooseAsync(decision, next.FailureCount, context);
        if (!choosing.IsCompletedSuccessfully)
        {
            return OpenAsync(next, expected, decision, now, choosing, outcome, context, attempt);
        }

        BreakerStateMachine.Open(ref next, decision, now, choosing.Result);
        return TryStoreAsync<TCall>(next, expected, outcome, context, attempt);
    }

    private async ValueTask<bool> OpenAsync<TCall>(BreakerState next, Expected expected, Decision decision, DateTimeOffset now, ValueTask<TimeSpan> choosing, Outcome<TCall> outcome, ResilienceContext context, int attempt)
    {
        var breakDuration = await choosing.ConfigureAwait(false);
        BreakerStateMachine.Open(ref next, decision, now, breakDuration);
        return await TryStoreAsync<TCall>(next, expected, outcome, context, attempt).ConfigureAwait(false);
    }
}
