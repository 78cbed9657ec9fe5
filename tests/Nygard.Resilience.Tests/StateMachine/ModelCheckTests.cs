using Nygard.Resilience.Tests.Support;
using Polly;
using Polly.CircuitBreaker;

namespace Nygard.Resilience.Tests.StateMachine;

/// <summary>
/// Drives the real breaker (pipeline, strategy, store, events) through seeded random sequences of calls,
/// late outcomes, cancellations, time and manual commands, and compares it step by step with <see cref="ReferenceModel"/>.
/// </summary>
public class ModelCheckTests
{
    private const int SeedsPerRow = 250;
    private const int StepsPerSequence = 60;

    public static TheoryData<int> SeedBlocks => [0, 1, 2, 3, 4, 5, 6, 7];

    [Theory]
    [MemberData(nameof(SeedBlocks))]
    public async Task RandomSequences_MatchTheReferenceModelAtEveryStep(int block)
    {
        for (var seed = block * SeedsPerRow; seed < (block + 1) * SeedsPerRow; seed++)
        {
            await RunSequenceAsync(seed);
        }
    }

    private static async Task RunSequenceAsync(int seed)
    {
        var random = new Random(seed);
        var threshold = random.Next(1, 5);
        var permits = random.Next(1, 4);
        var successThreshold = random.Next(1, 4);
        var breakDuration = TimeSpan.FromSeconds(random.Next(1, 4) * 10);
        var useGenerator = random.Next(2) == 0;
        TimeSpan Generated(int attempts) => useGenerator ? TimeSpan.FromSeconds(5 * (attempts + 1)) : breakDuration;

        var breaker = new BreakerHarness(o =>
        {
            o.FailureThreshold = threshold;
            o.HalfOpenPermits = permits;
            o.SuccessThreshold = successThreshold;
            o.BreakDuration = breakDuration;
            o.BreakDurationGenerator = useGenerator ? args => new ValueTask<TimeSpan>(Generated(args.HalfOpenAttempts)) : null;
        });
        var model = new ReferenceModel(threshold, permits, successThreshold, breakDuration, Generated);
        var pending = new List<(PendingCall Call, CancellationTokenSource Cancellation, (int, DateTimeOffset?) Ticket)>();
        var trace = new List<string>();

        for (var step = 0; step < StepsPerSequence; step++)
        {
            var now = breaker.Time.GetUtcNow();
            var action = random.Next(100);
            string what;
            if (action < 25)
            {
                var fails = random.Next(2) == 0;
                what = fails ? "call fails" : "call succeeds";
                var (expected, ticket) = model.Admit(now);
                var outcome = fails ? await breaker.FailAsync() : await breaker.SucceedAsync();
                Assert.Equal(expected, Describe(outcome, fails));
                if (expected == "ok")
                {
                    model.Finish(ticket, fails ? "failure" : "success", now);
                }
            }
            else if (action < 45)
            {
                what = "start a call";
                var (expected, ticket) = model.Admit(now);
                var cancellation = new CancellationTokenSource();
                var call = breaker.Start(cancellation.Token);
                Assert.Equal(expected == "ok", call.Admitted);
                if (call.Admitted)
                {
                    pending.Add((call, cancellation, ticket));
                }
                else
                {
                    Assert.Equal(expected, Describe(await call.Completion, failed: false));
                    cancellation.Dispose();
                }
            }
            else if (action < 65 && pending.Count > 0)
            {
                var index = random.Next(pending.Count);
                var (call, cancellation, ticket) = pending[index];
                pending.RemoveAt(index);
                var how = random.Next(3) switch { 0 => "success", 1 => "failure", _ => "cancelled" };
                what = $"finish a call: {how}";
                if (how == "cancelled")
                {
                    await cancellation.CancelAsync();
                    await call.Completion;
                }
                else
                {
                    await (how == "success" ? call.SucceedAsync() : call.FailAsync());
                }

                cancellation.Dispose();
                model.Finish(ticket, how, now);
            }
            else if (action < 90)
            {
                var by = TimeSpan.FromSeconds(random.Next(0, 25));
                what = $"advance {by.TotalSeconds}s";
                breaker.Advance(by);
            }
            else
            {
                var command = random.Next(4) switch { 0 => "open", 1 => "half-open", 2 => "close", _ => "isolate" };
                what = $"manual {command}";
                await (command switch
                {
                    "open" => breaker.Control.OpenAsync(),
                    "half-open" => breaker.Control.HalfOpenAsync(),
                    "close" => breaker.Control.CloseAsync(),
                    _ => breaker.Control.IsolateAsync(),
                });
                model.Manual(command, now);
            }

            trace.Add(what);
            var where = $"seed {seed}, step {step} ({string.Join(" | ", trace)})";
            Assert.True(model.State == breaker.State.CircuitState, $"state {breaker.State.CircuitState}, model {model.State}: {where}");
            Assert.True(model.Failures == breaker.State.FailureCount, $"failures {breaker.State.FailureCount}, model {model.Failures}: {where}");
            Assert.True(model.OpenUntil == breaker.State.OpenUntil, $"open until {breaker.State.OpenUntil}, model {model.OpenUntil}: {where}");
            Assert.True(model.Events.SequenceEqual(breaker.Events), $"events [{string.Join(", ", breaker.Events)}], model [{string.Join(", ", model.Events)}]: {where}");
        }

        foreach (var (call, cancellation, _) in pending)
        {
            await cancellation.CancelAsync();
            await call.Completion;
            cancellation.Dispose();
        }
    }

    private static string Describe(Outcome<string> outcome, bool failed) => outcome.Exception switch
    {
        IsolatedCircuitException => "isolated",
        BrokenCircuitException => "broken",
        InvalidOperationException when failed => "ok",
        null => "ok",
        var other => other.GetType().Name,
    };
}
