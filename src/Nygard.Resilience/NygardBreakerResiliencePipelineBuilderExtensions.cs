using System.ComponentModel.DataAnnotations;
using System.Diagnostics.CodeAnalysis;
using Nygard.Resilience;
using Nygard.Resilience.Engine;
using Nygard.Resilience.Strategy;

namespace Polly;

/// <summary>
/// Adds the consecutive-failure ("Release It!") circuit breaker to a <see cref="ResiliencePipelineBuilder"/>.
/// </summary>
public static class NygardBreakerResiliencePipelineBuilderExtensions
{
    /// <summary>
    /// Adds a consecutive-failure circuit breaker to the builder.
    /// </summary>
    /// <param name="builder">The builder.</param>
    /// <param name="options">The breaker's options.</param>
    /// <returns>The same builder.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="builder"/> or <paramref name="options"/> is <see langword="null"/>.</exception>
    /// <exception cref="ValidationException">The options are invalid; the message names the option.</exception>
    /// <exception cref="InvalidOperationException">The options' state provider is already attached to another breaker.</exception>
    public static ResiliencePipelineBuilder AddNygardBreaker(this ResiliencePipelineBuilder builder, NygardBreakerStrategyOptions options) =>
        Add(builder, options, owner: options, store: null);

    /// <summary>
    /// Adds a consecutive-failure circuit breaker to the builder.
    /// </summary>
    /// <typeparam name="TResult">The type of result the breaker handles.</typeparam>
    /// <param name="builder">The builder.</param>
    /// <param name="options">The breaker's options.</param>
    /// <returns>The same builder.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="builder"/> or <paramref name="options"/> is <see langword="null"/>.</exception>
    /// <exception cref="ValidationException">The options are invalid; the message names the option.</exception>
    /// <exception cref="InvalidOperationException">The options' state provider is already attached to another breaker.</exception>
    public static ResiliencePipelineBuilder<TResult> AddNygardBreaker<[DynamicallyAccessedMembers(DynamicallyAccessedMemberTypes.All)] TResult>(
        this ResiliencePipelineBuilder<TResult> builder,
        NygardBreakerStrategyOptions<TResult> options) =>
        Add(builder, options, owner: options, store: null);

    /// <summary>
    /// Adds a consecutive-failure circuit breaker whose state lives in <paramref name="store"/>, whatever the options'
    /// <c>StateStore</c> says. Breakers built with the same store are one breaker: a pipeline rebuilt with new options
    /// (an options reload) keeps its state, and the options' state provider may attach to each rebuilt breaker.
    /// </summary>
    /// <param name="builder">The builder.</param>
    /// <param name="options">The breaker's options.</param>
    /// <param name="store">The store that keeps the breaker's state.</param>
    /// <returns>The same builder.</returns>
    /// <exception cref="ArgumentNullException">An argument is <see langword="null"/>.</exception>
    /// <exception cref="ValidationException">The options are invalid; the message names the option.</exception>
    /// <exception cref="InvalidOperationException">The options' state provider is already attached to a breaker with another store.</exception>
    public static ResiliencePipelineBuilder AddNygardBreaker(this ResiliencePipelineBuilder builder, NygardBreakerStrategyOptions options, INygardBreakerStateStore store)
    {
        ArgumentNullException.ThrowIfNull(store);
        return Add(builder, options, owner: store, store);
    }

    /// <summary>
    /// Adds a consecutive-failure circuit breaker whose state lives in <paramref name="store"/>, whatever the options'
    /// <c>StateStore</c> says. Breakers built with the same store are one breaker: a pipeline rebuilt with new options
    /// (an options reload) keeps its state, and the options' state provider may attach to each rebuilt breaker.
    /// </summary>
    /// <typeparam name="TResult">The type of result the breaker handles.</typeparam>
    /// <param name="builder">The builder.</param>
    /// <param name="options">The breaker's options.</param>
    /// <param name="store">The store that keeps the breaker's state.</param>
    /// <returns>The same builder.</returns>
    /// <exception cref="ArgumentNullException">An argument is <see langword="null"/>.</exception>
    /// <exception cref="ValidationException">The options are invalid; the message names the option.</exception>
    /// <exception cref="InvalidOperationException">The options' state provider is already attached to a breaker with another store.</exception>
    public static ResiliencePipelineBuilder<TResult> AddNygardBreaker<[DynamicallyAccessedMembers(DynamicallyAccessedMemberTypes.All)] TResult>(
        this ResiliencePipelineBuilder<TResult> builder,
        NygardBreakerStrategyOptions<TResult> options,
        INygardBreakerStateStore store)
    {
        ArgumentNullException.ThrowIfNull(store);
        return Add(builder, options, owner: store, store);
    }

    /// <summary>
    /// Adds a breaker whose state provider is claimed by <paramref name="owner"/> and whose state lives in
    /// <paramref name="store"/> (when given): a breaker rebuilt on an options reload keeps both.
    /// </summary>
    [UnconditionalSuppressMessage(
        "Trimming",
        "IL2026:Members annotated with 'RequiresUnreferencedCodeAttribute' require dynamic access otherwise can break functionality when trimming application code",
        Justification = "All options members are preserved by DynamicDependency.")]
    [DynamicDependency(DynamicallyAccessedMemberTypes.All, typeof(NygardBreakerStrategyOptions))]
    private static ResiliencePipelineBuilder Add(ResiliencePipelineBuilder builder, NygardBreakerStrategyOptions options, object owner, INygardBreakerStateStore? store)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(options);

        options.StateProvider?.Claim(owner);
        return builder.AddStrategy(context => new NygardBreakerResilienceStrategy(new NygardBreaker<object>(options, context.TimeProvider, context.Telemetry, builder.TelemetryListener is not null, store)), options);
    }

    /// <summary>
    /// Adds a breaker whose state provider is claimed by <paramref name="owner"/> and whose state lives in
    /// <paramref name="store"/> (when given): a breaker rebuilt on an options reload keeps both.
    /// </summary>
    [UnconditionalSuppressMessage(
        "Trimming",
        "IL2026:Members annotated with 'RequiresUnreferencedCodeAttribute' require dynamic access otherwise can break functionality when trimming application code",
        Justification = "All options members are preserved by DynamicallyAccessedMembers.")]
    private static ResiliencePipelineBuilder<TResult> Add<[DynamicallyAccessedMembers(DynamicallyAccessedMemberTypes.All)] TResult>(
        ResiliencePipelineBuilder<TResult> builder,
        NygardBreakerStrategyOptions<TResult> options,
        object owner,
        INygardBreakerStateStore? store)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(options);

        options.StateProvider?.Claim(owner);
        return builder.AddStrategy(context => new NygardBreakerResilienceStrategy<TResult>(new NygardBreaker<TResult>(options, context.TimeProvider, context.Telemetry, builder.TelemetryListener is not null, store)), options);
    }

    /// <summary>
    /// Adds a consecutive-failure circuit breaker that opens after <paramref name="failureThreshold"/> consecutive
    /// exceptions (other than <see cref="OperationCanceledException"/>) for <paramref name="breakDuration"/>; every
    /// other option keeps its default.
    /// </summary>
    /// <param name="builder">The builder.</param>
    /// <param name="failureThreshold">Consecutive failures that open the breaker; at least 1.</param>
    /// <param name="breakDuration">How long the breaker stays open; greater than zero and at most one day.</param>
    /// <returns>The same builder.</returns>
    /// <exception cref="ValidationException">An argument is out of range; the message names the option.</exception>
    public static ResiliencePipelineBuilder AddNygardBreaker(this ResiliencePipelineBuilder builder, int failureThreshold, TimeSpan breakDuration) =>
        builder.AddNygardBreaker(new NygardBreakerStrategyOptions { FailureThreshold = failureThreshold, BreakDuration = breakDuration });

    /// <summary>
    /// Adds a consecutive-failure circuit breaker that opens after <paramref name="failureThreshold"/> consecutive
    /// exceptions (other than <see cref="OperationCanceledException"/>) for <paramref name="breakDuration"/>; results are
    /// never failures and every other option keeps its default.
    /// </summary>
    /// <typeparam name="TResult">The type of result the breaker handles.</typeparam>
    /// <param name="builder">The builder.</param>
    /// <param name="failureThreshold">Consecutive failures that open the breaker; at least 1.</param>
    /// <param name="breakDuration">How long the breaker stays open; greater than zero and at most one day.</param>
    /// <returns>The same builder.</returns>
    /// <exception cref="ValidationException">An argument is out of range; the message names the option.</exception>
    public static ResiliencePipelineBuilder<TResult> AddNygardBreaker<[DynamicallyAccessedMembers(DynamicallyAccessedMemberTypes.All)] TResult>(
        this ResiliencePipelineBuilder<TResult> builder,
        int failureThreshold,
        TimeSpan breakDuration) =>
        builder.AddNygardBreaker(new NygardBreakerStrategyOptions<TResult> { FailureThreshold = failureThreshold, BreakDuration = breakDuration });
}
