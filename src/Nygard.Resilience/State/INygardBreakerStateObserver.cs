namespace Nygard.Resilience;

/// <summary>
/// Receives the changes of an <see cref="INygardBreakerStateStore"/>'s snapshot.
/// </summary>
public interface INygardBreakerStateObserver
{
    /// <summary>
    /// Called when the stored snapshot changed from <paramref name="previous"/> to <paramref name="current"/>.
    /// Must return quickly and must not call back into the store.
    /// </summary>
    /// <param name="previous">The snapshot before the change.</param>
    /// <param name="current">The snapshot after the change.</param>
    /// <param name="cause">
    /// The cause given to <see cref="INygardBreakerStateStore.TryReplaceAsync"/> for this change, or
    /// <see langword="null"/> for a change the store learned of from elsewhere (another process, a refresh).
    /// </param>
    void OnChanged(NygardBreakerSnapshot previous, NygardBreakerSnapshot current, object? cause);

    /// <summary>
    /// Called when a remote store loses or regains its backend. While it is unavailable the store keeps answering
    /// calls as its options say (for example with a local breaker); the caller's outcome never depends on it.
    /// </summary>
    /// <param name="isAvailable">Whether the backend is reachable again.</param>
    /// <param name="exception">What made it unavailable, if known.</param>
    void OnStoreAvailabilityChanged(bool isAvailable, Exception? exception)
    {
    }

    /// <summary>
    /// Called when a remote store meets a problem that is not an outage: a stored value it could not decode and
    /// repaired, or change notifications it may not subscribe to. The store keeps working.
    /// </summary>
    /// <param name="problem">What went wrong, with the backend's own message where there is one.</param>
    void OnStoreProblem(Exception problem)
    {
    }
}
