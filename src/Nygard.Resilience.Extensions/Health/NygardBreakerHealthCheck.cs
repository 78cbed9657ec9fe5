using Microsoft.Extensions.Diagnostics.HealthChecks;
using Nygard.Resilience.Registry;
using Polly.CircuitBreaker;

namespace Nygard.Resilience.Health;

/// <summary>Healthy while every breaker built through dependency injection is closed; the chosen status otherwise.</summary>
internal sealed class NygardBreakerHealthCheck(NygardBreakerRegistry registry) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(context);

        var entries = registry.Entries.ToList();
        var data = entries.ToDictionary(e => e.Identity.Key, e => (object)Describe(e), StringComparer.Ordinal);
        var notClosed = entries.Where(e => e.Snapshot.State != CircuitState.Closed).Select(e => $"{e.Identity.Key} is {e.Snapshot.State}").ToList();
        var result = notClosed.Count == 0
            ? HealthCheckResult.Healthy($"All {entries.Count} circuit breakers are closed.", data)
            : new HealthCheckResult(context.Registration.FailureStatus, $"{notClosed.Count} of {entries.Count} circuit breakers are not closed: {string.Join(", ", notClosed)}.", data: data);
        return Task.FromResult(result);
    }

    private static string Describe(NygardBreakerEntry entry)
    {
        var snapshot = entry.Snapshot;
        return entry.RetryAfter is { } retryAfter
            ? $"{snapshot.State} (failures {snapshot.FailureCount}, retry after {retryAfter.TotalSeconds:0.0}s)"
            : $"{snapshot.State} (failures {snapshot.FailureCount})";
    }
}
