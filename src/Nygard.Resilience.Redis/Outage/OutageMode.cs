using Nygard.Resilience.Redis.Codec;
using Polly.CircuitBreaker;

namespace Nygard.Resilience.Redis.Outage;

/// <summary>
/// What calls see while Redis cannot be reached, as <see cref="RedisStoreOutageBehavior"/> says. Every snapshot made
/// during an outage lives only in this process (<see cref="StoredEntry.Local"/>): it is never compared with, or
/// written over, Redis's numbering. When Redis answers again the shared state is taken up as it is.
/// </summary>
internal sealed class OutageMode(RedisStoreOutageBehavior behavior, TimeSpan maxStaleness)
{
    /// <summary>The local entry calls see from the start of an outage.</summary>
    /// <param name="current">What calls saw before.</param>
    /// <param name="now">The time on the store's clock.</param>
    /// <returns>The entry.</returns>
    public StoredEntry Enter(StoredEntry current, DateTimeOffset now) => behavior switch
    {
        RedisStoreOutageBehavior.AllowCalls => StoredEntry.Local(Fixed(current.Snapshot, CircuitState.Closed, now, newPeriod: true)),
        RedisStoreOutageBehavior.RejectCalls => StoredEntry.Local(Fixed(current.Snapshot, CircuitState.Open, now, newPeriod: true)),
        _ => StoredEntry.Local(current.Snapshot), // the same snapshot: the local breaker starts where the shared one was
    };

    /// <summary>Keeps a rejecting outage's break running while the outage lasts.</summary>
    /// <param name="current">The local entry.</param>
    /// <param name="now">The time on the store's clock.</param>
    /// <returns>The renewed entry, or <see langword="null"/> when nothing needs renewing.</returns>
    public StoredEntry? Renew(StoredEntry current, DateTimeOffset now) =>
        behavior == RedisStoreOutageBehavior.RejectCalls ? StoredEntry.Local(Fixed(current.Snapshot, CircuitState.Open, now, newPeriod: false)) : null;

    /// <summary>Whether a change computed by the breaker is kept (a local breaker) or absorbed by the fixed answer.</summary>
    public bool KeepsChanges => behavior == RedisStoreOutageBehavior.LocalBreaker;

    private NygardBreakerSnapshot Fixed(NygardBreakerSnapshot current, CircuitState state, DateTimeOffset now, bool newPeriod) => new(
        state,
        failureCount: 0,
        probeSuccesses: 0,
        failedProbes: 0,
        probeLeases: [],
        openUntil: state == CircuitState.Open ? now + (2 * maxStaleness) : null,
        transitionedAt: newPeriod ? now : current.TransitionedAt,
        isManual: false,
        generation: newPeriod ? current.Generation + 1 : current.Generation,
        version: current.Version + 1);
}
