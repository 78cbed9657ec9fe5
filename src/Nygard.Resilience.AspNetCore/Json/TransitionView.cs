namespace Nygard.Resilience.AspNetCore.Json;

/// <summary>One transition on the event stream: <c>id</c>, <c>from</c>, <c>to</c>, <c>isManual</c>, <c>at</c>, and the breaker as it is now.</summary>
internal sealed record TransitionView(string Id, string From, string To, bool IsManual, DateTimeOffset At, BreakerView? Breaker);
