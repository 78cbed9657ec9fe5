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

            case CircuitState.Open when snapshot.OpenUntil is { } openUntil && now < openUntil:
                return new(AdmissionKind.RejectedOpen, snapshot, default, openUntil - now);

            case CircuitState.Open:
            {
                // The break is over: this call half-opens the breaker and is its first probe.
                var lease = Clock.Add(now, policy.ProbeLease);
                var halfOpen = Transition(snapshot, CircuitState.HalfOpen, now, isManual: false, probeLeases: [lease]);
                return new(AdmissionKind.Admitted, halfOpen, new CallTicket(halfOpen.Generation, lease), TimeSpan.Zero);
            }

            case CircuitState.HalfOpen:
            {
                var live = LiveLeases(snapshot.ProbeLeases, now);
                if (live.Length < policy.HalfOpenPermits)
                {
                    var lease = Clock.Add(now, policy.ProbeLease);
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

    /// <summary>
    /// Tells whether recording this outcome opens the breaker and, if so, how many consecutive probes will
    /// have failed (the <c>HalfOpenAttempts</c> a break duration generator is given); -1 when it does not open.
    /// </summary>
    public static int HalfOpenAttemptsIfOpening(NygardBreakerSnapshot snapshot, CallTicket ticket, OutcomeKind kind, DateTimeOffset now, in BreakerPolicy policy)
    {
        if (kind != OutcomeKind.Failure || ticket.Generation != snapshot.Generation)
        {
            return -1;
        }

        return snapshot.State switch
        {
            CircuitState.Closed when snapshot.FailureCount + 1 >= policy.FailureThreshold => 0,
            CircuitState.HalfOpen when ticket.IsProbe => snapshot.FailedProbes + 1,
            _ => -1,
        };
    }

    /// <summary>The time left until the break ends: never negative, and <see langword="null"/> unless the breaker is open.</summary>
    public static TimeSpan? RetryAfter(NygardBreakerSnapshot snapshot, DateTimeOffset now)
    {
        if (snapshot is not { State: CircuitState.Open, OpenUntil: { } openUntil })
        {
            return null;
        }

        var left = openUntil - now;
        return left > TimeSpan.Zero ? left : TimeSpan.Zero;
    }

    /// <summary>
    /// Tells whether recording this outcome reads the clock: only opening the breaker and probes do, so the common
    /// closed-state failure below the threshold can skip it.
    /// </summary>
    public static bool RecordNeedsTime(NygardBreakerSnapshot snapshot, CallTicket ticket, OutcomeKind kind, in BreakerPolicy policy) =>
        ticket.IsProbe || snapshot.State != CircuitState.Closed || (kind == OutcomeKind.Failure && snapshot.FailureCount + 1 >= policy.FailureThreshold);

    /// <summary>Records the outcome of a call admitted with <paramref name="ticket"/>.</summary>
    /// <param name="snapshot">The current snapshot.</param>
    /// <param name="ticket">The call's ticket.</param>
    /// <param name="kind">How the outcome counts.</param>
    /// <param name="now">The store's time.</param>
    /// <param name="policy">The option values.</param>
    /// <param name="breakDuration">How long to stay open if this outcome opens the breaker.</param>
    public static NygardBreakerSnapshot Record(
        NygardBreakerSnapshot snapshot,
        CallTicket ticket,
        OutcomeKind kind,
        DateTimeOffset now,
        in BreakerPolicy policy,
        TimeSpan breakDuration)
    {
        if (ticket.Generation != snapshot.Generation)
        {
            return snapshot; // a late outcome from an earlier circuit period
        }

        if (snapshot.State == CircuitState.Closed && !ticket.IsProbe)
        {
            return kind switch
            {
                OutcomeKind.Success when snapshot.FailureCount != 0 => Change(snapshot, failureCount: 0),
                OutcomeKind.Failure when snapshot.FailureCount + 1 >= policy.FailureThreshold =>
                    Open(snapshot, snapshot.FailureCount + 1, failedProbes: 0, now, breakDuration),
                OutcomeKind.Failure => Change(snapshot, failureCount: snapshot.FailureCount + 1),
                _ => snapshot,
            };
        }

        if (snapshot.State != CircuitState.HalfOpen || ticket.ProbeLease is not { } lease)
        {
            return snapshot;
        }

        // A probe whose lease lapsed gave its permit back already, but its outcome still counts in its own period.
        var remaining = snapshot.ProbeLeases.Remove(lease);
        switch (kind)
        {
            case OutcomeKind.Success when snapshot.ProbeSuccesses + 1 >= policy.SuccessThreshold:
                return Transition(snapshot, CircuitState.Closed, now, isManual: false, failureCount: 0, failedProbes: 0);
            case OutcomeKind.Success:
                return Change(snapshot, failureCount: 0, probeSuccesses: snapshot.ProbeSuccesses + 1, probeLeases: remaining);
            case OutcomeKind.Failure:
                return Open(snapshot, snapshot.FailureCount + 1, snapshot.FailedProbes + 1, now, breakDuration);
            default:
                return Change(snapshot, probeLeases: remaining);
        }
    }

    /// <summary>Applies a manual change. A command that leaves the state as it was changes nothing, except that closing resets the count.</summary>
    public static NygardBreakerSnapshot Manual(NygardBreakerSnapshot snapshot, ManualCommand command, DateTimeOffset now, TimeSpan breakDuration)
    {
        return command switch
        {
            ManualCommand.Open when snapshot.State != CircuitState.Open =>
                Transition(snapshot, CircuitState.Open, now, isManual: true, openUntil: Clock.Add(now, breakDuration)),
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

    private static NygardBreakerSnapshot Open(NygardBreakerSnapshot snapshot, int failureCount, int failedProbes, DateTimeOffset now, TimeSpan breakDuration) =>
        Transition(snapshot, CircuitState.Open, now, isManual: false, failureCount: failureCount, failedProbes: failedProbes, openUntil: Clock.Add(now, breakDuration));

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
