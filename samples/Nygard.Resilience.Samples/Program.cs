using Nygard.Resilience.Samples;

// dotnet run --project samples/Nygard.Resilience.Samples             the breaker behind retry + timeout
// dotnet run --project samples/Nygard.Resilience.Samples -- redis    three instances sharing one breaker through Redis
return args switch
{
    ["redis"] => await RedisDemo.RunAsync("127.0.0.1:6379"),
    ["redis", var endpoint] => await RedisDemo.RunAsync(endpoint),
    _ => await BreakerDemo.RunAsync(),
};
