namespace Nygard.Resilience;

/// <summary>
/// The observers of one <see cref="INygardBreakerStateStore"/>: a helper for store implementations. Adding and
/// removing are thread-safe; a store calls the <c>Notify</c> methods under its own lock, so that observers learn of
/// changes in the order they happened.
/// </summary>
public sealed class NygardBreakerStateObservers
{
    private readonly ObserverList<INygardBreakerStateObserver> _observers = new();

    /// <summary>
    /// Adds an observer.
    /// </summary>
    /// <param name="observer">The observer.</param>
    /// <returns>A handle that removes the observer when disposed (the return value of <see cref="INygardBreakerStateStore.Subscribe"/>).</returns>
    public IDisposable Add(INygardBreakerStateObserver observer) => _observers.Add(observer);

    /// <summary>Gets a value indicating whether there is no observer: a store may then skip making what it would tell them.</summary>
    internal bool IsEmpty => _observers.Current.Length == 0;

    /// <summary>Tells every observer that the stored snapshot changed.</summary>
    /// <param name="previous">The snapshot before the change.</param>
    /// <param name="current">The snapshot after the change.</param>
    /// <param name="cause">The cause given with the change, or <see langword="null"/> for a change made elsewhere.</param>
    public void NotifyChanged(NygardBreakerSnapshot previous, NygardBreakerSnapshot current, object? cause)
    {
        foreach (var observer in _observers.Current)
        {
            observer.OnChanged(previous, current, cause);
        }
    }

    /// <summary>Tells every observer that the store lost or regained its backend.</summary>
    /// <param name="isAvailable">Whether the backend is reachable again.</param>
    /// <param name="exception">What made it unavailable, if known.</param>
    public void NotifyAvailabilityChanged(bool isAvailable, Exception? exception)
    {
        foreach (var observer in _observers.Current)
        {
            observer.OnStoreAvailabilityChanged(isAvailable, exception);
        }
    }

    /// <summary>Tells every observer of a problem that is not an outage.</summary>
    /// <param name="problem">What went wrong.</param>
    public void NotifyProblem(Exception problem)
    {
        ArgumentNullException.ThrowIfNull(problem);
        foreach (var observer in _observers.Current)
        {
            observer.OnStoreProblem(problem);
        }
    }
}
