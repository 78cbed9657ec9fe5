using Nygard.Resilience.Events;
using Nygard.Resilience.StateMachine;
using Polly;
using Polly.CircuitBreaker;

namespace Nygard.Resilience.Engine;

/// <summary>
/// Chooses how long the breaker stays open: <c>BreakDuration</c>, or the generator's answer (clamped to [0, 1 day]),
/// which learns how many consecutive probes have failed. A generator that throws is reported and the fixed duration used.
/// </summary>
internal sealed class BreakDurations<TResult>(TimeSpan breakDuration, Func<BreakDurationGeneratorArguments, ValueTask<TimeSpan>>? generator, BreakerTelemetry<TResult> telemetry)
{
    public ValueTask<TimeSpan> ChooseAsync(Decision opening, int failureCount, ResilienceContext context) =>
        generator is null ? new ValueTask<TimeSpan>(breakDuration) : GenerateAsync(generator, opening, failureCount, context);

    private async ValueTask<TimeSpan> GenerateAsync(Func<BreakDurationGeneratorArguments, ValueTask<TimeSpan>> generator, Decision opening, int failureCount, ResilienceContext context)
    {
        try
        {
            var generated = await generator(new BreakDurationGeneratorArguments(1.0, failureCount + 1, context, opening.FailedProbes)).ConfigureAwait(false);
            // Stryker disable once Equality : at exactly zero or exactly one day both sides of each comparison return the same value, so < / <= and > / >= cannot be told apart.
            return generated < TimeSpan.Zero ? TimeSpan.Zero : generated > NygardBreakerConstants.MaxBreakDuration ? NygardBreakerConstants.MaxBreakDuration : generated;
        }
        catch (Exception e)
        {
            telemetry.ReportFailedCallback(nameof(NygardBreakerStrategyOptions<TResult>.BreakDurationGenerator), e, context);
            return breakDuration;
        }
    }
}
