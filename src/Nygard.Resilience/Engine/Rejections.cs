using Nygard.Resilience.StateMachine;
using Polly;
using Polly.CircuitBreaker;
using Polly.Telemetry;

namespace Nygard.Resilience.Engine;

/// <summary>
/// Makes the exceptions rejected calls get, as Polly's breaker does: <see cref="BrokenCircuitException"/> with the time
/// left and the exception that opened the breaker (when a call in this process opened it by throwing), or
/// <see cref="IsolatedCircuitException"/>; both name the breaker and carry its telemetry source.
/// </summary>
internal sealed class Rejections(NygardBreakerId breaker, ResilienceStrategyTelemetry telemetry)
{
    private readonly string _brokenMessage = $"The circuit breaker '{breaker}' is open: calls are not allowed until the break ends (see RetryAfter).";
    private readonly string _isolatedMessage = $"The circuit breaker '{breaker}' is isolated: it is held open manually until it is closed.";
    private TransitionCause? _opening;

    /// <summary>Remembers the call that opened the breaker: kept through half-open, forgotten on any other transition.</summary>
    /// <param name="current">The circuit state after the transition.</param>
    /// <param name="cause">The call in this process that caused the transition, if any.</param>
    public void OnTransition(CircuitState current, TransitionCause? cause)
    {
        if (current != CircuitState.HalfOpen)
        {
            Volatile.Write(ref _opening, current == CircuitState.Open ? cause : null);
        }
    }

    /// <summary>Makes the exception for a rejected call.</summary>
    public ExecutionRejectedException Create(in Admission rejection)
    {
        ExecutionRejectedException exception = rejection.Kind == AdmissionKind.RejectedIsolated
            ? new IsolatedCircuitException(_isolatedMessage)
            : CreateBroken(rejection.RetryAfter, rejection.OpenedIn);
        telemetry.SetTelemetrySource(exception);
        return exception;
    }

    private BrokenCircuitException CreateBroken(TimeSpan retryAfter, long openGeneration)
    {
        // BreakerStateMachine rejects only with time left (open: now < OpenUntil; half-open: live leases end after now).
        return Volatile.Read(ref _opening) is { Exception: { } inner } opening && opening.Generation == openGeneration
            ? new BrokenCircuitException(_brokenMessage, retryAfter, inner)
            : new BrokenCircuitException(_brokenMessage, retryAfter);
    }
}
