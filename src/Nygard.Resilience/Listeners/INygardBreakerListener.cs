using Polly;
using Polly.CircuitBreaker;

namespace Nygard.Resilience;

/// <summary>
/// Observes a breaker's calls and transitions (aiobreaker's <c>CircuitBreakerListener</c>). Every method has a
/// default body that does nothing, so a listener implements only what it needs. A listener that throws is
/// reported to telemetry and otherwise ignored.
/// </summary>
public interface INygardBreakerListener
{
    /// <summary>Called before every call, whether or not the breaker lets it run.</summary>
    /// <param name="context">The call's context.</param>
    /// <returns>A task that completes when the listener is done.</returns>
    ValueTask BeforeCallAsync(ResilienceContext context) => default;

    /// <summary>Called after a call whose outcome counts as a success (not handled by <c>ShouldHandle</c>).</summary>
    /// <param name="context">The call's context.</param>
    /// <returns>A task that completes when the listener is done.</returns>
    ValueTask OnSuccessAsync(ResilienceContext context) => default;

    /// <summary>Called after a call whose outcome counts as a failure (handled by <c>ShouldHandle</c>).</summary>
    /// <param name="context">The call's context.</param>
    /// <param name="outcome">The call's outcome.</param>
    /// <returns>A task that completes when the listener is done.</returns>
    ValueTask OnFailureAsync(ResilienceContext context, Outcome<object> outcome) => default;

    /// <summary>Called once per transition, in transition order.</summary>
    /// <param name="from">The state before the transition.</param>
    /// <param name="to">The state after the transition.</param>
    /// <param name="isManual">Whether the transition was made by a <see cref="NygardBreakerManualControl"/>.</param>
    /// <returns>A task that completes when the listener is done.</returns>
    [System.Diagnostics.CodeAnalysis.SuppressMessage("Naming", "CA1716:Identifiers should not match keywords", Justification = "The parameter names are part of the published contract (SPEC).")]
    ValueTask OnStateChangedAsync(CircuitState from, CircuitState to, bool isManual) => default;

    /// <summary>
    /// Called once per transition, in transition order: what the breaker calls. Its default body calls
    /// <see cref="OnStateChangedAsync(CircuitState, CircuitState, bool)"/>; override this one to learn which breaker
    /// changed when one listener is shared by several breakers.
    /// </summary>
    /// <param name="args">The breaker, the states before and after, and whether the change was manual.</param>
    /// <returns>A task that completes when the listener is done.</returns>
    ValueTask OnStateChangedAsync(NygardBreakerStateChangedArguments args) => OnStateChangedAsync(args.From, args.To, args.IsManual);
}
