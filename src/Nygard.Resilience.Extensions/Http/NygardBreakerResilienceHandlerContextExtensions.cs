using Microsoft.Extensions.Http.Resilience;
using Nygard.Resilience;
using Nygard.Resilience.DependencyInjection;

namespace Polly;

/// <summary>
/// Adds the consecutive-failure circuit breaker to <c>HttpClient</c> resilience handlers (<c>AddResilienceHandler</c>).
/// </summary>
public static class NygardBreakerResilienceHandlerContextExtensions
{
    /// <summary>
    /// Adds a breaker whose options are the named <see cref="HttpNygardBreakerStrategyOptions"/> from
    /// <c>IOptionsMonitor</c>, with reloads enabled and state that survives a reload. When the handler selects
    /// pipelines by authority (<c>SelectPipelineByAuthority()</c>) each authority gets a breaker of its own, with its
    /// own id (<c>pipeline/authority/strategy</c>) in <see cref="NygardBreakerRegistry"/>; a <c>ManualControl</c> in the
    /// options then drives every authority's breaker, and a <c>StateProvider</c> stays attached to the first authority's
    /// breaker (a warning is logged for the others).
    /// </summary>
    /// <param name="builder">The handler's pipeline builder.</param>
    /// <param name="context">The handler's context.</param>
    /// <param name="optionsName">The options' name; defaults to the handler pipeline's name.</param>
    /// <returns>The same builder.</returns>
    /// <exception cref="InvalidOperationException">The container has no <see cref="NygardBreakerRegistry"/>.</exception>
    public static ResiliencePipelineBuilder<HttpResponseMessage> AddNygardBreaker(
        this ResiliencePipelineBuilder<HttpResponseMessage> builder,
        ResilienceHandlerContext context,
        string? optionsName = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(context);

        var name = optionsName ?? context.BuilderName;
        context.EnableReloads<HttpNygardBreakerStrategyOptions>(name);
        var configured = NygardBreakerOptionsAccess.Get(context.ServiceProvider, name, context.GetOptions<HttpNygardBreakerStrategyOptions>);
        var (options, store) = NygardBreakerOptionsAccess.Registry(context.ServiceProvider)
            .Prepare<HttpNygardBreakerStrategyOptions, HttpResponseMessage>(builder, configured, static () => new HttpNygardBreakerStrategyOptions(), context.BuilderName, context.InstanceName);
        return builder.AddNygardBreaker(options, store);
    }
}
