using Polly.CircuitBreaker;

namespace Nygard.Resilience;

/// <summary>The default <c>ShouldHandle</c>: every exception except <see cref="OperationCanceledException"/>.</summary>
internal static class DefaultPredicates<TResult>
{
    public static readonly Func<CircuitBreakerPredicateArguments<TResult>, ValueTask<bool>> HandleExceptions =
        static args => new ValueTask<bool>(args.Outcome.Exception is not null and not OperationCanceledException);
}
