namespace Nygard.Resilience.Redis.Commands;

/// <summary>
/// The two Lua scripts the store runs. Each touches one key, so it is atomic and Redis Cluster safe, and each
/// returns the server's <c>TIME</c> so that every round trip also refreshes the clock offset. The state is one
/// string value; a key of another type (someone else's data, or an old format) reads as <c>\u0001type</c>, so that
/// it can be seen, reported and overwritten by a repair.
/// </summary>
internal static class RedisScripts
{
    /// <summary>What a key of another type reads as: this prefix and the type's name.</summary>
    public const string WrongTypePrefix = "\u0001";

    /// <summary>
    /// Compare-and-swap: KEYS[1] the state; ARGV expected value ('' for no key), new value, expiry in ms, change
    /// channel, change hint. Returns {1, seconds, microseconds} when stored (and the hint published, if the user may:
    /// a hint is not worth failing a write for), otherwise {0, seconds, microseconds, stored value}.
    /// </summary>
    public const string CompareAndSwap = """
        local now = redis.call('TIME')
        local kind = redis.call('TYPE', KEYS[1])['ok']
        local stored = ''
        if kind == 'string' then stored = redis.call('GET', KEYS[1]) elseif kind ~= 'none' then stored = '\1' .. kind end
        if stored == ARGV[1] then
          redis.call('SET', KEYS[1], ARGV[2], 'PX', ARGV[3])
          redis.pcall('PUBLISH', ARGV[4], ARGV[5])
          return {1, now[1], now[2]}
        end
        return {0, now[1], now[2], stored}
        """;

    /// <summary>
    /// Read: KEYS[1] the state; ARGV expiry in ms. Returns {seconds, microseconds, stored value or ''} and extends the
    /// expiry of a key that exists.
    /// </summary>
    public const string Read = """
        local now = redis.call('TIME')
        local kind = redis.call('TYPE', KEYS[1])['ok']
        local stored = ''
        if kind == 'string' then stored = redis.call('GET', KEYS[1]) elseif kind ~= 'none' then stored = '\1' .. kind end
        if kind == 'string' then redis.call('PEXPIRE', KEYS[1], ARGV[1]) end
        return {now[1], now[2], stored}
        """;
}
