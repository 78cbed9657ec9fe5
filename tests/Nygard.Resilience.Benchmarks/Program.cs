using BenchmarkDotNet.Running;
using Nygard.Resilience.Benchmarks;

if (args.Length > 0 && args[0] == "throughput")
{
    ThroughputHarness.Run(args);
    return;
}

if (args.Length > 0 && args[0] == "redis-storm")
{
    await RedisStormHarness.RunAsync(args);
    return;
}

BenchmarkSwitcher.FromAssembly(typeof(ClosedSuccessBenchmarks).Assembly).Run(args, BenchmarkConfig.Create());
