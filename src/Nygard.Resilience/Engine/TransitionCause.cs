using Polly;

namespace Nygard.Resilience.Engine;

/// <summary>
/// The call whose outcome caused a transition. The breaker hands it to the store with the change, and the store hands
/// it back to its observers for exactly that change, so that the breaker raises the transition's events with the
/// call's context and outcome whichever store keeps the state.
/// </summary>
/// <param name="Owner">The breaker that made the change; another breaker sharing the store does not borrow its call.</param>
/// <param name="Context">The call's context.</param>
/// <param name="Outcome">The call's outcome, when an outcome (not an admission) caused the change and the transition's events need it.</param>
/// <param name="Exception">The exception the call ended with, if any: a rejection's inner exception after a trip.</param>
/// <param name="Generation">The circuit period the transition begins.</param>
internal sealed record TransitionCause<TResult>(object Owner, ResilienceContext Context, Outcome<TResult>? Outcome, Exception? Exception, long Generation);
