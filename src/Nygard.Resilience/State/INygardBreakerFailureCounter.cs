namespace Nygard.Resilience;

/// <summary>
/// An optional capability of an <see cref="INygardBreakerStateStore"/>: counts a handled failure that does not trip
/// the breaker in one atomic step, without a compare-and-swap that concurrent failures could make each other retry.
/// A remote store shared by many instances implements it so that failure storms cost one round trip per failure.
/// </summary>
public interface INygardBreakerFailureCounter
{
    /// <summary>
    /// Adds one to the failure count of a breaker that is closed in circuit period <paramref name="generation"/>, when
    /// that leaves the count below <paramref name="failureThreshold"/>, atomically for every user of the store, and
    /// notifies the observers (with a <see langword="null"/> cause). Otherwise returns <see langword="false"/>, and the
    /// breaker records the failure with its state machine and <see cref="INygardBreakerStateStore.TryReplaceAsync"/> as
    /// usual (a store may also decline whenever it prefers that path, for example while it recovers from an outage).
    /// </summary>
    /// <param name="generation">The circuit period the failed call was admitted in.</param>
    /// <param name="failureThreshold">The breaker's failure threshold.</param>
    /// <param name="cancellationToken">The cancellation token.</param>
    /// <returns><see langword="true"/> when the failure was counted.</returns>
    ValueTask<bool> TryCountFailureAsync(long generation, int failureThreshold, CancellationToken cancellationToken);
}
