// A web app that calls a deliberately flaky downstream endpoint through HttpClient with retry + Nygard breaker + timeout,
// and shows its breakers on the operations dashboard.
//   dotnet run --project samples/Nygard.Resilience.WebSample
//   open http://127.0.0.1:5080/breakers/dashboard          live dashboard (read-only until you sign in)
//   open http://127.0.0.1:5080/sign-in?key=sample-operator-key   sample-only sign-in: the dashboard's buttons then work
//   curl -i http://127.0.0.1:5080/stock                     one call through the pipeline (the downstream's status on failure)
//   curl -X POST http://127.0.0.1:5080/downstream/mode/down   (or up, slow; anything else is 400)
//   curl http://127.0.0.1:5080/health                       JSON health report, one entry per breaker
//   curl http://127.0.0.1:5080/breakers                     JSON list of breakers
// Manual control from a shell (the controls require a signed-in user; the cookie is sample-only):
//   curl -c jar 'http://127.0.0.1:5080/sign-in?key=sample-operator-key'
//   curl -b jar -X POST http://127.0.0.1:5080/breakers/inventory-standard%2Fhttp%3A%2F%2F127.0.0.1%3A5080%2FNygardBreaker/open
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Http.Resilience;
using Nygard.Resilience.WebSample;
using Polly;
using Polly.CircuitBreaker;
using System.Security.Claims;

var builder = WebApplication.CreateBuilder(args);

builder.Services.AddSingleton<FlakyDownstream>();

// The breaker's options come from appsettings.json ("Breakers:inventory-standard") and are validated at start-up;
// edit the file while the app runs: the options reload and the breaker keeps its state (an invalid edit is logged
// as an error and ignored).
builder.Services.AddHttpNygardBreakerOptions("inventory-standard", builder.Configuration.GetSection("Breakers:inventory-standard"));
builder.Services.AddHttpClient("inventory", client => client.BaseAddress = new Uri(builder.Configuration["Downstream:BaseAddress"]!))
    .AddResilienceHandler("standard", (pipeline, context) => pipeline
        .AddRetry(new HttpRetryStrategyOptions { MaxRetryAttempts = 2, Delay = TimeSpan.FromMilliseconds(100) })
        .AddNygardBreaker(context)
        .AddTimeout(TimeSpan.FromSeconds(2)))
    .SelectPipelineByAuthority();
builder.Services.AddHealthChecks().AddNygardBreakers(failureStatus: HealthStatus.Degraded);

// Operations: the breaker list, event stream and dashboard, and the manual controls (authenticated users only).
builder.Services.AddNygardBreakerEndpoints();

// SAMPLE ONLY: a cookie sign-in with a shared key from configuration. Use your real authentication in an application.
builder.Services.AddAuthentication(CookieAuthenticationDefaults.AuthenticationScheme)
    .AddCookie(options =>
    {
        options.Cookie.SameSite = SameSiteMode.Strict;
        options.Cookie.HttpOnly = true;
        options.Events.OnRedirectToLogin = context =>
        {
            context.Response.StatusCode = StatusCodes.Status401Unauthorized;
            return Task.CompletedTask;
        };
        options.Events.OnRedirectToAccessDenied = context =>
        {
            context.Response.StatusCode = StatusCodes.Status403Forbidden;
            return Task.CompletedTask;
        };
    });

var app = builder.Build();

app.MapGet("/", () => Results.Redirect("/breakers/dashboard"));
app.MapNygardBreakers();
app.MapNygardBreakerControls();
app.MapHealthChecks("/health", new HealthCheckOptions { ResponseWriter = HealthJsonWriter.WriteAsync });

app.MapGet("/sign-in", async (HttpContext http, string? key) =>
{
    if (string.IsNullOrEmpty(key) || key != app.Configuration["Operations:SampleOperatorKey"])
    {
        return Results.Unauthorized();
    }

    var operatorIdentity = new ClaimsIdentity([new Claim(ClaimTypes.Name, "sample-operator")], CookieAuthenticationDefaults.AuthenticationScheme);
    await http.SignInAsync(CookieAuthenticationDefaults.AuthenticationScheme, new ClaimsPrincipal(operatorIdentity));
    return Results.Redirect("/breakers/dashboard");
});

app.MapGet("/stock", async (IHttpClientFactory clients, CancellationToken cancellationToken) =>
{
    try
    {
        using var response = await clients.CreateClient("inventory").GetAsync(new Uri("stock", UriKind.Relative), cancellationToken);
        var body = await response.Content.ReadAsStringAsync(cancellationToken);
        return response.IsSuccessStatusCode
            ? Results.Text($"downstream answered {(int)response.StatusCode}: {body}\n")
            : Results.Text($"downstream failed with {(int)response.StatusCode}\n", statusCode: (int)response.StatusCode);
    }
    catch (BrokenCircuitException e)
    {
        return Results.Text($"rejected by the breaker; retry after {e.RetryAfter?.TotalSeconds:0.0}s\n", statusCode: StatusCodes.Status503ServiceUnavailable);
    }
    catch (Exception e) when (e is HttpRequestException or Polly.Timeout.TimeoutRejectedException)
    {
        return Results.Text($"failed: {e.Message}\n", statusCode: StatusCodes.Status502BadGateway);
    }
});
app.MapGet("/downstream/stock", (FlakyDownstream downstream, CancellationToken cancellationToken) => downstream.HandleAsync(cancellationToken));
app.MapPost("/downstream/mode/{mode}", (FlakyDownstream downstream, string mode) => downstream.TrySet(mode)
    ? Results.Text($"downstream is now {mode}\n")
    : Results.Text($"unknown mode '{mode}': use up, down or slow\n", statusCode: StatusCodes.Status400BadRequest));

app.Run();
