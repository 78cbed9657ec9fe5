using Polly.CircuitBreaker;

namespace Nygard.Resilience.Tests.State;

/// <summary>The observer bookkeeping store authors use: who hears what, and what a disposed subscription stops.</summary>
public class StateObserversTests
{
    private static readonly NygardBreakerSnapshot Previous = NygardBreakerSnapshot.Initial;
    private static readonly NygardBreakerSnapshot Current = new(CircuitState.Open, 3, 0, 0, [], DateTimeOffset.UnixEpoch.AddMinutes(1), DateTimeOffset.UnixEpoch, isManual: false, generation: 1, version: 1);

    [Fact]
    public void EveryObserver_HearsChangesAndAvailability_InTheOrderAdded()
    {
        var heard = new List<string>();
        var observers = new NygardBreakerStateObservers();
        observers.Add(new Observer("a", heard));
        observers.Add(new Observer("b", heard));
        var cause = new object();
        var outage = new TimeoutException();

        observers.NotifyChanged(Previous, Current, cause);
        observers.NotifyAvailabilityChanged(false, outage);
        observers.NotifyAvailabilityChanged(true, null);
        observers.NotifyProblem(new FormatException());

        Assert.Equal(
            [
                "a changed Closed->Open cause", "b changed Closed->Open cause",
                "a unavailable TimeoutException", "b unavailable TimeoutException",
                "a available -", "b available -",
                "a problem FormatException", "b problem FormatException",
            ],
            heard);
    }

    [Fact]
    public void DisposedSubscription_RemovesOnlyItsObserver_AndDisposingAgainChangesNothing()
    {
        var heard = new List<string>();
        var observers = new NygardBreakerStateObservers();
        var a = observers.Add(new Observer("a", heard));
        var b = observers.Add(new Observer("b", heard));
        var c = observers.Add(new Observer("c", heard));

        b.Dispose();
        observers.NotifyAvailabilityChanged(true, null);
        Assert.Equal(["a available -", "c available -"], heard);

        // Disposing a subscription twice removes its observer once and touches no other.
        heard.Clear();
        var again = observers.Add(new Observer("c2", heard));
        c.Dispose();
        c.Dispose();
        observers.NotifyAvailabilityChanged(true, null);
        Assert.Equal(["a available -", "c2 available -"], heard);

        a.Dispose();
        again.Dispose();
        heard.Clear();
        observers.NotifyChanged(Previous, Current, cause: null);
        Assert.Empty(heard);
    }

    private sealed class Observer(string name, List<string> heard) : INygardBreakerStateObserver
    {
        public void OnChanged(NygardBreakerSnapshot previous, NygardBreakerSnapshot current, object? cause) =>
            heard.Add($"{name} changed {previous.State}->{current.State}{(cause is null ? string.Empty : " cause")}");

        public void OnStoreAvailabilityChanged(bool isAvailable, Exception? exception) =>
            heard.Add($"{name} {(isAvailable ? "available" : "unavailable")} {exception?.GetType().Name ?? "-"}");

        public void OnStoreProblem(Exception problem) => heard.Add($"{name} problem {problem.GetType().Name}");
    }
}
