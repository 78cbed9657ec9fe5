using Nygard.Resilience.Redis.Codec;
using StackExchange.Redis;

namespace Nygard.Resilience.Redis.Tests.Support;

/// <summary>Reads and writes a breaker's stored value directly, as an operator or another client would (no PUBLISH).</summary>
internal static class StoredValues
{
    public static async Task<StoredEntry> ReadAsync(BreakerInstance instance)
    {
        var raw = (string?)await instance.Connection.GetDatabase().StringGetAsync(instance.Store.Key) ?? string.Empty;
        Assert.True(SnapshotCodec.TryDecode(raw, out var entry, out var error), error);
        return entry;
    }

    /// <summary>Reads the stored state, or <see langword="null"/> while the value is not a valid one.</summary>
    public static async Task<Polly.CircuitBreaker.CircuitState?> TryReadStateAsync(BreakerInstance instance)
    {
        try
        {
            var raw = (string?)await instance.Connection.GetDatabase().StringGetAsync(instance.Store.Key) ?? string.Empty;
            return SnapshotCodec.TryDecode(raw, out var entry, out _) && entry.IsStored ? entry.Snapshot.State : null;
        }
        catch (RedisServerException)
        {
            return null; // not a string
        }
    }

    public static Task WriteAsync(BreakerInstance instance, NygardBreakerSnapshot snapshot, string incarnation) =>
        instance.Connection.GetDatabase().StringSetAsync(instance.Store.Key, SnapshotCodec.Encode(incarnation, snapshot));

    public static Task WriteRawAsync(IConnectionMultiplexer connection, string key, string raw) =>
        connection.GetDatabase().StringSetAsync(key, raw);
}
