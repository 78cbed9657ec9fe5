using System.Text;

namespace Nygard.Resilience;

/// <summary>
/// Which breaker: the names Polly's telemetry gives it. Two breakers of one service differ in at least one part.
/// </summary>
/// <param name="PipelineName">The pipeline's name (the builder's <c>Name</c>, or the key under which it was registered), if any.</param>
/// <param name="PipelineInstanceName">The pipeline's instance name (for example the authority of a per-authority HTTP pipeline), if any.</param>
/// <param name="StrategyName">The breaker's own name (<c>Name</c> in its options; <c>"NygardBreaker"</c> by default).</param>
public readonly record struct NygardBreakerId(string? PipelineName, string? PipelineInstanceName, string StrategyName)
{
    /// <summary>Returns the parts that are set, joined by <c>/</c>: for example <c>orders/NygardBreaker</c>.</summary>
    /// <returns>The breaker's id as one string.</returns>
    public override string ToString()
    {
        var text = new StringBuilder();
        foreach (var part in (ReadOnlySpan<string?>)[PipelineName, PipelineInstanceName, StrategyName])
        {
            if (!string.IsNullOrEmpty(part))
            {
                text.Append(text.Length == 0 ? string.Empty : "/").Append(part);
            }
        }

        return text.ToString();
    }
}
