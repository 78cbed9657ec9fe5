namespace Nygard.Resilience.Redis.Commands;

/// <summary>
/// The three Lua scripts the store runs. Each touches one key, so it is atomic and Redis Cluster safe, and each
/// returns the server's <c>TIME</c> so that every round trip also refreshes the clock offset. The state is one
/// string value; a key of another type (someone else's data, or an old format) reads as <c>\u0001type</c>, so that
/// it can be seen, reported and overwritten by a repair.
/// </summary>
internal static class RedisScripts
{
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

    /// <summary>
    /// Counts one failure without a compare-and-swap, for failure storms: KEYS[1] the state; ARGV incarnation,
    /// generation, failure threshold, expiry in ms, change channel. Adds one to the failure count and the version of a
    /// stored value of that incarnation that is closed in that generation, when the count stays below the threshold
    /// (the state machine's rule for a failure that does not trip), and publishes the hint. Returns
    /// {1, seconds, microseconds, new value} when counted, otherwise {0, seconds, microseconds, stored value}: the
    /// caller then decides with the state machine and a compare-and-swap as usual. Fields are those of the codec.
    /// </summary>
    public const string CountFailure = """
        local now = redis.call('TIME')
        local kind = redis.call('TYPE', KEYS[1])['ok']
        local stored = ''
        if kind == 'string' then stored = redis.call('GET', KEYS[1]) elseif kind ~= 'none' then stored = '\1' .. kind end
        local f = {}
        local from = 1
        while true do
          local at = string.find(stored, ';', from, true)
          if not at then f[#f + 1] = string.sub(stored, from) break end
          f[#f + 1] = string.sub(stored, from, at - 1)
          from = at + 1
        end
        local version = tonumber(f[3] or '')
        local failures = tonumber(f[6] or '')
        if #f == 12 and f[1] == 'n1' and f[2] == ARGV[1] and f[4] == ARGV[2] and f[5] == '0'
          and version and version < 9007199254740991 and string.match(f[3], '^%d+$')
          and failures and string.match(f[6], '^%d+$') and failures + 1 < tonumber(ARGV[3]) then
          f[3] = string.format('%d', version + 1)
          f[6] = string.format('%d', failures + 1)
          local value = table.concat(f, ';')
          redis.call('SET', KEYS[1], value, 'PX', ARGV[4])
          redis.pcall('PUBLISH', ARGV[5], f[2] .. ':' .. f[3])
          return {1, now[1], now[2], value}
        end
        return {0, now[1], now[2], stored}
        """;
}
