using System.Diagnostics.Metrics;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Nygard.Resilience;
using Polly.Telemetry;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>
/// Registers the container's <see cref="NygardBreakerRegistry"/>.
/// </summary>
public static class NygardBreakerRegistryServiceCollectionExtensions
{
    /// <summary>
    /// Registers one <see cref="NygardBreakerRegistry"/> for the container and adds its telemetry listener to
    /// Polly's <see cref="TelemetryOptions"/>, so that every breaker built by a pipeline of this container is
    /// registered, including inline options inside <c>AddResiliencePipeline</c> and each authority of an HttpClient
    /// handler. Calling it more than once has no further effect. <c>AddNygardBreakerOptions</c>,
    /// <c>AddHealthChecks().AddNygardBreakers()</c> and <c>AddNygardBreakerEndpoints()</c> call it for you.
    /// </summary>
    /// <param name="services">The services.</param>
    /// <returns>The same services.</returns>
    public static IServiceCollection AddNygardBreakerRegistry(this IServiceCollection services)
    {
        ArgumentNullException.ThrowIfNull(services);

        if (services.Any(static d => d.ServiceType == typeof(NygardBreakerRegistry)))
        {
            return services;
        }

        services.TryAddSingleton(static sp => new NygardBreakerRegistry(
            sp.GetService<INygardBreakerStateStoreFactory>(),
            sp.GetService<ILoggerFactory>(),
            sp.GetService<IMeterFactory>()));
        services.AddOptions<TelemetryOptions>().Configure<NygardBreakerRegistry>(static (options, registry) => options.TelemetryListeners.Add(registry.Listener));
        return services;
    }
}
