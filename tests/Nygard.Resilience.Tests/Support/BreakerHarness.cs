using Microsoft.Extensions.Time.Testing;
using Nygard.Resilience;
using Polly;
using Polly.CircuitBreaker;
using Polly.Telemetry;

namespace Nygard.Resilience.Tests.Support;

/// <summary>A breaker in a real pipeline on fake time, with every event it raises written down in order.</summary>
internal sealed class BreakerHarness
{
    public static readonly DateTimeOffset Epoch = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);

    public BreakerHarness(Action<NygardBreakerStrategyOptions>? configure = null)
    {
        Options = new NygardBreakerStrategyOptions
        {
            FailureThreshold = 3,
            BreakDuration = TimeSpan.FromSeconds(30),
            StateProvider = State,
            ManualControl = Control,
            OnOpened = args => Record($"opened {(args.IsManual ? "manual " : string.Empty)}{args.BreakDuration.TotalSeconds}s"),
            OnClosed = args => Record($"closed{(args.IsManual ? " manual" : string.Empty)}"),
            OnHalfOpened = _ => Record("half-opened"),
        };
        configure?.Invoke(Options);
        Pipeline = Build();
    }

    public FakeTimeProvider Time { get; } = new(Epoch);

    public NygardBreakerStrategyOptions Options { get; }

    public NygardBreakerStateProvider State { get; } = new();

    public NygardBreakerManualControl Control { get; } = new();

    public RecordingTelemetryListener Telemetry { get; } = new();

    public List<string> Events { get; } = [];

    public ResiliencePipeline Pipeline { get; }

    public ResiliencePipeline Build() =>
        new ResiliencePipelineBuilder { TimeProvider = Time }
            .AddNygardBreaker(Options)
            .ConfigureTelemetry(new TelemetryOptions { TelemetryListeners = { Telemetry } })
            .Build();

    public Task<Outcome<string>> SucceedAsync() => CallAsync(null);

    public Task<Outcome<string>> FailAsync() => CallAsync(new InvalidOperationException("boom"));

    public async Task<Outcome<string>> CallAsync(Exception? failWith, CancellationToken cancellationToken = default)
    {
        var context = ResilienceContextPool.Shared.Get(cancellationToken);
        try
        {
            return await Pipeline.ExecuteOutcomeAsync(
                static (_, error) => error is null ? Outcome.FromResultAsValueTask("ok") : Outcome.FromExceptionAsValueTask<string>(error),
                context,
                failWith);
        }
        finally
        {
            ResilienceContextPool.Shared.Return(context);
        }
    }

    /// <summary>Starts a call that is admitted (or rejected) now and finishes when the test says so.</summary>
    public PendingCall Start(CancellationToken cancellationToken = default) => new(Pipeline, cancellationToken);

    public async Task TripAsync()
    {
        for (var i = 0; i < Options.FailureThreshold; i++)
        {
            await FailAsync();
        }

        Assert.Equal(CircuitState.Open, State.CircuitState);
    }

    public void Advance(TimeSpan by) => Time.Advance(by);

    private ValueTask Record(string text)
    {
        lock (Events)
        {
            Events.Add(text);
        }

        return default;
    }
}
