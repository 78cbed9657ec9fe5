using Polly;

namespace Nygard.Resilience.Strategy;

/// <summary>
/// The call whose outcome caused a transition, handed to the store's observers: on this thread while the in-memory
/// store (which tells its observers before its replace returns) replaces the snapshot, otherwise through the async
/// flow, which a remote store's notification follows across threads. A struct, so that the in-memory store's
/// transitions allocate nothing for it.
/// </summary>
internal readonly struct TransitionCause<TResult>(object owner, ResilienceContext context, Outcome<TResult>? outcome)
{
    private static readonly AsyncLocal<TransitionCause<TResult>?> InFlow = new();

    [ThreadStatic]
    private static TransitionCause<TResult>? _onThisThread;

    /// <summary>Gets the cause an observer being told of a change should attribute it to, if any.</summary>
    public static TransitionCause<TResult>? Current => _onThisThread ?? InFlow.Value;

    public object Owner { get; } = owner;

    public ResilienceContext Context { get; } = context;

    public Outcome<TResult>? Outcome { get; } = outcome;

    /// <summary>Sets the cause for the rest of the calling async method and what it awaits.</summary>
    public static void SetForFlow(TransitionCause<TResult> cause) => InFlow.Value = cause;

    /// <summary>Sets the cause for synchronous work on this thread and returns the one it replaces, to be put back.</summary>
    public static TransitionCause<TResult>? SwapOnThisThread(TransitionCause<TResult>? cause)
    {
        var previous = _onThisThread;
        _onThisThread = cause;
        return previous;
    }
}
