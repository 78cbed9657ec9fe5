namespace Nygard.Resilience.Events;

/// <summary>
/// Marks the work that is raising a breaker's events, so that a call made from inside an event delegate, a listener or
/// a telemetry listener (to any breaker) does not wait for events that are queued behind the ones being raised.
/// </summary>
/// <remarks>
/// Delegates and listeners are asynchronous: their mark flows with them (<see cref="Enter"/>). When there are none,
/// only telemetry listeners run, synchronously, so marking the thread is enough (<see cref="EnterOnThisThread"/>) and
/// spares the execution context a flow mark costs.
/// </remarks>
internal static class HandlerScope
{
    // An object rather than a bool, so that marking a flow does not box a new value each time.
    private static readonly object Marker = new();
    private static readonly AsyncLocal<object?> Active = new();

    [ThreadStatic]
    private static bool _activeOnThisThread;

    public static bool IsActive => _activeOnThisThread || Active.Value is not null;

    /// <summary>Marks the rest of the calling async method, and what it awaits, as raising events.</summary>
    public static void Enter() => Active.Value = Marker;

    /// <summary>Marks this thread as raising events until <see cref="ExitOnThisThread"/>; returns the mark to put back.</summary>
    public static bool EnterOnThisThread()
    {
        var outer = _activeOnThisThread;
        _activeOnThisThread = true;
        return outer;
    }

    public static void ExitOnThisThread(bool outer) => _activeOnThisThread = outer;
}
