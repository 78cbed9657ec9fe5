using System.Globalization;
using BenchmarkDotNet.Columns;
using BenchmarkDotNet.Reports;
using BenchmarkDotNet.Running;

namespace Nygard.Resilience.Benchmarks;

/// <summary>
/// The ratio of a benchmark's median to the median of a reference in the same group and run: the baseline (the
/// empty pipeline) or Polly v8's breaker. Medians, because this 2-core machine's outliers move means.
/// </summary>
internal sealed class MedianRatioColumn : IColumn
{
    private readonly Func<Summary, BenchmarkCase, BenchmarkCase?> _reference;

    private MedianRatioColumn(string name, string legend, Func<Summary, BenchmarkCase, BenchmarkCase?> reference)
    {
        ColumnName = name;
        Legend = legend;
        _reference = reference;
    }

    public static IColumn ToBaseline { get; } = new MedianRatioColumn(
        "Median ratio",
        "Median divided by the baseline's median (the empty pipeline), same group, same run",
        static (summary, benchmark) => summary.GetBaseline(summary.GetLogicalGroupKey(benchmark)));

    public static IColumn ToPollyV8 { get; } = new MedianRatioColumn(
        "vs Polly v8",
        "Median divided by the median of Polly v8's breaker on the same path, same run",
        static (summary, benchmark) =>
        {
            var group = summary.GetLogicalGroupKey(benchmark);
            return summary.BenchmarksCases.FirstOrDefault(other =>
                summary.GetLogicalGroupKey(other) == group && other.Descriptor.WorkloadMethod.Name.Contains("PollyV8", StringComparison.Ordinal));
        });

    public string Id => ColumnName;

    public string ColumnName { get; }

    public bool AlwaysShow => true;

    public ColumnCategory Category => ColumnCategory.Custom;

    public int PriorityInCategory => 0;

    public bool IsNumeric => true;

    public UnitType UnitType => UnitType.Dimensionless;

    public string Legend { get; }

    public string GetValue(Summary summary, BenchmarkCase benchmarkCase) => GetValue(summary, benchmarkCase, SummaryStyle.Default);

    public string GetValue(Summary summary, BenchmarkCase benchmarkCase, SummaryStyle style)
    {
        var reference = _reference(summary, benchmarkCase);
        var median = summary[benchmarkCase]?.ResultStatistics?.Median;
        var referenceMedian = reference is null ? null : summary[reference]?.ResultStatistics?.Median;
        return median is { } m && referenceMedian is > 0 ? (m / referenceMedian.Value).ToString("0.00", CultureInfo.InvariantCulture) : "-";
    }

    public bool IsAvailable(Summary summary) => true;

    public bool IsDefault(Summary summary, BenchmarkCase benchmarkCase) => false;
}
