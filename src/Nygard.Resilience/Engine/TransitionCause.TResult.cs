using Polly;

namespace Nygard.Resilience.Engine;

/// <summary>
/// The whole call that caused a transition, so that the breaker raises the transition's events with the call's context
/// and outcome whichever store keeps the state.
/// </summary>
/// <typeparam name="TResult">The options' result type.</typeparam>
/// <param name="Owner">The breaker that made the change.</param>
/// <param name="Context">The call's context.</param>
/// <param name="Outcome">The call's outcome, when an outcome (not an admission) caused the change.</param>
/// <param name="Exception">The exception the call ended with, if any.</param>
/// <param name="Generation">The circuit period the transition begins.</param>
internal sealed record TransitionCause<TResult>(object Owner, ResilienceContext Context, Outcome<TResult>? Outcome, Exception? Exception, long Generation)
    : TransitionCause(Owner, Exception, Generation);
