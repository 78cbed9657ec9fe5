using Polly;

namespace Nygard.Resilience.Events;

/// <summary>A transition waiting for its events to be raised.</summary>
/// <param name="Previous">The snapshot before the transition.</param>
/// <param name="Current">The snapshot after it.</param>
/// <param name="Context">The context of the call that caused it, when that call is still waiting for its events.</param>
/// <param name="Outcome">The outcome of the call that caused it, if any.</param>
internal readonly record struct PendingTransition<TResult>(
    NygardBreakerSnapshot Previous,
    NygardBreakerSnapshot Current,
    ResilienceContext? Context,
    Outcome<TResult>? Outcome);
