using Nygard.Resilience.Samples;

// dotnet run --project samples/Nygard.Resilience.Samples             the breaker behind retry + timeout
// dotnet run --project samples/Nygard.Resilience.Samples -- redis    three instances sharing one breaker through an embedded Garnet
// dotnet run --project samples/Nygard.Resilience.Samples -- redis HOST:PORT    ... through the Redis server at HOST:PORT
return args switch
{
    ["redis"] => await RedisDemo.RunWithEmbeddedGarnetAsync(),
    ["redis", var endpoint] => await RedisDemo.RunAsync(endpoint),
    _ => await BreakerDemo.RunAsync(),
};
