using System.Runtime.CompilerServices;
using Polly;

namespace Nygard.Resilience.Engine;

/// <summary>
/// Turns a call's outcome into the outcome type the options speak of. The generic builder's calls already have it;
/// the non-generic builder's options speak of <see cref="object"/>, so the result is boxed, and only where an event
/// or a custom predicate needs it.
/// </summary>
internal static class OutcomeConverter<TResult>
{
    public static Outcome<TResult> Convert<TCall>(Outcome<TCall> outcome)
    {
        // Stryker disable once Block : when TCall is TResult the general path below builds an equal outcome (the same exception, or the same value boxed and unboxed); the block only saves the boxing.
        if (typeof(TCall) == typeof(TResult))
        {
            return Unsafe.As<Outcome<TCall>, Outcome<TResult>>(ref outcome);
        }

        return outcome.Exception is { } exception ? Outcome.FromException<TResult>(exception) : Outcome.FromResult((TResult)(object?)outcome.Result!);
    }
}
