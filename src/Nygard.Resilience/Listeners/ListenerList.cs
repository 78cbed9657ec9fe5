using System.Collections;

namespace Nygard.Resilience;

/// <summary>
/// The options' <c>Listeners</c>: a list that may change while breakers read it (aiobreaker's <c>add_listener</c> and
/// <c>remove_listener</c> after the breaker is built). Every change copies the array; readers take the current array
/// with one volatile read and never see a list half changed.
/// </summary>
internal sealed class ListenerList : IList<INygardBreakerListener>
{
    private readonly object _gate = new();
    private INygardBreakerListener[] _items = [];
    private volatile bool _isEmpty = true;

    /// <summary>Gets the listeners as they are now; the array is never changed afterwards.</summary>
    public INygardBreakerListener[] Current => Volatile.Read(ref _items);

    /// <summary>Gets a value indicating whether the list is empty: read on every call, so it is a field of its own.</summary>
    public bool IsEmpty => _isEmpty;

    public int Count => Current.Length;

    public bool IsReadOnly => false;

    public INygardBreakerListener this[int index]
    {
        get => Current[index];
        set => Change(items =>
        {
            ArgumentNullException.ThrowIfNull(value);
            var copy = (INygardBreakerListener[])items.Clone();
            copy[index] = value;
            return copy;
        });
    }

    public void Add(INygardBreakerListener item)
    {
        ArgumentNullException.ThrowIfNull(item);
        Change(items => [.. items, item]);
    }

    public void Insert(int index, INygardBreakerListener item)
    {
        ArgumentNullException.ThrowIfNull(item);
        Change(items =>
        {
            ArgumentOutOfRangeException.ThrowIfGreaterThan((uint)index, (uint)items.Length, nameof(index));
            return [.. items[..index], item, .. items[index..]];
        });
    }

    public bool Remove(INygardBreakerListener item)
    {
        // Stryker disable once Boolean : Change always runs the lambda synchronously, which assigns removed before it is read, so the initial value is never observed.
        var removed = false;
        Change(items =>
        {
            var index = Array.IndexOf(items, item);
            removed = index >= 0;
            return removed ? [.. items[..index], .. items[(index + 1)..]] : items;
        });
        return removed;
    }

    public void RemoveAt(int index) => Change(items =>
    {
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual((uint)index, (uint)items.Length, nameof(index));
        return [.. items[..index], .. items[(index + 1)..]];
    });

    public void Clear() => Change(_ => []);

    public bool Contains(INygardBreakerListener item) => Array.IndexOf(Current, item) >= 0;

    public int IndexOf(INygardBreakerListener item) => Array.IndexOf(Current, item);

    public void CopyTo(INygardBreakerListener[] array, int arrayIndex) => Current.CopyTo(array, arrayIndex);

    public IEnumerator<INygardBreakerListener> GetEnumerator() => ((IEnumerable<INygardBreakerListener>)Current).GetEnumerator();

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

    private void Change(Func<INygardBreakerListener[], INygardBreakerListener[]> change)
    {
        lock (_gate)
        {
            var items = change(_items);
            Volatile.Write(ref _items, items);
            _isEmpty = items.Length == 0;
        }
    }
}
