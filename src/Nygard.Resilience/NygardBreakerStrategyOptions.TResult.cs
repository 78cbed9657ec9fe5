using System.ComponentModel.DataAnnotations;
using System.Diagnostics.CodeAnalysis;
using Polly;
using Polly.CircuitBreaker;

namespace Nygard.Resilience;

/// <summary>
/// Options of the consecutive-failure ("Release It!") circuit breaker.
/// </summary>
/// <typeparam name="TResult">The type of result the breaker handles.</typeparam>
/// <remarks>
/// The breaker opens after <see cref="FailureThreshold"/> consecutive handled failures, rejects calls for
/// <see cref="BreakDuration"/>, then lets up to <see cref="HalfOpenPermits"/> probes through; after
/// <see cref="SuccessThreshold"/> consecutive successful probes it closes, and one failed probe opens it again.
/// </remarks>
public class NygardBreakerStrategyOptions<TResult> : ResilienceStrategyOptions
{
    /// <summary>
    /// Initializes a new instance of the <see cref="NygardBreakerStrategyOptions{TResult}"/> class.
    /// </summary>
    public NygardBreakerStrategyOptions()
    {
        Name = NygardBreakerConstants.DefaultName;
    }

    /// <summary>
    /// Gets or sets the number of consecutive handled failures that opens the breaker (aiobreaker's <c>fail_max</c>).
    /// </summary>
    /// <value>Defaults to 5. Must be at least 1.</value>
    [Range(1, int.MaxValue)]
    public int FailureThreshold { get; set; } = NygardBreakerConstants.DefaultFailureThreshold;

    /// <summary>
    /// Gets or sets how long the breaker stays open before it lets a probe through (aiobreaker's <c>timeout_duration</c>).
    /// It is also how long a half-open probe may hold its permit before the permit is given back.
    /// </summary>
    /// <value>Defaults to 60 seconds. Must be greater than zero and at most one day.</value>
    [Range(typeof(TimeSpan), "00:00:00.0000001", "1.00:00:00")]
    [UnconditionalSuppressMessage("Trimming", "IL2026", Justification = "TimeSpan's type converter is always preserved; Polly's own options use the same range.")]
    public TimeSpan BreakDuration { get; set; } = NygardBreakerConstants.DefaultBreakDuration;

    /// <summary>
    /// Gets or sets a generator of the break duration, for back-off. It receives the number of consecutive failed
    /// probes as <see cref="BreakDurationGeneratorArguments.HalfOpenAttempts"/> (0 when the breaker opens from closed).
    /// </summary>
    /// <value>Defaults to <see langword="null"/>: every break lasts <see cref="BreakDuration"/>. Answers are clamped to [0, 1 day].</value>
    public Func<BreakDurationGeneratorArguments, ValueTask<TimeSpan>>? BreakDurationGenerator { get; set; }

    /// <summary>
    /// Gets or sets how many probes may run at once while half-open. Other calls are rejected as when open.
    /// </summary>
    /// <value>Defaults to 1. Must be at least 1.</value>
    [Range(1, int.MaxValue)]
    public int HalfOpenPermits { get; set; } = 1;

    /// <summary>
    /// Gets or sets how many consecutive successful probes close the breaker.
    /// </summary>
    /// <value>Defaults to 1. Must be at least 1.</value>
    [Range(1, int.MaxValue)]
    public int SuccessThreshold { get; set; } = 1;

    /// <summary>
    /// Gets or sets the predicate that tells which outcomes are failures. Outcomes it does not handle count as
    /// successes and reset the failure count (aiobreaker's excluded exceptions).
    /// </summary>
    /// <value>Defaults to every exception except <see cref="OperationCanceledException"/>; results are never failures. Required.</value>
    [Required]
    public Func<CircuitBreakerPredicateArguments<TResult>, ValueTask<bool>> ShouldHandle { get; set; } = DefaultPredicates<TResult>.HandleExceptions;

    /// <summary>
    /// Gets or sets where the breaker's state lives (aiobreaker's <c>state_storage</c>). Pipelines given the same
    /// store are one breaker.
    /// </summary>
    /// <value>Defaults to <see langword="null"/>: the breaker keeps a private <see cref="InMemoryNygardBreakerStateStore"/>.</value>
    public INygardBreakerStateStore? StateStore { get; set; }

    /// <summary>
    /// Gets or sets a provider that reads the breaker's state. A provider attaches to exactly one breaker.
    /// </summary>
    /// <value>Defaults to <see langword="null"/>.</value>
    public NygardBreakerStateProvider? StateProvider { get; set; }

    /// <summary>
    /// Gets or sets a control that opens, half-opens, closes or isolates the breaker by hand.
    /// </summary>
    /// <value>Defaults to <see langword="null"/>.</value>
    public NygardBreakerManualControl? ManualControl { get; set; }

    /// <summary>
    /// Gets or sets an event raised once per transition to <see cref="CircuitState.Open"/> or <see cref="CircuitState.Isolated"/>.
    /// </summary>
    /// <value>Defaults to <see langword="null"/>.</value>
    public Func<OnCircuitOpenedArguments<TResult>, ValueTask>? OnOpened { get; set; }

    /// <summary>
    /// Gets or sets an event raised once per transition to <see cref="CircuitState.Closed"/>.
    /// </summary>
    /// <value>Defaults to <see langword="null"/>.</value>
    public Func<OnCircuitClosedArguments<TResult>, ValueTask>? OnClosed { get; set; }

    /// <summary>
    /// Gets or sets an event raised once per transition to <see cref="CircuitState.HalfOpen"/>.
    /// </summary>
    /// <value>Defaults to <see langword="null"/>.</value>
    public Func<OnCircuitHalfOpenedArguments, ValueTask>? OnHalfOpened { get; set; }

    /// <summary>
    /// Gets the listeners told about every call and transition (aiobreaker's listeners).
    /// </summary>
    /// <value>Empty by default.</value>
    public IList<INygardBreakerListener> Listeners { get; } = new ListenerList();
}
