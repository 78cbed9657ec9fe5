using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Configs;
using Nygard.Resilience.Redis;
using Nygard.Resilience.Testing;
using Polly;
using StackExchange.Redis;

namespace Nygard.Resilience.Benchmarks;

/// <summary>
/// The Redis store against the in-memory store, on a redis-server from PATH started on a free loopback port:
/// the clean path and rejections read the local cache; a counted failure and a trip (here with a manual close, so
/// that it can repeat) each cost round trips.
/// </summary>
[GroupBenchmarksBy(BenchmarkLogicalGroupRule.ByCategory)]
[CategoriesColumn]
public class RedisStoreBenchmarks
{
    private RedisServer _server = null!;
    private ConnectionMultiplexer _connection = null!;
    private RedisNygardBreakerStateStore[] _stores = [];
    private ResiliencePipeline _memoryClosed = null!;
    private ResiliencePipeline _redisClosed = null!;
    private ResiliencePipeline _memoryCounting = null!;
    private ResiliencePipeline _redisCounting = null!;
    private ResiliencePipeline _memoryTripping = null!;
    private ResiliencePipeline _redisTripping = null!;
    private ResiliencePipeline _memoryOpen = null!;
    private ResiliencePipeline _redisOpen = null!;
    private NygardBreakerManualControl _memoryControl = null!;
    private NygardBreakerManualControl _redisControl = null!;

    [GlobalSetup]
    public void Setup()
    {
        if (RedisServer.MissingReason is { } reason)
        {
            throw new InvalidOperationException(reason);
        }

        _server = RedisServer.StartAsync().GetAwaiter().GetResult();
        _connection = _server.ConnectAsync().GetAwaiter().GetResult();
        var quiet = new RedisNygardBreakerStateStoreOptions { MaxStaleness = TimeSpan.FromMinutes(10), OperationTimeout = TimeSpan.FromSeconds(5) };
        _stores = [.. Enumerable.Range(0, 4).Select(i => new RedisNygardBreakerStateStore(_connection, $"bench-{i}-{Guid.NewGuid():N}", quiet))];
        _memoryControl = new NygardBreakerManualControl();
        _redisControl = new NygardBreakerManualControl();

        _memoryClosed = Build(null, 5);
        _redisClosed = Build(_stores[0], 5);
        _memoryCounting = Build(null, int.MaxValue);
        _redisCounting = Build(_stores[1], int.MaxValue);
        _memoryTripping = Build(null, 1, _memoryControl);
        _redisTripping = Build(_stores[2], 1, _redisControl);
        _memoryOpen = Build(null, 1);
        _redisOpen = Build(_stores[3], 1);
        OutcomeCalls.FailAsync(_memoryOpen).AsTask().GetAwaiter().GetResult();
        OutcomeCalls.FailAsync(_redisOpen).AsTask().GetAwaiter().GetResult();
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        foreach (var store in _stores)
        {
            store.Dispose();
        }

        _connection.Dispose();
        _server.DisposeAsync().AsTask().GetAwaiter().GetResult();
    }

    [Benchmark(Baseline = true), BenchmarkCategory("closed success")]
    public void InMemory_ClosedSuccess() => _memoryClosed.Execute(static () => { });

    [Benchmark, BenchmarkCategory("closed success")]
    public void Redis_ClosedSuccess() => _redisClosed.Execute(static () => { });

    [Benchmark(Baseline = true), BenchmarkCategory("open rejection")]
    public ValueTask<Outcome<int>> InMemory_OpenRejection() => OutcomeCalls.SucceedAsync(_memoryOpen);

    [Benchmark, BenchmarkCategory("open rejection")]
    public ValueTask<Outcome<int>> Redis_OpenRejection() => OutcomeCalls.SucceedAsync(_redisOpen);

    [Benchmark(Baseline = true), BenchmarkCategory("counted failure")]
    public ValueTask<Outcome<int>> InMemory_Failure() => OutcomeCalls.FailAsync(_memoryCounting);

    [Benchmark, BenchmarkCategory("counted failure")]
    public ValueTask<Outcome<int>> Redis_Failure() => OutcomeCalls.FailAsync(_redisCounting);

    [Benchmark(Baseline = true), BenchmarkCategory("trip and close")]
    public async Task InMemory_TripAndClose()
    {
        await OutcomeCalls.FailAsync(_memoryTripping);
        await _memoryControl.CloseAsync();
    }

    [Benchmark, BenchmarkCategory("trip and close")]
    public async Task Redis_TripAndClose()
    {
        await OutcomeCalls.FailAsync(_redisTripping);
        await _redisControl.CloseAsync();
    }

    private ResiliencePipeline Build(RedisNygardBreakerStateStore? store, int threshold, NygardBreakerManualControl? control = null) =>
        new ResiliencePipelineBuilder()
            .AddNygardBreaker(new NygardBreakerStrategyOptions { FailureThreshold = threshold, BreakDuration = TimeSpan.FromHours(1), StateStore = store, ManualControl = control })
            .Build();
}
