using System.Net;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Http.Resilience;
using Polly;
using Polly.CircuitBreaker;

namespace Nygard.Resilience.Extensions.Tests;

public class HttpClientTests
{
    [Fact]
    public async Task TransientResponses_TripTheBreaker_AndLaterRequestsAreRejected()
    {
        var stub = new StubHandler(_ => HttpStatusCode.ServiceUnavailable);
        await using var services = Build(stub, byAuthority: false);
        var client = services.GetRequiredService<IHttpClientFactory>().CreateClient("inventory");

        for (var i = 0; i < 3; i++)
        {
            Assert.Equal(HttpStatusCode.ServiceUnavailable, (await client.GetAsync(new Uri("http://127.0.0.1:1/stock"))).StatusCode);
        }

        await Assert.ThrowsAsync<BrokenCircuitException>(() => client.GetAsync(new Uri("http://127.0.0.1:1/stock")));
        Assert.Equal(3, stub.Requests);
        var health = await services.GetRequiredService<Microsoft.Extensions.Diagnostics.HealthChecks.HealthCheckService>().CheckHealthAsync();
        Assert.Equal("Open", State(health.Entries["nygard-breakers"].Data["inventory-standard/NygardBreaker"]));
    }

    [Fact]
    public async Task NonTransientResponses_AreNotFailures()
    {
        var stub = new StubHandler(_ => HttpStatusCode.NotFound);
        await using var services = Build(stub, byAuthority: false);
        var client = services.GetRequiredService<IHttpClientFactory>().CreateClient("inventory");

        for (var i = 0; i < 5; i++)
        {
            Assert.Equal(HttpStatusCode.NotFound, (await client.GetAsync(new Uri("http://127.0.0.1:1/missing"))).StatusCode);
        }

        Assert.Equal(5, stub.Requests);
    }

    [Fact]
    public async Task PipelinesSelectedByAuthority_HaveIndependentBreakers()
    {
        var stub = new StubHandler(request => request.RequestUri!.Port == 1 ? HttpStatusCode.InternalServerError : HttpStatusCode.OK);
        await using var services = Build(stub, byAuthority: true);
        var client = services.GetRequiredService<IHttpClientFactory>().CreateClient("inventory");

        for (var i = 0; i < 3; i++)
        {
            await client.GetAsync(new Uri("http://127.0.0.1:1/"));
        }

        await Assert.ThrowsAsync<BrokenCircuitException>(() => client.GetAsync(new Uri("http://127.0.0.1:1/")));
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync(new Uri("http://127.0.0.1:2/"))).StatusCode);
        var health = await services.GetRequiredService<Microsoft.Extensions.Diagnostics.HealthChecks.HealthCheckService>().CheckHealthAsync();
        var breakers = health.Entries["nygard-breakers"].Data;
        Assert.Equal(2, breakers.Count);
        Assert.Contains(breakers, b => b.Key.StartsWith("inventory-standard/", StringComparison.Ordinal) && b.Key.Contains(":1", StringComparison.Ordinal) && State(b.Value) == "Open");
        Assert.Contains(breakers, b => b.Key.Contains(":2", StringComparison.Ordinal) && State(b.Value) == "Closed");
    }

    [Fact]
    public async Task HttpOptions_HandleTransientHttpFailuresByDefault()
    {
        var options = new HttpNygardBreakerStrategyOptions();
        var context = ResilienceContextPool.Shared.Get();

        Assert.True(await options.ShouldHandle(new(context, Outcome.FromResult(new HttpResponseMessage(HttpStatusCode.BadGateway)))));
        Assert.True(await options.ShouldHandle(new(context, Outcome.FromException<HttpResponseMessage>(new HttpRequestException()))));
        Assert.False(await options.ShouldHandle(new(context, Outcome.FromResult(new HttpResponseMessage(HttpStatusCode.BadRequest)))));
    }

    internal static string? State(object data) => (string?)((IReadOnlyDictionary<string, object?>)data)["state"];

    private static ServiceProvider Build(StubHandler stub, bool byAuthority)
    {
        var configuration = new ConfigurationBuilder()
            .AddInMemoryCollection(new Dictionary<string, string?> { ["FailureThreshold"] = "3", ["BreakDuration"] = "00:01:00" })
            .Build();
        var services = new ServiceCollection();
        services.AddHttpNygardBreakerOptions("inventory-standard", configuration);
        services.AddHealthChecks().AddNygardBreakers();
        var handler = services.AddHttpClient("inventory")
            .ConfigurePrimaryHttpMessageHandler(() => stub)
            .AddResilienceHandler("standard", (builder, context) => builder.AddNygardBreaker(context));
        if (byAuthority)
        {
            handler.SelectPipelineByAuthority();
        }

        return services.BuildServiceProvider();
    }

    private sealed class StubHandler(Func<HttpRequestMessage, HttpStatusCode> answer) : HttpMessageHandler
    {
        private int _requests;

        public int Requests => Volatile.Read(ref _requests);

        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            Interlocked.Increment(ref _requests);
            return Task.FromResult(new HttpResponseMessage(answer(request)) { RequestMessage = request });
        }
    }
}
