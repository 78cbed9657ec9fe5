using Microsoft.Extensions.DependencyInjection.Extensions;
using Nygard.Resilience;
using Nygard.Resilience.AspNetCore.Endpoints;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>
/// Registers what the breaker operations endpoints (<c>MapNygardBreakers</c>, <c>MapNygardBreakerControls</c>) need.
/// </summary>
public static class NygardBreakerEndpointsServiceCollectionExtensions
{
    /// <summary>
    /// Registers the container's <see cref="NygardBreakerRegistry"/> (<c>AddNygardBreakerRegistry()</c>), authorization
    /// (the controls require an authenticated user by default) and the endpoints' own settings.
    /// </summary>
    /// <param name="services">The services.</param>
    /// <returns>The same services.</returns>
    public static IServiceCollection AddNygardBreakerEndpoints(this IServiceCollection services)
    {
        ArgumentNullException.ThrowIfNull(services);

        services.AddNygardBreakerRegistry();
        services.AddAuthorization();
        services.TryAddSingleton<NygardBreakerEndpointSettings>();
        return services;
    }
}
