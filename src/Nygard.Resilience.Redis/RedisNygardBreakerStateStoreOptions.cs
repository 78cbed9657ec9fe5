using System.ComponentModel.DataAnnotations;
using Nygard.Resilience.Redis.Options;

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
    [Required(AllowEmptyStrings = true)]
    public string KeyPrefix { get; set; } = "nygard:breaker:";

    /// <summary>
    /// Gets or sets how long the key lives once no instance uses it. Every write and every refresh by a live
    /// instance extends it.
    /// </summary>
    /// <value>Defaults to 7 days. Must be more than one day (the longest break).</value>
    [TimeSpanRange("1.00:00:00.001", "10000.00:00:00")]
    public TimeSpan KeyExpiry { get; set; } = TimeSpan.FromDays(7);

    /// <summary>
    /// Gets or sets how long a cached snapshot is trusted without news from Redis. Changes normally arrive at once
    /// through pub/sub (a message is only a hint that makes the store re-read the key). A breaker that is not closed
    /// re-reads its state this often, so that a lost message, a lost key or a rolled-back value is corrected within
    /// this bound; so does every breaker while its subscription is down, and a store in an outage tries Redis again
    /// this often. An idle closed breaker with a healthy subscription sends nothing.
    /// </summary>
    /// <value>Defaults to 1 second. From 1 millisecond to 1 hour.</value>
    [TimeSpanRange("00:00:00.001", "01:00:00")]
    public TimeSpan MaxStaleness { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>
    /// Gets or sets the longest a call or a manual command waits for Redis in total when it records a failure or a
    /// transition, waiting behind this process's other writes and a retry included; it also bounds the constructor's
    /// first read. A slower answer counts as an outage: the call goes on with <see cref="OutageBehavior"/> instead of
    /// waiting.
    /// </summary>
    /// <value>Defaults to 250 milliseconds. From 1 millisecond to 1 minute.</value>
    [TimeSpanRange("00:00:00.001", "00:01:00")]
    public TimeSpan OperationTimeout { get; set; } = TimeSpan.FromMilliseconds(250);

    /// <summary>
    /// Gets or sets what the store does while Redis cannot be reached. Calls never fail because Redis is down.
    /// </summary>
    /// <value>Defaults to <see cref="RedisStoreOutageBehavior.LocalBreaker"/>.</value>
    [EnumDataType(typeof(RedisStoreOutageBehavior))]
    public RedisStoreOutageBehavior OutageBehavior { get; set; } = RedisStoreOutageBehavior.LocalBreaker;

    /// <summary>
    /// Gets or sets this host's clock. The store measures its offset to the Redis server's <c>TIME</c> and answers
    /// with server time, so hosts whose clocks disagree still agree on when a break ends.
    /// </summary>
    /// <value>Defaults to <see cref="TimeProvider.System"/>.</value>
    [Required]
    public TimeProvider TimeProvider { get; set; } = TimeProvider.System;
}
