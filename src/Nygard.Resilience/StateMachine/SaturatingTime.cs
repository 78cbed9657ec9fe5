namespace Nygard.Resilience.StateMachine;

/// <summary>Time arithmetic that saturates instead of throwing, so that a clock near the end of time never fails a call.</summary>
internal static class SaturatingTime
{
    /// <summary>Returns <paramref name="time"/> + <paramref name="span"/>, or <see cref="DateTimeOffset.MaxValue"/> if that is later than it.</summary>
    public static DateTimeOffset Add(DateTimeOffset time, TimeSpan span) =>
        span > DateTimeOffset.MaxValue - time ? DateTimeOffset.MaxValue : time + span;
}
