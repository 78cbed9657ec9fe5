using System.Diagnostics;
using System.Globalization;
using Nygard.Resilience.Redis;
using Nygard.Resilience.Testing;
using Polly;
using StackExchange.Redis;

namespace Nygard.Resilience.Benchmarks;

/// <summary>
/// A failure storm on one shared breaker: instances (each with its own multiplexer, as separate hosts would have)
/// × concurrent failing callers, FailureThreshold high so that nothing trips. Prints counted failures per second,
/// Redis round trips per counted failure (the multiplexers' own operation counters), p99 and max latency of a
/// failing call. Usage: <c>redis-storm [seconds per row] [OperationTimeout ms]</c>.
/// </summary>
internal static class RedisStormHarness
{
    public static async Task RunAsync(string[] args)
    {
        if (RedisServer.MissingReason is { } reason)
        {
            Console.Error.WriteLine(reason);
            return;
        }

        var seconds = args.Length > 1 ? double.Parse(args[1], CultureInfo.InvariantCulture) : 3.0;
        var timeout = TimeSpan.FromMilliseconds(args.Length > 2 ? int.Parse(args[2], CultureInfo.InvariantCulture) : 5000);
        await using var server = await RedisServer.StartAsync();

        Console.WriteLine($"Failure storm on one key: {seconds}s per row, OperationTimeout {timeout.TotalMilliseconds} ms, loopback redis-server, {Environment.ProcessorCount} logical cores");
        foreach (var fastPath in new[] { false, true })
        {
            Console.WriteLine();
            Console.WriteLine(fastPath
                ? "The store's failure counter called directly, without the pipeline (one script per failure, no compare-and-swap):"
                : "Through the pipeline (the breaker counts a failure that does not trip with the store's one-step counter):");
            Console.WriteLine();
            Console.WriteLine("| instances × concurrent failing callers | counted failures/s | Redis round trips per failure | p99 | max | failing calls not counted in Redis |");
            Console.WriteLine("|---|---:|---:|---:|---:|---:|");
            foreach (var (instances, callers) in new[] { (1, 1), (1, 8), (4, 8), (8, 8), (16, 4) })
            {
                await RowAsync(server, instances, callers, TimeSpan.FromSeconds(seconds), timeout, fastPath);
            }
        }
    }

    private static async Task RowAsync(RedisServer server, int instanceCount, int callers, TimeSpan duration, TimeSpan timeout, bool fastPath)
    {
        var key = $"storm-{Guid.NewGuid():N}";
        var hosts = new List<(ConnectionMultiplexer Connection, RedisNygardBreakerStateStore Store, ResiliencePipeline Pipeline)>();
        for (var i = 0; i < instanceCount; i++)
        {
            var connection = await server.ConnectAsync();
            var store = new RedisNygardBreakerStateStore(connection, key, new RedisNygardBreakerStateStoreOptions { OperationTimeout = timeout });
            var pipeline = new ResiliencePipelineBuilder()
                .AddNygardBreaker(new NygardBreakerStrategyOptions { FailureThreshold = int.MaxValue, StateStore = store })
                .Build();
            hosts.Add((connection, store, pipeline));
        }

        try
        {
            // Warm up: scripts loaded, subscriptions in place.
            foreach (var host in hosts)
            {
                await OutcomeCalls.FailAsync(host.Pipeline);
            }

            var before = hosts.Sum(h => Operations(h.Connection));
            var failuresBefore = await CountedAsync(hosts[0].Connection, hosts[0].Store.Key);
            var latencies = new List<double>[instanceCount * callers];
            var stop = Stopwatch.StartNew();
            var workers = Enumerable.Range(0, instanceCount * callers).Select(n => Task.Run(async () =>
            {
                var (_, store, pipeline) = hosts[n % instanceCount];
                var mine = latencies[n] = new List<double>(100_000);
                while (stop.Elapsed < duration)
                {
                    var started = Stopwatch.GetTimestamp();
                    if (!fastPath || !await store.TryCountFailureAsync(store.Current.Generation, int.MaxValue, CancellationToken.None))
                    {
                        await OutcomeCalls.FailAsync(pipeline);
                    }

                    mine.Add(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
                }
            })).ToArray();
            await Task.WhenAll(workers);
            var elapsed = stop.Elapsed;

            // Read the count Redis holds after the storm: only failures that reached it are counted ones.
            var counted = await CountedAsync(hosts[0].Connection, hosts[0].Store.Key) - failuresBefore;
            var roundTrips = hosts.Sum(h => Operations(h.Connection)) - before;
            var all = latencies.SelectMany(l => l).Order().ToArray();
            var p99 = all[(int)Math.Min(all.Length - 1, Math.Ceiling(all.Length * 0.99) - 1)];
            var lost = all.Length - counted;
            Console.WriteLine(string.Create(
                CultureInfo.InvariantCulture,
                $"| {instanceCount} × {callers} | {counted / elapsed.TotalSeconds:N0} | {(double)roundTrips / Math.Max(1, counted):N1} | {p99:N1} ms | {all[^1]:N0} ms | {Math.Max(0, lost)} of {all.Length} |"));
        }
        finally
        {
            foreach (var host in hosts)
            {
                host.Store.Dispose();
                await host.Connection.DisposeAsync();
            }
        }
    }

    /// <summary>The failure count Redis holds (the second field after the format tag and incarnation: see the codec).</summary>
    private static async Task<long> CountedAsync(ConnectionMultiplexer connection, string key)
    {
        var raw = (string?)await connection.GetDatabase().StringGetAsync(key) ?? string.Empty;
        var parts = raw.Split(';');
        return parts.Length > 5 ? long.Parse(parts[5], CultureInfo.InvariantCulture) : 0;
    }

    /// <summary>The multiplexer's interactive operations: every command it sent, the script round trips among them.</summary>
    private static long Operations(ConnectionMultiplexer connection) =>
        connection.GetEndPoints().Sum(endpoint => connection.GetServer(endpoint).GetCounters().Interactive.OperationCount);
}
