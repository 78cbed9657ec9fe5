namespace Nygard.Resilience.Redis;

/// <summary>
/// Options of a <see cref="RedisNygardBreakerStateStore"/>.
/// </summary>
public sealed class RedisNygardBreakerStateStoreOptions
{
    /// <summary>
    /// Gets or sets the prefix of the Redis key. The key is <c>{KeyPrefix}{{key}}</c>: the breaker's own key is a
    /// hash tag, so a Redis Cluster keeps everything about one breaker in one slot.
    /// </summary>
    /// <value>Defaults to <c>"nygard:breaker:"</c>.</value>
    public string KeyPrefix { get; set; } = "nygard:breaker:";

    /// <summary>
    /// Gets or sets how long the key lives once no instance uses it. Every write and every refresh by a live
    /// instance extends it.
    /// </summary>
    /// <value>Defaults to 7 days. Must be more than one day (the longest break).</value>
    public TimeSpan KeyExpiry { get; set; } = TimeSpan.FromDays(7);

    /// <summary>
    /// Gets or sets how long a cached snapshot is trusted without news from Redis. Changes normally arrive at once
    /// through pub/sub; each instance also re-reads the state this often, which bounds the staleness when a
    /// message is lost, keeps the Redis clock offset fresh and detects the end of an outage.
    /// </summary>
    /// <value>Defaults to 1 second. Must be greater than zero.</value>
    public TimeSpan MaxStaleness { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>
    /// Gets or sets the longest a call waits for Redis when it records a failure or a transition. A slower answer
    /// counts as an outage: the call goes on with <see cref="OutageBehavior"/> instead of waiting.
    /// </summary>
    /// <value>Defaults to 250 milliseconds. Must be greater than zero.</value>
    public TimeSpan OperationTimeout { get; set; } = TimeSpan.FromMilliseconds(250);

    /// <summary>
    /// Gets or sets what the store does while Redis cannot be reached. Calls never fail because Redis is down.
    /// </summary>
    /// <value>Defaults to <see cref="RedisStoreOutageBehavior.LocalBreaker"/>.</value>
    public RedisStoreOutageBehavior OutageBehavior { get; set; } = RedisStoreOutageBehavior.LocalBreaker;

    /// <summary>
    /// Gets or sets this host's clock. The store measures its offset to the Redis server's <c>TIME</c> and answers
    /// with server time, so hosts whose clocks disagree still agree on when a break ends.
    /// </summary>
    /// <value>Defaults to <see cref="TimeProvider.System"/>.</value>
    public TimeProvider TimeProvider { get; set; } = TimeProvider.System;
}
