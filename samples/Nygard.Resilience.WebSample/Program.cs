// A web app that calls a deliberately flaky downstream endpoint through HttpClient with retry + Nygard breaker + timeout.
//   dotnet run --project samples/Nygard.Resilience.WebSample
//   open http://127.0.0.1:5080/            status page (refreshes itself)
//   curl http://127.0.0.1:5080/stock       one call through the pipeline
//   curl -X POST http://127.0.0.1:5080/downstream/mode/down   (or up, slow)
//   curl http://127.0.0.1:5080/health
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Http.Resilience;
using Nygard.Resilience.WebSample;
using Polly;
using Polly.CircuitBreaker;

var builder = WebApplication.CreateBuilder(args);

builder.Services.AddSingleton<FlakyDownstream>();

// The breaker's options come from appsettings.json ("Breakers:inventory-standard") and are validated at start-up;
// edit the file while the app runs: the options reload and the breaker keeps its state.
builder.Services.AddHttpNygardBreakerOptions("inventory-standard", builder.Configuration.GetSection("Breakers:inventory-standard"));
builder.Services.AddHttpClient("inventory", client => client.BaseAddress = new Uri(builder.Configuration["Downstream:BaseAddress"]!))
    .AddResilienceHandler("standard", (pipeline, context) => pipeline
        .AddRetry(new HttpRetryStrategyOptions { MaxRetryAttempts = 2, Delay = TimeSpan.FromMilliseconds(100) })
        .AddNygardBreaker(context)
        .AddTimeout(TimeSpan.FromSeconds(2)));
builder.Services.AddHealthChecks().AddNygardBreakers(failureStatus: HealthStatus.Degraded);

var app = builder.Build();

app.MapGet("/", StatusPage.RenderAsync);
app.MapHealthChecks("/health");
app.MapGet("/stock", async (IHttpClientFactory clients, CancellationToken cancellationToken) =>
{
    try
    {
        using var response = await clients.CreateClient("inventory").GetAsync(new Uri("stock", UriKind.Relative), cancellationToken);
        return Results.Text($"downstream answered {(int)response.StatusCode}: {await response.Content.ReadAsStringAsync(cancellationToken)}\n");
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
app.MapPost("/downstream/mode/{mode}", (FlakyDownstream downstream, string mode) =>
{
    downstream.Set(mode);
    return Results.Text($"downstream is now {mode}\n");
});

app.Run();
