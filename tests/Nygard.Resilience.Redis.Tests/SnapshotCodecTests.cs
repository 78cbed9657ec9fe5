using Nygard.Resilience.Redis.Cache;
using Nygard.Resilience.Redis.Codec;
using Polly.CircuitBreaker;

namespace Nygard.Resilience.Redis.Tests;

/// <summary>The codec believes nothing it has not checked, and the forward-only rules, table by table (no server).</summary>
public class SnapshotCodecTests
{
    private static readonly DateTimeOffset Now = new(2026, 12, 1, 12, 0, 0, TimeSpan.Zero);

    [Fact]
    public void EveryStateTheStateMachineWrites_RoundTrips()
    {
        NygardBreakerSnapshot[] snapshots =
        [
            new(CircuitState.Closed, 4, 0, 0, [], null, Now, false, 3, 17),
            new(CircuitState.Open, 5, 0, 2, [], Now.AddSeconds(30), Now, false, 4, 18),
            new(CircuitState.HalfOpen, 5, 1, 2, [Now.AddSeconds(30), Now.AddSeconds(31)], null, Now, false, 5, 19),
            new(CircuitState.Isolated, 0, 0, 0, [], null, Now, true, 6, 20),
        ];

        foreach (var snapshot in snapshots)
        {
            var raw = SnapshotCodec.Encode("00aa", snapshot);
            Assert.True(SnapshotCodec.TryDecode(raw, out var entry, out var error), error);
            Assert.Equal(snapshot.ToString(), entry.Snapshot.ToString());
            Assert.Equal(snapshot.ProbeLeases.ToArray(), entry.Snapshot.ProbeLeases.ToArray());
            Assert.Equal(snapshot.IsManual, entry.Snapshot.IsManual);
            Assert.Equal("00aa", entry.Incarnation);
            Assert.Equal(raw, entry.Raw);
        }
    }

    [Theory]
    [InlineData("n1;00aa;5;1;0;NaN;0;0;;638000000000000000;0;", "count")]
    [InlineData("n1;00aa;5;1;0;2147483648;0;0;;638000000000000000;0;", "count")]
    [InlineData("n1;00aa;5;1;0;-1;0;0;;638000000000000000;0;", "count")]
    [InlineData("n1;00aa;5;1;0;0;0;0;;-638000000000000000;0;", "transition time")]
    [InlineData("n1;00aa;5;1;0;0;0;0;;9999999999999999999;0;", "transition time")]
    [InlineData("n1;00aa;5;1;7;0;0;0;;638000000000000000;0;", "state")]
    [InlineData("n1;00aa;5;1;1;0;0;0;;638000000000000000;0;", "end of the break")]
    [InlineData("n1;00aa;5;1;1;0;0;0;638001728000000000;638000000000000000;0;", "end of the break")]
    [InlineData("n1;00aa;5;1;0;0;0;0;638000000000000001;638000000000000000;0;", "not open")]
    [InlineData("n1;00aa;5;1;0;0;0;0;;638000000000000000;0;638000000000000001", "probes")]
    [InlineData("n1;00aa;5;9;0;0;0;0;;638000000000000000;0;", "generation")]
    [InlineData("n1;00aa;0;0;0;0;0;0;;638000000000000000;0;", "version")]
    [InlineData("n1;00AA;5;1;0;0;0;0;;638000000000000000;0;", "incarnation")]
    [InlineData("n1;00aa;5;1;0;0;0;0;;638000000000000000;2;", "manual")]
    [InlineData("5;1;0;3;0;0;;638000000000000000;0;", "format")]
    [InlineData("\u0001hash", "format")]
    public void ValueTheStateMachineCouldNotHaveWritten_IsRefusedWithTheReason(string raw, string reason)
    {
        Assert.False(SnapshotCodec.TryDecode(raw, out _, out var error));
        Assert.Contains(reason, error, StringComparison.Ordinal);
    }

    [Fact]
    public void NoValue_IsTheAbsentKey()
    {
        Assert.True(SnapshotCodec.TryDecode(string.Empty, out var entry, out _));
        Assert.Same(StoredEntry.Absent, entry);
    }

    [Theory]
    [InlineData("same", "a", 5, CircuitState.Closed, "a", 5, CircuitState.Closed, "Same")]
    [InlineData("newer", "a", 5, CircuitState.Closed, "a", 6, CircuitState.Closed, "Adopt")]
    [InlineData("rolled back", "a", 6, CircuitState.Open, "a", 4, CircuitState.Closed, "WriteBack")]
    [InlineData("rolled back, even closed", "a", 6, CircuitState.Closed, "a", 4, CircuitState.Closed, "WriteBack")]
    [InlineData("other lineage, less protective here", "a", 9, CircuitState.Closed, "b", 2, CircuitState.Open, "Adopt")]
    [InlineData("other lineage, more protective here", "a", 2, CircuitState.Isolated, "b", 9, CircuitState.Closed, "WriteBack")]
    [InlineData("other lineage, tie", "a", 2, CircuitState.Open, "b", 9, CircuitState.Open, "Adopt")]
    [InlineData("collision, more protective here", "a", 6, CircuitState.Isolated, "a", 6, CircuitState.Closed, "WriteBack")]
    [InlineData("collision, less protective here", "a", 6, CircuitState.Closed, "a", 6, CircuitState.Isolated, "Adopt")]
    public void ViewRules_Table(string what, string knownIncarnation, long knownVersion, CircuitState knownState, string readIncarnation, long readVersion, CircuitState readState, string expected)
    {
        var known = Entry(knownIncarnation, knownVersion, knownState);
        var read = what == "same" ? known with { } : Entry(readIncarnation, readVersion, readState);
        Assert.Equal(Enum.Parse<Verdict>(expected), ViewRules.Judge(known, read, Now));
    }

    [Fact]
    public void ViewRules_KeyGone_IsWrittenBack_AndNothingKnownAdoptsWhateverIsStored()
    {
        Assert.Equal(Verdict.WriteBack, ViewRules.Judge(Entry("a", 3, CircuitState.Closed), StoredEntry.Absent, Now));
        Assert.Equal(Verdict.Same, ViewRules.Judge(StoredEntry.Absent, StoredEntry.Absent, Now));
        Assert.Equal(Verdict.Adopt, ViewRules.Judge(StoredEntry.Absent, Entry("a", 3, CircuitState.Closed), Now));
    }

    private static StoredEntry Entry(string incarnation, long version, CircuitState state)
    {
        var snapshot = new NygardBreakerSnapshot(state, 0, 0, 0, [], state == CircuitState.Open ? Now.AddMinutes(1) : null, Now, state == CircuitState.Isolated, version / 2, version);
        return new StoredEntry(snapshot, SnapshotCodec.Encode(incarnation, snapshot), incarnation);
    }
}
