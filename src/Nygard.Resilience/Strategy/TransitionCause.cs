using Polly;

namespace Nygard.Resilience.Strategy;

/// <summary>The call whose outcome caused a transition, passed to the store's observers through the async flow.</summary>
internal sealed class TransitionCause<TResult>(object owner, ResilienceContext context, Outcome<TResult>? outcome)
{
    private static readonly AsyncLocal<TransitionCause<TResult>?> CurrentCause = new();

    public static TransitionCause<TResult>? Current
    {
        get => CurrentCause.Value;
        set => CurrentCause.Value = value;
    }

    public object Owner { get; } = owner;

    public ResilienceContext Context { get; } = context;

    public Outcome<TResult>? Outcome { get; } = outcome;
}
