using Polly;
using Polly.CircuitBreaker;
using Polly.Timeout;

namespace Nygard.Resilience.Samples;

/// <summary>
/// A short, true timeline of the breaker in front of a flaky dependency: a trip, a rejection with its RetryAfter,
/// WaitForRetryAsync, a failed probe and a longer break (back-off), two probes at once that close it, a listener,
/// isolate and close by hand, a protected stream, and a cancelled call that counts for nothing.
/// Breaks are a few hundred milliseconds so the whole run takes about two seconds.
/// </summary>
internal static class BreakerDemo
{
    private static readonly TimeSpan FirstBreak = TimeSpan.FromMilliseconds(400);
    private static readonly TimeSpan CallTimeout = TimeSpan.FromMilliseconds(200);

    public static async Task<int> RunAsync()
    {
        var service = new FlakyInventoryService();
        var breaker = new NygardBreakerStateProvider();
        var control = new NygardBreakerManualControl();
        var listener = new CountingListener();
        var timeline = new Timeline(breaker);
        listener.Timeline = timeline;

        var options = new NygardBreakerStrategyOptions
        {
            FailureThreshold = 3,
            BreakDuration = FirstBreak,
            // Back-off: each failed probe doubles the next break (HalfOpenAttempts = failed probes in a row).
            BreakDurationGenerator = args => ValueTask.FromResult(FirstBreak * Math.Pow(2, args.HalfOpenAttempts)),
            HalfOpenPermits = 2,     // two probes at once while half-open ...
            SuccessThreshold = 2,    // ... and both must succeed to close
            StateProvider = breaker,
            ManualControl = control,
            OnOpened = args =>
            {
                timeline.Event(args.BreakDuration >= TimeSpan.FromDays(1)
                    ? "OnOpened: held open until closed by hand"
                    : $"OnOpened: break of {args.BreakDuration.TotalMilliseconds:0} ms{(args.IsManual ? " (by hand)" : "")}");
                return default;
            },
        };
        options.Listeners.Add(listener);

        // The breaker outside, the timeout inside: a call that hangs times out, and the timeout counts as a failure.
        var pipeline = new ResiliencePipelineBuilder()
            .AddNygardBreaker(options)
            .AddTimeout(CallTimeout)
            .Build();

        var demo = new Calls(pipeline, service, timeline);

        Timeline.Heading("The dependency is up: calls succeed");
        await demo.CallAsync("get stock");

        Timeline.Heading("The dependency goes down: three failures in a row trip the breaker (FailureThreshold = 3)");
        service.Health = ServiceHealth.Down;
        await demo.CallAsync("get stock");
        await demo.CallAsync("get stock");
        await demo.CallAsync("get stock");
        demo.Expect(breaker.CircuitState == CircuitState.Open, "the third failure opens the breaker");

        Timeline.Heading("While open, a call is rejected at once with the time left (RetryAfter)");
        demo.Expect(await demo.CallAsync("get stock"), "a call while open is rejected");

        Timeline.Heading("WaitForRetryAsync; the dependency now hangs: the probe times out and the next break doubles");
        service.Health = ServiceHealth.Hanging;
        await demo.WaitForRetryAsync(breaker);
        await demo.CallAsync("probe");
        demo.Expect(breaker.CircuitState == CircuitState.Open, "a failed probe opens the breaker again");
        demo.Expect(breaker.FailureCount == 4, "a failed probe adds one to the failure count");

        Timeline.Heading("The dependency recovers: two probes run at once (HalfOpenPermits = 2), a third caller is rejected");
        await demo.WaitForRetryAsync(breaker);
        service.Health = ServiceHealth.Slow;              // the two probes wait until the gate opens
        var first = demo.CallAsync("probe 1");
        var second = demo.CallAsync("probe 2");
        demo.Expect(await demo.CallAsync("third caller"), "a third caller is rejected while two probes run");
        service.OpenGate();
        await Task.WhenAll(first, second);
        demo.Expect(breaker.CircuitState == CircuitState.Closed, "two successful probes close the breaker (SuccessThreshold = 2)");

        Timeline.Heading("Isolate by hand: every call is rejected until CloseAsync");
        await control.IsolateAsync();
        demo.Expect(await demo.CallAsync("get stock"), "an isolated breaker rejects calls");
        await control.CloseAsync();
        await demo.CallAsync("get stock");

        Timeline.Heading("A stream runs as one call: items pass through as they arrive, an error counts once");
        await demo.StreamAsync("read 3 rows", rows: 3, failAfter: null);
        await demo.StreamAsync("read rows, fails after 2", rows: 3, failAfter: 2);
        demo.Expect(breaker.FailureCount == 1, "a stream that throws is one failure");
        await demo.StreamAsync("stop after 1 row", rows: 3, failAfter: null, stopAfter: 1);
        demo.Expect(breaker.FailureCount == 1, "a consumer that stops early counts for nothing");

        Timeline.Heading("Cancellation is neutral: a call the caller cancels neither counts nor resets the count");
        service.Health = ServiceHealth.Hanging;
        using (var cancel = new CancellationTokenSource(TimeSpan.FromMilliseconds(10)))
        {
            await demo.CallAsync("get stock, cancelled", cancellationToken: cancel.Token);
        }

        demo.Expect(breaker.FailureCount == 1, "a cancelled call leaves the failure count as it was");
        service.Health = ServiceHealth.Up;
        await demo.CallAsync("get stock");
        demo.Expect(breaker.FailureCount == 0, "a success resets the failure count");

        Console.WriteLine();
        timeline.Event($"the listener saw {listener.Successes} successes, {listener.Failures} failures and {listener.Transitions} transitions");
        timeline.Event($"the dependency was called {service.Calls} times; {demo.Rejections} calls were rejected without calling it");
        Console.WriteLine();
        Console.WriteLine(demo.Unexpected == 0 ? "Done: every step happened as described." : $"Unexpected: {demo.Unexpected} step(s) did not happen as described.");
        return demo.Unexpected == 0 ? 0 : 1;
    }

    /// <summary>Runs calls through the pipeline and prints one line per call saying what really happened.</summary>
    private sealed class Calls(ResiliencePipeline pipeline, FlakyInventoryService service, Timeline timeline)
    {
        public int Rejections { get; private set; }

        public int Unexpected { get; private set; }

        public void Expect(bool condition, string what)
        {
            if (!condition)
            {
                Unexpected++;
                timeline.Event($"UNEXPECTED: expected that {what}");
            }
        }

        /// <summary>Prints how long the break has left and waits until a call would be admitted.</summary>
        public async Task WaitForRetryAsync(NygardBreakerStateProvider breaker)
        {
            timeline.Event(breaker.RetryAfter is { } remaining ? $"WaitForRetryAsync: {remaining.TotalMilliseconds:0} ms left" : "WaitForRetryAsync");
            await breaker.WaitForRetryAsync();
        }

        /// <summary>One call through the pipeline; prints what happened and returns whether it was rejected.</summary>
        public async Task<bool> CallAsync(string what, CancellationToken cancellationToken = default)
        {
            var reached = false;
            var rejected = false;
            string result;
            try
            {
                var stock = await pipeline.ExecuteAsync(
                    token =>
                    {
                        reached = true;
                        return service.GetStockAsync(token);
                    },
                    cancellationToken);
                result = $"ok, stock = {stock}";
            }
            catch (IsolatedCircuitException)
            {
                result = "rejected at once: isolated by hand";
                rejected = true;
            }
            catch (BrokenCircuitException e)
            {
                result = $"rejected at once, retry after {e.RetryAfter?.TotalMilliseconds:0} ms";
                rejected = true;
            }
            catch (TimeoutRejectedException)
            {
                result = $"timed out after {CallTimeout.TotalMilliseconds:0} ms";
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                result = "cancelled by the caller";
            }
            catch (InvalidOperationException e)
            {
                result = $"failed: {e.Message}";
            }

            if (rejected)
            {
                Rejections++;
                Expect(!reached, "a rejected call does not reach the dependency");
            }

            timeline.Call(what, reached ? $"{result} (reached the dependency)" : result);
            return rejected;
        }

        public async Task StreamAsync(string what, int rows, int? failAfter, int? stopAfter = null)
        {
            var received = 0;
            string result;
            try
            {
                await foreach (var row in pipeline.ExecuteStreamAsync(token => service.ReadRowsAsync(rows, failAfter, token)))
                {
                    received++;
                    if (received == stopAfter)
                    {
                        break;
                    }
                }

                result = stopAfter is null ? $"ok, {received} rows" : $"stopped by the consumer after {received} row(s)";
            }
            catch (InvalidOperationException e)
            {
                result = $"failed after {received} rows: {e.Message}";
            }

            timeline.Call(what, result);
        }
    }

    /// <summary>An aiobreaker-style listener: told before and after every call and on every transition.</summary>
    private sealed class CountingListener : INygardBreakerListener
    {
        public Timeline? Timeline { get; set; }

        private int _successes;
        private int _failures;

        public int Successes => Volatile.Read(ref _successes);

        public int Failures => Volatile.Read(ref _failures);

        public int Transitions { get; private set; }

        public ValueTask OnSuccessAsync(ResilienceContext context)
        {
            Interlocked.Increment(ref _successes); // two probes may finish at once
            return default;
        }

        public ValueTask OnFailureAsync(ResilienceContext context, Outcome<object> outcome)
        {
            Interlocked.Increment(ref _failures);
            return default;
        }

        public ValueTask OnStateChangedAsync(CircuitState from, CircuitState to, bool isManual)
        {
            Transitions++;
            Timeline?.Event($"listener: {from} -> {to}{(isManual ? " (by hand)" : "")}");
            return default;
        }
    }
}
