using Polly;

namespace Nygard.Resilience.Registry;

/// <summary>Registers a breaker being added to a builder that dependency injection configures.</summary>
internal static class NygardBreakerRegistration
{
    public static NygardBreakerEntry Register<TResult>(
        ResiliencePipelineBuilderBase builder,
        IServiceProvider services,
        NygardBreakerStrategyOptions<TResult> options,
        string fallbackPipelineName,
        string? instanceName)
    {
        var instance = string.IsNullOrEmpty(instanceName) ? builder.InstanceName : instanceName;
        var identity = new NygardBreakerIdentity(builder.Name ?? fallbackPipelineName, string.IsNullOrEmpty(instance) ? null : instance, options.Name ?? "NygardBreaker");
        var entry = NygardBreakerRegistry.For(services).GetOrAdd(identity, options.StateStore);
        entry.TimeProvider = builder.TimeProvider ?? TimeProvider.System;
        return entry;
    }
}
