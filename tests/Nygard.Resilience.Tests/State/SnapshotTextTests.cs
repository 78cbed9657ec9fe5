using Polly.CircuitBreaker;

namespace Nygard.Resilience.Tests.State;

public class SnapshotTextTests
{
    [Fact]
    public void ToString_ShowsEveryCount_AndADashWhenThereIsNoBreakEnd()
    {
        var until = new DateTimeOffset(2026, 1, 1, 0, 0, 30, TimeSpan.Zero);
        var open = new NygardBreakerSnapshot(CircuitState.Open, 3, 0, 1, [], until, until.AddSeconds(-30), isManual: false, generation: 4, version: 9);

        Assert.Equal("Closed failures=0 probes=0 probeSuccesses=0 failedProbes=0 openUntil=- gen=0 v=0", NygardBreakerSnapshot.Initial.ToString());
        Assert.Equal("Open failures=3 probes=0 probeSuccesses=0 failedProbes=1 openUntil=2026-01-01T00:00:30.0000000+00:00 gen=4 v=9", open.ToString());
    }

    [Fact]
    public void Constructor_WithNoLeases_KeepsAnEmptyList()
    {
        var snapshot = new NygardBreakerSnapshot(CircuitState.HalfOpen, 0, 0, 0, probeLeases: default, null, DateTimeOffset.UnixEpoch, isManual: true, generation: 1, version: 1);

        Assert.Empty(snapshot.ProbeLeases);
        Assert.Contains(" probes=0 ", snapshot.ToString(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(CircuitState.Closed)]
    [InlineData(CircuitState.Open)]
    [InlineData(CircuitState.HalfOpen)]
    [InlineData(CircuitState.Isolated)]
    public void Constructor_KeepsEveryCircuitState(CircuitState state) =>
        Assert.Equal(state, Snapshot(state).State);

    [Theory]
    [InlineData(-1)]
    [InlineData(4)]
    [InlineData(259)] // would read as Isolated if it were only cut to a byte
    public void Constructor_WithAValueThatIsNoCircuitState_FailsNamingTheState(int state)
    {
        var error = Assert.Throws<ArgumentOutOfRangeException>(() => Snapshot((CircuitState)state));

        Assert.Equal("state", error.ParamName);
    }

    private static NygardBreakerSnapshot Snapshot(CircuitState state) =>
        new(state, 0, 0, 0, [], openUntil: null, DateTimeOffset.UnixEpoch, isManual: false, generation: 1, version: 1);
}
