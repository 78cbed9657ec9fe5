using System.Runtime.CompilerServices;
using Nygard.Resilience.Tests.Support;
using Polly;
using Polly.CircuitBreaker;

namespace Nygard.Resilience.Tests.Scenarios;

/// <summary>
/// The scenarios of aiobreaker's and pybreaker's own test suites, restated against this breaker
/// (fail_max = 3, timeout_duration = 30 s). Where we differ on purpose, the test says so.
/// </summary>
public class AiobreakerScenarioTests
{
    [Fact]
    public async Task SuccessfulCall_ReturnsTheResultAndLeavesTheBreakerClosed()
    {
        var breaker = new BreakerHarness();

        Assert.Equal("ok", (await breaker.SucceedAsync()).Result);
        Assert.Equal(0, breaker.State.FailureCount);
        Assert.Equal(CircuitState.Closed, breaker.State.CircuitState);
    }

    [Fact]
    public async Task OneFailedCall_RaisesItsErrorAndCountsOne()
    {
        var breaker = new BreakerHarness();

        Assert.IsType<InvalidOperationException>((await breaker.FailAsync()).Exception);
        Assert.Equal(1, breaker.State.FailureCount);
        Assert.Equal(CircuitState.Closed, breaker.State.CircuitState);
    }

    [Fact]
    public async Task SuccessfulCallAfterAFailedOne_ResetsTheCounter()
    {
        var breaker = new BreakerHarness();
        await breaker.FailAsync();

        await breaker.SucceedAsync();

        Assert.Equal(0, breaker.State.FailureCount);
    }

    [Fact]
    public async Task SeveralFailedCalls_OpenTheBreaker_TheTrippingCallGettingItsOwnError()
    {
        // aiobreaker raises CircuitBreakerError from the tripping call; we return that call's own exception (Polly's convention).
        var breaker = new BreakerHarness();
        await breaker.FailAsync();
        await breaker.FailAsync();

        Assert.IsType<InvalidOperationException>((await breaker.FailAsync()).Exception);
        Assert.Equal(CircuitState.Open, breaker.State.CircuitState);
        Assert.IsType<BrokenCircuitException>((await breaker.SucceedAsync()).Exception);
    }

    [Fact]
    public async Task FailedCallAfterTheTimeout_OpensTheBreakerAgain()
    {
        var breaker = new BreakerHarness();
        await breaker.TripAsync();
        breaker.Advance(TimeSpan.FromSeconds(30));

        Assert.IsType<InvalidOperationException>((await breaker.FailAsync()).Exception);

        Assert.Equal(CircuitState.Open, breaker.State.CircuitState);
        Assert.Equal(4, breaker.State.FailureCount);
    }

    [Fact]
    public async Task SuccessfulCallAfterTheTimeout_ClosesTheBreaker()
    {
        var breaker = new BreakerHarness();
        await breaker.TripAsync();
        breaker.Advance(TimeSpan.FromSeconds(30));

        Assert.Equal("ok", (await breaker.SucceedAsync()).Result);

        Assert.Equal(CircuitState.Closed, breaker.State.CircuitState);
        Assert.Equal(0, breaker.State.FailureCount);
    }

    [Fact]
    public async Task FailedCallWhenHalfOpen_OpensTheBreaker()
    {
        var breaker = new BreakerHarness();
        await breaker.Control.HalfOpenAsync();

        await breaker.FailAsync();

        Assert.Equal(CircuitState.Open, breaker.State.CircuitState);
        Assert.Equal(1, breaker.State.FailureCount);
    }

    [Fact]
    public async Task SuccessfulCallWhenHalfOpen_ClosesTheBreaker()
    {
        var breaker = new BreakerHarness();
        await breaker.Control.HalfOpenAsync();

        await breaker.SucceedAsync();

        Assert.Equal(CircuitState.Closed, breaker.State.CircuitState);
    }

    [Fact]
    public async Task Close_ClosesAnOpenBreakerAndResetsTheCounter()
    {
        var breaker = new BreakerHarness();
        await breaker.TripAsync();

        await breaker.Control.CloseAsync();

        Assert.Equal(CircuitState.Closed, breaker.State.CircuitState);
        Assert.Equal(0, breaker.State.FailureCount);
    }

    [Fact]
    public async Task TransitionEvents_AreDeliveredToListeners()
    {
        var transitions = new List<string>();
        var breaker = new BreakerHarness(o => o.Listeners.Add(new Transitions(transitions)));

        await breaker.TripAsync();
        breaker.Advance(TimeSpan.FromSeconds(30));
        await breaker.SucceedAsync();

        Assert.Equal(["Closed->Open", "Open->HalfOpen", "HalfOpen->Closed"], transitions);
    }

    [Fact]
    public async Task CallEvents_AreDeliveredToListeners()
    {
        var calls = new List<string>();
        var breaker = new BreakerHarness(o => o.Listeners.Add(new Calls(calls)));

        await breaker.SucceedAsync();
        await breaker.FailAsync();

        Assert.Equal(["before", "success", "before", "failure"], calls);
    }

    [Fact]
    public async Task ExcludedExceptions_DoNotCountAsFailures()
    {
        var breaker = new BreakerHarness(o => o.ShouldHandle = new PredicateBuilder().Handle<Exception>(e => e is not KeyNotFoundException));

        await breaker.FailAsync();
        var excluded = await breaker.CallAsync(new KeyNotFoundException("a business error"));

        Assert.IsType<KeyNotFoundException>(excluded.Exception);
        Assert.Equal(0, breaker.State.FailureCount);
    }

    [Fact]
    public async Task SuccessThreshold_KeepsTheBreakerHalfOpenUntilEnoughTrialsSucceed()
    {
        var breaker = new BreakerHarness(o => o.SuccessThreshold = 2);
        await breaker.TripAsync();
        breaker.Advance(TimeSpan.FromSeconds(30));

        await breaker.SucceedAsync();
        Assert.Equal(CircuitState.HalfOpen, breaker.State.CircuitState);

        await breaker.SucceedAsync();
        Assert.Equal(CircuitState.Closed, breaker.State.CircuitState);
    }

    [Fact]
    public async Task Generator_FailingWhileStreamed_CountsOneFailure()
    {
        var breaker = new BreakerHarness();
        var seen = new List<int>();

        await Assert.ThrowsAsync<InvalidOperationException>(async () =>
        {
            await foreach (var item in breaker.Pipeline.ExecuteStreamAsync(Generator))
            {
                seen.Add(item);
            }
        });

        Assert.Equal([1, 2], seen);
        Assert.Equal(1, breaker.State.FailureCount);
    }

    private static async IAsyncEnumerable<int> Generator([EnumeratorCancellation] CancellationToken token = default)
    {
        await Task.Yield();
        yield return 1;
        yield return 2;
        token.ThrowIfCancellationRequested();
        throw new InvalidOperationException("generator failed");
    }

    private sealed class Transitions(List<string> transitions) : INygardBreakerListener
    {
        public ValueTask OnStateChangedAsync(CircuitState from, CircuitState to, bool isManual)
        {
            transitions.Add($"{from}->{to}");
            return default;
        }
    }

    private sealed class Calls(List<string> calls) : INygardBreakerListener
    {
        public ValueTask BeforeCallAsync(ResilienceContext context) => Add("before");

        public ValueTask OnSuccessAsync(ResilienceContext context) => Add("success");

        public ValueTask OnFailureAsync(ResilienceContext context, Outcome<object> outcome) => Add("failure");

        private ValueTask Add(string call)
        {
            calls.Add(call);
            return default;
        }
    }
}
