namespace Nygard.Resilience.Redis;

/// <summary>What a <see cref="RedisNygardBreakerStateStore"/> does while Redis cannot be reached.</summary>
public enum RedisStoreOutageBehavior
{
    /// <summary>
    /// Keep protecting with a breaker local to this instance, starting from the last state seen in Redis.
    /// When Redis is back the shared state is taken up again and the local one is dropped.
    /// </summary>
    LocalBreaker,

    /// <summary>Let every call through, as if the breaker were closed, until Redis is back.</summary>
    AllowCalls,

    /// <summary>Reject every call with a <c>BrokenCircuitException</c> until Redis is back.</summary>
    RejectCalls,
}
