using Nygard.Resilience.StateMachine;

namespace Nygard.Resilience;

/// <summary>
/// What a breaker learns from the in-memory store it reads the state of: each change as values, so that a change nobody
/// else observes makes no snapshot.
/// </summary>
internal interface IBreakerStateObserver
{
    /// <summary>Called under the store's lock when the state changed; must return quickly and must not call back into the store.</summary>
    /// <param name="previous">The state before the change.</param>
    /// <param name="current">The state after the change.</param>
    /// <param name="cause">The cause given with the change, or <see langword="null"/>.</param>
    void OnChanged(in BreakerState previous, in BreakerState current, object? cause);
}
