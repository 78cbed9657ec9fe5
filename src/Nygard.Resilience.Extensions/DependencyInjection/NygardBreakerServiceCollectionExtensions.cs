using System.Diagnostics.CodeAnalysis;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using Nygard.Resilience;
using Nygard.Resilience.DependencyInjection;
using Nygard.Resilience.Validation;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>
/// Binds breaker options from configuration (<c>appsettings.json</c> style) and validates them at start-up and on reload.
/// </summary>
public static class NygardBreakerServiceCollectionExtensions
{
    /// <summary>
    /// Binds the named <see cref="NygardBreakerStrategyOptions"/> to a configuration section (for example
    /// <c>{ "FailureThreshold": 5, "BreakDuration": "00:00:30" }</c>) and validates them when the host starts, so that a
    /// bad value fails start-up with a message naming it. A reload with an invalid value is logged as an error and
    /// the breaker keeps its last valid options. Use with <c>AddNygardBreaker(context, name)</c>.
    /// </summary>
    /// <param name="services">The services.</param>
    /// <param name="name">The options' name (by default, the pipeline key).</param>
    /// <param name="configuration">The configuration section.</param>
    /// <returns>The options builder, for further configuration such as <c>ShouldHandle</c>.</returns>
    public static OptionsBuilder<NygardBreakerStrategyOptions> AddNygardBreakerOptions(this IServiceCollection services, string name, IConfiguration configuration) =>
        AddOptions<NygardBreakerStrategyOptions, object, NygardBreakerOptionsValidator>(services, name, configuration);

    /// <summary>
    /// Binds the named <see cref="HttpNygardBreakerStrategyOptions"/> to a configuration section and validates them when
    /// the host starts and on reload. Use with <c>AddNygardBreaker(context, name)</c> in <c>AddResilienceHandler</c>.
    /// </summary>
    /// <param name="services">The services.</param>
    /// <param name="name">The options' name (by default, the handler pipeline's name).</param>
    /// <param name="configuration">The configuration section.</param>
    /// <returns>The options builder, for further configuration.</returns>
    public static OptionsBuilder<HttpNygardBreakerStrategyOptions> AddHttpNygardBreakerOptions(this IServiceCollection services, string name, IConfiguration configuration) =>
        AddOptions<HttpNygardBreakerStrategyOptions, HttpResponseMessage, HttpNygardBreakerOptionsValidator>(services, name, configuration);

    private static OptionsBuilder<TOptions> AddOptions<[DynamicallyAccessedMembers(DynamicallyAccessedMemberTypes.PublicParameterlessConstructor)] TOptions, TResult, TValidator>(IServiceCollection services, string name, IConfiguration configuration)
        where TOptions : NygardBreakerStrategyOptions<TResult>
        where TValidator : IValidateOptions<TOptions>, new()
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(name);
        ArgumentNullException.ThrowIfNull(configuration);

        services.AddNygardBreakerRegistry();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<TOptions>, ReloadTolerantValidator<TOptions, TValidator>>());

        services.AddSingleton<IOptionsChangeTokenSource<TOptions>>(new ConfigurationChangeTokenSource<TOptions>(name, configuration));
        return services.AddOptions<TOptions>(name)
            .Configure(options =>
            {
                var section = new NygardBreakerConfigurationSection();
                configuration.Bind(section);
                section.ApplyTo(options);
            })
            .ValidateOnStart();
    }
}
