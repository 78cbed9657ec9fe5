using Microsoft.Extensions.Time.Testing;
using Nygard.Resilience.Engine;
using Nygard.Resilience.Tests.Support;
using Polly.CircuitBreaker;

namespace Nygard.Resilience.Tests.Engine;

/// <summary>
/// The cheap clock that answers rejections while open. The precise clock (fake time) and the cheap one (fake milliseconds)
/// are moved apart on purpose, so that each answer shows which clock gave it.
/// </summary>
public class BreakerClockTests
{
    private static readonly DateTimeOffset Now0 = BreakerHarness.Epoch;

    private readonly FakeTimeProvider _time = new(BreakerHarness.Epoch);
    private long _milliseconds = 1_000_000;

    [Fact]
    public void FirstAskForABreak_IsAnsweredByThePreciseClock()
    {
        var clock = CheapClock();
        var open = Open(Now0.AddSeconds(30));
        _time.Advance(TimeSpan.FromSeconds(1));

        Assert.Equal(Now0.AddSeconds(1), NowFor(clock, open));
    }

    [Fact]
    public void LaterAsksForTheSameBreak_AreAnsweredByTheCheapClock()
    {
        var clock = CheapClock();
        var open = Open(Now0.AddSeconds(30));
        NowFor(clock, open);

        _milliseconds += 100;

        Assert.Equal(Now0.AddMilliseconds(100), NowFor(clock, open));
        _milliseconds += 899;
        Assert.Equal(Now0.AddMilliseconds(999), NowFor(clock, open));
    }

    [Fact]
    public void CheapAnswer_IsTrustedForOneSecondOnly_ThenThePreciseClockAnswersAgain()
    {
        var clock = CheapClock();
        var open = Open(Now0.AddSeconds(30));
        NowFor(clock, open);

        _milliseconds += 1_000;
        _time.Advance(TimeSpan.FromMilliseconds(400));

        Assert.Equal(Now0.AddMilliseconds(400), NowFor(clock, open));
    }

    [Fact]
    public void CheapAnswer_IsNotUsedOnceOnlyTheMarginIsLeft()
    {
        var clock = CheapClock();
        var open = Open(Now0.AddSeconds(1));
        NowFor(clock, open);

        _milliseconds += 949;
        Assert.Equal(Now0.AddMilliseconds(949), NowFor(clock, open));

        _milliseconds += 1;
        Assert.Equal(Now0, NowFor(clock, open));
    }

    [Fact]
    public void BreakWithLessThanTheMarginLeft_IsNeverAnsweredByTheCheapClock()
    {
        var clock = CheapClock();
        var open = Open(Now0.AddMilliseconds(40));
        NowFor(clock, open);

        _milliseconds += 10;

        Assert.Equal(Now0, NowFor(clock, open));
    }

    [Fact]
    public void BreakWithExactlyTheMarginLeft_DoesNotReplaceTheRememberedBreak()
    {
        var clock = CheapClock();
        var remembered = Open(Now0.AddSeconds(30));
        NowFor(clock, remembered);

        Assert.Equal(Now0, NowFor(clock, Open(Now0.AddMilliseconds(50), generation: 2)));
        _milliseconds += 100;

        Assert.Equal(Now0.AddMilliseconds(100), NowFor(clock, remembered));
    }

    [Fact]
    public void AnotherBreak_IsAnsweredByThePreciseClock()
    {
        var clock = CheapClock();
        NowFor(clock, Open(Now0.AddSeconds(30), generation: 3));
        _milliseconds += 100;

        Assert.Equal(Now0, NowFor(clock, Open(Now0.AddSeconds(30))));
    }

    [Fact]
    public void WithoutTheInMemoryStoreOrABreak_ThePreciseClockAlwaysAnswers()
    {
        var open = Open(Now0.AddSeconds(30));
        var shared = new BreakerClock(new ForwardingStore(), _time, useCheapClock: true, () => _milliseconds);
        var noCheap = new BreakerClock(new InMemoryNygardBreakerStateStore(), _time, useCheapClock: false, () => _milliseconds);
        NowFor(shared, open);
        NowFor(noCheap, open);
        var cheap = CheapClock();
        var halfOpen = new NygardBreakerSnapshot(CircuitState.HalfOpen, 3, 0, 0, [], null, Now0, isManual: false, generation: 2, version: 2);
        NowFor(cheap, halfOpen);

        _milliseconds += 100;

        Assert.Equal(Now0, NowFor(shared, open));
        Assert.Equal(Now0, NowFor(noCheap, open));
        Assert.Equal(Now0, NowFor(cheap, halfOpen));
    }

    private static DateTimeOffset NowFor(BreakerClock clock, NygardBreakerSnapshot snapshot) => clock.NowFor(snapshot.Generation, snapshot.Value.OpenUntilUtcTicks);

    private BreakerClock CheapClock() => new(new InMemoryNygardBreakerStateStore(), _time, useCheapClock: true, () => _milliseconds);

    private static NygardBreakerSnapshot Open(DateTimeOffset until, long generation = 1) =>
        new(CircuitState.Open, 3, 0, 0, [], until, Now0, isManual: false, generation, version: 1);

    /// <summary>A store that is not the in-memory type (as a remote store would be).</summary>
    private sealed class ForwardingStore : INygardBreakerStateStore
    {
        private readonly InMemoryNygardBreakerStateStore _inner = new();

        public NygardBreakerSnapshot Current => _inner.Current;

        public DateTimeOffset GetUtcNow(TimeProvider localTime) => _inner.GetUtcNow(localTime);

        public ValueTask<bool> TryReplaceAsync(NygardBreakerSnapshot expected, NygardBreakerSnapshot replacement, object? cause, CancellationToken cancellationToken) =>
            _inner.TryReplaceAsync(expected, replacement, cause, cancellationToken);

        public IDisposable Subscribe(INygardBreakerStateObserver observer) => _inner.Subscribe(observer);
    }
}
