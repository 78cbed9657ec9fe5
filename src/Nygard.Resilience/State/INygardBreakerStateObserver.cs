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
    void OnChanged(NygardBreakerSnapshot previous, NygardBreakerSnapshot current);
}
