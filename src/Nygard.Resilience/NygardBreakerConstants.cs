namespace Nygard.Resilience;

/// <summary>Defaults and telemetry names shared by the breaker's types.</summary>
internal static class NygardBreakerConstants
{
    public const string DefaultName = "NygardBreaker";

    public const int DefaultFailureThreshold = 5;

    public const string OnCircuitOpened = "OnCircuitOpened";

    public const string OnCircuitClosed = "OnCircuitClosed";

    public const string OnCircuitHalfOpened = "OnCircuitHalfOpened";

    public const string OnObserverFailed = "OnNygardBreakerObserverFailed";

    public const string OnStoreUnavailable = "OnNygardBreakerStoreUnavailable";

    public const string OnStoreRestored = "OnNygardBreakerStoreRestored";

    public const string OnStoreProblem = "OnNygardBreakerStoreProblem";

    public const string OnBreakerBuilt = "OnNygardBreakerBuilt";

    public static readonly TimeSpan DefaultBreakDuration = TimeSpan.FromSeconds(60);

    public static readonly TimeSpan MaxBreakDuration = TimeSpan.FromDays(1);
}
