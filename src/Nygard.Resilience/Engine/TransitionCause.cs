namespace Nygard.Resilience.Engine;

/// <summary>
/// The call that caused a transition, as much of it as rejections need: the breaker hands it to the store with the
/// change, and the store hands it back to its observers for exactly that change. A breaker whose transitions someone
/// observes hands the whole call (<see cref="TransitionCause{TResult}"/>).
/// </summary>
/// <param name="Owner">The breaker that made the change; another breaker sharing the store does not borrow its call.</param>
/// <param name="Exception">The exception the call ended with, if any: a rejection's inner exception after a trip.</param>
/// <param name="Generation">The circuit period the transition begins.</param>
internal record TransitionCause(object Owner, Exception? Exception, long Generation);
