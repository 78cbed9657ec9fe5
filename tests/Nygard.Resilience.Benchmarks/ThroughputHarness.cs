using System.Diagnostics;
using System.Globalization;
using Polly;

namespace Nygard.Resilience.Benchmarks;

/// <summary>
/// Several threads hammering one pipeline: operations per second and the ratios to the empty pipeline and to a
/// strategy that does nothing (Polly's floor) at the same thread count. Contenders take turns within each round, so that drift on the machine hits them all alike;
/// the median round is reported.
/// </summary>
internal static class ThroughputHarness
{
    public static void Run(string[] args)
    {
        var seconds = args.Length > 1 ? double.Parse(args[1], CultureInfo.InvariantCulture) : 1.0;
        var rounds = args.Length > 2 ? int.Parse(args[2], CultureInfo.InvariantCulture) : 7;
        var duration = TimeSpan.FromSeconds(seconds);
        var pollyV7 = Pipelines.PollyV7(5);
        (string Name, Action Call)[] contenders =
        [
            ("ResiliencePipeline.Empty", CallOf(ResiliencePipeline.Empty)),
            ("No-op strategy (Polly's floor)", CallOf(NoOpStrategies.NonGeneric())),
            ("Nygard breaker", CallOf(Pipelines.Nygard(5))),
            ("Polly v8 AddCircuitBreaker", CallOf(Pipelines.PollyV8(100))),
            ("Polly v7 CircuitBreaker", () => pollyV7.Execute(static () => { })),
        ];

        Console.WriteLine($"Throughput: closed, success, synchronous Execute; {rounds} rounds of {seconds}s per contender, median; {Environment.ProcessorCount} logical cores");
        Console.WriteLine();
        Console.WriteLine("| threads | pipeline | Mops/s | ratio to empty | ratio to Polly's floor |");
        Console.WriteLine("|---:|---|---:|---:|---:|");
        foreach (var threads in new[] { 1, 2, 4 })
        {
            var samples = contenders.Select(_ => new List<double>()).ToArray();
            foreach (var contender in contenders)
            {
                Measure(contender.Call, threads, TimeSpan.FromMilliseconds(200)); // warm up
            }

            for (var round = 0; round < rounds; round++)
            {
                for (var c = 0; c < contenders.Length; c++)
                {
                    samples[c].Add(Measure(contenders[c].Call, threads, duration));
                }
            }

            var medians = samples.Select(Median).ToArray();
            for (var c = 0; c < contenders.Length; c++)
            {
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"| {threads} | {contenders[c].Name} | {medians[c] / 1e6:0.00} | {medians[c] / medians[0]:0.00} | {medians[c] / medians[1]:0.00} |"));
            }
        }
    }

    private static Action CallOf(ResiliencePipeline pipeline) => () => pipeline.Execute(static () => { });

    private static double Measure(Action call, int threads, TimeSpan duration)
    {
        var stop = 0;
        var counts = new long[threads * 16]; // one padded slot per thread
        using var start = new Barrier(threads + 1);
        var workers = Enumerable.Range(0, threads).Select(t => new Thread(() =>
        {
            start.SignalAndWait();
            long ops = 0;
            while (Volatile.Read(ref stop) == 0)
            {
                for (var i = 0; i < 256; i++)
                {
                    call();
                }

                ops += 256;
            }

            counts[t * 16] = ops;
        })).ToArray();

        foreach (var worker in workers)
        {
            worker.Start();
        }

        start.SignalAndWait();
        var clock = Stopwatch.StartNew();
        Thread.Sleep(duration);
        Volatile.Write(ref stop, 1);
        foreach (var worker in workers)
        {
            worker.Join();
        }

        return counts.Sum() / clock.Elapsed.TotalSeconds;
    }

    private static double Median(List<double> values)
    {
        values.Sort();
        return values[values.Count / 2];
    }
}
