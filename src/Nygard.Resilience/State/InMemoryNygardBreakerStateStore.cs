namespace Nygard.Resilience;

/// <summary>
/// Keeps a breaker's state in this process. Pipelines given the same instance behave as one breaker.
/// </summary>
/// <remarks>
/// Reading <see cref="Current"/> is a single volatile read. Replacements take a short lock so that observers
/// learn of changes in the order they happened; the lock is never taken on the clean success path.
/// </remarks>
public sealed class InMemoryNygardBreakerStateStore : INygardBreakerStateStore
{
    private readonly object _gate = new();
    private volatile NygardBreakerSnapshot _current = NygardBreakerSnapshot.Initial;
    private readonly NygardBreakerStateObservers _observers = new();

    /// <summary>
    /// Initializes a new instance of the <see cref="InMemoryNygardBreakerStateStore"/> class, closed and with no failures.
    /// </summary>
    public InMemoryNygardBreakerStateStore()
    {
    }

    /// <inheritdoc/>
    public NygardBreakerSnapshot Current => _current;

    /// <inheritdoc/>
    public DateTimeOffset GetUtcNow(TimeProvider localTime)
    {
        ArgumentNullException.ThrowIfNull(localTime);
        return localTime.GetUtcNow();
    }

    /// <inheritdoc/>
    public ValueTask<bool> TryReplaceAsync(NygardBreakerSnapshot expected, NygardBreakerSnapshot replacement, object? cause, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(expected);
        ArgumentNullException.ThrowIfNull(replacement);

        lock (_gate)
        {
            var previous = _current;
            if (previous.Version != expected.Version)
            {
                return new ValueTask<bool>(false);
            }

            _current = replacement;
            _observers.NotifyChanged(previous, replacement, cause);
        }

        return new ValueTask<bool>(true);
    }

    /// <inheritdoc/>
    public IDisposable Subscribe(INygardBreakerStateObserver observer) => _observers.Add(observer);
}
