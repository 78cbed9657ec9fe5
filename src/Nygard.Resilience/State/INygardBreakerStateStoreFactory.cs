namespace Nygard.Resilience;

/// <summary>
/// Creates the state store of a breaker built through dependency injection. Register one (for example the Redis
/// package's <c>RedisNygardBreakerStateStoreFactory</c>) and every breaker built by <c>AddNygardBreaker(context)</c>
/// without its own <c>StateStore</c> keeps its state there.
/// </summary>
public interface INygardBreakerStateStoreFactory
{
    /// <summary>
    /// Creates the store of one breaker. Called once per breaker and kept across options reloads.
    /// </summary>
    /// <param name="breakerKey">
    /// Identifies the breaker: its pipeline name, pipeline instance name (when there is one, such as the authority of
    /// a per-authority HTTP pipeline) and strategy name, joined by <c>/</c>.
    /// </param>
    /// <returns>The store.</returns>
    INygardBreakerStateStore Create(string breakerKey);
}
