using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Nygard.Resilience;
using Nygard.Resilience.AspNetCore.Endpoints;

namespace Microsoft.AspNetCore.Builder;

/// <summary>
/// Maps the breaker operations endpoints: the list, one breaker, the live event stream and the dashboard
/// (<see cref="MapNygardBreakers"/>), and the manual commands (<see cref="MapNygardBreakerControls"/>).
/// </summary>
public static class NygardBreakerEndpointRouteBuilderExtensions
{
    /// <summary>
    /// Maps the read-only endpoints under <paramref name="pattern"/>:
    /// <c>GET {pattern}</c> (JSON array of every breaker), <c>GET {pattern}/{id}</c> (one breaker, 404 when unknown; the id
    /// URL-escaped, for example <c>orders%2FNygardBreaker</c>), <c>GET {pattern}/events</c> (<c>text/event-stream</c>) and
    /// <c>GET {pattern}/dashboard</c> (a self-contained HTML page that updates live). They allow anonymous access
    /// unless you protect them, for example with <c>.RequireAuthorization()</c> on the returned builder.
    /// </summary>
    /// <param name="endpoints">The endpoint route builder.</param>
    /// <param name="pattern">The path prefix; <c>/breakers</c> by default.</param>
    /// <returns>A builder that configures every endpoint mapped here.</returns>
    public static IEndpointConventionBuilder MapNygardBreakers(this IEndpointRouteBuilder endpoints, string pattern = "/breakers")
    {
        ArgumentNullException.ThrowIfNull(endpoints);
        ArgumentNullException.ThrowIfNull(pattern);
        EnsureServices(endpoints);

        var group = endpoints.MapGroup(pattern);
        group.MapGet(string.Empty, NygardBreakerEndpointHandlers.ListAsync).WithDisplayName("Nygard breakers: list");
        group.MapGet("/events", NygardBreakerEndpointHandlers.EventsAsync).WithDisplayName("Nygard breakers: event stream");
        group.MapGet("/dashboard", NygardBreakerEndpointHandlers.DashboardAsync).WithDisplayName("Nygard breakers: dashboard");
        group.MapGet("/{id}", NygardBreakerEndpointHandlers.ItemAsync).WithDisplayName("Nygard breakers: one breaker");
        return group;
    }

    /// <summary>
    /// Maps the manual commands: <c>POST {pattern}/{id}/open</c>, <c>/half-open</c>, <c>/close</c> and <c>/isolate</c>,
    /// answering 204 when applied and 404 for an unknown id. <b>Secure by default:</b> they require an authenticated
    /// user (the default authorization policy) unless you choose otherwise on the returned builder: <c>.AllowAnonymous()</c>,
    /// or <c>.RequireAuthorization("your-policy")</c>, which then replaces the default.
    /// </summary>
    /// <param name="endpoints">The endpoint route builder.</param>
    /// <param name="pattern">The path prefix; <c>/breakers</c> by default.</param>
    /// <returns>A builder that configures every endpoint mapped here.</returns>
    public static IEndpointConventionBuilder MapNygardBreakerControls(this IEndpointRouteBuilder endpoints, string pattern = "/breakers")
    {
        ArgumentNullException.ThrowIfNull(endpoints);
        ArgumentNullException.ThrowIfNull(pattern);
        EnsureServices(endpoints).ControlsMapped = true;

        var group = endpoints.MapGroup(pattern);
        group.MapPost("/{id}/open", NygardBreakerEndpointHandlers.Command(NygardBreakerCommand.Open)).WithDisplayName("Nygard breakers: open");
        group.MapPost("/{id}/half-open", NygardBreakerEndpointHandlers.Command(NygardBreakerCommand.HalfOpen)).WithDisplayName("Nygard breakers: half-open");
        group.MapPost("/{id}/close", NygardBreakerEndpointHandlers.Command(NygardBreakerCommand.Close)).WithDisplayName("Nygard breakers: close");
        group.MapPost("/{id}/isolate", NygardBreakerEndpointHandlers.Command(NygardBreakerCommand.Isolate)).WithDisplayName("Nygard breakers: isolate");

        // Applied last, when the application's own conventions are known: no choice made means the default policy.
        ((IEndpointConventionBuilder)group).Finally(static endpoint =>
        {
            var chosen = endpoint.Metadata.Any(static m => m is IAllowAnonymous or IAuthorizeData or AuthorizationPolicy or IAuthorizationRequirementData);
            if (!chosen)
            {
                endpoint.Metadata.Add(new AuthorizeAttribute());
            }
        });
        return group;
    }

    private static NygardBreakerEndpointSettings EnsureServices(IEndpointRouteBuilder endpoints) =>
        endpoints.ServiceProvider.GetService<NygardBreakerEndpointSettings>() ?? throw new InvalidOperationException(
            "The breaker endpoints need their services: call services.AddNygardBreakerEndpoints() when you configure the application's services.");
}
