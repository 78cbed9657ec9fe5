namespace Nygard.Resilience.AspNetCore.Json;

/// <summary>One breaker as the endpoints write it (SPEC "Operations").</summary>
internal sealed record BreakerView(
    string Id,
    string? Pipeline,
    string? Instance,
    string Strategy,
    string State,
    int FailureCount,
    DateTimeOffset? OpenUntil,
    double? RetryAfterSeconds,
    int FailureThreshold,
    double BreakDurationSeconds,
    int HalfOpenPermits,
    int SuccessThreshold,
    bool Shared,
    bool StoreAvailable,
    DateTimeOffset? LastTransitionAt)
{
    public static BreakerView From(NygardBreakerHandle breaker)
    {
        var snapshot = breaker.Snapshot;
        var now = breaker.GetUtcNow();
        return new BreakerView(
            breaker.Id.ToString(),
            breaker.Id.PipelineName,
            breaker.Id.PipelineInstanceName,
            breaker.Id.StrategyName,
            snapshot.State.ToString(),
            snapshot.FailureCount,
            snapshot.State == Polly.CircuitBreaker.CircuitState.Open ? snapshot.OpenUntil : null,
            snapshot.GetRetryAfter(now)?.TotalSeconds,
            breaker.FailureThreshold,
            breaker.BreakDuration.TotalSeconds,
            breaker.HalfOpenPermits,
            breaker.SuccessThreshold,
            breaker.IsShared,
            breaker.IsStoreAvailable,
            snapshot.TransitionedAt == DateTimeOffset.MinValue ? null : snapshot.TransitionedAt);
    }
}
