namespace Nygard.Resilience.AspNetCore.Json;

/// <summary>One breaker's recent call rate by outcome (calls per second over the last interval) and its totals.</summary>
internal sealed record RateView(string Id, double Success, double Failure, double Rejected, double Ignored, long Successes, long Failures, long Rejections, long IgnoredTotal);
