using Polly;

namespace Nygard.Resilience.Strategy;

/// <summary>Converts a call's outcome to the <see cref="object"/> outcome the non-generic options speak of.</summary>
internal static class ObjectOutcome<TResult>
{
    public static readonly Func<Outcome<TResult>, Outcome<object>> Convert =
        static outcome => outcome.Exception is { } exception ? Outcome.FromException<object>(exception) : Outcome.FromResult<object>(outcome.Result);
}
