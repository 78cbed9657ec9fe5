using System.Diagnostics.CodeAnalysis;
using Nygard.Resilience;
using Nygard.Resilience.Registry;
using Polly.DependencyInjection;

namespace Polly;

/// <summary>
/// Adds the consecutive-failure circuit breaker to pipelines registered with <c>services.AddResiliencePipeline(...)</c>,
/// with named options from <c>IOptionsMonitor</c>, reloads enabled, and state that survives a reload.
/// </summary>
public static class NygardBreakerResiliencePipelineContextExtensions
{
    /// <summary>
    /// Adds a breaker whose options are the named <see cref="NygardBreakerStrategyOptions"/> from
    /// <c>IOptionsMonitor</c>. When the options change the pipeline is rebuilt with them, and the breaker keeps its
    /// state: its failure count, an open break and its generation carry over.
    /// </summary>
    /// <typeparam name="TKey">The type of the pipeline key.</typeparam>
    /// <param name="builder">The builder.</param>
    /// <param name="context">The registration context of <c>AddResiliencePipeline</c>.</param>
    /// <param name="optionsName">The options' name; defaults to the pipeline key's string form.</param>
    /// <returns>The same builder.</returns>
    [SuppressMessage("ApiDesign", "RS0026:Do not add multiple public overloads with optional parameters", Justification = "The SPEC names both overloads; they extend different builder types, so a call is never ambiguous.")]
    public static ResiliencePipelineBuilder AddNygardBreaker<TKey>(this ResiliencePipelineBuilder builder, AddResiliencePipelineContext<TKey> context, string? optionsName = null)
        where TKey : notnull
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(context);

        var name = optionsName ?? context.PipelineKey.ToString();
        context.EnableReloads<NygardBreakerStrategyOptions>(name);
        var options = context.GetOptions<NygardBreakerStrategyOptions>(name);
        var entry = NygardBreakerRegistration.Register(builder, context.ServiceProvider, options, context.PipelineKey.ToString() ?? string.Empty, instanceName: null);
        return builder.AddNygardBreaker(options, entry.Store);
    }

    /// <summary>
    /// Adds a breaker whose options are the named <see cref="NygardBreakerStrategyOptions{TResult}"/> from
    /// <c>IOptionsMonitor</c>. When the options change the pipeline is rebuilt with them, and the breaker keeps its state.
    /// </summary>
    /// <typeparam name="TKey">The type of the pipeline key.</typeparam>
    /// <typeparam name="TResult">The type of result the breaker handles.</typeparam>
    /// <param name="builder">The builder.</param>
    /// <param name="context">The registration context of <c>AddResiliencePipeline</c>.</param>
    /// <param name="optionsName">The options' name; defaults to the pipeline key's string form.</param>
    /// <returns>The same builder.</returns>
    [SuppressMessage("ApiDesign", "RS0026:Do not add multiple public overloads with optional parameters", Justification = "The SPEC names both overloads; they extend different builder types, so a call is never ambiguous.")]
    public static ResiliencePipelineBuilder<TResult> AddNygardBreaker<TKey, [DynamicallyAccessedMembers(DynamicallyAccessedMemberTypes.All)] TResult>(
        this ResiliencePipelineBuilder<TResult> builder,
        AddResiliencePipelineContext<TKey> context,
        string? optionsName = null)
        where TKey : notnull
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(context);

        var name = optionsName ?? context.PipelineKey.ToString();
        context.EnableReloads<NygardBreakerStrategyOptions<TResult>>(name);
        var options = context.GetOptions<NygardBreakerStrategyOptions<TResult>>(name);
        var entry = NygardBreakerRegistration.Register(builder, context.ServiceProvider, options, context.PipelineKey.ToString() ?? string.Empty, instanceName: null);
        return builder.AddNygardBreaker(options, entry.Store);
    }
}
