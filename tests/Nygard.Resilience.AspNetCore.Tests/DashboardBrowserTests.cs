using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Nygard.Resilience.AspNetCore.Tests.Support;
using Polly;
using Polly.Registry;

namespace Nygard.Resilience.AspNetCore.Tests;

/// <summary>
/// Opens the dashboard in headless Chromium against a real Kestrel server, changes breakers through the app's
/// control endpoints, and checks that the page shows each change without reloading. Screenshots of each state go to
/// <c>screenshots/</c> in the test output directory.
/// </summary>
public class DashboardBrowserTests
{
    private const string Orders = "orders/NygardBreaker";

    [SkippableFact]
    public async Task Dashboard_ShowsEachStateChangeLive_WithoutReloading()
    {
        await using var app = await TestApp.StartAsync(a =>
        {
            a.MapNygardBreakers();
            a.MapNygardBreakerControls();
        }, services: s => s.AddResiliencePipeline("inventory", b => b.AddNygardBreaker(new NygardBreakerStrategyOptions { FailureThreshold = 4, BreakDuration = TimeSpan.FromSeconds(20) })));
        app.SetRateInterval(TimeSpan.FromMilliseconds(500));
        var pipelines = app.App.Services.GetRequiredService<ResiliencePipelineProvider<string>>();
        await pipelines.GetPipeline("inventory").ExecuteAsync(_ => default);
        var shots = Directory.CreateDirectory(Path.Combine(AppContext.BaseDirectory, "screenshots")).FullName;
        Skip.If(HeadlessChromium.MissingReason is not null, HeadlessChromium.MissingReason);
        await using var browser = await HeadlessChromium.LaunchAsync();
        await browser.ResizeAsync(390, 844, mobile: true);

        await browser.NavigateAsync(new Uri(app.Address, "/breakers/dashboard"));
        await browser.WaitUntilAsync(StateIs(Orders, "Closed", "Closed"), "orders closed");
        await browser.EvaluateAsync("window.loadedOnce = 'still the same page'");
        await File.WriteAllBytesAsync(Path.Combine(shots, "dashboard-closed.png"), await browser.ScreenshotAsync());

        await PostAsync(app, Orders, "open");
        await browser.WaitUntilAsync(StateIs(Orders, "Open", "Open"), "orders open");
        await browser.WaitUntilAsync("document.getElementById('log').innerText.includes('orders/NygardBreaker: Closed → Open (manual)')", "the transition in the event log");
        await browser.WaitUntilAsync(Text(Orders, ".left") + ".endsWith(' s')", "the time left");
        await File.WriteAllBytesAsync(Path.Combine(shots, "dashboard-open.png"), await browser.ScreenshotAsync());

        await PostAsync(app, Orders, "half-open");
        await browser.WaitUntilAsync(StateIs(Orders, "HalfOpen", "Half-open"), "orders half-open");
        await File.WriteAllBytesAsync(Path.Combine(shots, "dashboard-half-open.png"), await browser.ScreenshotAsync());

        // The page's own buttons: this browser has no user, so the command is refused and the page says so.
        await browser.EvaluateAsync($"document.querySelector('article[data-id=\"{Orders}\"] button[data-command=\"isolate\"]').click()");
        await browser.WaitUntilAsync(Text(Orders, ".message") + ".includes('Refused (401)')", "the refusal message");
        Assert.Equal("Half-open", (await browser.EvaluateAsync(Text(Orders, ".state")))!.GetValue<string>());

        Assert.Equal("still the same page", (await browser.EvaluateAsync("window.loadedOnce"))!.GetValue<string>());
    }

    [SkippableFact]
    public async Task Dashboard_OnAWideScreen_ShowsRatesAndEveryState()
    {
        await using var app = await TestApp.StartAsync(a =>
        {
            a.MapNygardBreakers();
            a.MapNygardBreakerControls();
        }, services: s =>
        {
            s.AddNygardBreakerRegistry();
            s.Configure<NygardBreakerStrategyOptions>("inventory", o => (o.FailureThreshold, o.BreakDuration) = (4, TimeSpan.FromSeconds(20)));
            s.AddResiliencePipeline("inventory", (b, c) => b.AddNygardBreaker(c));
            s.AddResiliencePipeline("shipping", b => b.AddNygardBreaker(new NygardBreakerStrategyOptions { FailureThreshold = 5 }));
        });
        app.SetRateInterval(TimeSpan.FromMilliseconds(500));
        var pipelines = app.App.Services.GetRequiredService<ResiliencePipelineProvider<string>>();
        var inventory = pipelines.GetPipeline("inventory");
        await pipelines.GetPipeline("shipping").ExecuteAsync(_ => default);
        Skip.If(HeadlessChromium.MissingReason is not null, HeadlessChromium.MissingReason);
        await using var chromium = await HeadlessChromium.LaunchAsync();
        await chromium.ResizeAsync(1280, 800, mobile: false);
        await chromium.NavigateAsync(new Uri(app.Address, "/breakers/dashboard"));
        await chromium.WaitUntilAsync(StateIs("shipping/NygardBreaker", "Closed", "Closed"), "shipping closed");
        await PostAsync(app, "payments/payments-breaker", "isolate");
        await PostAsync(app, "shipping/NygardBreaker", "half-open");
        for (var i = 0; i < 20; i++)
        {
            await inventory.ExecuteAsync(_ => default);
        }

        for (var i = 0; i < 2; i++)
        {
            await Assert.ThrowsAsync<InvalidOperationException>(() => inventory.ExecuteAsync(_ => throw new InvalidOperationException("down")).AsTask());
        }

        await PostAsync(app, Orders, "open");
        await chromium.WaitUntilAsync(StateIs(Orders, "Open", "Open"), "orders open");
        await chromium.WaitUntilAsync(StateIs("payments/payments-breaker", "Isolated", "Isolated"), "payments isolated");
        await chromium.WaitUntilAsync(Text("inventory/NygardBreaker", ".failures") + " === '2 of 4'", "inventory's failures");

        // Steady traffic for a few rate intervals, so that the rates show and the sparklines have a history: inventory
        // mostly succeeds (one failure in ten never trips it), orders rejects.
        using var traffic = new CancellationTokenSource();
        var orders = pipelines.GetPipeline("orders");
        var load = Task.Run(async () =>
        {
            for (var i = 0; !traffic.IsCancellationRequested; i++)
            {
                var outcome = i % 10 == 9 ? Outcome.FromException<int>(new InvalidOperationException("down")) : Outcome.FromResult(1);
                await RunAsync(inventory, outcome);
                await RunAsync(orders, Outcome.FromResult(1));
                await Task.Delay(15, CancellationToken.None);
            }
        });

        // Rates are counted between samples, so they show while calls keep coming (calls made before the first sample
        // may never show as a rate on a busy machine).
        await chromium.WaitUntilAsync(Text("inventory/NygardBreaker", ".r-success") + ".endsWith('success') && !" + Text("inventory/NygardBreaker", ".r-success") + ".startsWith('0 ')", "inventory's rates");
        await chromium.WaitUntilAsync("document.querySelectorAll('article[data-id=\"inventory/NygardBreaker\"] .spark rect').length >= 16", "inventory's call history", TimeSpan.FromSeconds(30));
        await traffic.CancelAsync();
        await load;
        var shots = Directory.CreateDirectory(Path.Combine(AppContext.BaseDirectory, "screenshots")).FullName;
        await File.WriteAllBytesAsync(Path.Combine(shots, "dashboard-wide.png"), await chromium.ScreenshotAsync());
    }

    private static async Task RunAsync(ResiliencePipeline pipeline, Outcome<int> outcome)
    {
        var context = ResilienceContextPool.Shared.Get();
        try
        {
            await pipeline.ExecuteOutcomeAsync(static (_, state) => new ValueTask<Outcome<int>>(state), context, outcome);
        }
        finally
        {
            ResilienceContextPool.Shared.Return(context);
        }
    }

    private static string Text(string id, string selector) =>
        $"(document.querySelector('article[data-id=\"{id}\"] {selector}')?.textContent ?? '')";

    private static string StateIs(string id, string state, string text) =>
        $"document.querySelector('article[data-id=\"{id}\"]')?.dataset.state === '{state}' && {Text(id, ".state")} === '{text}'";

    private static async Task PostAsync(TestApp app, string id, string command)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, new Uri($"/breakers/{Uri.EscapeDataString(id)}/{command}", UriKind.Relative));
        request.Headers.Add(TestAuthenticationHandler.Header, "operator");
        using var response = await app.Client.SendAsync(request);
        Assert.Equal(System.Net.HttpStatusCode.NoContent, response.StatusCode);
    }
}
