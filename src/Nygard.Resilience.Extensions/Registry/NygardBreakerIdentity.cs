namespace Nygard.Resilience.Registry;

/// <summary>Which breaker: the same identity after an options reload is the same breaker, with the same state.</summary>
internal sealed record NygardBreakerIdentity(string PipelineName, string? InstanceName, string StrategyName)
{
    /// <summary>Gets the identity as one string: pipeline, instance (when there is one) and strategy, joined by <c>/</c>.</summary>
    public string Key => InstanceName is null ? $"{PipelineName}/{StrategyName}" : $"{PipelineName}/{InstanceName}/{StrategyName}";
}
