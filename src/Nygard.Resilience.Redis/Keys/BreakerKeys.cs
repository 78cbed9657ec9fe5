using StackExchange.Redis;

namespace Nygard.Resilience.Redis.Keys;

/// <summary>
/// The names one breaker uses in Redis: the state key <c>{prefix}{{key}}</c> (the breaker's own key is a hash tag,
/// so a Redis Cluster keeps everything about it in one slot) and the change channel <c>{prefix}{{key}}:changes</c>.
/// </summary>
internal sealed class BreakerKeys
{
    public BreakerKeys(string prefix, string key)
    {
        Name = $"{prefix}{{{key}}}";
        State = [Name];
        ChannelName = $"{Name}:changes";
        Channel = RedisChannel.Literal(ChannelName);
    }

    /// <summary>Gets the state key's name.</summary>
    public string Name { get; }

    /// <summary>Gets the state key, as the scripts' KEYS.</summary>
    public RedisKey[] State { get; }

    /// <summary>Gets the change channel's name.</summary>
    public string ChannelName { get; }

    /// <summary>Gets the change channel.</summary>
    public RedisChannel Channel { get; }
}
