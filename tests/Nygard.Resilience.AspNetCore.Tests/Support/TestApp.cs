using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Nygard.Resilience.AspNetCore.Endpoints;
using Polly;
using Polly.Registry;

namespace Nygard.Resilience.AspNetCore.Tests.Support;

/// <summary>A real Kestrel server on a free loopback port with a few breakers, and an HttpClient for it.</summary>
internal sealed class TestApp : IAsyncDisposable
{
    private TestApp(WebApplication app, Uri address)
    {
        App = app;
        Address = address;
        Client = new HttpClient { BaseAddress = address, Timeout = TimeSpan.FromSeconds(30) };
    }

    public WebApplication App { get; }

    public Uri Address { get; }

    public HttpClient Client { get; }

    public NygardBreakerRegistry Registry => App.Services.GetRequiredService<NygardBreakerRegistry>();

    /// <summary>Starts an app with breakers <c>orders/NygardBreaker</c> (inline) and <c>payments/payments-breaker</c>, both built.</summary>
    public static async Task<TestApp> StartAsync(Action<WebApplication> map, string pipelinePrefix = "", Action<IServiceCollection>? services = null, bool withTestAuthentication = true)
    {
        var builder = WebApplication.CreateBuilder();
        builder.WebHost.UseKestrel().UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        builder.Services.AddNygardBreakerEndpoints();
        if (withTestAuthentication)
        {
            builder.Services.AddAuthentication(TestAuthenticationHandler.SchemeName)
                .AddScheme<AuthenticationSchemeOptions, TestAuthenticationHandler>(TestAuthenticationHandler.SchemeName, null);
        }

        builder.Services.AddResiliencePipeline(pipelinePrefix + "orders", b => b.AddNygardBreaker(new NygardBreakerStrategyOptions { FailureThreshold = 3, BreakDuration = TimeSpan.FromMinutes(1) }));
        builder.Services.AddResiliencePipeline(pipelinePrefix + "payments", b => b.AddNygardBreaker(new NygardBreakerStrategyOptions { Name = "payments-breaker", FailureThreshold = 5, BreakDuration = TimeSpan.FromSeconds(30) }));
        services?.Invoke(builder.Services);
        var app = builder.Build();
        map(app);
        await app.StartAsync();

        var pipelines = app.Services.GetRequiredService<ResiliencePipelineProvider<string>>();
        await pipelines.GetPipeline(pipelinePrefix + "orders").ExecuteAsync(_ => default);
        await pipelines.GetPipeline(pipelinePrefix + "payments").ExecuteAsync(_ => default);

        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        return new TestApp(app, new Uri(address));
    }

    public void SetRateInterval(TimeSpan interval) => App.Services.GetRequiredService<NygardBreakerEndpointSettings>().RateInterval = interval;

    public async ValueTask DisposeAsync()
    {
        Client.Dispose();
        await App.StopAsync();
        await App.DisposeAsync();
    }
}
