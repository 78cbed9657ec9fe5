namespace Nygard.Resilience.Redis;

/// <summary>
/// The two Lua scripts the store runs. Each touches one key, so it is atomic and Redis Cluster safe, and each
/// returns the server's <c>TIME</c> so that every round trip also refreshes the clock offset.
/// </summary>
internal static class RedisScripts
{
    /// <summary>
    /// Compare-and-swap: KEYS[1] the state hash; ARGV expected version, new version, new snapshot, expiry in ms,
    /// change channel. Returns {1, seconds, microseconds} when stored (and published), otherwise
    /// {0, seconds, microseconds, current snapshot or ''}. A missing key has version 0.
    /// </summary>
    public const string CompareAndSwap = """
        local now = redis.call('TIME')
        local version = redis.call('HGET', KEYS[1], 'v') or '0'
        if version == ARGV[1] then
          redis.call('HSET', KEYS[1], 'v', ARGV[2], 'd', ARGV[3])
          redis.call('PEXPIRE', KEYS[1], ARGV[4])
          redis.call('PUBLISH', ARGV[5], ARGV[3])
          return {1, now[1], now[2]}
        end
        return {0, now[1], now[2], redis.call('HGET', KEYS[1], 'd') or ''}
        """;

    /// <summary>
    /// Read: KEYS[1] the state hash; ARGV expiry in ms. Returns {seconds, microseconds, snapshot or ''} and extends
    /// the expiry of a key that exists.
    /// </summary>
    public const string Read = """
        local now = redis.call('TIME')
        local data = redis.call('HGET', KEYS[1], 'd')
        if data then
          redis.call('PEXPIRE', KEYS[1], ARGV[1])
        end
        return {now[1], now[2], data or ''}
        """;
}
