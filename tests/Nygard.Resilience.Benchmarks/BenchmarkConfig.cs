using BenchmarkDotNet.Columns;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Diagnosers;

namespace Nygard.Resilience.Benchmarks;

/// <summary>What every benchmark class reports: allocations, the median, and ratios of medians.</summary>
internal static class BenchmarkConfig
{
    public static IConfig Create() =>
        DefaultConfig.Instance
            .AddDiagnoser(MemoryDiagnoser.Default)
            .AddColumn(StatisticColumn.Median, MedianRatioColumn.ToBaseline, MedianRatioColumn.ToPollyV8);
}
