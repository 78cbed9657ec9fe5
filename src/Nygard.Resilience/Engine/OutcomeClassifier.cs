using Nygard.Resilience.Events;
using Nygard.Resilience.StateMachine;
using Polly;
using Polly.CircuitBreaker;

namespace Nygard.Resilience.Engine;

/// <summary>
/// Decides how a call's outcome counts: cancelled by its caller (neutral), or as <c>ShouldHandle</c> says (failure or
/// success). The default predicate is answered without converting the outcome or awaiting anything; a predicate that
/// throws is reported and its outcome counts as neutral, so that a probe gives its permit back.
/// </summary>
internal sealed class OutcomeClassifier<TResult>(Func<CircuitBreakerPredicateArguments<TResult>, ValueTask<bool>> shouldHandle, BreakerTelemetry<TResult> telemetry)
{
    /// <summary>Gets a value indicating whether the predicate is the default one: every exception but a cancellation is a failure.</summary>
    public bool IsDefault { get; } = ReferenceEquals(shouldHandle, DefaultPredicates<TResult>.HandleExceptions);

    public ValueTask<OutcomeKind> ClassifyAsync<TCall>(Outcome<TCall> outcome, ResilienceContext context)
    {
        if (outcome.Exception is OperationCanceledException && context.CancellationToken.IsCancellationRequested)
        {
            return new(OutcomeKind.Neutral);
        }

        if (IsDefault)
        {
            return new(outcome.Exception is null or OperationCanceledException ? OutcomeKind.Success : OutcomeKind.Failure);
        }

        return AskPredicateAsync(OutcomeConverter<TResult>.Convert(outcome), context);
    }

    private async ValueTask<OutcomeKind> AskPredicateAsync(Outcome<TResult> outcome, ResilienceContext context)
    {
        try
        {
            return await shouldHandle(new CircuitBreakerPredicateArguments<TResult>(context, outcome)).ConfigureAwait(context.ContinueOnCapturedContext)
                ? OutcomeKind.Failure
                : OutcomeKind.Success;
        }
        catch (Exception e)
        {
            telemetry.ReportFailedCallback(nameof(NygardBreakerStrategyOptions<TResult>.ShouldHandle), e, context);
            return OutcomeKind.Neutral;
        }
    }
}
