using System.ComponentModel.DataAnnotations;
using System.Diagnostics.CodeAnalysis;
using Nygard.Resilience;
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
        builder.AddNygardBreaker(options, owner: options, store: null);

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
        builder.AddNygardBreaker(options, owner: options, store: null);

    /// <summary>
    /// Adds a breaker whose state provider is claimed by <paramref name="owner"/> and whose state lives in
    /// <paramref name="store"/> (when given): a breaker rebuilt on an options reload keeps both.
    /// </summary>
    [UnconditionalSuppressMessage(
        "Trimming",
        "IL2026:Members annotated with 'RequiresUnreferencedCodeAttribute' require dynamic access otherwise can break functionality when trimming application code",
        Justification = "All options members are preserved by DynamicDependency.")]
    [DynamicDependency(DynamicallyAccessedMemberTypes.All, typeof(NygardBreakerStrategyOptions))]
    internal static ResiliencePipelineBuilder AddNygardBreaker(this ResiliencePipelineBuilder builder, NygardBreakerStrategyOptions options, object owner, INygardBreakerStateStore? store)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(options);

        options.StateProvider?.Claim(owner);
        return builder.AddStrategy(context => new NygardBreakerResilienceStrategy(new NygardBreaker<object>(options, context.TimeProvider, context.Telemetry, store)), options);
    }

    /// <summary>
    /// Adds a breaker whose state provider is claimed by <paramref name="owner"/> and whose state lives in
    /// <paramref name="store"/> (when given): a breaker rebuilt on an options reload keeps both.
    /// </summary>
    [UnconditionalSuppressMessage(
        "Trimming",
        "IL2026:Members annotated with 'RequiresUnreferencedCodeAttribute' require dynamic access otherwise can break functionality when trimming application code",
        Justification = "All options members are preserved by DynamicallyAccessedMembers.")]
    internal static ResiliencePipelineBuilder<TResult> AddNygardBreaker<[DynamicallyAccessedMembers(DynamicallyAccessedMemberTypes.All)] TResult>(
        this ResiliencePipelineBuilder<TResult> builder,
        NygardBreakerStrategyOptions<TResult> options,
        object owner,
        INygardBreakerStateStore? store)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(options);

        options.StateProvider?.Claim(owner);
        return builder.AddStrategy(context => new NygardBreakerResilienceStrategy<TResult>(new NygardBreaker<TResult>(options, context.TimeProvider, context.Telemetry, store)), options);
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
}
