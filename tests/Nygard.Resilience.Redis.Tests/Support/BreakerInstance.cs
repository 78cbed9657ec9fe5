using Nygard.Resilience.Testing;
using Nygard.Resilience;
using Polly;
using Polly.CircuitBreaker;
using Polly.Telemetry;
using StackExchange.Redis;

namespace Nygard.Resilience.Redis.Tests.Support;

/// <summary>One "host" of a service: its own connection, store and pipeline, sharing a breaker through Redis.</summary>
internal sealed class BreakerInstance : IAsyncDisposable
{
    private readonly List<string> _telemetry = [];

    private BreakerInstance(ConnectionMultiplexer connection, RedisNygardBreakerStateStore store, NygardBreakerStrategyOptions options)
    {
        Connection = connection;
        Store = store;
        options.StateStore = store;
        options.StateProvider = State;
        options.ManualControl = Control;
        var onOpened = options.OnOpened;
        options.OnOpened = args =>
        {
            lock (_telemetry)
            {
                Opened++;
            }

            return onOpened?.Invoke(args) ?? default;
        };
        Pipeline = new ResiliencePipelineBuilder()
            .AddNygardBreaker(options)
            .ConfigureTelemetry(new TelemetryOptions { TelemetryListeners = { new Listener(_telemetry) } })
            .Build();
    }

    public ConnectionMultiplexer Connection { get; }

    public RedisNygardBreakerStateStore Store { get; }

    public NygardBreakerStateProvider State { get; } = new();

    public NygardBreakerManualControl Control { get; } = new();

    public ResiliencePipeline Pipeline { get; }

    public int Opened { get; private set; }

    public IReadOnlyList<string> TelemetryEvents
    {
        get
        {
            lock (_telemetry)
            {
                return [.. _telemetry];
            }
        }
    }

    public static async Task<BreakerInstance> StartAsync(
        ITestRedis server,
        string key,
        Action<NygardBreakerStrategyOptions>? configure = null,
        RedisNygardBreakerStateStoreOptions? storeOptions = null,
        bool waitForConnection = true,
        Action<ConfigurationOptions>? connect = null)
    {
        var configuration = server.Configuration();
        connect?.Invoke(configuration);
        var connection = await ConnectionMultiplexer.ConnectAsync(configuration);
        if (waitForConnection)
        {
            await Eventually.TrueAsync(() => connection.IsConnected, "the connection is up", TimeSpan.FromSeconds(20));
        }

        // Tests about sharing give Redis time to answer on a busy machine; the outage tests set their own options.
        var store = new RedisNygardBreakerStateStore(connection, key, storeOptions ?? new RedisNygardBreakerStateStoreOptions { OperationTimeout = TimeSpan.FromSeconds(2) });
        var options = new NygardBreakerStrategyOptions { FailureThreshold = 3, BreakDuration = TimeSpan.FromSeconds(30) };
        configure?.Invoke(options);
        return new BreakerInstance(connection, store, options);
    }

    public Task<Outcome<string>> SucceedAsync() => RunAsync(null);

    public Task<Outcome<string>> FailAsync() => RunAsync(new InvalidOperationException("dependency failed"));

    public async Task<Outcome<string>> RunAsync(Exception? failWith)
    {
        var context = ResilienceContextPool.Shared.Get();
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

    public async ValueTask DisposeAsync()
    {
        Store.Dispose();
        await Connection.DisposeAsync();
    }

    private sealed class Listener(List<string> events) : TelemetryListener
    {
        public override void Write<TResult, TArgs>(in TelemetryEventArguments<TResult, TArgs> args)
        {
            lock (events)
            {
                events.Add(args.Event.EventName);
            }
        }
    }
}
