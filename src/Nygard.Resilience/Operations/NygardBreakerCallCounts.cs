namespace Nygard.Resilience;

/// <summary>The calls a breaker has seen since it was registered, by outcome (monotonic totals).</summary>
/// <param name="Successes">Calls that ran and were not failures.</param>
/// <param name="Failures">Calls that ran and were handled as failures.</param>
/// <param name="Rejections">Calls the breaker did not let run.</param>
/// <param name="Ignored">Calls whose outcome counted neither way.</param>
public readonly record struct NygardBreakerCallCounts(long Successes, long Failures, long Rejections, long Ignored);
