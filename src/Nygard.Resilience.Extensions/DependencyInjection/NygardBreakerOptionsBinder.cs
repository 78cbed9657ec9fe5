using System.Globalization;
using Microsoft.Extensions.Configuration;

namespace Nygard.Resilience.DependencyInjection;

/// <summary>
/// Binds the options that configuration can carry (<c>Name</c>, <c>FailureThreshold</c>, <c>BreakDuration</c>,
/// <c>HalfOpenPermits</c>, <c>SuccessThreshold</c>) explicitly, without reflection, so that the package stays trim and
/// AOT safe. Code-only options (predicates, delegates, listeners, stores) are left as they are.
/// </summary>
internal static class NygardBreakerOptionsBinder
{
    public static void Bind<TResult>(IConfiguration configuration, NygardBreakerStrategyOptions<TResult> options)
    {
        if (configuration[nameof(options.Name)] is { } name)
        {
            options.Name = name;
        }

        Read(configuration, nameof(options.FailureThreshold), ParseInt, value => options.FailureThreshold = value);
        Read(configuration, nameof(options.BreakDuration), ParseTimeSpan, value => options.BreakDuration = value);
        Read(configuration, nameof(options.HalfOpenPermits), ParseInt, value => options.HalfOpenPermits = value);
        Read(configuration, nameof(options.SuccessThreshold), ParseInt, value => options.SuccessThreshold = value);
    }

    private static void Read<T>(IConfiguration configuration, string key, Func<string, T?> parse, Action<T> assign)
        where T : struct
    {
        var section = configuration.GetSection(key);
        if (section.Value is not { } text)
        {
            return;
        }

        var value = parse(text) ?? throw new InvalidOperationException(
            $"Failed to convert configuration value '{text}' at '{section.Path}' to type '{typeof(T).FullName}'.");
        assign(value);
    }

    private static int? ParseInt(string text) => int.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var value) ? value : null;

    private static TimeSpan? ParseTimeSpan(string text) => TimeSpan.TryParse(text, CultureInfo.InvariantCulture, out var value) ? value : null;
}
