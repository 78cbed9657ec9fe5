using System.Globalization;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Polly.CircuitBreaker;

namespace Nygard.Resilience.Health;

/// <summary>Healthy while every registered breaker is closed; the chosen status otherwise.</summary>
internal sealed class NygardBreakerHealthCheck(NygardBreakerRegistry registry) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(context);

        var breakers = registry.Breakers;
        var data = new Dictionary<string, object>(StringComparer.Ordinal);
        foreach (var breaker in breakers)
        {
            data[breaker.Id.ToString()] = Describe(breaker);
        }

        var notClosed = breakers.Where(b => b.State != CircuitState.Closed).Select(b => $"{b.Id} is {b.State}").ToList();
        var result = notClosed.Count == 0
            ? HealthCheckResult.Healthy(string.Create(CultureInfo.InvariantCulture, $"All {breakers.Count} circuit breakers are closed."), data)
            : new HealthCheckResult(context.Registration.FailureStatus, string.Create(CultureInfo.InvariantCulture, $"{notClosed.Count} of {breakers.Count} circuit breakers are not closed: {string.Join(", ", notClosed)}."), data: data);
        return Task.FromResult(result);
    }

    /// <summary>Structured values, so that a JSON response writer prints numbers and names, not prose.</summary>
    private static Dictionary<string, object?> Describe(NygardBreakerHandle breaker)
    {
        var snapshot = breaker.Snapshot;
        return new Dictionary<string, object?>(StringComparer.Ordinal)
        {
            ["state"] = snapshot.State.ToString(),
            ["failureCount"] = snapshot.FailureCount,
            ["failureThreshold"] = breaker.FailureThreshold,
            ["retryAfterSeconds"] = snapshot.GetRetryAfter(breaker.GetUtcNow())?.TotalSeconds,
            ["shared"] = breaker.IsShared,
            ["storeAvailable"] = breaker.IsStoreAvailable,
        };
    }
}
