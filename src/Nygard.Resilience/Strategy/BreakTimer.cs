namespace Nygard.Resilience.Strategy;

/// <summary>
/// Tells rejections how long an open snapshot's break still runs without reading the precise clock every time: it
/// remembers when the break ends on a cheap clock. For <see cref="TimeProvider.System"/> that clock is
/// <see cref="Environment.TickCount64"/>, a few nanoseconds against about thirty for the precise clock on a virtual
/// machine, with a resolution of some milliseconds that a margin covers. Any other provider runs the same logic on its
/// own <see cref="TimeProvider.GetUtcNow"/>, so fake and hand-made clocks end breaks exactly. Only for stores whose
/// clock is the local one (the in-memory store).
/// </summary>
internal sealed class BreakTimer(TimeProvider timeProvider)
{
    private static readonly TimeSpan SystemMargin = TimeSpan.FromMilliseconds(50);
    private static readonly TimeSpan DeadlineLifetime = TimeSpan.FromSeconds(1);

    private readonly bool _isSystem = ReferenceEquals(timeProvider, TimeProvider.System);
    private readonly DateTimeOffset _origin = timeProvider.GetUtcNow();
    private BreakDeadline? _deadline;

    /// <summary>Gets how close to a deadline the cheap clock's answer is no longer trusted.</summary>
    private TimeSpan Margin => _isSystem ? SystemMargin : TimeSpan.Zero;

    /// <summary>Gets the time on the cheap clock, since an arbitrary origin.</summary>
    private TimeSpan Now => _isSystem ? TimeSpan.FromMilliseconds(Environment.TickCount64) : timeProvider.GetUtcNow() - _origin;

    /// <summary>Gets how long the break of an open snapshot still runs (zero or less once it has ended).</summary>
    public TimeSpan Remaining(NygardBreakerSnapshot snapshot, DateTimeOffset openUntil)
    {
        var now = Now;
        if (Volatile.Read(ref _deadline) is { } deadline && ReferenceEquals(deadline.Snapshot, snapshot) && now < deadline.ValidUntil)
        {
            var left = deadline.EndsAt - now;
            if (left > Margin)
            {
                return left;
            }
        }

        var remaining = openUntil - timeProvider.GetUtcNow();
        if (remaining > Margin)
        {
            Volatile.Write(ref _deadline, new BreakDeadline(snapshot, now + remaining, now + DeadlineLifetime));
        }

        return remaining;
    }
}
