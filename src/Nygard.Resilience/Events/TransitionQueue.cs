using System.Collections.Concurrent;
using Nygard.Resilience.Engine;
using Nygard.Resilience.StateMachine;

namespace Nygard.Resilience.Events;

/// <summary>
/// Raises one breaker's transitions in the order the store made them, one at a time and outside any lock. The store
/// reports each transition while it changes the state; the call that caused it then raises it (and any queued before
/// it) before returning, so that its events carry its context while that context is still the call's. A transition
/// made elsewhere (another pipeline, another process) has no call waiting for it and is raised in the background.
/// </summary>
/// <remarks>
/// A call made from inside an event delegate or listener does not wait for its own transition, which is queued behind
/// the one whose handler is running: that transition is raised when the running handlers are done.
/// </remarks>
[System.Diagnostics.CodeAnalysis.SuppressMessage("Design", "CA1001:Types that own disposable fields should be disposable", Justification = "The semaphore's wait handle is never created, so it holds nothing to release; events may still be raised in the background after the strategy is disposed.")]
internal sealed class TransitionQueue<TResult>(TransitionEvents<TResult> events)
{
    private readonly ConcurrentQueue<PendingTransition<TResult>> _pending = new();
    private readonly SemaphoreSlim _gate = new(1, 1);
    private TaskCompletionSource? _next;

    /// <summary>Gets a task that completes at the next transition; created only when someone waits for one.</summary>
    public Task NextTransition
    {
        get
        {
            var next = Volatile.Read(ref _next);
            if (next is null)
            {
                var created = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
                next = Interlocked.CompareExchange(ref _next, created, null) ?? created;
            }

            return next.Task;
        }
    }

    /// <summary>Gets a value indicating whether a transition has anyone to be raised to; a breaker nobody observes queues nothing.</summary>
    public bool IsObserved => events.IsObserved;

    /// <summary>
    /// Queues a transition the store just made. Called by the store while it changes the state: must not block. The
    /// events show snapshots of the two states: the store's own when it has them, made here only when someone observes.
    /// </summary>
    /// <param name="previous">The state before the transition.</param>
    /// <param name="current">The state after it.</param>
    /// <param name="cause">The call that caused it, when that call is this breaker's and will raise it.</param>
    /// <param name="previousSnapshot">The store's snapshot of <paramref name="previous"/>, if it has one.</param>
    /// <param name="currentSnapshot">The store's snapshot of <paramref name="current"/>, if it has one.</param>
    public void Enqueue(in BreakerState previous, in BreakerState current, TransitionCause<TResult>? cause, NygardBreakerSnapshot? previousSnapshot, NygardBreakerSnapshot? currentSnapshot)
    {
        if (!events.IsObserved)
        {
            Interlocked.Exchange(ref _next, null)?.TrySetResult();
            return;
        }

        var waiting = cause is not null && !HandlerScope.IsActive;
        // Stryker disable once NullCoalescing : a new snapshot of the same state shows the same values to every event; handing the store's on only spares the allocation.
        _pending.Enqueue(new PendingTransition<TResult>(previousSnapshot ?? new NygardBreakerSnapshot(previous), currentSnapshot ?? new NygardBreakerSnapshot(current), waiting ? cause!.Context : null, waiting ? cause!.Outcome : null));
        if (!waiting)
        {
            // Stryker disable once Boolean : preferLocal only chooses which thread-pool queue runs the work item; the events are raised in order by the queue either way, so no test can tell.
            ThreadPool.UnsafeQueueUserWorkItem(static queue => _ = queue.RaisePendingAsync(), this, preferLocal: false);
        }

        Interlocked.Exchange(ref _next, null)?.TrySetResult();
    }

    /// <summary>Raises what this call's own change queued (and anything queued before it), unless it runs inside a handler.</summary>
    public ValueTask RaiseOwnAsync() =>
        _pending.IsEmpty || HandlerScope.IsActive ? default : new ValueTask(RaisePendingAsync());

    private async Task RaisePendingAsync()
    {
        await _gate.WaitAsync().ConfigureAwait(false);
        try
        {
            if (events.HasHandlers)
            {
                HandlerScope.Enter();
                while (_pending.TryDequeue(out var transition))
                {
                    await events.RaiseAsync(transition, withHandlers: true).ConfigureAwait(false);
                }
            }
            else
            {
                RaiseTelemetryOnly();
            }
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>Raises the queued transitions of a breaker with no delegates or listeners: telemetry only, synchronously.</summary>
    private void RaiseTelemetryOnly()
    {
        var outer = HandlerScope.EnterOnThisThread();
        try
        {
            while (_pending.TryDequeue(out var transition))
            {
                // Stryker disable once Boolean : this runs only when there are no delegates or listeners, so raising with handlers would find none to call.
                _ = events.RaiseAsync(transition, withHandlers: false); // completes synchronously without handlers
            }
        }
        finally
        {
            HandlerScope.ExitOnThisThread(outer);
        }
    }
}
