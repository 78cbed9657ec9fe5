namespace Nygard.Resilience.Strategy;

/// <summary>
/// Marks the asynchronous flow that is running an event delegate or a listener, so that a call made from inside
/// one (to any breaker) does not wait for events that are queued behind the handler running it.
/// </summary>
internal static class HandlerScope
{
    private static readonly AsyncLocal<bool> Active = new();

    public static bool IsActive => Active.Value;

    /// <summary>Marks the rest of the calling async method, and what it awaits, as running handlers.</summary>
    public static void Enter() => Active.Value = true;
}
