using System.Collections.Immutable;
using Polly.CircuitBreaker;

namespace Nygard.Resilience.StateMachine;

/// <summary>
/// The breaker's whole behaviour as pure functions of (snapshot, event, now, policy). No clock, no locks, no I/O:
/// stores swap the snapshots these functions return, and the strategy raises events for the transitions.
/// </summary>
/// <remarks>
/// Every function returns the same snapshot instance when nothing changes. A changed snapshot has
/// <c>Version + 1</c>; a transition to another state also has <c>Generation + 1</c>.
/// </remarks>
internal static class BreakerStateMachine
{
    /// <summary>Decides whether a call may run now.</summary>
    public static Admission Admit(NygardBreakerSnapshot snapshot, DateTimeOffset now, in BreakerPolicy policy)
    {
        switch (snapshot.State)
        {
            case CircuitState.Closed:
                return new(AdmissionKind.Admitted, snapshot, new CallTicket(snapshot.Generation, null), TimeSpan.Zero);

            case CircuitState.Open when now.UtcTicks < snapshot.OpenUntilUtcTicks: // no break end (NoTime) is never later than now
                return new(AdmissionKind.RejectedOpen, snapshot, default, TimeSpan.FromTicks(snapshot.OpenUntilUtcTicks - now.UtcTicks));

            case CircuitState.Open:
            {
                // The break is over: this call half-opens the breaker and is its first probe.
                var lease = SaturatingTime.Add(now, policy.BreakDuration);
                var halfOpen = Transition(snapshot, CircuitState.HalfOpen, now, isManual: false, probeLeases: [lease]);
                return new(AdmissionKind.Admitted, halfOpen, new CallTicket(halfOpen.Generation, lease), TimeSpan.Zero);
            }

            case CircuitState.HalfOpen:
            {
                var live = LiveLeases(snapshot.ProbeLeases, now);
                if (live.Length < policy.HalfOpenPermits)
                {
                    var lease = SaturatingTime.Add(now, policy.BreakDuration);
                    var next = Change(snapshot, probeLeases: live.Add(lease));
                    return new(AdmissionKind.Admitted, next, new CallTicket(next.Generation, lease), TimeSpan.Zero);
                }

                var pruned = live.Length == snapshot.ProbeLeases.Length ? snapshot : Change(snapshot, probeLeases: live);
                return new(AdmissionKind.RejectedOpen, pruned, default, Earliest(live) - now);
            }

            default:
                return new(AdmissionKind.RejectedIsolated, snapshot, default, TimeSpan.Zero);
        }
    }

    /// <summary>Tells whether admitting a call to this snapshot changes nothing and needs no time: the breaker is closed.</summary>
    public static bool AdmitsFreely(NygardBreakerSnapshot snapshot) => snapshot.State == CircuitState.Closed;

    /// <summary>Tells whether a success recorded against this snapshot changes nothing: closed, with no failures to reset.</summary>
    public static bool IsCleanSuccess(NygardBreakerSnapshot snapshot) => snapshot is { State: CircuitState.Closed, FailureCount: 0 };

    /// <summary>
    /// Tells whether a failure of a call admitted with <paramref name="ticket"/> only adds one to the failure count of a
    /// closed breaker, without tripping it: what a store's one-step failure counter may do instead of a full change.
    /// </summary>
    public static bool CountsWithoutTransition(NygardBreakerSnapshot snapshot, CallTicket ticket, in BreakerPolicy policy) =>
        snapshot.State == CircuitState.Closed && !ticket.IsProbe && ticket.Generation == snapshot.Generation && snapshot.FailureCount + 1 < policy.FailureThreshold;

    /// <summary>The time left until the break ends: never negative, and <see langword="null"/> unless the breaker is open.</summary>
    public static TimeSpan? RetryAfter(NygardBreakerSnapshot snapshot, DateTimeOffset now)
    {
        if (snapshot is not { State: CircuitState.Open, OpenUntil: { } openUntil })
        {
            return null;
        }

        var left = openUntil - now;
        // Stryker disable once Equality : when left is exactly zero both branches return zero, so > and >= cannot be told apart.
        return left > TimeSpan.Zero ? left : TimeSpan.Zero;
    }

    /// <summary>
    /// Tells whether recording this outcome reads the clock: only opening the breaker and probes do, so the common
    /// closed-state outcome below the threshold can skip it.
    /// </summary>
    public static bool RecordNeedsTime(NygardBreakerSnapshot snapshot, CallTicket ticket, OutcomeKind kind, in BreakerPolicy policy) =>
        ticket.IsProbe || snapshot.State != CircuitState.Closed || (kind == OutcomeKind.Failure && snapshot.FailureCount + 1 >= policy.FailureThreshold);

    /// <summary>Decides what the outcome of a call admitted with <paramref name="ticket"/> does.</summary>
    /// <param name="snapshot">The current snapshot.</param>
    /// <param name="ticket">The call's ticket.</param>
    /// <param name="kind">How the outcome counts.</param>
    /// <param name="now">The store's time (only read when <see cref="RecordNeedsTime"/> says so).</param>
    /// <param name="policy">The option values.</param>
    public static Decision Decide(NygardBreakerSnapshot snapshot, CallTicket ticket, OutcomeKind kind, DateTimeOffset now, in BreakerPolicy policy)
    {
        if (ticket.Generation != snapshot.Generation)
        {
            return new(snapshot, 0); // a late outcome from an earlier circuit period
        }

        if (snapshot.State == CircuitState.Closed && !ticket.IsProbe)
        {
            return kind switch
            {
                OutcomeKind.Success when snapshot.FailureCount != 0 => new(Change(snapshot, failureCount: 0), 0),
                OutcomeKind.Failure when snapshot.FailureCount + 1 >= policy.FailureThreshold => new(null, 0),
                OutcomeKind.Failure => new(Change(snapshot, failureCount: snapshot.FailureCount + 1), 0),
                _ => new(snapshot, 0),
            };
        }

        if (snapshot.State != CircuitState.HalfOpen || ticket.ProbeLease is not { } lease)
        {
            return new(snapshot, 0);
        }

        // A probe whose lease lapsed gave its permit back already, but its outcome still counts in its own period.
        return kind switch
        {
            OutcomeKind.Success when snapshot.ProbeSuccesses + 1 >= policy.SuccessThreshold =>
                new(Transition(snapshot, CircuitState.Closed, now, isManual: false, failureCount: 0, failedProbes: 0), 0),
            OutcomeKind.Success => new(Change(snapshot, failureCount: 0, probeSuccesses: snapshot.ProbeSuccesses + 1, probeLeases: snapshot.ProbeLeases.Remove(lease)), 0),
            OutcomeKind.Failure => new(null, snapshot.FailedProbes + 1),
            _ => new(Change(snapshot, probeLeases: snapshot.ProbeLeases.Remove(lease)), 0),
        };
    }

    /// <summary>Opens the breaker after a <see cref="Decision"/> that <see cref="Decision.Opens"/>: one more failure, for <paramref name="breakDuration"/>.</summary>
    public static NygardBreakerSnapshot Open(NygardBreakerSnapshot snapshot, in Decision decision, DateTimeOffset now, TimeSpan breakDuration) =>
        Transition(snapshot, CircuitState.Open, now, isManual: false, failureCount: snapshot.FailureCount + 1, failedProbes: decision.FailedProbes, openUntil: SaturatingTime.Add(now, breakDuration));

    /// <summary>Records an outcome in one step, with a fixed break duration should it open the breaker.</summary>
    public static NygardBreakerSnapshot Record(NygardBreakerSnapshot snapshot, CallTicket ticket, OutcomeKind kind, DateTimeOffset now, in BreakerPolicy policy, TimeSpan breakDuration)
    {
        var decision = Decide(snapshot, ticket, kind, now, policy);
        return decision.Next ?? Open(snapshot, decision, now, breakDuration);
    }

    /// <summary>Applies a manual change. A command that leaves the state as it was changes nothing, except that closing resets the count.</summary>
    public static NygardBreakerSnapshot Manual(NygardBreakerSnapshot snapshot, ManualCommand command, DateTimeOffset now, TimeSpan breakDuration)
    {
        return command switch
        {
            ManualCommand.Open when snapshot.State != CircuitState.Open =>
                Transition(snapshot, CircuitState.Open, now, isManual: true, openUntil: SaturatingTime.Add(now, breakDuration)),
            ManualCommand.HalfOpen when snapshot.State != CircuitState.HalfOpen =>
                Transition(snapshot, CircuitState.HalfOpen, now, isManual: true),
            ManualCommand.Isolate when snapshot.State != CircuitState.Isolated =>
                Transition(snapshot, CircuitState.Isolated, now, isManual: true),
            ManualCommand.Close when snapshot.State != CircuitState.Closed =>
                Transition(snapshot, CircuitState.Closed, now, isManual: true, failureCount: 0, failedProbes: 0),
            ManualCommand.Close when snapshot.FailureCount != 0 => Change(snapshot, failureCount: 0),
            _ => snapshot,
        };
    }

    private static ImmutableArray<DateTimeOffset> LiveLeases(ImmutableArray<DateTimeOffset> leases, DateTimeOffset now)
    {
        foreach (var lease in leases)
        {
            if (lease <= now)
            {
                return leases.RemoveAll(l => l <= now);
            }
        }

        return leases;
    }

    private static DateTimeOffset Earliest(ImmutableArray<DateTimeOffset> leases)
    {
        var earliest = DateTimeOffset.MaxValue;
        foreach (var lease in leases)
        {
            // Stryker disable once Equality : when lease equals earliest both branches give the same value, so < and <= cannot be told apart.
            earliest = lease < earliest ? lease : earliest;
        }

        return earliest;
    }

    private static NygardBreakerSnapshot Transition(
        NygardBreakerSnapshot from,
        CircuitState state,
        DateTimeOffset now,
        bool isManual,
        int? failureCount = null,
        int? failedProbes = null,
        DateTimeOffset? openUntil = null,
        ImmutableArray<DateTimeOffset> probeLeases = default) =>
        new(
            state,
            failureCount ?? from.FailureCount,
            probeSuccesses: 0,
            failedProbes ?? from.FailedProbes,
            probeLeases.IsDefault ? [] : probeLeases,
            openUntil,
            transitionedAt: now,
            isManual,
            from.Generation + 1,
            from.Version + 1);

    private static NygardBreakerSnapshot Change(
        NygardBreakerSnapshot from,
        int? failureCount = null,
        int? probeSuccesses = null,
        ImmutableArray<DateTimeOffset> probeLeases = default) =>
        new(
            from.State,
            failureCount ?? from.FailureCount,
            probeSuccesses ?? from.ProbeSuccesses,
            from.FailedProbes,
            probeLeases.IsDefault ? from.ProbeLeases : probeLeases,
            from.OpenUntil,
            from.TransitionedAt,
            from.IsManual,
            from.Generation,
            from.Version + 1);
}
