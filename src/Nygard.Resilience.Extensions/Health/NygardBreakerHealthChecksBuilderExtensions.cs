using Microsoft.Extensions.Diagnostics.HealthChecks;
using Nygard.Resilience.Health;
using Nygard.Resilience;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>
/// Reports the breakers built through dependency injection as a health check.
/// </summary>
public static class NygardBreakerHealthChecksBuilderExtensions
{
    /// <summary>
    /// Adds a health check over every breaker in the container's <see cref="NygardBreakerRegistry"/> (inline options, <c>AddNygardBreaker(context)</c> and HttpClient handlers alike): Healthy while all are
    /// closed, <paramref name="failureStatus"/> while any is not. The result's data holds, under each breaker's id
    /// (<c>pipeline/strategy</c> or <c>pipeline/instance/strategy</c>), a dictionary of structured values: <c>state</c>,
    /// <c>failureCount</c>, <c>failureThreshold</c>, <c>retryAfterSeconds</c>, <c>shared</c> and <c>storeAvailable</c>.
    /// </summary>
    /// <param name="builder">The health checks builder.</param>
    /// <param name="name">The health check's name.</param>
    /// <param name="failureStatus">The status reported while any breaker is not closed.</param>
    /// <param name="tags">The health check's tags.</param>
    /// <returns>The same builder.</returns>
    public static IHealthChecksBuilder AddNygardBreakers(
        this IHealthChecksBuilder builder,
        string name = "nygard-breakers",
        HealthStatus failureStatus = HealthStatus.Degraded,
        IEnumerable<string>? tags = null)
    {
        ArgumentNullException.ThrowIfNull(builder);

        builder.Services.AddNygardBreakerRegistry();
        return builder.Add(new HealthCheckRegistration(name, static sp => new NygardBreakerHealthCheck(sp.GetRequiredService<NygardBreakerRegistry>()), failureStatus, tags));
    }
}
