// Usage: TestHost <port> <key> <failures>
// Joins the breaker <key> on the Redis server at 127.0.0.1:<port>, makes <failures> failing calls,
// then prints "state=<state> failures=<count> rejected=<n>" and exits 0.
using Nygard.Resilience;
using Nygard.Resilience.Redis;
using Polly;
using Polly.CircuitBreaker;
using StackExchange.Redis;

var port = int.Parse(args[0], System.Globalization.CultureInfo.InvariantCulture);
var key = args[1];
var failures = int.Parse(args[2], System.Globalization.CultureInfo.InvariantCulture);

using var connection = await ConnectionMultiplexer.ConnectAsync(new ConfigurationOptions
{
    EndPoints = { { "127.0.0.1", port } },
    AbortOnConnectFail = false,
    BacklogPolicy = BacklogPolicy.FailFast,
});
using var store = new RedisNygardBreakerStateStore(connection, key);
var provider = new NygardBreakerStateProvider();
var pipeline = new ResiliencePipelineBuilder()
    .AddNygardBreaker(new NygardBreakerStrategyOptions { FailureThreshold = 3, BreakDuration = TimeSpan.FromSeconds(30), StateStore = store, StateProvider = provider })
    .Build();

var rejected = 0;
for (var i = 0; i < failures; i++)
{
    try
    {
        pipeline.Execute(static () => throw new InvalidOperationException("dependency down"));
    }
    catch (BrokenCircuitException)
    {
        rejected++;
    }
    catch (InvalidOperationException)
    {
    }
}

Console.WriteLine($"state={provider.CircuitState} failures={provider.FailureCount} rejected={rejected}");
return 0;
