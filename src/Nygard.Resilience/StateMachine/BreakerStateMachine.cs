using System.Collections.Immutable;
using Polly.CircuitBreaker;

namespace Nygard.Resilience.StateMachine;

/// <summary>
/// The breaker's whole behaviour as functions of (state, event, now, policy) that change the caller's copy of the state
/// and touch nothing else. No clock, no locks, no I/O: stores swap in the states these functions make, and the breaker
/// raises events for the transitions.
/// </summary>
/// <remarks>
/// Every function leaves the state as it was (the same <see cref="BreakerState.Version"/>) when nothing changes. A
/// changed state has <c>Version + 1</c>; a transition to another circuit state also has <c>Generation + 1</c>. The
/// functions change the caller's copy in place rather than return a new state (see <see cref="BreakerState"/> for why).
/// </remarks>
internal static class BreakerStateMachine
{
    /// <summary>Decides whether a call may run now, and changes <paramref name="state"/> into the state after admission.</summary>
    public static Admission Admit(ref BreakerState state, DateTimeOffset now, in BreakerPolicy policy)
    {
        if (RejectsAtOnce(state.State, state.Generation, state.OpenUntilUtcTicks, now) is { } rejected)
        {
            return rejected;
        }

        if (state.State == CircuitState.Closed)
        {
            return new(AdmissionKind.Admitted, new CallTicket(state.Generation, null), TimeSpan.Zero);
        }

        var lease = SaturatingTime.Add(now, policy.BreakDuration);
        if (state.State == CircuitState.Open)
        {
            // The break is over: this call half-opens the breaker and is its first probe.
            BeginPeriod(ref state, CircuitState.HalfOpen, now, isManual: false);
            state.ProbeLeases = [lease];
            return new(AdmissionKind.Admitted, new CallTicket(state.Generation, lease), TimeSpan.Zero);
        }

        var leases = state.ProbeLeases;
        var live = LiveLeases(leases, now);
        var admitted = live.Length < policy.HalfOpenPermits;
        state.ProbeLeases = admitted ? live.Add(lease) : live;
        state.Version += state.ProbeLeases == leases ? 0 : 1;
        return admitted
            ? new(AdmissionKind.Admitted, new CallTicket(state.Generation, lease), TimeSpan.Zero)
            : new(AdmissionKind.RejectedOpen, default, Earliest(live) - now, OpenedIn: state.Generation - 1);
    }

    /// <summary>
    /// Tells whether a call is rejected at once, without changing anything, judging only by the circuit state and the
    /// break end (what a store publishes without a lock): open with time left, or isolated. <see langword="null"/> when
    /// only the full state can decide.
    /// </summary>
    /// <param name="state">The circuit state.</param>
    /// <param name="generation">The circuit period.</param>
    /// <param name="openUntilUtcTicks">When the break ends, or <see cref="BreakerState.NoTime"/>.</param>
    /// <param name="now">The time (only read when open).</param>
    public static Admission? RejectsAtOnce(CircuitState state, long generation, long openUntilUtcTicks, DateTimeOffset now) => state switch
    {
        // No break end (NoTime) is never later than now.
        CircuitState.Open when now.UtcTicks < openUntilUtcTicks =>
            new Admission(AdmissionKind.RejectedOpen, default, TimeSpan.FromTicks(openUntilUtcTicks - now.UtcTicks), OpenedIn: generation),
        CircuitState.Isolated => new Admission(AdmissionKind.RejectedIsolated, default, TimeSpan.Zero, OpenedIn: generation),
        _ => null,
    };

    /// <summary>Tells whether admitting a call changes nothing and needs no time: the breaker is closed.</summary>
    public static bool AdmitsFreely(CircuitState state) => state == CircuitState.Closed;

    /// <summary>Tells whether admitting a call to this stamp changes nothing and needs no time: closed (a busy stamp never is).</summary>
    public static bool AdmitsFreely(BreakerStamp stamp) => !stamp.IsBusy && AdmitsFreely(stamp.State);

    /// <summary>Tells whether a success recorded against this stamp changes nothing: closed, with no failures to reset.</summary>
    public static bool IsCleanSuccess(BreakerStamp stamp) => AdmitsFreely(stamp) && stamp.HasNoFailures;

    /// <summary>
    /// Tells whether a failure of a call admitted with <paramref name="ticket"/> only adds one to the failure count of a
    /// closed breaker, without tripping it: what a store's one-step failure counter may do instead of a full change.
    /// </summary>
    public static bool CountsWithoutTransition(in BreakerState state, CallTicket ticket, in BreakerPolicy policy) =>
        state.State == CircuitState.Closed && !ticket.IsProbe && ticket.Generation == state.Generation && state.FailureCount + 1 < policy.FailureThreshold;

    /// <summary>The time left until the break ends: never negative, and <see langword="null"/> unless the breaker is open.</summary>
    public static TimeSpan? RetryAfter(in BreakerState state, DateTimeOffset now)
    {
        if (state is not { State: CircuitState.Open, OpenUntil: { } openUntil })
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
    public static bool RecordNeedsTime(in BreakerState state, CallTicket ticket, OutcomeKind kind, in BreakerPolicy policy) =>
        ticket.IsProbe || state.State != CircuitState.Closed || (kind == OutcomeKind.Failure && state.FailureCount + 1 >= policy.FailureThreshold);

    /// <summary>
    /// Decides what the outcome of a call admitted with <paramref name="ticket"/> does, and changes <paramref name="state"/>
    /// accordingly; a decision that <see cref="Decision.Opens"/> leaves it for <see cref="Open"/>.
    /// </summary>
    /// <param name="state">The current state; the next state on return.</param>
    /// <param name="ticket">The call's ticket.</param>
    /// <param name="kind">How the outcome counts.</param>
    /// <param name="now">The store's time (only read when <see cref="RecordNeedsTime"/> says so).</param>
    /// <param name="policy">The option values.</param>
    public static Decision Decide(ref BreakerState state, CallTicket ticket, OutcomeKind kind, DateTimeOffset now, in BreakerPolicy policy)
    {
        if (ticket.Generation != state.Generation)
        {
            return default; // a late outcome from an earlier circuit period changes nothing
        }

        if (state.State == CircuitState.Closed && !ticket.IsProbe)
        {
            if (kind == OutcomeKind.Failure && state.FailureCount + 1 >= policy.FailureThreshold)
            {
                return new(Opens: true, 0);
            }

            var failures = state.FailureCount;
            state.FailureCount = kind switch
            {
                OutcomeKind.Success => 0,
                OutcomeKind.Failure => failures + 1,
                _ => failures,
            };
            state.Version += state.FailureCount == failures ? 0 : 1;
            return default;
        }

        if (state.State != CircuitState.HalfOpen || ticket.ProbeLease is not { } lease)
        {
            return default;
        }

        // A probe whose lease lapsed gave its permit back already, but its outcome still counts in its own period.
        switch (kind)
        {
            case OutcomeKind.Success when state.ProbeSuccesses + 1 >= policy.SuccessThreshold:
                BeginPeriod(ref state, CircuitState.Closed, now, isManual: false);
                state.FailureCount = 0;
                state.FailedProbes = 0;
                return default;
            case OutcomeKind.Failure:
                return new(Opens: true, state.FailedProbes + 1);
            case OutcomeKind.Success:
                state.FailureCount = 0;
                state.ProbeSuccesses++;
                break;
        }

        state.ProbeLeases = state.ProbeLeases.Remove(lease);
        state.Version++;
        return default;
    }

    /// <summary>Opens the breaker after a <see cref="Decision"/> that <see cref="Decision.Opens"/>: one more failure, for <paramref name="breakDuration"/>.</summary>
    public static void Open(ref BreakerState state, in Decision decision, DateTimeOffset now, TimeSpan breakDuration)
    {
        BeginPeriod(ref state, CircuitState.Open, now, isManual: false);
        state.FailureCount++;
        state.FailedProbes = decision.FailedProbes;
        state.OpenUntilUtcTicks = SaturatingTime.Add(now, breakDuration).UtcTicks;
    }

    /// <summary>Records an outcome in one step, with a fixed break duration should it open the breaker.</summary>
    public static BreakerState Record(in BreakerState state, CallTicket ticket, OutcomeKind kind, DateTimeOffset now, in BreakerPolicy policy, TimeSpan breakDuration)
    {
        var next = state;
        var decision = Decide(ref next, ticket, kind, now, policy);
        if (decision.Opens)
        {
            Open(ref next, decision, now, breakDuration);
        }

        return next;
    }

    /// <summary>Applies a manual change to <paramref name="state"/>. A command that leaves the state as it was changes nothing, except that closing resets the count.</summary>
    public static void Manual(ref BreakerState state, ManualCommand command, DateTimeOffset now, TimeSpan breakDuration)
    {
        switch (command)
        {
            case ManualCommand.Open when state.State != CircuitState.Open:
                BeginPeriod(ref state, CircuitState.Open, now, isManual: true);
                state.OpenUntilUtcTicks = SaturatingTime.Add(now, breakDuration).UtcTicks;
                break;
            case ManualCommand.HalfOpen when state.State != CircuitState.HalfOpen:
                BeginPeriod(ref state, CircuitState.HalfOpen, now, isManual: true);
                break;
            case ManualCommand.Isolate when state.State != CircuitState.Isolated:
                BeginPeriod(ref state, CircuitState.Isolated, now, isManual: true);
                break;
            case ManualCommand.Close when state.State != CircuitState.Closed:
                BeginPeriod(ref state, CircuitState.Closed, now, isManual: true);
                state.FailureCount = 0;
                state.FailedProbes = 0;
                break;
            case ManualCommand.Close when state.FailureCount != 0:
                state.FailureCount = 0;
                state.Version++;
                break;
        }
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

    /// <summary>Begins a new circuit period in <paramref name="circuit"/>: no probes, no break end, the counts kept.</summary>
    private static void BeginPeriod(ref BreakerState state, CircuitState circuit, DateTimeOffset now, bool isManual)
    {
        state.State = circuit;
        state.ProbeSuccesses = 0;
        state.ProbeLeases = [];
        state.OpenUntilUtcTicks = BreakerState.NoTime;
        state.TransitionedAtUtcTicks = now.UtcTicks;
        state.IsManual = isManual;
        state.Generation++;
        state.Version++;
    }
}
