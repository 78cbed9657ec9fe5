using System.Diagnostics.CodeAnalysis;
using Nygard.Resilience;
using Nygard.Resilience.DependencyInjection;
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
    /// state: its failure count, an open break and its generation carry over. Needs the container's
    /// <see cref="NygardBreakerRegistry"/> (<c>services.AddNygardBreakerRegistry()</c>, or any other registration of this package).
    /// </summary>
    /// <typeparam name="TKey">The type of the pipeline key.</typeparam>
    /// <param name="builder">The builder.</param>
    /// <param name="context">The registration context of <c>AddResiliencePipeline</c>.</param>
    /// <param name="optionsName">The options' name; defaults to the pipeline key's string form.</param>
    /// <returns>The same builder.</returns>
    /// <exception cref="InvalidOperationException">The container has no <see cref="NygardBreakerRegistry"/>.</exception>
    [SuppressMessage("ApiDesign", "RS0026:Do not add multiple public overloads with optional parameters", Justification = "The SPEC names both overloads; they extend different builder types, so a call is never ambiguous.")]
    public static ResiliencePipelineBuilder AddNygardBreaker<TKey>(this ResiliencePipelineBuilder builder, AddResiliencePipelineContext<TKey> context, string? optionsName = null)
        where TKey : notnull
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(context);

        var name = optionsName ?? context.PipelineKey.ToString() ?? string.Empty;
        context.EnableReloads<NygardBreakerStrategyOptions>(name);
        var configured = NygardBreakerOptionsAccess.Get(context.ServiceProvider, name, context.GetOptions<NygardBreakerStrategyOptions>);
        var (options, store) = NygardBreakerOptionsAccess.Registry(context.ServiceProvider)
            .Prepare<NygardBreakerStrategyOptions, object>(builder, configured, static () => new NygardBreakerStrategyOptions(), name, null);
        return builder.AddNygardBreaker(options, store);
    }

    /// <summary>
    /// Adds a breaker whose options are the named <see cref="NygardBreakerStrategyOptions{TResult}"/> from
    /// <c>IOptionsMonitor</c>. When the options change the pipeline is rebuilt with them, and the breaker keeps its state.
    /// Needs the container's <see cref="NygardBreakerRegistry"/>.
    /// </summary>
    /// <typeparam name="TKey">The type of the pipeline key.</typeparam>
    /// <typeparam name="TResult">The type of result the breaker handles.</typeparam>
    /// <param name="builder">The builder.</param>
    /// <param name="context">The registration context of <c>AddResiliencePipeline</c>.</param>
    /// <param name="optionsName">The options' name; defaults to the pipeline key's string form.</param>
    /// <returns>The same builder.</returns>
    /// <exception cref="InvalidOperationException">The container has no <see cref="NygardBreakerRegistry"/>.</exception>
    [SuppressMessage("ApiDesign", "RS0026:Do not add multiple public overloads with optional parameters", Justification = "The SPEC names both overloads; they extend different builder types, so a call is never ambiguous.")]
    public static ResiliencePipelineBuilder<TResult> AddNygardBreaker<TKey, [DynamicallyAccessedMembers(DynamicallyAccessedMemberTypes.All)] TResult>(
        this ResiliencePipelineBuilder<TResult> builder,
        AddResiliencePipelineContext<TKey> context,
        string? optionsName = null)
        where TKey : notnull
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(context);

        var name = optionsName ?? context.PipelineKey.ToString() ?? string.Empty;
        context.EnableReloads<NygardBreakerStrategyOptions<TResult>>(name);
        var configured = NygardBreakerOptionsAccess.Get(context.ServiceProvider, name, context.GetOptions<NygardBreakerStrategyOptions<TResult>>);
        var (options, store) = NygardBreakerOptionsAccess.Registry(context.ServiceProvider)
            .Prepare<NygardBreakerStrategyOptions<TResult>, TResult>(builder, configured, static () => new NygardBreakerStrategyOptions<TResult>(), name, null);
        return builder.AddNygardBreaker(options, store);
    }
}
