using Microsoft.Extensions.Time.Testing;

namespace Nygard.Resilience.Tests.Support;

/// <summary>A fake clock whose timers fire <paramref name="earlyBy"/> before they are due, as system timers may.</summary>
internal sealed class EarlyTimerTimeProvider(FakeTimeProvider clock, TimeSpan earlyBy) : TimeProvider
{
    private int _timersCreated;

    /// <summary>Gets how many timers were created: a waiter that wakes up early and waits again creates another.</summary>
    public int TimersCreated => Volatile.Read(ref _timersCreated);

    public override DateTimeOffset GetUtcNow() => clock.GetUtcNow();

    public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
    {
        Interlocked.Increment(ref _timersCreated);
        return clock.CreateTimer(callback, state, dueTime > earlyBy ? dueTime - earlyBy : dueTime, period);
    }
}
