namespace Nygard.Resilience.Redis.Commands;

/// <summary>The parsed answer of the compare-and-swap script.</summary>
/// <param name="Stored">Whether the new value was stored.</param>
/// <param name="Current">When refused, the value Redis holds ('' for no key); otherwise <see langword="null"/>.</param>
internal readonly record struct CasReply(bool Stored, string? Current);
