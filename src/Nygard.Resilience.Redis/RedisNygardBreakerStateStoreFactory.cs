using StackExchange.Redis;

namespace Nygard.Resilience.Redis;

/// <summary>
/// Creates a <see cref="RedisNygardBreakerStateStore"/> for every breaker built through dependency injection, keyed
/// by its pipeline, instance and strategy name. Register it as the <see cref="INygardBreakerStateStoreFactory"/>:
/// <c>services.AddSingleton&lt;INygardBreakerStateStoreFactory&gt;(sp =&gt; new RedisNygardBreakerStateStoreFactory(sp.GetRequiredService&lt;IConnectionMultiplexer&gt;()))</c>.
/// </summary>
/// <param name="connection">The Redis connection.</param>
/// <param name="options">The stores' options, or <see langword="null"/> for the defaults.</param>
public sealed class RedisNygardBreakerStateStoreFactory(IConnectionMultiplexer connection, RedisNygardBreakerStateStoreOptions? options = null) : INygardBreakerStateStoreFactory
{
    private readonly IConnectionMultiplexer _connection = connection ?? throw new ArgumentNullException(nameof(connection));

    /// <inheritdoc/>
    public INygardBreakerStateStore Create(string breakerKey) => new RedisNygardBreakerStateStore(_connection, breakerKey, options);
}
