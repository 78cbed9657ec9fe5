using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Nygard.Resilience.AspNetCore.Dashboard;
using Nygard.Resilience.AspNetCore.Json;

namespace Nygard.Resilience.AspNetCore.Endpoints;

/// <summary>The request handlers behind <c>MapNygardBreakers</c> and <c>MapNygardBreakerControls</c>.</summary>
internal static class NygardBreakerEndpointHandlers
{
    public static Task ListAsync(HttpContext context)
    {
        var registry = context.RequestServices.GetRequiredService<NygardBreakerRegistry>();
        context.Response.Headers.CacheControl = "no-store";
        return context.Response.WriteAsJsonAsync(List(registry), NygardBreakerJsonContext.Default.BreakerViewArray, contentType: null, context.RequestAborted);
    }

    public static Task ItemAsync(HttpContext context)
    {
        var registry = context.RequestServices.GetRequiredService<NygardBreakerRegistry>();
        if (!TryFind(context, registry, out var breaker))
        {
            context.Response.StatusCode = StatusCodes.Status404NotFound;
            return Task.CompletedTask;
        }

        context.Response.Headers.CacheControl = "no-store";
        return context.Response.WriteAsJsonAsync(BreakerView.From(breaker), NygardBreakerJsonContext.Default.BreakerView, contentType: null, context.RequestAborted);
    }

    public static Task EventsAsync(HttpContext context) =>
        new NygardBreakerEventStream(
            context,
            context.RequestServices.GetRequiredService<NygardBreakerRegistry>(),
            context.RequestServices.GetRequiredService<NygardBreakerEndpointSettings>(),
            context.RequestServices.GetService<TimeProvider>() ?? TimeProvider.System,
            context.RequestServices.GetService<IHostApplicationLifetime>()?.ApplicationStopping ?? CancellationToken.None).RunAsync();

    public static Task DashboardAsync(HttpContext context)
    {
        var settings = context.RequestServices.GetRequiredService<NygardBreakerEndpointSettings>();
        context.Response.ContentType = "text/html; charset=utf-8";
        context.Response.Headers.CacheControl = "no-store";
        context.Response.Headers.XContentTypeOptions = "nosniff";
        return context.Response.WriteAsync(DashboardPage.Render(settings.ControlsMapped), context.RequestAborted);
    }

    public static RequestDelegate Command(NygardBreakerCommand command) => async context =>
    {
        var registry = context.RequestServices.GetRequiredService<NygardBreakerRegistry>();
        var id = IdFrom(context);
        context.Response.StatusCode = id is not null && await registry.TryExecuteAsync(id, command, context.RequestAborted).ConfigureAwait(false)
            ? StatusCodes.Status204NoContent
            : StatusCodes.Status404NotFound;
    };

    public static BreakerView[] List(NygardBreakerRegistry registry) => [.. registry.Breakers.Select(BreakerView.From)];

    private static bool TryFind(HttpContext context, NygardBreakerRegistry registry, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out NygardBreakerHandle? breaker)
    {
        breaker = null;
        return IdFrom(context) is { } id && registry.TryGetBreaker(id, out breaker);
    }

    /// <summary>
    /// The id from the path. Ids contain <c>/</c> (<c>pipeline/strategy</c>), so clients escape them
    /// (<c>encodeURIComponent</c>); the server leaves <c>%2F</c> escaped in a route value, so it is unescaped here once.
    /// </summary>
    private static string? IdFrom(HttpContext context) =>
        context.GetRouteValue("id") is string { Length: > 0 and <= 1024 } raw ? Uri.UnescapeDataString(raw) : null;
}
