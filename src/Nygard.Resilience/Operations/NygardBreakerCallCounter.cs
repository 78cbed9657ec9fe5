namespace Nygard.Resilience;

/// <summary>
/// Counts the calls of the breakers it is given to (<see cref="NygardBreakerHandle.CallCounter"/>) by outcome, as
/// monotonic totals: what a registry turns into the <c>nygard.breaker.calls</c> counter. A breaker without a counter
/// counts nothing and pays nothing for it.
/// </summary>
/// <remarks>
/// Counting is safe from any number of threads and does not allocate. Threads add to separate cells, so that calls
/// on many cores do not contend for one cache line; <see cref="Counts"/> adds the cells up.
/// </remarks>
public sealed class NygardBreakerCallCounter
{
    private const int Outcomes = (int)NygardBreakerCallOutcome.Ignored + 1;
    private const int CellStride = 16; // 128 bytes of longs per stripe: no two stripes share a cache line pair
    private const int MaxStripes = 16;

    private readonly long[] _cells;
    private readonly int _stripeMask;

    /// <summary>Initializes a new instance of the <see cref="NygardBreakerCallCounter"/> class, with every total at zero.</summary>
    public NygardBreakerCallCounter()
    {
        // Stryker disable once Linq : more stripes hold the same counts, spread wider; only the memory and contention differ.
        var stripes = (int)Math.Min(MaxStripes, System.Numerics.BitOperations.RoundUpToPowerOf2((uint)Environment.ProcessorCount));
        _stripeMask = stripes - 1;
        _cells = new long[stripes * CellStride];
    }

    /// <summary>Gets the totals counted so far. Each total is read on its own: calls counted meanwhile may show in some and not yet in others.</summary>
    public NygardBreakerCallCounts Counts => new(
        Total(NygardBreakerCallOutcome.Success),
        Total(NygardBreakerCallOutcome.Failure),
        Total(NygardBreakerCallOutcome.Rejected),
        Total(NygardBreakerCallOutcome.Ignored));

    /// <summary>Gets the total of one outcome counted so far.</summary>
    /// <param name="outcome">The outcome.</param>
    /// <returns>The total.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="outcome"/> is not a defined <see cref="NygardBreakerCallOutcome"/>.</exception>
    public long Total(NygardBreakerCallOutcome outcome)
    {
        var offset = Offset(outcome);
        long total = 0;
        for (var cell = offset; cell < _cells.Length; cell += CellStride)
        {
            total += Volatile.Read(ref _cells[cell]);
        }

        return total;
    }

    /// <summary>Counts one call.</summary>
    /// <param name="outcome">How it ended.</param>
    internal void Add(NygardBreakerCallOutcome outcome) =>
        // Stryker disable once Arithmetic : any stripe a thread picks is summed by Total, so a wrong stripe only changes which threads contend.
        Interlocked.Increment(ref _cells[((Environment.CurrentManagedThreadId & _stripeMask) * CellStride) + (int)outcome]);

    private static int Offset(NygardBreakerCallOutcome outcome) =>
        (uint)outcome < Outcomes ? (int)outcome : throw new ArgumentOutOfRangeException(nameof(outcome), outcome, "Unknown call outcome.");
}
