using System.Diagnostics.CodeAnalysis;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Options;
using Nygard.Resilience;
using Nygard.Resilience.DependencyInjection;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>
/// Binds breaker options from configuration (<c>appsettings.json</c> style) and validates them at start-up.
/// </summary>
public static class NygardBreakerServiceCollectionExtensions
{
    /// <summary>
    /// Binds the named <see cref="NygardBreakerStrategyOptions"/> to a configuration section (for example
    /// <c>{ "FailureThreshold": 5, "BreakDuration": "00:00:30" }</c>) and validates them when the host starts, so that a
    /// bad value fails start-up with a message naming it. Use with <c>AddNygardBreaker(context, name)</c>.
    /// </summary>
    /// <param name="services">The services.</param>
    /// <param name="name">The options' name (by default, the pipeline key).</param>
    /// <param name="configuration">The configuration section.</param>
    /// <returns>The options builder, for further configuration such as <c>ShouldHandle</c>.</returns>
    public static OptionsBuilder<NygardBreakerStrategyOptions> AddNygardBreakerOptions(this IServiceCollection services, string name, IConfiguration configuration) =>
        AddOptions<NygardBreakerStrategyOptions, object>(services, name, configuration);

    /// <summary>
    /// Binds the named <see cref="HttpNygardBreakerStrategyOptions"/> to a configuration section and validates them when
    /// the host starts. Use with <c>AddNygardBreaker(context, name)</c> in <c>AddResilienceHandler</c>.
    /// </summary>
    /// <param name="services">The services.</param>
    /// <param name="name">The options' name (by default, the handler pipeline's name).</param>
    /// <param name="configuration">The configuration section.</param>
    /// <returns>The options builder, for further configuration.</returns>
    public static OptionsBuilder<HttpNygardBreakerStrategyOptions> AddHttpNygardBreakerOptions(this IServiceCollection services, string name, IConfiguration configuration) =>
        AddOptions<HttpNygardBreakerStrategyOptions, HttpResponseMessage>(services, name, configuration);

    [UnconditionalSuppressMessage("Trimming", "IL2026", Justification = "DataAnnotations validation reads the options' attributes, which DynamicallyAccessedMembers preserves (as Polly's own AddStrategy does).")]
    private static OptionsBuilder<TOptions> AddOptions<[DynamicallyAccessedMembers(DynamicallyAccessedMemberTypes.All)] TOptions, TResult>(IServiceCollection services, string name, IConfiguration configuration)
        where TOptions : NygardBreakerStrategyOptions<TResult>
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(configuration);

        services.AddNygardBreakerRegistry();
        services.AddSingleton<IOptionsChangeTokenSource<TOptions>>(new ConfigurationChangeTokenSource<TOptions>(name, configuration));
        return services.AddOptions<TOptions>(name)
            .Configure(options => NygardBreakerOptionsBinder.Bind(configuration, options))
            .ValidateDataAnnotations()
            .ValidateOnStart();
    }
}
