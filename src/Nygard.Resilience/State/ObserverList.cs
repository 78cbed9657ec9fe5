namespace Nygard.Resilience;

/// <summary>
/// Observers that may come and go while a store notifies them: every change copies the array, and a notification reads
/// the current array with one volatile read.
/// </summary>
/// <typeparam name="T">The observer type.</typeparam>
internal sealed class ObserverList<T>
    where T : class
{
    private readonly object _gate = new();
    private T[] _items = [];

    /// <summary>Gets the observers as they are now; the array is never changed afterwards.</summary>
    public T[] Current => Volatile.Read(ref _items);

    /// <summary>Adds an observer.</summary>
    /// <param name="observer">The observer.</param>
    /// <returns>A handle that removes the observer when disposed.</returns>
    public IDisposable Add(T observer)
    {
        ArgumentNullException.ThrowIfNull(observer);

        lock (_gate)
        {
            _items = [.. _items, observer];
        }

        return new Subscription(this, observer);
    }

    private void Remove(T observer)
    {
        lock (_gate)
        {
            _items = Array.FindAll(_items, o => !ReferenceEquals(o, observer));
        }
    }

    private sealed class Subscription(ObserverList<T> observers, T observer) : IDisposable
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
