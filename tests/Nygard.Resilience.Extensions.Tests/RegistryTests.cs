using System.Net;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Http.Resilience;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Testing;
using Polly;
using Polly.CircuitBreaker;
using Polly.Registry;

namespace Nygard.Resilience.Extensions.Tests;

public class RegistryTests
{
    [Fact]
    public async Task Breakers_ListEveryBreakerOfTheContainer_InlineContextAndPerAuthority()
    {
        await using var services = BuildMixed();
        var pipelines = services.GetRequiredService<ResiliencePipelineProvider<string>>();
        await pipelines.GetPipeline("inline").ExecuteAsync(_ => default);
        await pipelines.GetPipeline("configured").ExecuteAsync(_ => default);
        var client = services.GetRequiredService<IHttpClientFactory>().CreateClient("inventory");
        await client.GetAsync(new Uri("http://127.0.0.1:1/"));
        await client.GetAsync(new Uri("http://127.0.0.1:2/"));

        var registry = services.GetRequiredService<NygardBreakerRegistry>();

        Assert.Equal(
            ["configured/NygardBreaker", "inline/inline-breaker", "inventory-standard/http://127.0.0.1:1/NygardBreaker", "inventory-standard/http://127.0.0.1:2/NygardBreaker"],
            registry.Breakers.Select(b => b.Id.ToString()));
        var inline = Assert.Single(registry.Breakers, b => b.Id.PipelineName == "inline");
        Assert.Equal((7, TimeSpan.FromSeconds(42), 2, 3), (inline.FailureThreshold, inline.BreakDuration, inline.HalfOpenPermits, inline.SuccessThreshold));
    }

    [Fact]
    public async Task TwoContainersInOneProcess_NeverSeeEachOthersBreakers()
    {
        await using var first = BuildMixed();
        var second = new ServiceCollection();
        second.AddNygardBreakerRegistry();
        second.AddResiliencePipeline("other", b => b.AddNygardBreaker(new NygardBreakerStrategyOptions()));
        await using var secondServices = second.BuildServiceProvider();

        await first.GetRequiredService<ResiliencePipelineProvider<string>>().GetPipeline("inline").ExecuteAsync(_ => default);
        await secondServices.GetRequiredService<ResiliencePipelineProvider<string>>().GetPipeline("other").ExecuteAsync(_ => default);

        Assert.Equal(["inline/inline-breaker"], first.GetRequiredService<NygardBreakerRegistry>().Breakers.Select(b => b.Id.ToString()));
        Assert.Equal(["other/NygardBreaker"], secondServices.GetRequiredService<NygardBreakerRegistry>().Breakers.Select(b => b.Id.ToString()));
    }

    [Fact]
    public async Task TryExecuteAsync_AppliesTheCommandById_AndRefusesAnUnknownId()
    {
        await using var services = BuildMixed();
        var pipeline = services.GetRequiredService<ResiliencePipelineProvider<string>>().GetPipeline("inline");
        var registry = services.GetRequiredService<NygardBreakerRegistry>();
        await pipeline.ExecuteAsync(_ => default);

        Assert.True(await registry.TryExecuteAsync("inline/inline-breaker", NygardBreakerCommand.Isolate));
        Assert.False(await registry.TryExecuteAsync("inline/missing", NygardBreakerCommand.Open));

        await Assert.ThrowsAsync<IsolatedCircuitException>(() => pipeline.ExecuteAsync(_ => default).AsTask());
        Assert.True(registry.TryGetBreaker("inline/inline-breaker", out var breaker));
        Assert.Equal(CircuitState.Isolated, breaker.State);
        Assert.True(await registry.TryExecuteAsync("inline/inline-breaker", NygardBreakerCommand.Close));
        Assert.Equal(CircuitState.Closed, breaker.State);
    }

    [Fact]
    public async Task Transitioned_ReportsFromAndTo_AndIsolationAsIsolation()
    {
        await using var services = BuildMixed();
        var pipeline = services.GetRequiredService<ResiliencePipelineProvider<string>>().GetPipeline("configured");
        var registry = services.GetRequiredService<NygardBreakerRegistry>();
        var seen = new List<NygardBreakerTransitionEventArgs>();
        registry.Transitioned += (_, e) => { lock (seen) { seen.Add(e); } };
        registry.Transitioned += (_, _) => throw new InvalidOperationException("a failing observer");

        await ReloadTests.FailAsync(pipeline);
        await registry.TryExecuteAsync("configured/NygardBreaker", NygardBreakerCommand.Isolate);
        await registry.TryExecuteAsync("configured/NygardBreaker", NygardBreakerCommand.Close);

        await WaitUntilAsync(() => { lock (seen) { return seen.Count >= 3; } });
        lock (seen)
        {
            Assert.Equal(
                [(CircuitState.Closed, CircuitState.Open, false), (CircuitState.Open, CircuitState.Isolated, true), (CircuitState.Isolated, CircuitState.Closed, true)],
                seen.Select(e => (e.From, e.To, e.IsManual)));
            Assert.Equal(TimeSpan.FromMinutes(1), seen[0].BreakDuration);
            Assert.Equal(1, seen[0].FailureCount);
            Assert.Null(seen[1].BreakDuration);
        }
    }

    [Fact]
    public async Task EachTransition_IsLoggedOnce_WithIdStatesCountDurationAndManualFlag()
    {
        await using var services = BuildMixed();
        var pipeline = services.GetRequiredService<ResiliencePipelineProvider<string>>().GetPipeline("configured");
        var registry = services.GetRequiredService<NygardBreakerRegistry>();

        await ReloadTests.FailAsync(pipeline);
        await registry.TryExecuteAsync("configured/NygardBreaker", NygardBreakerCommand.Isolate);

        var logs = services.GetFakeLogCollector();
        await WaitUntilAsync(() => logs.GetSnapshot().Count(r => r.Category == "Nygard.Resilience") >= 2);
        var records = logs.GetSnapshot().Where(r => r.Category == "Nygard.Resilience").ToList();
        var opened = Assert.Single(records, r => r.Id.Name == "NygardBreakerTransition");
        Assert.Equal(LogLevel.Warning, opened.Level);
        Assert.Equal("configured/NygardBreaker", opened.GetStructuredStateValue("BreakerId"));
        Assert.Equal("Closed", opened.GetStructuredStateValue("From"));
        Assert.Equal("Open", opened.GetStructuredStateValue("To"));
        Assert.Equal("1", opened.GetStructuredStateValue("FailureCount"));
        Assert.Equal("00:01:00", opened.GetStructuredStateValue("BreakDuration"));
        Assert.Equal("False", opened.GetStructuredStateValue("IsManual"));
        var isolated = Assert.Single(records, r => r.Id.Name == "NygardBreakerIsolated");
        Assert.Equal("Open", isolated.GetStructuredStateValue("From"));
        Assert.Equal("True", isolated.GetStructuredStateValue("IsManual"));
    }

    [Fact]
    public async Task PerAuthorityBreakers_ShareOneManualControl_AndKeepTheStateProviderOnTheFirst()
    {
        var control = new NygardBreakerManualControl();
        var provider = new NygardBreakerStateProvider();
        var services = new ServiceCollection();
        services.AddLogging(l => l.AddFakeLogging());
        services.AddNygardBreakerRegistry();
        services.Configure<HttpNygardBreakerStrategyOptions>("inventory-standard", o => (o.ManualControl, o.StateProvider) = (control, provider));
        services.AddHttpClient("inventory")
            .ConfigurePrimaryHttpMessageHandler(() => new StubHandler())
            .AddResilienceHandler("standard", (builder, context) => builder.AddNygardBreaker(context))
            .SelectPipelineByAuthority();
        await using var built = services.BuildServiceProvider();
        var client = built.GetRequiredService<IHttpClientFactory>().CreateClient("inventory");

        await client.GetAsync(new Uri("http://127.0.0.1:1/"));
        await client.GetAsync(new Uri("http://127.0.0.1:2/"));
        await control.OpenAsync();

        var registry = built.GetRequiredService<NygardBreakerRegistry>();
        Assert.All(registry.Breakers, b => Assert.Equal(CircuitState.Open, b.State));
        Assert.Equal(CircuitState.Open, provider.CircuitState);
        Assert.Contains(built.GetFakeLogCollector().GetSnapshot(), r => r.Id.Name == "NygardBreakerStateProviderNotShared");
    }

    [Fact]
    public async Task DisposingTheContainer_DisposesTheStoresTheRegistryCreated()
    {
        var factory = new DisposableStoreFactory();
        var services = new ServiceCollection();
        services.AddSingleton<INygardBreakerStateStoreFactory>(factory);
        services.AddNygardBreakerRegistry();
        services.AddResiliencePipeline("orders", (builder, context) => builder.AddNygardBreaker(context));
        var built = services.BuildServiceProvider();
        await built.GetRequiredService<ResiliencePipelineProvider<string>>().GetPipeline("orders").ExecuteAsync(_ => default);
        var store = Assert.Single(factory.Created);

        await built.DisposeAsync();

        Assert.True(store.IsDisposed);
    }

    [Fact]
    public void AddNygardBreakerWithContext_WithoutTheRegistry_FailsNamingTheFix()
    {
        var services = new ServiceCollection();
        services.AddResiliencePipeline("orders", (builder, context) => builder.AddNygardBreaker(context));
        using var built = services.BuildServiceProvider();

        var error = Assert.Throws<InvalidOperationException>(() => built.GetRequiredService<ResiliencePipelineProvider<string>>().GetPipeline("orders"));

        Assert.Contains("AddNygardBreakerRegistry", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task CallsCounter_CountsSuccessesFailuresAndRejections_WithTheBreakersTags()
    {
        await using var services = BuildMixed();
        var registry = services.GetRequiredService<NygardBreakerRegistry>();
        using var calls = new Microsoft.Extensions.Diagnostics.Metrics.Testing.MetricCollector<long>(registry.Metrics.Calls);
        var pipeline = services.GetRequiredService<ResiliencePipelineProvider<string>>().GetPipeline("configured");

        await pipeline.ExecuteAsync(_ => default);
        await ReloadTests.FailAsync(pipeline);
        await Assert.ThrowsAsync<BrokenCircuitException>(() => pipeline.ExecuteAsync(_ => default).AsTask());

        calls.RecordObservableInstruments();
        var measured = calls.GetMeasurementSnapshot().Where(m => Equals(m.Tags["pipeline.name"], "configured")).ToList();
        Assert.Equal(["success", "failure", "rejected", "ignored"], measured.Select(m => (string)m.Tags["outcome"]!));
        Assert.Equal([1L, 1L, 1L, 0L], measured.Select(m => m.Value));
        Assert.All(measured, m => Assert.Equal("NygardBreaker", m.Tags["strategy.name"]));
        Assert.Equal(new NygardBreakerCallCounts(1, 1, 1, 0), registry.GetCallCounts(new NygardBreakerId("configured", null, "NygardBreaker")));
    }

    [Fact]
    public async Task CallsCounter_CountsEveryOutcomeOfABreakerDeclaredWithInlineOptions()
    {
        await using var services = BuildMixed();
        var registry = services.GetRequiredService<NygardBreakerRegistry>();
        var pipeline = services.GetRequiredService<ResiliencePipelineProvider<string>>().GetPipeline("inline");
        var id = new NygardBreakerId("inline", null, "inline-breaker");
        using var cancelled = new CancellationTokenSource(); // cancelled by the call itself: Polly skips a call cancelled before it starts

        for (var i = 0; i < 3; i++)
        {
            await pipeline.ExecuteAsync(_ => default); // the clean path
        }

        for (var i = 0; i < 7; i++)
        {
            await ReloadTests.FailAsync(pipeline); // the seventh trips the breaker
        }

        await Assert.ThrowsAsync<BrokenCircuitException>(() => pipeline.ExecuteAsync(_ => default).AsTask());
        var handle = Assert.Single(registry.Breakers, b => b.Id == id);
        await handle.CloseAsync();
        await Assert.ThrowsAsync<OperationCanceledException>(() => pipeline.ExecuteAsync(_ => CancelAsync(cancelled), cancelled.Token).AsTask());

        Assert.Equal(new NygardBreakerCallCounts(3, 7, 1, 1), registry.GetCallCounts(id));
        Assert.Equal(registry.GetCallCounts(id), handle.CallCounter!.Counts);
    }

    internal static async Task WaitUntilAsync(Func<bool> condition)
    {
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (!condition())
        {
            Assert.True(DateTime.UtcNow < deadline, "The condition did not hold within 10 s.");
            await Task.Delay(10);
        }
    }

    private static async ValueTask CancelAsync(CancellationTokenSource cancellation)
    {
        await cancellation.CancelAsync();
        cancellation.Token.ThrowIfCancellationRequested();
    }

    private static ServiceProvider BuildMixed()
    {
        var services = new ServiceCollection();
        services.AddLogging(l => l.AddFakeLogging());
        services.AddNygardBreakerRegistry();
        services.AddResiliencePipeline("inline", b => b.AddNygardBreaker(new NygardBreakerStrategyOptions
        {
            Name = "inline-breaker",
            FailureThreshold = 7,
            BreakDuration = TimeSpan.FromSeconds(42),
            HalfOpenPermits = 2,
            SuccessThreshold = 3,
        }));
        services.Configure<NygardBreakerStrategyOptions>("configured", o => o.FailureThreshold = 1);
        services.AddResiliencePipeline("configured", (builder, context) => builder.AddNygardBreaker(context));
        services.AddHttpClient("inventory")
            .ConfigurePrimaryHttpMessageHandler(() => new StubHandler())
            .AddResilienceHandler("standard", (builder, context) => builder.AddNygardBreaker(context))
            .SelectPipelineByAuthority();
        return services.BuildServiceProvider();
    }

    private sealed class StubHandler : HttpMessageHandler
    {
        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken) =>
            Task.FromResult(new HttpResponseMessage(HttpStatusCode.OK) { RequestMessage = request });
    }

    private sealed class DisposableStoreFactory : INygardBreakerStateStoreFactory
    {
        public List<DisposableStore> Created { get; } = [];

        public INygardBreakerStateStore Create(string breakerKey)
        {
            var store = new DisposableStore();
            Created.Add(store);
            return store;
        }
    }

    private sealed class DisposableStore : INygardBreakerStateStore, IDisposable
    {
        private readonly InMemoryNygardBreakerStateStore _inner = new();

        public bool IsDisposed { get; private set; }

        public NygardBreakerSnapshot Current => _inner.Current;

        public DateTimeOffset GetUtcNow(TimeProvider localTime) => _inner.GetUtcNow(localTime);

        public IDisposable Subscribe(INygardBreakerStateObserver observer) => _inner.Subscribe(observer);

        public ValueTask<bool> TryReplaceAsync(NygardBreakerSnapshot expected, NygardBreakerSnapshot replacement, object? cause, CancellationToken cancellationToken) =>
            _inner.TryReplaceAsync(expected, replacement, cause, cancellationToken);

        public void Dispose() => IsDisposed = true;
    }
}
