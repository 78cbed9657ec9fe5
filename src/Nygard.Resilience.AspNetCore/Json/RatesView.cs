namespace Nygard.Resilience.AspNetCore.Json;

/// <summary>The periodic <c>rates</c> event: the interval it covers and each breaker's rates.</summary>
internal sealed record RatesView(double IntervalSeconds, IReadOnlyList<RateView> Breakers);
