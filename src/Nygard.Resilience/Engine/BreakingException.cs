namespace Nygard.Resilience.Engine;

/// <summary>The exception thrown by the call that opened the breaker, and the circuit period it opened.</summary>
/// <param name="OpenGeneration">The generation of the open period.</param>
/// <param name="Exception">The exception; rejections carry it as their inner exception, as Polly's do.</param>
internal sealed record BreakingException(long OpenGeneration, Exception Exception);
