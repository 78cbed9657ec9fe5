using Nygard.Resilience.StateMachine;

namespace Nygard.Resilience.Engine;

/// <summary>
/// The breaker's clock. Time comes from the store (the Redis server's clock for a shared breaker, the builder's
/// <see cref="TimeProvider"/> for the in-memory store). Rejections while open ask <see cref="NowFor"/>, which may answer
/// from a cheaper clock: on <see cref="TimeProvider.System"/> with the in-memory store, <see cref="Environment.TickCount64"/>
/// remembers when the current break ends, and is trusted only while the break has more than a margin left, so that the
/// end of a break is always decided on the precise clock.
/// </summary>
internal sealed class BreakerClock
{
    private static readonly TimeSpan CheapClockMargin = TimeSpan.FromMilliseconds(50);
    private static readonly TimeSpan CheapClockLifetime = TimeSpan.FromSeconds(1);

    private readonly INygardBreakerStateStore _store;
    private readonly bool _cheapClock;
    private readonly Func<long> _cheapMilliseconds;
    private BreakEnd? _breakEnd;

    public BreakerClock(INygardBreakerStateStore store, TimeProvider local)
        : this(store, local, ReferenceEquals(local, TimeProvider.System), static () => Environment.TickCount64)
    {
    }

    /// <summary>Lets tests run the cheap clock on fake time: <paramref name="cheapMilliseconds"/> stands for <see cref="Environment.TickCount64"/>.</summary>
    internal BreakerClock(INygardBreakerStateStore store, TimeProvider local, bool useCheapClock, Func<long> cheapMilliseconds)
    {
        _store = store;
        Local = local;
        _cheapClock = useCheapClock && store is InMemoryNygardBreakerStateStore;
        _cheapMilliseconds = cheapMilliseconds;
    }

    /// <summary>Gets the builder's time provider, which timers and delays run on.</summary>
    public TimeProvider Local { get; }

    /// <summary>Gets the current time on the store's clock.</summary>
    public DateTimeOffset Now => _store.GetUtcNow(Local);

    /// <summary>
    /// Returns a time at which to decide whether an open breaker admits a call: <see cref="Now"/>, or when its break
    /// clearly has time left, the same instant told by the cheap clock.
    /// </summary>
    /// <param name="generation">The open circuit period: a break is known by its period and its end.</param>
    /// <param name="openUntil">When its break ends, as UTC ticks (or <see cref="BreakerState.NoTime"/>).</param>
    public DateTimeOffset NowFor(long generation, long openUntil)
    {
        if (!_cheapClock || openUntil == BreakerState.NoTime)
        {
            return Now;
        }

        var ticks = TimeSpan.FromMilliseconds(_cheapMilliseconds());
        if (Volatile.Read(ref _breakEnd) is { } end && end.Generation == generation && end.OpenUntil == openUntil && ticks < end.TrustedUntil && end.EndsAt - ticks > CheapClockMargin)
        {
            return new DateTimeOffset(openUntil - (end.EndsAt - ticks).Ticks, TimeSpan.Zero);
        }

        var now = Now;
        var left = TimeSpan.FromTicks(openUntil - now.UtcTicks);
        if (left > CheapClockMargin)
        {
            Volatile.Write(ref _breakEnd, new BreakEnd(generation, openUntil, ticks + left, ticks + CheapClockLifetime));
        }

        return now;
    }

    /// <summary>When one break ends on the cheap clock, and until when that answer is trusted.</summary>
    private sealed record BreakEnd(long Generation, long OpenUntil, TimeSpan EndsAt, TimeSpan TrustedUntil);
}
