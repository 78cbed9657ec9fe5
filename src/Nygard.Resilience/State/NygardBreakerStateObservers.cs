namespace Nygard.Resilience;

/// <summary>
/// The observers of one <see cref="INygardBreakerStateStore"/>: a helper for store implementations. Adding and
/// removing are thread-safe; a store calls the <c>Notify</c> methods under its own lock, so that observers learn of
/// changes in the order they happened.
/// </summary>
public sealed class NygardBreakerStateObservers
{
    private readonly object _gate = new();
    private INygardBreakerStateObserver[] _observers = [];

    /// <summary>
    /// Adds an observer.
    /// </summary>
    /// <param name="observer">The observer.</param>
    /// <returns>A handle that removes the observer when disposed (the return value of <see cref="INygardBreakerStateStore.Subscribe"/>).</returns>
    public IDisposable Add(INygardBreakerStateObserver observer)
    {
        ArgumentNullException.ThrowIfNull(observer);

        lock (_gate)
        {
            _observers = [.. _observers, observer];
        }

        return new Subscription(this, observer);
    }

    /// <summary>Tells every observer that the stored snapshot changed.</summary>
    /// <param name="previous">The snapshot before the change.</param>
    /// <param name="current">The snapshot after the change.</param>
    /// <param name="cause">The cause given with the change, or <see langword="null"/> for a change made elsewhere.</param>
    public void NotifyChanged(NygardBreakerSnapshot previous, NygardBreakerSnapshot current, object? cause)
    {
        foreach (var observer in Volatile.Read(ref _observers))
        {
            observer.OnChanged(previous, current, cause);
        }
    }

    /// <summary>Tells every observer that the store lost or regained its backend.</summary>
    /// <param name="isAvailable">Whether the backend is reachable again.</param>
    /// <param name="exception">What made it unavailable, if known.</param>
    public void NotifyAvailabilityChanged(bool isAvailable, Exception? exception)
    {
        foreach (var observer in Volatile.Read(ref _observers))
        {
            observer.OnStoreAvailabilityChanged(isAvailable, exception);
        }
    }

    /// <summary>Tells every observer of a problem that is not an outage.</summary>
    /// <param name="problem">What went wrong.</param>
    public void NotifyProblem(Exception problem)
    {
        ArgumentNullException.ThrowIfNull(problem);
        foreach (var observer in Volatile.Read(ref _observers))
        {
            observer.OnStoreProblem(problem);
        }
    }

    private void Remove(INygardBreakerStateObserver observer)
    {
        lock (_gate)
        {
            _observers = Array.FindAll(_observers, o => !ReferenceEquals(o, observer));
        }
    }

    private sealed class Subscription(NygardBreakerStateObservers observers, INygardBreakerStateObserver observer) : IDisposable
    {
        private int _disposed;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _disposed, 1) == 0)
            {
                observers.Remove(observer);
            }
        }
    }
}
