using Nygard.Resilience.Redis;
using Polly;
using Polly.CircuitBreaker;
using StackExchange.Redis;

namespace Nygard.Resilience.Samples;

/// <summary>
/// Three instances of one service (each with its own Redis connection, as separate hosts would have) share one
/// breaker through Redis: a trip on one is seen by all, and when the break ends one probe runs fleet-wide.
/// </summary>
internal static class RedisDemo
{
    private const int Instances = 3;

    /// <summary>Runs the demo against a Garnet server started in this process, so that nothing needs installing.</summary>
    public static async Task<int> RunWithEmbeddedGarnetAsync()
    {
        Console.WriteLine("No Redis address given: starting Microsoft Garnet in this process (give HOST:PORT to use a Redis server).");
        using var garnet = EmbeddedGarnet.Start();
        return await RunAsync(garnet.Endpoint);
    }

    public static async Task<int> RunAsync(string endpoint)
    {
        var configuration = ConfigurationOptions.Parse(endpoint);
        configuration.AbortOnConnectFail = false;
        configuration.BacklogPolicy = BacklogPolicy.FailFast;
        configuration.ConnectTimeout = 2000;

        var key = $"sample-inventory-{Guid.NewGuid():N}";
        var hosts = new List<Host>();
        try
        {
            for (var i = 0; i < Instances; i++)
            {
                var connection = await ConnectionMultiplexer.ConnectAsync(configuration);
                if (!connection.IsConnected)
                {
                    await connection.DisposeAsync();
                    Console.Error.WriteLine($"No Redis server is reachable at {endpoint}.");
                    Console.Error.WriteLine("Start one (Debian: apt-get install redis-server; then redis-server) and name it, or give no address for an embedded Garnet:");
                    Console.Error.WriteLine("  dotnet run --project samples/Nygard.Resilience.Samples -- redis [HOST:PORT]");
                    return 2;
                }

                hosts.Add(new Host((char)('A' + i), connection, key));
            }

            Console.WriteLine($"Three instances share the breaker '{key}' through Redis at {endpoint}.");
            Print(hosts, "start");

            Console.WriteLine($"{Environment.NewLine}== Instance A's calls to the dependency fail three times");
            for (var i = 0; i < 3; i++)
            {
                await hosts[0].CallAsync(fails: true);
            }

            await WaitAsync(() => hosts.All(h => h.State.CircuitState == CircuitState.Open));
            Print(hosts, "after A's third failure: one trip, seen by every instance");

            Console.WriteLine($"{Environment.NewLine}== B and C are rejected at once, without calling the dependency");
            Console.WriteLine($"   B got: {await hosts[1].CallAsync(fails: false)}");
            Console.WriteLine($"   C got: {await hosts[2].CallAsync(fails: false)}");

            Console.WriteLine($"{Environment.NewLine}== The break ends; nine callers on A, B and C arrive together");
            await hosts[0].State.WaitForRetryAsync();
            using var release = new SemaphoreSlim(0);
            var probes = 0;
            var callers = Enumerable.Range(0, 9).Select(n => Task.Run(() => hosts[n % Instances].ProbeAsync(async () =>
            {
                Interlocked.Increment(ref probes);
                await release.WaitAsync();
            }))).ToArray();
            await WaitAsync(() => callers.Count(c => c.IsCompleted) == 9 - Volatile.Read(ref probes) && Volatile.Read(ref probes) > 0);
            Console.WriteLine($"   probes admitted fleet-wide: {probes}; rejected: {callers.Count(c => c.IsCompleted)}");
            release.Release(probes);
            await Task.WhenAll(callers);

            await WaitAsync(() => hosts.All(h => h.State.CircuitState == CircuitState.Closed));
            Print(hosts, "after the probe succeeded: closed everywhere");

            var ok = probes == 1;
            Console.WriteLine();
            Console.WriteLine(ok ? "Done: one trip seen by all, one probe for the fleet." : "Unexpected: more than one probe ran.");
            await hosts[0].Connection.GetDatabase().KeyDeleteAsync(hosts[0].Store.Key);
            return ok ? 0 : 1;
        }
        finally
        {
            foreach (var host in hosts)
            {
                await host.DisposeAsync();
            }
        }
    }

    private static void Print(List<Host> hosts, string when) =>
        Console.WriteLine($"   {when}: " + string.Join(", ", hosts.Select(h => $"{h.Name}={h.State.CircuitState} (failures {h.State.FailureCount})")));

    private static async Task WaitAsync(Func<bool> condition)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(15));
        while (!condition())
        {
            await Task.Delay(10, timeout.Token);
        }
    }

    private sealed class Host : IAsyncDisposable
    {
        private readonly ResiliencePipeline _pipeline;

        public Host(char name, ConnectionMultiplexer connection, string key)
        {
            Name = name;
            Connection = connection;
            Store = new RedisNygardBreakerStateStore(connection, key);
            _pipeline = new ResiliencePipelineBuilder()
                .AddNygardBreaker(new NygardBreakerStrategyOptions
                {
                    FailureThreshold = 3,
                    BreakDuration = TimeSpan.FromSeconds(2),
                    StateStore = Store,
                    StateProvider = State,
                })
                .Build();
        }

        public char Name { get; }

        public ConnectionMultiplexer Connection { get; }

        public RedisNygardBreakerStateStore Store { get; }

        public NygardBreakerStateProvider State { get; } = new();

        public async Task<string> CallAsync(bool fails)
        {
            try
            {
                await _pipeline.ExecuteAsync(_ => fails ? throw new InvalidOperationException("503 from the dependency") : ValueTask.CompletedTask);
                return "ok";
            }
            catch (BrokenCircuitException e)
            {
                return $"rejected (retry after {e.RetryAfter?.TotalSeconds:0.0}s)";
            }
            catch (InvalidOperationException e)
            {
                return $"failed: {e.Message}";
            }
        }

        public async Task ProbeAsync(Func<Task> dependency)
        {
            try
            {
                await _pipeline.ExecuteAsync(async _ => await dependency());
            }
            catch (BrokenCircuitException)
            {
            }
        }

        public async ValueTask DisposeAsync()
        {
            Store.Dispose();
            await Connection.DisposeAsync();
        }
    }
}
