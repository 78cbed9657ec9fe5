using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Nygard.Resilience.AspNetCore.Tests.Support;
using Polly.CircuitBreaker;

namespace Nygard.Resilience.AspNetCore.Tests;

public class EndpointTests
{
    private static readonly string[] ViewFields =
    [
        "id", "pipeline", "instance", "strategy", "state", "failureCount", "openUntil", "retryAfterSeconds", "failureThreshold",
        "breakDurationSeconds", "halfOpenPermits", "successThreshold", "shared", "storeAvailable", "lastTransitionAt",
    ];

    [Fact]
    public async Task List_ReturnsEveryBreaker_WithTheSpecsFields()
    {
        await using var app = await TestApp.StartAsync(a => a.MapNygardBreakers());

        using var response = await app.Client.GetAsync(new Uri("/breakers", UriKind.Relative));
        using var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync());

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
        var breakers = json.RootElement.EnumerateArray().ToList();
        Assert.Equal(["orders/NygardBreaker", "payments/payments-breaker"], breakers.Select(b => b.GetProperty("id").GetString()));
        var orders = breakers[0];
        Assert.Equal(ViewFields, orders.EnumerateObject().Select(p => p.Name));
        Assert.Equal("orders", orders.GetProperty("pipeline").GetString());
        Assert.Equal(JsonValueKind.Null, orders.GetProperty("instance").ValueKind);
        Assert.Equal("NygardBreaker", orders.GetProperty("strategy").GetString());
        Assert.Equal("Closed", orders.GetProperty("state").GetString());
        Assert.Equal(0, orders.GetProperty("failureCount").GetInt32());
        Assert.Equal(JsonValueKind.Null, orders.GetProperty("openUntil").ValueKind);
        Assert.Equal(JsonValueKind.Null, orders.GetProperty("retryAfterSeconds").ValueKind);
        Assert.Equal(3, orders.GetProperty("failureThreshold").GetInt32());
        Assert.Equal(60, orders.GetProperty("breakDurationSeconds").GetDouble());
        Assert.Equal(1, orders.GetProperty("halfOpenPermits").GetInt32());
        Assert.Equal(1, orders.GetProperty("successThreshold").GetInt32());
        Assert.False(orders.GetProperty("shared").GetBoolean());
        Assert.True(orders.GetProperty("storeAvailable").GetBoolean());
        Assert.Equal(JsonValueKind.Null, orders.GetProperty("lastTransitionAt").ValueKind);
    }

    [Fact]
    public async Task Item_ByUrlEscapedId_ReturnsThatBreaker_WithOpenUntilAndRetryAfterWhileOpen()
    {
        await using var app = await TestApp.StartAsync(a => a.MapNygardBreakers());
        Assert.True(await app.Registry.TryExecuteAsync("payments/payments-breaker", NygardBreakerCommand.Open));

        using var response = await app.Client.GetAsync(new Uri("/breakers/" + Uri.EscapeDataString("payments/payments-breaker"), UriKind.Relative));
        using var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync());

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var breaker = json.RootElement;
        Assert.Equal("payments/payments-breaker", breaker.GetProperty("id").GetString());
        Assert.Equal("Open", breaker.GetProperty("state").GetString());
        Assert.InRange(breaker.GetProperty("retryAfterSeconds").GetDouble(), 0.0, 30.0);
        var openUntil = breaker.GetProperty("openUntil").GetDateTimeOffset();
        var changed = breaker.GetProperty("lastTransitionAt").GetDateTimeOffset();
        Assert.Equal(TimeSpan.FromSeconds(30), openUntil - changed);
    }

    [Theory]
    [InlineData("/breakers/orders%2Fmissing")]
    [InlineData("/breakers/nothing")]
    public async Task Item_UnknownId_Is404(string path)
    {
        await using var app = await TestApp.StartAsync(a => a.MapNygardBreakers());

        using var response = await app.Client.GetAsync(new Uri(path, UriKind.Relative));

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
    }

    [Fact]
    public async Task Events_SendTheFullListOnConnect_ThenEachTransitionAsItHappens()
    {
        await using var app = await TestApp.StartAsync(a =>
        {
            a.MapNygardBreakers();
            a.MapNygardBreakerControls().AllowAnonymous();
        });
        using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        using var response = await app.Client.GetAsync(new Uri("/breakers/events", UriKind.Relative), HttpCompletionOption.ResponseHeadersRead, deadline.Token);
        Assert.Equal("text/event-stream", response.Content.Headers.ContentType?.MediaType);
        using var events = new EventStreamReader(await response.Content.ReadAsStreamAsync(deadline.Token));

        var first = await events.ReadAsync(deadline.Token);
        Assert.Equal("breakers", first.Event);
        using (var list = JsonDocument.Parse(first.Data))
        {
            Assert.Equal(["orders/NygardBreaker", "payments/payments-breaker"], list.RootElement.EnumerateArray().Select(b => b.GetProperty("id").GetString()));
        }

        using var post = await app.Client.PostAsync(new Uri("/breakers/orders%2FNygardBreaker/isolate", UriKind.Relative), null, deadline.Token);
        Assert.Equal(HttpStatusCode.NoContent, post.StatusCode);

        var transition = await events.ReadUntilAsync(e => e.Event is null, deadline.Token);
        using var json = JsonDocument.Parse(transition.Data);
        var t = json.RootElement;
        Assert.Equal("orders/NygardBreaker", t.GetProperty("id").GetString());
        Assert.Equal("Closed", t.GetProperty("from").GetString());
        Assert.Equal("Isolated", t.GetProperty("to").GetString());
        Assert.True(t.GetProperty("isManual").GetBoolean());
        Assert.Equal(app.Registry.Breakers[0].LastTransitionAt, t.GetProperty("at").GetDateTimeOffset());
        Assert.Equal("Isolated", t.GetProperty("breaker").GetProperty("state").GetString());
    }

    [Fact]
    public async Task Events_EndWhenTheApplicationStops_SoShutdownDoesNotWaitForThem()
    {
        await using var app = await TestApp.StartAsync(a => a.MapNygardBreakers());
        using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        using var response = await app.Client.GetAsync(new Uri("/breakers/events", UriKind.Relative), HttpCompletionOption.ResponseHeadersRead, deadline.Token);
        using var events = new EventStreamReader(await response.Content.ReadAsStreamAsync(deadline.Token));
        await events.ReadAsync(deadline.Token);

        await app.App.StopAsync(deadline.Token).WaitAsync(TimeSpan.FromSeconds(10));

        await Assert.ThrowsAnyAsync<Exception>(() => events.ReadUntilAsync(_ => false, deadline.Token));
        Assert.False(deadline.IsCancellationRequested);
    }

    [Fact]
    public async Task Events_ReportCallRatesByOutcome_Periodically()
    {
        await using var app = await TestApp.StartAsync(a => a.MapNygardBreakers());
        app.SetRateInterval(TimeSpan.FromMilliseconds(200));
        using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        using var response = await app.Client.GetAsync(new Uri("/breakers/events", UriKind.Relative), HttpCompletionOption.ResponseHeadersRead, deadline.Token);
        using var events = new EventStreamReader(await response.Content.ReadAsStreamAsync(deadline.Token));
        await events.ReadAsync(deadline.Token);
        await app.Registry.TryExecuteAsync("orders/NygardBreaker", NygardBreakerCommand.Open);
        var pipeline = app.App.Services.GetRequiredServiceForTests<Polly.Registry.ResiliencePipelineProvider<string>>().GetPipeline("orders");
        await Assert.ThrowsAsync<BrokenCircuitException>(() => pipeline.ExecuteAsync(_ => default).AsTask());

        var rates = await events.ReadUntilAsync(e => e.Event == "rates" && e.Data.Contains("\"rejections\":1", StringComparison.Ordinal), deadline.Token);

        using var json = JsonDocument.Parse(rates.Data);
        Assert.True(json.RootElement.GetProperty("intervalSeconds").GetDouble() > 0);
        var orders = json.RootElement.GetProperty("breakers").EnumerateArray().Single(b => b.GetProperty("id").GetString() == "orders/NygardBreaker");
        Assert.Equal(["id", "success", "failure", "rejected", "ignored", "successes", "failures", "rejections", "ignoredTotal"], orders.EnumerateObject().Select(p => p.Name));
    }

    [Theory]
    [InlineData("open", CircuitState.Open)]
    [InlineData("isolate", CircuitState.Isolated)]
    [InlineData("half-open", CircuitState.HalfOpen)]
    [InlineData("close", CircuitState.Closed)]
    public async Task Controls_ApplyTheCommand_AndAnswer204(string command, CircuitState expected)
    {
        await using var app = await TestApp.StartAsync(a => a.MapNygardBreakerControls());
        if (expected == CircuitState.Closed)
        {
            await app.Registry.TryExecuteAsync("orders/NygardBreaker", NygardBreakerCommand.Isolate);
        }

        using var request = new HttpRequestMessage(HttpMethod.Post, new Uri($"/breakers/orders%2FNygardBreaker/{command}", UriKind.Relative));
        request.Headers.Add(TestAuthenticationHandler.Header, "operator");
        using var response = await app.Client.SendAsync(request);

        Assert.Equal(HttpStatusCode.NoContent, response.StatusCode);
        Assert.True(app.Registry.TryGetBreaker("orders/NygardBreaker", out var breaker));
        Assert.Equal(expected, breaker.State);
    }

    [Fact]
    public async Task Controls_UnknownId_Are404()
    {
        await using var app = await TestApp.StartAsync(a => a.MapNygardBreakerControls());
        using var request = new HttpRequestMessage(HttpMethod.Post, new Uri("/breakers/orders%2Fmissing/open", UriKind.Relative));
        request.Headers.Add(TestAuthenticationHandler.Header, "operator");

        using var response = await app.Client.SendAsync(request);

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
    }

    [Fact]
    public async Task Controls_WithoutAUser_Are401ByDefault_AndChangeNothing()
    {
        await using var app = await TestApp.StartAsync(a => a.MapNygardBreakerControls());

        using var response = await app.Client.PostAsync(new Uri("/breakers/orders%2FNygardBreaker/open", UriKind.Relative), null);

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.True(app.Registry.TryGetBreaker("orders/NygardBreaker", out var breaker));
        Assert.Equal(CircuitState.Closed, breaker.State);
    }

    [Fact]
    public async Task Controls_WithNoAuthenticationConfiguredAtAll_RefuseAndChangeNothing()
    {
        await using var app = await TestApp.StartAsync(a => a.MapNygardBreakerControls(), withTestAuthentication: false);

        using var response = await app.Client.PostAsync(new Uri("/breakers/orders%2FNygardBreaker/open", UriKind.Relative), null);

        Assert.Equal(HttpStatusCode.InternalServerError, response.StatusCode);
        Assert.True(app.Registry.TryGetBreaker("orders/NygardBreaker", out var breaker));
        Assert.Equal(CircuitState.Closed, breaker.State);
    }

    [Fact]
    public async Task Controls_AllowAnonymous_IsAnExplicitOptOut()
    {
        await using var app = await TestApp.StartAsync(a => a.MapNygardBreakerControls().AllowAnonymous());

        using var response = await app.Client.PostAsync(new Uri("/breakers/orders%2FNygardBreaker/open", UriKind.Relative), null);

        Assert.Equal(HttpStatusCode.NoContent, response.StatusCode);
    }

    [Fact]
    public async Task Controls_WithTheApplicationsOwnPolicy_UseThatPolicyInstead()
    {
        await using var app = await TestApp.StartAsync(
            a => a.MapNygardBreakerControls().RequireAuthorization("operators"),
            services: s => s.AddAuthorizationBuilder().AddPolicy("operators", p => p.RequireAuthenticatedUser().RequireUserName("alice")));

        using var bob = new HttpRequestMessage(HttpMethod.Post, new Uri("/breakers/orders%2FNygardBreaker/open", UriKind.Relative));
        bob.Headers.Add(TestAuthenticationHandler.Header, "bob");
        using var refused = await app.Client.SendAsync(bob);
        using var alice = new HttpRequestMessage(HttpMethod.Post, new Uri("/breakers/orders%2FNygardBreaker/open", UriKind.Relative));
        alice.Headers.Add(TestAuthenticationHandler.Header, "alice");
        using var accepted = await app.Client.SendAsync(alice);

        Assert.Equal(HttpStatusCode.Forbidden, refused.StatusCode);
        Assert.Equal(HttpStatusCode.NoContent, accepted.StatusCode);
    }

    [Fact]
    public async Task TwoHostsInOneProcess_ListOnlyTheirOwnBreakers()
    {
        await using var first = await TestApp.StartAsync(a => a.MapNygardBreakers(), pipelinePrefix: "first-");
        await using var second = await TestApp.StartAsync(a => a.MapNygardBreakers(), pipelinePrefix: "second-");

        var firstIds = await IdsAsync(first);
        var secondIds = await IdsAsync(second);

        Assert.Equal(["first-orders/NygardBreaker", "first-payments/payments-breaker"], firstIds);
        Assert.Equal(["second-orders/NygardBreaker", "second-payments/payments-breaker"], secondIds);
        using var missing = await first.Client.GetAsync(new Uri("/breakers/second-orders%2FNygardBreaker", UriKind.Relative));
        Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);
    }

    [Fact]
    public async Task Dashboard_IsOneSelfContainedPage_WithLanguageViewportAndControlsFlag()
    {
        await using var app = await TestApp.StartAsync(a =>
        {
            a.MapNygardBreakers("/ops/breakers");
            a.MapNygardBreakerControls("/ops/breakers");
        });

        using var response = await app.Client.GetAsync(new Uri("/ops/breakers/dashboard", UriKind.Relative));
        var html = await response.Content.ReadAsStringAsync();

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(new MediaTypeHeaderValue("text/html") { CharSet = "utf-8" }, response.Content.Headers.ContentType);
        Assert.Contains("<html lang=\"en\">", html, StringComparison.Ordinal);
        Assert.Contains("name=\"viewport\"", html, StringComparison.Ordinal);
        Assert.Contains("data-controls=\"true\"", html, StringComparison.Ordinal);
        Assert.DoesNotContain("http://", html, StringComparison.Ordinal);
        Assert.DoesNotContain("https://", html, StringComparison.Ordinal);
        Assert.DoesNotContain("<link", html, StringComparison.Ordinal);
        Assert.DoesNotContain("http-equiv=\"refresh\"", html, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public void MapNygardBreakers_WithoutItsServices_FailsNamingTheRegistration()
    {
        var builder = WebApplication.CreateBuilder();
        using var app = builder.Build();

        var error = Assert.Throws<InvalidOperationException>(() => app.MapNygardBreakers());

        Assert.Contains("AddNygardBreakerEndpoints", error.Message, StringComparison.Ordinal);
    }

    private static async Task<List<string?>> IdsAsync(TestApp app)
    {
        using var json = JsonDocument.Parse(await app.Client.GetStringAsync(new Uri("/breakers", UriKind.Relative)));
        return [.. json.RootElement.EnumerateArray().Select(b => b.GetProperty("id").GetString())];
    }
}
