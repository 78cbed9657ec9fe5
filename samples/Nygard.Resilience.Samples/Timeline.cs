using System.Diagnostics;
using Polly.CircuitBreaker;

namespace Nygard.Resilience.Samples;

/// <summary>Prints what happens, one line per call or event: time since start, breaker state, failure count.</summary>
internal sealed class Timeline(NygardBreakerStateProvider breaker)
{
    private readonly Stopwatch _clock = Stopwatch.StartNew();
    private readonly Lock _write = new();

    public static void Heading(string text) => Console.WriteLine($"{Environment.NewLine}== {text}");

    public void Call(string what, string got) => Write("call ", $"{what,-26} -> {got}");

    public void Event(string text) => Write("     ", text);

    private void Write(string kind, string text)
    {
        var state = breaker.CircuitState switch
        {
            CircuitState.HalfOpen => "half-open",
            var other => other.ToString().ToLowerInvariant(),
        };
        lock (_write)
        {
            Console.WriteLine($"  {_clock.Elapsed.TotalMilliseconds,5:0} ms  {state,-9}  failures={breaker.FailureCount}  {kind}  {text}");
        }
    }
}
