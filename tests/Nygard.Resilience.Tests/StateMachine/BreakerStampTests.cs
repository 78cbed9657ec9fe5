using Nygard.Resilience.StateMachine;
using Polly.CircuitBreaker;

namespace Nygard.Resilience.Tests.StateMachine;

/// <summary>The stamp the clean path and rejections read: what it packs, and when it says nothing.</summary>
public class BreakerStampTests
{
    [Theory]
    [InlineData(CircuitState.Closed, 0, 7L)]
    [InlineData(CircuitState.Closed, 3, 7L)]
    [InlineData(CircuitState.Open, 3, 8L)]
    [InlineData(CircuitState.HalfOpen, 0, 9L)]
    [InlineData(CircuitState.Isolated, 1, 0L)]
    [InlineData(CircuitState.Open, 1, long.MaxValue >> 3)]
    public void Of_PacksTheStateWhetherFailuresAreCountedAndThePeriod(CircuitState circuit, int failures, long generation)
    {
        var stamp = BreakerStamp.Of(BreakerState.Initial with { State = circuit, FailureCount = failures, Generation = generation });

        Assert.False(stamp.IsBusy);
        Assert.Equal(circuit, stamp.State);
        Assert.Equal(failures == 0, stamp.HasNoFailures);
        Assert.Equal(generation, stamp.Generation);
    }

    [Theory]
    [InlineData((long.MaxValue >> 3) + 1)]
    [InlineData(long.MaxValue)]
    [InlineData(-1L)]
    public void Of_APeriodTooLargeToPack_IsBusy_SoCallsReadTheWholeState(long generation)
    {
        var stamp = BreakerStamp.Of(BreakerState.Initial with { Generation = generation });

        Assert.True(stamp.IsBusy);
        Assert.False(BreakerStateMachine.AdmitsFreely(stamp));
        Assert.False(BreakerStateMachine.IsCleanSuccess(stamp));
    }

    [Theory]
    [InlineData(CircuitState.Closed, 0, true, true)]
    [InlineData(CircuitState.Closed, 1, true, false)]
    [InlineData(CircuitState.Open, 0, false, false)]
    [InlineData(CircuitState.HalfOpen, 0, false, false)]
    [InlineData(CircuitState.Isolated, 0, false, false)]
    public void OnlyAClosedStamp_AdmitsFreely_AndOnlyWithNoFailures_IsACleanSuccess(CircuitState circuit, int failures, bool admitsFreely, bool cleanSuccess)
    {
        var stamp = BreakerStamp.Of(BreakerState.Initial with { State = circuit, FailureCount = failures, Generation = 4 });

        Assert.Equal(admitsFreely, BreakerStateMachine.AdmitsFreely(stamp));
        Assert.Equal(cleanSuccess, BreakerStateMachine.IsCleanSuccess(stamp));
    }

    [Fact]
    public void Busy_SaysNothing()
    {
        Assert.True(BreakerStamp.Busy.IsBusy);
        Assert.False(BreakerStateMachine.AdmitsFreely(BreakerStamp.Busy));
        Assert.False(BreakerStateMachine.IsCleanSuccess(BreakerStamp.Busy));
    }
}
