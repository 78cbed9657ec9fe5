using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Nygard.Resilience.Logging;

namespace Nygard.Resilience.DependencyInjection;

/// <summary>Reads a breaker's named options for <c>AddNygardBreaker(context)</c>, reporting what would otherwise pass silently.</summary>
internal static class NygardBreakerOptionsAccess
{
    public static NygardBreakerRegistry Registry(IServiceProvider services) =>
        services.GetService<NygardBreakerRegistry>() ?? throw new InvalidOperationException(
            "AddNygardBreaker(context) needs the container's NygardBreakerRegistry, which keeps breaker state across options reloads: " +
            "call services.AddNygardBreakerRegistry() (AddNygardBreakerOptions, AddHealthChecks().AddNygardBreakers() and AddNygardBreakerEndpoints() also register it).");

    /// <summary>
    /// Gets the named options. A name that nothing configures is logged as a warning (once); options that fail
    /// validation (for example on a reload) are logged as an error and the exception propagates, so Polly keeps the
    /// pipeline built from the last valid options.
    /// </summary>
    public static TOptions Get<TOptions>(IServiceProvider services, string name, Func<string, TOptions> get)
        where TOptions : class
    {
        var registry = Registry(services);
        if (!IsConfigured<TOptions>(services, name) && registry.FirstUseOfUnconfiguredName(typeof(TOptions), name))
        {
            NygardBreakerLog.OptionsNotConfigured(registry.Logger, typeof(TOptions).Name, name);
        }

        try
        {
            return get(name);
        }
        catch (OptionsValidationException e)
        {
            NygardBreakerLog.OptionsRejected(registry.Logger, name, typeof(TOptions).Name, string.Join(" ", e.Failures));
            throw;
        }
    }

    /// <summary>
    /// Whether anything may configure options of that name. Only the framework's own named configure actions can be
    /// read; any other kind of configuration counts as configuring every name, so the warning is never a false alarm.
    /// </summary>
    private static bool IsConfigured<TOptions>(IServiceProvider services, string name)
        where TOptions : class
    {
        foreach (var configure in services.GetServices<IConfigureOptions<TOptions>>())
        {
            if (configure is not ConfigureNamedOptions<TOptions> named || named.Name is null || string.Equals(named.Name, name, StringComparison.Ordinal))
            {
                return true;
            }
        }

        foreach (var postConfigure in services.GetServices<IPostConfigureOptions<TOptions>>())
        {
            if (postConfigure is not PostConfigureOptions<TOptions> named || named.Name is null || string.Equals(named.Name, name, StringComparison.Ordinal))
            {
                return true;
            }
        }

        return false;
    }
}
