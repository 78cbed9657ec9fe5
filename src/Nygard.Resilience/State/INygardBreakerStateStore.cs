namespace Nygard.Resilience;

/// <summary>
/// Keeps one breaker's shared state. Every pipeline that uses the same store (in one process or, for a
/// remote store, in many) is one breaker.
/// </summary>
/// <remarks>
/// <para>
/// A store does not decide anything: the breaker computes every new <see cref="NygardBreakerSnapshot"/> with
/// one state machine and asks the store to swap it in with <see cref="TryReplaceAsync"/>, which must be atomic
/// across every user of the store.
/// </para>
/// <para>
/// <see cref="Current"/> is read on every call and must not do I/O: a remote store answers from a local cache
/// that it keeps fresh from its own change notifications.
/// </para>
/// </remarks>
public interface INygardBreakerStateStore
{
    /// <summary>
    /// Gets the latest snapshot known to this process, without I/O.
    /// </summary>
    NygardBreakerSnapshot Current { get; }

    /// <summary>
    /// Returns the store's clock. Shared deadlines are measured on it, so that hosts whose clocks disagree
    /// still agree on when a break ends.
    /// </summary>
    /// <param name="localTime">The breaker's own time provider (the pipeline builder's).</param>
    /// <returns>The current time on the store's clock.</returns>
    DateTimeOffset GetUtcNow(TimeProvider localTime);

    /// <summary>
    /// Replaces the stored snapshot with <paramref name="replacement"/> if, and only if, the stored
    /// snapshot's <see cref="NygardBreakerSnapshot.Version"/> equals <paramref name="expected"/>'s.
    /// </summary>
    /// <remarks>
    /// On success the store must notify its observers of the change, with <paramref name="cause"/>, before the
    /// returned task completes. A store that learns of its own write another way first (for example a remote store's
    /// change notification echoing it) must not report it without the cause: it drops the echo. Changes the store
    /// learns of from elsewhere are reported with a <see langword="null"/> cause. On failure the store must refresh
    /// <see cref="Current"/> so that the caller can retry; a store that cannot tell the caller anything newer leaves
    /// <see cref="Current"/> as it was, and the caller stops retrying. A store that cannot reach its backend must not
    /// throw and must not hold the caller up.
    /// </remarks>
    /// <param name="expected">The snapshot the replacement was computed from.</param>
    /// <param name="replacement">The new snapshot.</param>
    /// <param name="cause">
    /// What caused the change, opaque to the store: handed back unchanged to the observers for exactly this change,
    /// so that the breaker that made it can raise its events with the call's context and outcome.
    /// </param>
    /// <param name="cancellationToken">The cancellation token.</param>
    /// <returns><see langword="true"/> when the replacement was stored.</returns>
    ValueTask<bool> TryReplaceAsync(NygardBreakerSnapshot expected, NygardBreakerSnapshot replacement, object? cause, CancellationToken cancellationToken);

    /// <summary>
    /// Subscribes an observer to every change of the stored snapshot, in version order.
    /// </summary>
    /// <param name="observer">The observer.</param>
    /// <returns>A handle that ends the subscription when disposed.</returns>
    IDisposable Subscribe(INygardBreakerStateObserver observer);
}
