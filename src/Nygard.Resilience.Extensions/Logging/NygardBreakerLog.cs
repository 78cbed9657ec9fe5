using Microsoft.Extensions.Logging;
using Polly.CircuitBreaker;

namespace Nygard.Resilience.Logging;

/// <summary>The registry's structured log records (source-generated).</summary>
internal static partial class NygardBreakerLog
{
    [LoggerMessage(EventId = 1, EventName = "NygardBreakerTransition", Message = "Circuit breaker '{BreakerId}' went from {From} to {To} (failures {FailureCount}, break duration {BreakDuration}, manual {IsManual}).")]
    public static partial void Transition(ILogger logger, LogLevel level, string breakerId, CircuitState from, CircuitState to, int failureCount, TimeSpan? breakDuration, bool isManual);

    [LoggerMessage(EventId = 2, EventName = "NygardBreakerIsolated", Level = LogLevel.Warning, Message = "Circuit breaker '{BreakerId}' was isolated (from {From}, failures {FailureCount}, manual {IsManual}): every call is rejected until it is closed.")]
    public static partial void Isolated(ILogger logger, string breakerId, CircuitState from, int failureCount, bool isManual);

    [LoggerMessage(EventId = 3, EventName = "NygardBreakerObserverFailed", Level = LogLevel.Warning, Message = "A handler of the breaker registry's Transitioned event failed.")]
    public static partial void ObserverFailed(ILogger logger, Exception exception);

    [LoggerMessage(EventId = 4, EventName = "NygardBreakerStateProviderNotShared", Level = LogLevel.Warning, Message = "The StateProvider in the options of breaker '{BreakerId}' is already attached to breaker '{AttachedTo}' (one breaker per authority shares these options); it stays with that breaker. Read the other authorities' breakers through NygardBreakerRegistry.")]
    public static partial void StateProviderNotShared(ILogger logger, string breakerId, string attachedTo);

    [LoggerMessage(EventId = 5, EventName = "NygardBreakerOptionsNotConfigured", Level = LogLevel.Warning, Message = "AddNygardBreaker uses {OptionsType} named '{OptionsName}', which nothing configures: the breaker runs with the defaults. Configure them (AddNygardBreakerOptions) or pass the right name to AddNygardBreaker.")]
    public static partial void OptionsNotConfigured(ILogger logger, string optionsType, string optionsName);

    [LoggerMessage(EventId = 6, EventName = "NygardBreakerOptionsRejected", Level = LogLevel.Error, Message = "Reloaded options '{OptionsName}' of {OptionsType} are invalid and were not applied; the breaker keeps its last valid options. {Failures}")]
    public static partial void OptionsRejected(ILogger logger, string optionsName, string optionsType, string failures);
}
