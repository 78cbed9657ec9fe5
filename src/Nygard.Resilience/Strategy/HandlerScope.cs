namespace Nygard.Resilience.Strategy;

/// <summary>
/// Marks the asynchronous flow that is running an event delegate or a listener, so that a call made from inside
/// one (to any breaker) does not wait for events that are queued behind the handler running it.
/// </summary>
internal static class HandlerScope
{
    // An object rather than a bool, so that marking a flow does not box a new value each time.
    private static readonly object Marker = new();
    private static readonly AsyncLocal<object?> Active = new();

    public static bool IsActive => Active.Value is not null;

    /// <summary>Marks the rest of the calling async method, and what it awaits, as running handlers.</summary>
    public static void Enter() => Active.Value = Marker;
}
