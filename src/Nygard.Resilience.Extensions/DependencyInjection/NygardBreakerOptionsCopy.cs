namespace Nygard.Resilience.DependencyInjection;

/// <summary>Copies breaker options field by field, so that one configured instance can serve several breakers.</summary>
internal static class NygardBreakerOptionsCopy
{
    public static void CopyTo<TResult>(NygardBreakerStrategyOptions<TResult> source, NygardBreakerStrategyOptions<TResult> target)
    {
        target.Name = source.Name;
        target.FailureThreshold = source.FailureThreshold;
        target.BreakDuration = source.BreakDuration;
        target.BreakDurationGenerator = source.BreakDurationGenerator;
        target.HalfOpenPermits = source.HalfOpenPermits;
        target.SuccessThreshold = source.SuccessThreshold;
        target.ShouldHandle = source.ShouldHandle;
        target.StateStore = source.StateStore;
        target.StateProvider = source.StateProvider;
        target.ManualControl = source.ManualControl;
        target.OnOpened = source.OnOpened;
        target.OnClosed = source.OnClosed;
        target.OnHalfOpened = source.OnHalfOpened;
        foreach (var listener in source.Listeners)
        {
            target.Listeners.Add(listener);
        }
    }
}
