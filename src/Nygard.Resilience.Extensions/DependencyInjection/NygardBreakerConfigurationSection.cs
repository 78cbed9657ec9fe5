namespace Nygard.Resilience.DependencyInjection;

/// <summary>
/// What a configuration section can carry for a breaker, bound by the configuration-binding source generator
/// (no reflection). Values that are absent stay <see langword="null"/>, so they leave the options as code set them.
/// Code-only options (predicates, delegates, listeners, stores) are not configuration.
/// </summary>
internal sealed class NygardBreakerConfigurationSection
{
    public string? Name { get; set; }

    public int? FailureThreshold { get; set; }

    public TimeSpan? BreakDuration { get; set; }

    public int? HalfOpenPermits { get; set; }

    public int? SuccessThreshold { get; set; }

    public void ApplyTo<TResult>(NygardBreakerStrategyOptions<TResult> options)
    {
        options.Name = Name ?? options.Name;
        options.FailureThreshold = FailureThreshold ?? options.FailureThreshold;
        options.BreakDuration = BreakDuration ?? options.BreakDuration;
        options.HalfOpenPermits = HalfOpenPermits ?? options.HalfOpenPermits;
        options.SuccessThreshold = SuccessThreshold ?? options.SuccessThreshold;
    }
}
