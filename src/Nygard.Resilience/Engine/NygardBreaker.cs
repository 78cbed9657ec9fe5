using System.Runtime.CompilerServices;
using System.Runtime.ExceptionServices;
using Nygard.Resilience.Events;
using Nygard.Resilience.StateMachine;
using Polly;
using Polly.Telemetry;

namespace Nygard.Resilience.Engine;

/// <summary>
/// One built breaker. A call is admitted, runs, has its outcome classified and recorded; the state machine decides
/// every step, the store swaps the snapshots it returns, and the transition queue raises the events of each change.
/// <typeparamref name="TResult"/> is the options' result type; a call's own result type may differ (the non-generic
/// builder), so outcomes are converted only where an event or a custom predicate needs them. The store step and what
/// the store tells the breaker are in <c>NygardBreaker.Store.cs</c>.
/// </summary>
internal sealed partial class NygardBreaker<TResult> : INygardBreaker, INygardBreakerStateObserver, IDisposable
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
    private readonly Rejections<TResult> _rejections;
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
        _rejections = new Rejections<TResult>(Id, telemetry);

        _subscription = _store.Subscribe(this);
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

    public NygardBreakerId Id { get; }

    public BreakerPolicy Policy { get; }

    public INygardBreakerStateStore Store => _store;

    public TimeProvider TimeProvider => _clock.Local;

    public bool IsStoreAvailable => Volatile.Read(ref _storeUnavailable) == 0;

    public bool IsDisposed => Volatile.Read(ref _disposed) != 0;

    /// <summary>Gets the store's snapshot; the in-memory store is read through its sealed type, which spares a virtual call on every call.</summary>
    public NygardBreakerSnapshot Snapshot => _inMemoryStore is not null ? _inMemoryStore.Current : _store.Current;

    public Task NextTransition => _transitions.NextTransition;

    public NygardBreakerCallCounter? CallCounter
    {
        get => Volatile.Read(ref _callCounter);
        set => Volatile.Write(ref _callCounter, value);
    }

    /// <summary>Gets a value indicating whether calls may take the clean path: the default predicate and no listeners.</summary>
    internal bool CleanPathEligible => _defaultPredicate && _listenerList.IsEmpty;

    public DateTimeOffset GetUtcNow() => _clock.Now;

    public void Dispose()
    {
        // Stryker disable once Block,Statement : disposing again would repeat idempotent steps only (each subscription and registration removes by reference once; Detach clears only this breaker), so no test can tell.
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        _subscription.Dispose();
        _manualControlRegistration?.Dispose();
        _stateProvider?.Detach(this);
    }

    /// <summary>Runs one call through the breaker.</summary>
    public ValueTask<Outcome<TCall>> ExecuteAsync<TCall, TState>(Func<ResilienceContext, TState, ValueTask<Outcome<TCall>>> callback, ResilienceContext context, TState state)
    {
        // The clean path: a closed breaker admits without a change, and a synchronous success changes nothing if the
        // breaker had no failures and nothing happened meanwhile. It reads the snapshot twice and writes nothing.
        if (!CleanPathEligible || Snapshot is not { } snapshot || !BreakerStateMachine.AdmitsFreely(snapshot))
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
            return RecordThrownAndRethrowAsync<TCall>(new CallTicket(snapshot.Generation, null), e, context);
        }

        if (!pending.IsCompletedSuccessfully)
        {
            return CompleteAsync(pending, new CallTicket(snapshot.Generation, null), context);
        }

        var outcome = pending.Result;
        if (outcome.Exception is null && BreakerStateMachine.IsCleanSuccess(snapshot) && ReferenceEquals(Snapshot, snapshot))
        {
            CountCleanSuccess();
            return new ValueTask<Outcome<TCall>>(outcome);
        }

        return CompleteAsync(new ValueTask<Outcome<TCall>>(outcome), new CallTicket(snapshot.Generation, null), context);
    }

    /// <summary>Counts a success that took the clean path; with no counter this is one field read.</summary>
    internal void CountCleanSuccess() => _callCounter?.Add(NygardBreakerCallOutcome.Success);

    public async ValueTask ApplyManualAsync(ManualCommand command, CancellationToken cancellationToken)
    {
        var context = ResilienceContextPool.Shared.Get(cancellationToken);
        try
        {
            for (var attempt = 1; ; attempt++)
            {
                var snapshot = Snapshot;
                var next = BreakerStateMachine.Manual(snapshot, command, _clock.Now, Policy.BreakDuration);
                if (await TryStoreAsync(snapshot, next, default(Outcome<TResult>?), context, attempt).ConfigureAwait(false))
                {
                    return;
                }
            }
        }
        // Stryker disable once Block,Statement : returning the context to Polly's shared pool only lets a later Get reuse it; a context not returned is collected, and the pool is process-wide, so no test can tell which instance a later Get hands out.
        finally
        {
            ResilienceContextPool.Shared.Return(context);
        }
    }

    /// <summary>Runs a call that did not take the clean path: a rejection that changes nothing is answered at once.</summary>
    [MethodImpl(MethodImplOptions.NoInlining)] // keeps the clean path's frame small
    internal ValueTask<Outcome<TCall>> ExecuteUncleanAsync<TCall, TState>(Func<ResilienceContext, TState, ValueTask<Outcome<TCall>>> callback, ResilienceContext context, TState state)
    {
        if (_listeners.Any)
        {
            return ExecuteWithListenersAsync(callback, context, state);
        }

        var snapshot = Snapshot;
        var admission = BreakerStateMachine.Admit(snapshot, BreakerStateMachine.AdmitsFreely(snapshot) ? default : _clock.NowFor(snapshot), Policy);
        return admission.Kind != AdmissionKind.Admitted && ReferenceEquals(admission.Next, snapshot)
            ? new ValueTask<Outcome<TCall>>(Reject<TCall>(admission))
            : ExecuteAdmittingAsync(callback, context, state, snapshot, admission);
    }

    private async ValueTask<Outcome<TCall>> ExecuteWithListenersAsync<TCall, TState>(Func<ResilienceContext, TState, ValueTask<Outcome<TCall>>> callback, ResilienceContext context, TState state)
    {
        await _listeners.BeforeCallAsync(context).ConfigureAwait(context.ContinueOnCapturedContext);
        var snapshot = Snapshot;
        return await ExecuteAdmittingAsync(callback, context, state, snapshot, AdmitNow(snapshot)).ConfigureAwait(context.ContinueOnCapturedContext);
    }

    /// <summary>Stores <paramref name="admission"/>, decided on <paramref name="snapshot"/>, and runs the call if it was admitted.</summary>
    private async ValueTask<Outcome<TCall>> ExecuteAdmittingAsync<TCall, TState>(
        Func<ResilienceContext, TState, ValueTask<Outcome<TCall>>> callback,
        ResilienceContext context,
        TState state,
        NygardBreakerSnapshot snapshot,
        Admission admission)
    {
        for (var attempt = 1; !await TryStoreAsync(snapshot, admission.Next, default(Outcome<TResult>?), context, attempt).ConfigureAwait(false); attempt++)
        {
            snapshot = Snapshot;
            admission = AdmitNow(snapshot);
        }

        if (admission.Kind != AdmissionKind.Admitted)
        {
            return Reject<TCall>(admission);
        }

        ValueTask<Outcome<TCall>> pending;
        try
        {
            pending = callback(context, state);
        }
        catch (Exception e)
        {
            return await RecordThrownAndRethrowAsync<TCall>(admission.Ticket, e, context).ConfigureAwait(context.ContinueOnCapturedContext);
        }

        return await CompleteAsync(pending, admission.Ticket, context).ConfigureAwait(context.ContinueOnCapturedContext);
    }

    private Admission AdmitNow(NygardBreakerSnapshot snapshot) =>
        // Stryker disable once Conditional : a closed snapshot is admitted without reading the time, so reading the clock anyway decides the same; the condition only spares the read.
        BreakerStateMachine.Admit(snapshot, BreakerStateMachine.AdmitsFreely(snapshot) ? default : _clock.Now, Policy);

    private Outcome<TCall> Reject<TCall>(in Admission admission)
    {
        _callCounter?.Add(NygardBreakerCallOutcome.Rejected);
        return Outcome.FromException<TCall>(_rejections.Create(admission));
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
        if (kind == OutcomeKind.Failure && _failureCounter is { } counter && BreakerStateMachine.CountsWithoutTransition(Snapshot, ticket, Policy) &&
            await counter.TryCountFailureAsync(ticket.Generation, Policy.FailureThreshold, CancellationToken.None).ConfigureAwait(false))
        {
            return kind;
        }

        for (var attempt = 1; ; attempt++)
        {
            var snapshot = Snapshot;
            var now = BreakerStateMachine.RecordNeedsTime(snapshot, ticket, kind, Policy) ? _clock.Now : default;
            var decision = BreakerStateMachine.Decide(snapshot, ticket, kind, now, Policy);
            var next = decision.Next ?? BreakerStateMachine.Open(snapshot, decision, now, await _breakDurations.ChooseAsync(decision, snapshot, context).ConfigureAwait(false));
            if (await TryStoreAsync<TCall>(snapshot, next, outcome, context, attempt).ConfigureAwait(false))
            {
                return kind;
            }
        }
    }
}
